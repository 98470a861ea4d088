"""At start-up: a Redis cache that does not answer is a warning naming ``cache_url`` and a
not-ready gateway (it serves without the cache); dev mode off with no trusted key is a warning.

Real gateways on 127.0.0.1 ephemeral ports; the Redis that does not answer is a port nothing
listens on. With ``SPO_TEST_REDIS_URL`` set, a Redis that does answer is ready (db 5).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from connectors.cacheprobe import CacheProbe
from domain.settings import Settings
from gateway.app import create_app
from gateway.config import parse_settings, read_toml
from tests.gatewayfixtures import start_uvicorn

REDIS_URL = os.environ.get("SPO_TEST_REDIS_URL")


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def settings(tmp_path: Path, cache_url: str, **env: str) -> Settings:
    return parse_settings(
        read_toml(),
        {
            "SPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'spo.db'}",
            "SPO_CACHE_URL": cache_url,
            "SPO_DEV_MODE": "0",
            **env,
        },
    )


@asynccontextmanager
async def serving(config: Settings) -> AsyncIterator[str]:
    server, task, url = await start_uvicorn(create_app(config))
    try:
        yield url
    finally:
        server.should_exit = True
        await task


async def status(url: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.json()


async def test_a_redis_that_does_not_answer_warns_and_is_degraded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings(tmp_path, f"redis://127.0.0.1:{closed_port()}/5")
    with caplog.at_level(logging.WARNING, logger="gateway.app"):
        async with serving(config) as url:
            assert await status(url + "/healthz") == (200, {"status": "ok"})
            # Serving without the cache is slower, not wrong: degraded, still in the balancer.
            assert await status(url + "/readyz") == (
                200,
                {"status": "degraded", "database": "ok", "cache": "unavailable"},
            )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("setting cache_url:") and "degraded" in m for m in warnings)


async def test_the_memory_cache_is_ready(tmp_path: Path) -> None:
    async with serving(settings(tmp_path, "memory://")) as url:
        assert await status(url + "/readyz") == (200, {"status": "ok"})


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="SPO_TEST_REDIS_URL is not set")
async def test_a_redis_that_answers_is_ready(tmp_path: Path) -> None:
    assert REDIS_URL is not None
    base = REDIS_URL.rsplit("/", 1)[0]
    async with serving(settings(tmp_path, f"{base}/5")) as url:
        assert await status(url + "/readyz") == (200, {"status": "ok"})


async def test_the_probe_answers_for_memory_and_not_for_a_closed_port() -> None:
    memory = CacheProbe("memory://")
    assert memory.remote is False
    assert await memory.answers()
    closed = CacheProbe(f"redis://127.0.0.1:{closed_port()}/5", timeout_s=0.5)
    assert closed.remote is True
    assert not await closed.answers()
    await closed.close()


async def test_dev_mode_off_without_a_trusted_key_warns_at_start_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings(tmp_path, "memory://")
    with caplog.at_level(logging.WARNING, logger="gateway.app"):
        async with serving(config):
            pass
    assert "dev mode is off and no key is trusted" in caplog.text
    caplog.clear()
    trusted = replace(config, auth=replace(config.auth, jwks_url="http://127.0.0.1:9/jwks"))
    with caplog.at_level(logging.WARNING, logger="gateway.app"):
        async with serving(trusted):
            pass
    assert "no key is trusted" not in caplog.text
