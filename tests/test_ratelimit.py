"""Rate limits (``gateway/ratelimit.py``) and CORS: 429 with Retry-After per principal and per
client address, in memory or Redis; browser origins only from the configured allowlist."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as redis

from domain.clock import Clock
from domain.principals import Citizen
from domain.settings import ConfigError, CorsSettings, RateLimitSettings, Settings
from gateway.config import parse_settings, read_toml
from gateway.ratelimit import KEY_PREFIX, RateLimits
from tests.gatewayfixtures import Gateway, running_gateway

REDIS_URL = os.environ.get("SPO_TEST_REDIS_URL")
QUERY = "{ __typename }"
PAGE = "https://spo.example"


def limited(per_principal: str = "", per_address: str = "", cache_url: str | None = None) -> Any:
    def tune(settings: Settings) -> Settings:
        settings = replace(settings, ratelimit=RateLimitSettings(per_principal, per_address))
        return replace(settings, cache_url=cache_url) if cache_url else settings

    return tune


async def _post(gw: Gateway, token: str | None, **headers: str) -> tuple[int, Any, Any]:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with gw.session.post(f"{gw.url}/graphql", json={"query": QUERY}, headers=headers) as r:
        return r.status, r.headers, await r.json(content_type=None)


def _refused(answer: tuple[int, Any, Any]) -> bool:
    status, headers, body = answer
    if status != 429:
        return False
    assert int(headers["Retry-After"]) >= 1
    assert body["errors"][0]["extensions"] == {"code": "RATE_LIMITED"}
    return True


async def test_a_principal_past_its_limit_gets_429_and_others_do_not(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    tune = limited(per_principal="3/minute")
    async with running_gateway(tmp_path, clock, template=migrated_template, tune=tune) as gw:
        multi = gw.token("citizen-multi")
        for _ in range(3):
            assert (await _post(gw, multi))[0] == 200
        assert _refused(await _post(gw, multi))
        assert _refused(await _post(gw, gw.token("citizen-multi")))  # a new token: the same one
        assert (await _post(gw, gw.token("citizen-group2")))[0] == 200


async def test_an_address_past_its_limit_gets_429_before_its_token_is_read(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    tune = limited(per_address="4/minute")
    async with running_gateway(tmp_path, clock, template=migrated_template, tune=tune) as gw:
        assert (await _post(gw, None))[0] == 401  # counted too
        for _ in range(3):
            assert (await _post(gw, gw.token("citizen-multi")))[0] == 200
        assert _refused(await _post(gw, gw.token("citizen-group2")))
        assert _refused(await _post(gw, None))
        async with gw.session.get(f"{gw.url}/healthz") as r:
            assert r.status == 200  # the probes are never limited


async def _flush(url: str) -> None:
    client = redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(f"{KEY_PREFIX}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="SPO_TEST_REDIS_URL is not set")
async def test_replicas_on_one_redis_share_a_principals_count(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    assert REDIS_URL
    url = REDIS_URL.rsplit("/", 1)[0] + "/5"  # a database of our own
    await _flush(url)
    tune = limited(per_principal="3/minute", cache_url=url)
    for n in ("a", "b"):
        (tmp_path / n).mkdir()
    async with AsyncExitStack() as stack:
        a, b = [
            await stack.enter_async_context(
                running_gateway(tmp_path / n, clock, template=migrated_template, tune=tune)
            )
            for n in ("a", "b")
        ]
        assert (await _post(a, a.token("citizen-multi")))[0] == 200
        assert (await _post(b, b.token("citizen-multi")))[0] == 200
        assert (await _post(a, a.token("citizen-multi")))[0] == 200
        assert _refused(await _post(b, b.token("citizen-multi")))
    await _flush(url)


async def test_without_its_store_the_limits_let_requests_through_and_say_so_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody answers there
    limits = RateLimits(RateLimitSettings("1/minute", "1/minute"), f"redis://127.0.0.1:{port}/5")
    limits.open()
    try:
        for _ in range(3):
            await limits.check_principal(Citizen("0108589995", "Poul Erik Testesen"))
    finally:
        await limits.close()
    warnings = [r for r in caplog.records if r.name == "gateway.ratelimit"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "not enforced" in warnings[0].getMessage()
    assert str(port) not in warnings[0].getMessage()


def allow(*origins: str) -> Callable[[Settings], Settings]:
    return lambda s: replace(s, cors=CorsSettings(allow_origins=origins))


async def test_cors_answers_only_the_configured_origins(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    tune = allow(PAGE)
    async with running_gateway(tmp_path, clock, template=migrated_template, tune=tune) as gw:
        url = f"{gw.url}/graphql"
        async with gw.session.options(url, headers={**preflight, "Origin": PAGE}) as r:
            assert r.status == 200
            assert r.headers["Access-Control-Allow-Origin"] == PAGE
            assert "authorization" in r.headers["Access-Control-Allow-Headers"].lower()
            assert "Access-Control-Allow-Credentials" not in r.headers
        async with gw.session.options(url, headers={**preflight, "Origin": "https://evil"}) as r:
            assert r.status == 400
            assert "Access-Control-Allow-Origin" not in r.headers
        status, headers, _ = await _post(gw, gw.token("citizen-multi"), Origin=PAGE)
        assert (status, headers["Access-Control-Allow-Origin"]) == (200, PAGE)
        assert "Retry-After" in headers.get("Access-Control-Expose-Headers", "")


async def test_no_origin_is_allowed_by_default(gateway: Gateway) -> None:
    assert gateway.settings.cors.allow_origins == ()
    status, headers, _ = await _post(gateway, gateway.token("citizen-multi"), Origin=PAGE)
    assert status == 200
    assert "Access-Control-Allow-Origin" not in headers
    preflight = {"Origin": PAGE, "Access-Control-Request-Method": "POST"}
    async with gateway.session.options(f"{gateway.url}/graphql", headers=preflight) as r:
        assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize(
    ("table", "values", "named"),
    [
        ("ratelimit", {"per_principal": "lots"}, "ratelimit.per_principal"),
        ("ratelimit", {"per_address": "5 per fortnight"}, "ratelimit.per_address"),
        ("cors", {"allow_origins": ["*"]}, "cors.allow_origins"),
        ("cors", {"allow_origins": ["https://spo.example/"]}, "cors.allow_origins"),
        ("cors", {"allow_origins": ["spo.example"]}, "cors.allow_origins"),
        ("cors", {"max_age_s": -1}, "cors.max_age_s"),
        ("cors", {"origins": []}, r"\[cors\]"),
    ],
)
def test_bad_edge_settings_stop_start_up(table: str, values: dict[str, Any], named: str) -> None:
    raw = read_toml()
    raw[table] = values
    with pytest.raises(ConfigError, match=named):
        parse_settings(raw, {})


def test_good_edge_settings_are_read() -> None:
    raw = read_toml()
    raw["ratelimit"] = {"per_principal": "10/second; 300/minute", "per_address": ""}
    raw["cors"] = {"allow_origins": [PAGE, "http://127.0.0.1:5173"]}
    settings = parse_settings(raw, {})
    assert settings.ratelimit == RateLimitSettings("10/second; 300/minute", "")
    assert settings.cors.allow_origins == (PAGE, "http://127.0.0.1:5173")
