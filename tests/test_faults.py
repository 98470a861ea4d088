"""Upstream failures end to end: simulators with injected faults, through the GraphQL gateway.

Each test starts its own gateway (``make_gateway``) with settings tuned for what it proves (a short
cache TTL, a short breaker reset, ...), sets a fault on a simulator with ``POST /<source>/_faults``
and reads the simulator's ``GET /<source>/_hits`` to see how often the gateway really called it.
Times asserted are bounds with generous margins (``MARGIN_S``), not measurements, and every
source and register gets a 1.8 s timeout instead of the default 1 s, so that a busy CI machine
does not turn a healthy source into a timeout; tests about timeouts set their own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from domain.clock import Clock
from domain.settings import Settings
from gateway.app import create_app
from simulators import server
from simulators.population import build_population
from store.engine import upgrade
from tests.gatewayfixtures import Gateway, start_uvicorn
from tests.gatewayfixtures import test_settings as gateway_settings

MULTI = "0108589995"  # citizen-multi: data in all five sources; consented to the GP's sharing
GROUP2 = "1502779995"  # citizen-group2: no consent for the GP practice
APPOINTMENT_SOURCES = ("rm", "rn", "aarhus", "frederikshavn", "gp-jml")
VIEW = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  appointments(first: 500) { totalCount nodes { id source { id } } }
  sources { id status fetchedAt }
} }"""
FULL = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  stamkort { name gp { name } }
  appointments(first: 500) { totalCount nodes { id source { id } } }
  plans { title }
  sources { id status fetchedAt }
} }"""
# Upstream details that must stay in the gateway's logs and never reach a client.
LEAKS = ("127.0.0.1", "http://", "HTTP 5", "HTTP 4", "Injected", "Traceback", "passwd", "lol")
# A generous bound on what one request may add to the test process's peak memory (RSS): an
# expanded entity bomb or an unbounded read of the 20 MB "oversize" body would blow far past it.
MAX_RSS_GROWTH_KB = 256 * 1024
MARGIN_S = 1.5  # what a request may take besides the waits a test is about
RELAXED_TIMEOUT_S = 1.8

Tune = Callable[[Settings], Settings]
GatewayFactory = Callable[..., Awaitable[Gateway]]


@pytest.fixture
async def make_gateway(tmp_path: Path, clock: Clock) -> AsyncIterator[GatewayFactory]:
    """Start simulators and a gateway (SQLite, in-memory cache) with ``tune``d settings.

    Call it once per test: the database and trusted key live in the test's ``tmp_path``.
    """
    stops: list[Callable[[], Awaitable[None]]] = []

    async def make(tune: Tune | None = None) -> Gateway:
        pop = build_population(clock=clock)
        sims = await server.start(pop)
        stops.append(sims.close)
        key = ec.generate_private_key(ec.SECP256R1())
        (tmp_path / "trusted.pem").write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        database_url = f"sqlite+aiosqlite:///{tmp_path}/gw.db"
        settings = relaxed(gateway_settings(tmp_path, sims.base_url, database_url))
        if tune is not None:
            settings = tune(settings)
        await upgrade(database_url)
        app = create_app(settings, clock)
        srv, task, url = await start_uvicorn(app)

        async def stop_gateway() -> None:
            srv.should_exit = True
            await task

        stops.append(stop_gateway)
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        stops.append(session.close)
        return Gateway(url, settings, pop, sims.base_url, key, session, app, clock)

    yield make
    for stop in reversed(stops):
        await stop()


def relaxed(settings: Settings) -> Settings:
    for s in settings.sources:
        settings = with_source(settings, s.id, timeout_s=RELAXED_TIMEOUT_S)
    return replace(
        settings,
        cpr=replace(settings.cpr, timeout_s=RELAXED_TIMEOUT_S),
        stamdata=replace(settings.stamdata, timeout_s=RELAXED_TIMEOUT_S),
    )


def with_source(settings: Settings, source: str, **changes: Any) -> Settings:
    """``settings`` with one source's config changed (``timeout_s``, ``cache_ttl_s``, ...)."""
    sources = tuple(replace(s, **changes) if s.id == source else s for s in settings.sources)
    return replace(settings, sources=sources)


def with_resilience(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, resilience=replace(settings.resilience, **changes))


