"""The record cache as an optional dependency: its own breaker, one log line per change of state.

Without ``SPO_TEST_REDIS_URL`` the cache points at a closed port; with it, at a real Redis through
a TCP proxy (``tests/tcpproxy.py``) that the test takes down and brings back. Either way every
request is still answered (from the sources), nothing logs a traceback, and ``/readyz`` says
``degraded`` while the cache is out of use.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from prometheus_client import REGISTRY

from connectors.cache import RecordCache
from domain.clock import Clock
from domain.records import AppointmentRecord
from domain.settings import Settings
from tests.gatewayfixtures import running_gateway
from tests.tcpproxy import TcpProxy
from tests.test_cache import APPOINTMENT, Loader

REDIS_URL = os.environ.get("SPO_TEST_REDIS_URL")
CLOSED = "redis://127.0.0.1:1/0"
MULTI = "0108589995"
VIEW = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  appointments(first: 5) { totalCount } sources { id status } } }"""


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _cache_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "connectors.cache" and r.levelno >= logging.INFO]


async def _fetch_many(cache: RecordCache, n: int, round_: str = "") -> Loader:
    load = Loader([APPOINTMENT])
    for i in range(n):
        got = await cache.fetch(f"appointments:rm:{round_}{i}", AppointmentRecord, 30, 600, load)
        assert got.records == [APPOINTMENT]
    await cache.flush()
    return load


async def test_an_unreachable_cache_opens_its_breaker_once_and_is_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = RecordCache(CLOSED, op_timeout_s=0.2, breaker_failures=3, breaker_reset_s=60)
    skipped = _sample("spo_cache_errors_total", op="skipped")
    try:
        with caplog.at_level(logging.DEBUG, logger="connectors.cache"):
            load = await _fetch_many(cache, 20)
    finally:
        await cache.close()
    assert load.calls == 20  # every lookup a miss, every one answered
    lines = _cache_lines(caplog)
    assert [r.levelno for r in lines] == [logging.WARNING], [r.getMessage() for r in lines]
    assert "cache unavailable" in lines[0].getMessage()
    assert not any(r.exc_info or r.exc_text for r in caplog.records if r.name.startswith("conn"))
    assert not cache.available
    assert _sample("spo_cache_circuit_open") == 1
    # After three failures the cache was not even asked: reads and writes skipped.
    assert _sample("spo_cache_errors_total", op="skipped") - skipped >= 30


@pytest.fixture
async def proxied_redis() -> AsyncIterator[tuple[TcpProxy, str]]:
    if not REDIS_URL:
        pytest.skip("SPO_TEST_REDIS_URL is not set")
    from sqlalchemy.engine import make_url

    target = make_url(REDIS_URL.replace("redis://", "postgresql://", 1))
    proxy = await TcpProxy.start(target.host or "127.0.0.1", target.port or 6379)
    try:
        yield proxy, f"redis://127.0.0.1:{proxy.port}/5"
    finally:
        await proxy.close()


@pytest.mark.redis
async def test_redis_going_away_and_coming_back_is_two_log_lines(
    proxied_redis: tuple[TcpProxy, str], caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = proxied_redis
    cache = RecordCache(
        url, namespace=f"spo-test-{uuid.uuid4().hex}", breaker_failures=3, breaker_reset_s=0.05
    )
    try:
        with caplog.at_level(logging.DEBUG, logger="connectors.cache"):
            await _fetch_many(cache, 3)
            assert cache.available
            proxy.down()
            load = await _fetch_many(cache, 20, "down")
            assert load.calls == 20
            assert not cache.available
            proxy.forward()
            await asyncio.sleep(0.1)  # past breaker_reset_s: the next operation is the probe
            assert await cache.check()
            await _fetch_many(cache, 3, "back")
    finally:
        await cache.close()
    lines = [(r.levelno, r.getMessage()) for r in _cache_lines(caplog)]
    assert [level for level, _ in lines] == [logging.WARNING, logging.INFO], lines
    assert "cache available again" in lines[1][1]
    assert _sample("spo_cache_circuit_open") == 0


def _closed_cache(settings: Settings) -> Settings:
    return replace(settings, cache_url=CLOSED)


async def test_the_gateway_answers_without_its_cache_and_readiness_says_degraded(
    tmp_path: object, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    async with running_gateway(tmp_path, clock, tune=_closed_cache) as gw:
        async with gw.session.get(gw.url + "/readyz") as r:
            assert r.status == 200
            # The start-up probe found no cache: degraded before any request has failed.
            assert (await r.json())["status"] == "degraded"
        with caplog.at_level(logging.DEBUG):
            for _ in range(5):
                body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
                assert "errors" not in body, body
                statuses = {s["status"] for s in body["data"]["patientOverview"]["sources"]}
                assert statuses <= {"OK", "NOT_REQUESTED"}, statuses
        async with gw.session.get(gw.url + "/readyz") as r:
            assert r.status == 200  # still serving: the cache is optional
            assert await r.json() == {
                "status": "degraded",
                "database": "ok",
                "cache": "unavailable",
            }
    warnings = [r for r in caplog.records if r.name == "connectors.cache" and r.levelno >= 30]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert not any(r.exc_info for r in caplog.records if r.name.startswith(("connectors", "aioc")))
