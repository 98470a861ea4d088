"""The gateway's own database failing, hanging or down, end to end through GraphQL.

Every read and write of the gateway's database fails as ``STORE_UNAVAILABLE`` (or, for the
access log, ``AUDIT_UNAVAILABLE`` with no data) within the request's deadline, nothing sensitive
is logged, and the gateway recovers by itself when the database does. "Hung" is a TCP proxy
between the gateway and PostgreSQL that stops forwarding (``tests/tcpproxy.py``); "down" is the
same proxy closing every connection. Times are asserted as bounds with a generous margin.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url, text

from domain.clock import Clock
from domain.settings import Settings
from tests.gatewayfixtures import Gateway, running_gateway
from tests.tcpproxy import TcpProxy

MULTI = "0108589995"
DEADLINE_S = 2.0
MARGIN_S = 1.5
HANG_S = 30.0
OVERVIEW = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  stamkort { name phone { value } }
  appointments(first: 5) { totalCount }
} }"""
CREATE = "mutation($i: CreateBlockInput!) { createBlock(input: $i) { id } }"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def timed(gw: Gateway, persona: str, query: str, variables: dict[str, Any]) -> Any:
    started = time.monotonic()
    async with asyncio.timeout(HANG_S):
        body = await gw.query(persona, query, variables)
    return body, time.monotonic() - started


async def test_a_citizens_stamkort_with_a_failing_database_is_store_unavailable(
    gateway_on_each_database: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    gw = gateway_on_each_database
    async with gw.app.state.engine.begin() as conn:
        await conn.execute(text("DROP TABLE stamkort_values"))
    body = await gw.query("citizen-multi", OVERVIEW, {"cpr": MULTI})
    assert codes(body) == ["STORE_UNAVAILABLE"]
    assert body["errors"][0]["path"] == ["patientOverview", "stamkort"]
    ov = body["data"]["patientOverview"]
    assert ov["stamkort"] is None
    assert ov["appointments"]["totalCount"] > 0  # the rest of the overview is served
    # The database error is logged, and never with its parameters (the CPR number asked for).
    assert "the database failed" in caplog.text
    assert "8589995" not in caplog.text


@pytest.fixture
async def behind_proxy(
    tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[tuple[Gateway, TcpProxy]]:
    """A gateway on PostgreSQL through a proxy the test can stall or take down."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a network between the gateway and its database is PostgreSQL's")
    proxy = await TcpProxy.start(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)

    def tune(s: Settings) -> Settings:
        limits = replace(s.limits, request_deadline_s=DEADLINE_S, database_timeout_s=1.0)
        return replace(s, limits=limits)

    try:
        async with running_gateway(
            tmp_path, clock, database_url, serve_database_url=through, tune=tune
        ) as gw:
            yield gw, proxy
            proxy.forward()  # let the gateway's lifespan close its connections normally
    finally:
        await proxy.close()


@pytest.mark.parametrize("how", ["hung", "down"])
async def test_a_hung_or_down_database_fails_closed_in_time_and_the_gateway_recovers(
    behind_proxy: tuple[Gateway, TcpProxy], how: str
) -> None:
    gw, proxy = behind_proxy
    variables = {"cpr": MULTI}
    for persona in ("clinician-auh", "relative-multi", "citizen-multi"):
        warm = await gw.query(persona, OVERVIEW, variables)  # pooled connections, caches warm
        assert "errors" not in warm, warm
    proxy.stall() if how == "hung" else proxy.down()

    # A clinician: blocks cannot be read, so nothing can be decided: no data at all.
    body, elapsed = await timed(gw, "clinician-auh", OVERVIEW, variables)
    assert elapsed < DEADLINE_S + MARGIN_S
    assert body["data"] is None
    assert codes(body) == ["STORE_UNAVAILABLE"]
    # A relative: her lookup cannot be logged, so no data leaves.
    body, elapsed = await timed(gw, "relative-multi", OVERVIEW, variables)
    assert elapsed < DEADLINE_S + MARGIN_S
    assert body["data"] is None
    assert codes(body) == ["AUDIT_UNAVAILABLE"]
    # The patient herself: her stamkort's own fields cannot be read; the rest is served.
    body, elapsed = await timed(gw, "citizen-multi", OVERVIEW, variables)
    assert elapsed < DEADLINE_S + MARGIN_S
    assert codes(body) == ["STORE_UNAVAILABLE"]
    assert body["data"]["patientOverview"]["stamkort"] is None
    assert body["data"]["patientOverview"]["appointments"]["totalCount"] > 0
    # Writes too.
    body, elapsed = await timed(
        gw,
        "citizen-multi",
        CREATE,
        {"i": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}},
    )
    assert elapsed < DEADLINE_S + MARGIN_S
    assert body["data"] is None
    assert codes(body) == ["STORE_UNAVAILABLE"]
    # Readiness says so.
    async with asyncio.timeout(HANG_S), gw.session.get(f"{gw.url}/readyz") as r:
        assert r.status == 503

    proxy.forward()
    # No restart: the very next requests are served in full.
    for persona in ("clinician-auh", "relative-multi", "citizen-multi"):
        body, _ = await timed(gw, persona, OVERVIEW, variables)
        assert "errors" not in body, (persona, body)
        assert body["data"]["patientOverview"]["appointments"]["totalCount"] > 0
    assert (await gw.app.state.services.access_log.verify()).ok