def with_limits(settings: Settings, **changes: Any) -> Settings:
    return replace(settings, limits=replace(settings.limits, **changes))


async def hits(gw: Gateway, source: str) -> int:
    """How often ``source``'s simulator was called since its fault was last set."""
    async with gw.session.get(f"{gw.sim_url}/{source}/_hits") as r:
        return int((await r.json())["hits"])


async def until_hit(gw: Gateway, source: str, within_s: float = 5.0) -> None:
    """Wait until ``source``'s simulator has been called since its fault was set."""
    for _ in range(int(within_s / 0.01)):
        if await hits(gw, source) >= 1:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{source} was never called")


async def timed(gw: Gateway, persona: str, query: str, cpr: str) -> tuple[dict[str, Any], float]:
    start = time.monotonic()
    body = await gw.query(persona, query, {"cpr": cpr})
    return body, time.monotonic() - start


def overview(body: dict[str, Any]) -> dict[str, Any]:
    return body["data"]["patientOverview"]  # type: ignore[no-any-return]


def status_of(body: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: s["status"] for s in overview(body)["sources"]}


def fetched_at(body: dict[str, Any], source: str) -> str | None:
    found: str | None = next(s["fetchedAt"] for s in overview(body)["sources"] if s["id"] == source)
    return found


def errors_by_source(body: dict[str, Any]) -> dict[str, list[str]]:
    """Each upstream error's ``extensions.code``, keyed by its ``extensions.source``."""
    out: dict[str, list[str]] = {}
    for e in body.get("errors", []):
        ext = e["extensions"]
        if "source" in ext:
            out.setdefault(ext["source"], []).append(ext["code"])
    return out


def appointment_sources(body: dict[str, Any]) -> set[str]:
    return {n["source"]["id"] for n in overview(body)["appointments"]["nodes"]}


def assert_no_leaks(body: dict[str, Any]) -> None:
    text = json.dumps(body)
    for leak in LEAKS:
        assert leak not in text, (leak, text)


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- timeouts and the request deadline ---


async def test_a_hanging_source_costs_at_most_its_timeout(make_gateway: GatewayFactory) -> None:
    # A long deadline, so only rm's own timeout can end its call.
    def tune(s: Settings) -> Settings:
        return with_limits(with_source(s, "rm", timeout_s=0.5), request_deadline_s=10.0)

    gw = await make_gateway(tune)
    await gw.fault("rm", "hang")
    body, elapsed = await timed(gw, "citizen-multi", VIEW, MULTI)
    assert elapsed < 0.5 + MARGIN_S  # its timeout, plus a margin for everything else
    assert status_of(body)["rm"] == "TIMEOUT"
    assert errors_by_source(body) == {"rm": ["UPSTREAM_TIMEOUT"]}
    assert fetched_at(body, "rm") is None
    # Everyone else answered in full; rm's data is simply absent.
    assert appointment_sources(body) == set(APPOINTMENT_SOURCES) - {"rm"}
    assert all(status_of(body)[s] == "OK" for s in APPOINTMENT_SOURCES if s != "rm")
    assert await hits(gw, "rm") == 1  # a timeout is not retried: it spent the caller's time
    assert_no_leaks(body)


async def test_a_slow_source_is_cut_at_its_timeout(make_gateway: GatewayFactory) -> None:
    def tune(s: Settings) -> Settings:
        return with_limits(with_source(s, "aarhus", timeout_s=0.4), request_deadline_s=10.0)

    gw = await make_gateway(tune)
    await gw.fault("aarhus", "latency", ms=3000)
    body, elapsed = await timed(gw, "citizen-multi", VIEW, MULTI)
    assert elapsed < 0.4 + MARGIN_S  # not the 3 s the source would take
    assert status_of(body)["aarhus"] == "TIMEOUT"
    assert errors_by_source(body) == {"aarhus": ["UPSTREAM_TIMEOUT"]}
    assert "aarhus" not in appointment_sources(body)


async def test_the_request_deadline_bounds_every_source(make_gateway: GatewayFactory) -> None:
    def tune(s: Settings) -> Settings:
        for sid in APPOINTMENT_SOURCES:
            s = with_source(s, sid, timeout_s=30.0)  # only the deadline can stop them
        s = replace(s, cpr=replace(s.cpr, timeout_s=30.0))
        s = replace(s, stamdata=replace(s.stamdata, timeout_s=30.0))
        return with_limits(s, request_deadline_s=1.0)

    gw = await make_gateway(tune)
    for sid in (*APPOINTMENT_SOURCES, "cpr"):
        await gw.fault(sid, "hang")
    body, elapsed = await timed(gw, "citizen-multi", FULL, MULTI)
    assert elapsed < 1.0 + MARGIN_S  # not the sources' 30 s
    statuses = status_of(body)
    assert all(statuses[s] == "TIMEOUT" for s in (*APPOINTMENT_SOURCES, "cpr")), statuses
    ov = overview(body)
    assert ov["appointments"]["totalCount"] == 0
    assert ov["stamkort"]["name"] is None
    by_source = errors_by_source(body)
    assert set(by_source) == {*APPOINTMENT_SOURCES, "cpr"}
    assert all(set(codes) == {"UPSTREAM_TIMEOUT"} for codes in by_source.values())
    assert_no_leaks(body)


async def test_a_source_that_takes_the_whole_deadline_leaves_the_log_its_time(
    make_gateway: GatewayFactory,
) -> None:
    # The sources get the deadline less one database call: the access-log entry of an audited
    # viewer still has its time, so one slow region does not cost clinicians their overview.
    def tune(s: Settings) -> Settings:
        s = with_source(s, "rm", timeout_s=30.0)  # only the deadline can stop it
        return with_limits(s, request_deadline_s=3.0, database_timeout_s=1.0)

    gw = await make_gateway(tune)
    await gw.fault("rm", "hang")
    for persona in ("clinician-auh", "relative-multi"):
        body = await gw.query(persona, FULL, {"cpr": MULTI})
        assert "AUDIT_UNAVAILABLE" not in str(body.get("errors")), body["errors"]
        assert status_of(body)["rm"] == "TIMEOUT"
        assert overview(body)["appointments"]["totalCount"] > 0  # the other sources' data
    entries = (await gw.app.state.services.access_log.page(MULTI, first=10)).entries
    assert {e.actor_role for e in entries} >= {"clinician", "relative"}


# --- unavailable sources and retries ---


@pytest.mark.parametrize(("mode", "detail"), [("error", "HTTP 503"), ("reset", "Error")])
async def test_unavailable_source_is_retried_then_reported(
    make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture, mode: str, detail: str
) -> None:
    gw = await make_gateway()
    await gw.fault("rn", mode)
    with caplog.at_level(logging.WARNING, logger="connectors.registry"):
        body, elapsed = await timed(gw, "citizen-multi", VIEW, MULTI)
    assert status_of(body)["rn"] == "UNAVAILABLE"
    assert errors_by_source(body) == {"rn": ["UPSTREAM_UNAVAILABLE"]}
    assert "rn" not in appointment_sources(body)
    assert appointment_sources(body) == set(APPOINTMENT_SOURCES) - {"rn"}
    # The first attempt and retry_attempts (2) retries, with jittered backoff, well in time.
    # aiohttp itself resends an idempotent GET once when a pooled keep-alive connection turns
    # out to be closed (RFC 9112, 9.3.1), so a reset can cost up to two requests per attempt.
    attempts = 1 + gw.settings.resilience.retry_attempts
    assert attempts <= await hits(gw, "rn") <= (attempts if mode == "error" else 2 * attempts)
    assert elapsed < gw.settings.limits.request_deadline_s
    assert_no_leaks(body)
    # The detail the client does not get is in the gateway's log.
    logged = [r.getMessage() for r in caplog.records if r.name == "connectors.registry"]
    assert any("rn" in m and detail in m for m in logged), logged


async def test_429_retry_after_is_honoured_and_the_retry_can_succeed(
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway()
    await gw.fault("rm", "error", status=429, retry_after=1)
    start = time.monotonic()
    request = asyncio.create_task(gw.query("citizen-multi", VIEW, {"cpr": MULTI}))
    await until_hit(gw, "rm")
    await gw.fault("rm", "off")  # the source recovers while the gateway waits as it was told
    body = await request
    assert time.monotonic() - start >= 0.9  # it waited for Retry-After, not its own backoff
    assert await hits(gw, "rm") == 1  # one retry, after the fault was switched off
    assert status_of(body)["rm"] == "OK"
    assert "errors" not in body
    assert "rm" in appointment_sources(body)


async def test_retry_after_within_the_deadline_only(make_gateway: GatewayFactory) -> None:
    gw = await make_gateway()  # deadline 2 s: room for one 1 s wait, not for a second one
    await gw.fault("rm", "error", status=503, retry_after=1)
    body, elapsed = await timed(gw, "citizen-multi", VIEW, MULTI)
    assert await hits(gw, "rm") == 2
    assert 0.9 <= elapsed < gw.settings.limits.request_deadline_s + 1.0
    assert status_of(body)["rm"] == "UNAVAILABLE"
    assert errors_by_source(body) == {"rm": ["UPSTREAM_UNAVAILABLE"]}


async def test_retry_after_beyond_the_cap_ends_the_call_at_once(
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway()
    await gw.fault("rm", "error", status=429, retry_after=30)
    body, elapsed = await timed(gw, "citizen-multi", VIEW, MULTI)
    assert await hits(gw, "rm") == 1
    assert elapsed < gw.settings.limits.request_deadline_s  # far from the 30 s asked for
    assert status_of(body)["rm"] == "UNAVAILABLE"
    assert errors_by_source(body) == {"rm": ["UPSTREAM_UNAVAILABLE"]}
    assert_no_leaks(body)


async def test_the_retry_budget_bounds_retries_in_an_outage(make_gateway: GatewayFactory) -> None:
    # A breaker that never opens, so only the budget stands between an outage and 3x the load.
    gw = await make_gateway(lambda s: with_resilience(s, breaker_failures=10_000))
    res = gw.settings.resilience
    await gw.fault("rm", "error")
    requests = 30
    for _ in range(requests - 10):
        await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    before_last = await hits(gw, "rm")
    for _ in range(10):
        body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
        assert status_of(body)["rm"] == "UNAVAILABLE"
    total = await hits(gw, "rm")
    # The budget starts with 10 tokens and earns retry_budget_ratio per first attempt.
    assert requests < total <= requests + 10 + res.retry_budget_ratio * requests + 1
    assert total < requests * (1 + res.retry_attempts)
    # Once spent, retries are rationed to ~20 % of the traffic.
    assert total - before_last <= 10 * (1 + res.retry_budget_ratio) + 1


# --- the circuit breaker ---


async def test_breaker_opens_stops_calling_probes_and_closes(make_gateway: GatewayFactory) -> None:
    reset_s = 1.5
    gw = await make_gateway(lambda s: with_resilience(s, breaker_reset_s=reset_s))
    await gw.fault("frederikshavn", "error")
    seen: list[str] = []
    for _ in range(gw.settings.resilience.breaker_failures):
        body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
        seen.append(status_of(body)["frederikshavn"])
        if seen[-1] == "CIRCUIT_OPEN":
            break
    assert seen[0] == "UNAVAILABLE"
    assert seen[-1] == "CIRCUIT_OPEN", seen

    # Open: the source is not called at all, and its status and error say why its data is missing.
    called = await hits(gw, "frederikshavn")
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert await hits(gw, "frederikshavn") == called
    assert status_of(body)["frederikshavn"] == "CIRCUIT_OPEN"
    assert errors_by_source(body) == {"frederikshavn": ["CIRCUIT_OPEN"]}
    assert "frederikshavn" not in appointment_sources(body)
    assert appointment_sources(body) == set(APPOINTMENT_SOURCES) - {"frederikshavn"}
    assert_no_leaks(body)

    # Half-open: one probe goes; it fails, so the circuit opens again at once.
    await asyncio.sleep(reset_s + 0.1)
    called = await hits(gw, "frederikshavn")
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert await hits(gw, "frederikshavn") == called + 1
    assert status_of(body)["frederikshavn"] == "UNAVAILABLE"
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert await hits(gw, "frederikshavn") == called + 1
    assert status_of(body)["frederikshavn"] == "CIRCUIT_OPEN"

    # The source recovers: the next probe succeeds and closes the circuit.
    await gw.fault("frederikshavn", "off")
    await asyncio.sleep(reset_s + 0.1)
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert status_of(body)["frederikshavn"] == "OK"
    assert "errors" not in body
    assert "frederikshavn" in appointment_sources(body)
    assert await hits(gw, "frederikshavn") >= 1


async def test_bad_responses_do_not_open_the_breaker(make_gateway: GatewayFactory) -> None:
    gw = await make_gateway()
    await gw.fault("rm", "malformed", variant="structure")
    for _ in range(gw.settings.resilience.breaker_failures + 2):
        body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
        assert status_of(body)["rm"] == "BAD_RESPONSE"
    assert await hits(gw, "rm") == gw.settings.resilience.breaker_failures + 2  # never retried


# --- stale-if-error ---


async def test_stale_if_error_serves_cached_data_marked_stale(
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway(lambda s: with_source(s, "rm", cache_ttl_s=0.3))
    fresh = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert status_of(fresh)["rm"] == "OK"
    rm_ids = {
        n["id"] for n in overview(fresh)["appointments"]["nodes"] if n["source"]["id"] == "rm"
    }
    assert rm_ids
    await asyncio.sleep(0.4)  # rm's records are no longer fresh, but well within stale_if_error_s
    await gw.fault("rm", "error")
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert status_of(body)["rm"] == "STALE"
    assert fetched_at(body, "rm") == fetched_at(fresh, "rm")  # the time its data is from
    assert {
        n["id"] for n in overview(body)["appointments"]["nodes"] if n["source"]["id"] == "rm"
    } == (rm_ids)
    assert errors_by_source(body) == {"rm": ["UPSTREAM_UNAVAILABLE"]}
    assert "stale" in body["errors"][0]["message"]
    assert await hits(gw, "rm") == 1 + gw.settings.resilience.retry_attempts  # it did try
    assert_no_leaks(body)


async def test_data_older_than_the_stale_limit_is_not_served(make_gateway: GatewayFactory) -> None:
    def tune(s: Settings) -> Settings:
        return with_resilience(with_source(s, "rm", cache_ttl_s=0.2), stale_if_error_s=0.5)

    gw = await make_gateway(tune)
    assert status_of(await gw.query("citizen-multi", VIEW, {"cpr": MULTI}))["rm"] == "OK"
    await asyncio.sleep(0.7)
    await gw.fault("rm", "error")
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert status_of(body)["rm"] == "UNAVAILABLE"
    assert fetched_at(body, "rm") is None
    assert "rm" not in appointment_sources(body)


async def test_blocks_and_tenancy_apply_to_cached_and_stale_data(
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway(lambda s: with_source(s, "rm", cache_ttl_s=0.3))
    seen = await gw.query("clinician-auh", VIEW, {"cpr": MULTI})
    assert "rm" in appointment_sources(seen)
    made = await gw.query(
        "citizen-multi",
        "mutation($i: CreateBlockInput!) { createBlock(input: $i) { active } }",
        {"i": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}},
    )
    assert made["data"]["createBlock"]["active"] is True
    cached = await gw.query("clinician-auh", VIEW, {"cpr": MULTI})
    assert overview(cached)["appointments"] is None
    # Tenancy too: the cached records are no one else's to see.
    other = await gw.query("citizen-group2", VIEW, {"cpr": MULTI})
    assert other["data"] is None
    assert [e["extensions"]["code"] for e in other["errors"]] == ["FORBIDDEN"]
    await asyncio.sleep(0.4)
    await gw.fault("rm", "error")
    stale = await gw.query("clinician-auh", VIEW, {"cpr": MULTI})
    assert overview(stale)["appointments"] is None
    assert "BLOCKED_BY_PATIENT" in [e["extensions"]["code"] for e in stale["errors"]]
    # The patient still gets the stale data, marked as such.
    own = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert status_of(own)["rm"] == "STALE"
    assert "rm" in appointment_sources(own)


# --- hostile and broken payloads ---


@pytest.mark.parametrize(
    ("source", "variant"),
    [
        ("rm", "truncated"),
        ("rm", "content-type"),
        ("rm", "utf8"),
        ("rm", "structure"),
        ("rm", "oversize"),
        ("aarhus", "xml-bomb"),
        ("aarhus", "xxe"),
        ("aarhus", "structure"),
        ("aarhus", "truncated"),
        ("aarhus", "content-type"),
        ("aarhus", "utf8"),
        ("aarhus", "oversize"),
    ],
)
async def test_hostile_payloads_are_bad_responses(
    make_gateway: GatewayFactory, source: str, variant: str
) -> None:
    gw = await make_gateway()
    await gw.fault(source, "malformed", variant=variant)
    peak = peak_rss_kb()
    body, elapsed = await timed(gw, "citizen-multi", VIEW, MULTI)
    assert peak_rss_kb() - peak < MAX_RSS_GROWTH_KB
    assert elapsed < gw.settings.limits.request_deadline_s + 1.0
    assert status_of(body)[source] == "BAD_RESPONSE"
    assert errors_by_source(body) == {source: ["UPSTREAM_BAD_RESPONSE"]}
    assert source not in appointment_sources(body)
    assert appointment_sources(body) == set(APPOINTMENT_SOURCES) - {source}
    assert_no_leaks(body)


async def test_the_response_size_cap_is_configured(make_gateway: GatewayFactory) -> None:
    gw = await make_gateway(lambda s: with_limits(s, max_response_bytes=2_000))
    body = await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    # Healthy answers larger than the cap are refused like any hostile one.
    assert status_of(body)["rm"] == "BAD_RESPONSE"
    assert errors_by_source(body)["rm"] == ["UPSTREAM_BAD_RESPONSE"]


# --- the other statuses, coalescing, and writes ---


async def test_not_consented_is_a_status_not_an_error(make_gateway: GatewayFactory) -> None:
    gw = await make_gateway()
    body = await gw.query("citizen-group2", VIEW, {"cpr": GROUP2})
    statuses = status_of(body)
    assert statuses["gp-jml"] == "NOT_CONSENTED"
    assert fetched_at(body, "gp-jml") is None
    assert all(statuses[s] == "OK" for s in APPOINTMENT_SOURCES if s != "gp-jml")
    assert "errors" not in body
    assert statuses["cpr"] == statuses["stamdata"] == "NOT_REQUESTED"


async def test_registers_fail_like_sources(make_gateway: GatewayFactory) -> None:
    gw = await make_gateway()
    await gw.fault("cpr", "error")
    body = await gw.query("citizen-multi", FULL, {"cpr": MULTI})
    assert status_of(body)["cpr"] == "UNAVAILABLE"
    assert errors_by_source(body) == {"cpr": ["UPSTREAM_UNAVAILABLE"]}
    assert overview(body)["stamkort"]["name"] is None
    assert overview(body)["appointments"]["totalCount"] > 0
    assert_no_leaks(body)


async def test_identical_concurrent_upstream_calls_are_coalesced(
    make_gateway: GatewayFactory,
) -> None:
    gw = await make_gateway()
    await gw.fault("rn", "latency", ms=300)  # long enough for every request to overlap
    personas = ("citizen-multi", "relative-multi", "clinician-auh", "clinician-gp") * 3
    bodies = await asyncio.gather(*(gw.query(p, VIEW, {"cpr": MULTI}) for p in personas))
    assert all(status_of(b)["rn"] == "OK" for b in bodies)
    assert await hits(gw, "rn") == 1  # one search for twelve requests
    await gw.query("citizen-multi", VIEW, {"cpr": MULTI})
    assert await hits(gw, "rn") == 1  # and then the cache answers


async def test_writes_never_reach_or_wait_for_the_sources(make_gateway: GatewayFactory) -> None:
    gw = await make_gateway()
    for sid in (*APPOINTMENT_SOURCES, "cpr", "stamdata"):
        await gw.fault(sid, "error")
    made = await gw.query(
        "citizen-multi",
        "mutation($i: CreateBlockInput!) { createBlock(input: $i) { id } }",
        {"i": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}},
    )
    assert "errors" not in made
    listed = await gw.query(
        "citizen-multi",
        "query($cpr: String!) { patientOverview(cpr: $cpr) { blocks { id } } }",
        {"cpr": MULTI},
    )
    assert listed["data"]["patientOverview"]["blocks"] == [made["data"]["createBlock"]]
    for sid in (*APPOINTMENT_SOURCES, "cpr", "stamdata"):
        assert await hits(gw, sid) == 0, sid
