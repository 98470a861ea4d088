"""Admission (``gateway/admission.py``): a bounded number of requests in flight; past it, 503
with Retry-After at once, and /readyz not ready while saturated."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from domain.clock import Clock
from domain.settings import ConfigError, Settings
from gateway.admission import Gate
from gateway.config import parse_settings, read_toml
from tests.gatewayfixtures import Gateway, running_gateway

CAPACITY = 4
OVERVIEW = '{ patientOverview(cpr: "0108589995") { appointments(first: 5) { totalCount } } }'


async def test_a_gate_admits_its_capacity_and_a_short_queue() -> None:
    gate = Gate(1, queue_timeout_s=0.0)
    assert await gate.enter()
    assert gate.saturated
    assert not await gate.enter()  # no queue: refused at once
    gate.leave()
    assert not gate.saturated
    assert await gate.enter()
    gate.leave()


async def test_a_waiter_gets_the_next_free_slot_and_the_queue_is_bounded() -> None:
    gate = Gate(1, queue_timeout_s=60.0)
    assert await gate.enter()
    waiter = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)  # the waiter runs up to its wait for a slot
    assert gate.waiting == 1
    assert not await gate.enter()  # as many waiting as there are slots: refused at once
    gate.leave()
    assert await waiter
    assert gate.in_flight == 1
    gate.leave()


async def test_a_waiter_gives_up_after_the_queue_timeout() -> None:
    gate = Gate(1, queue_timeout_s=0.01)
    assert await gate.enter()
    assert not await gate.enter()
    assert gate.waiting == 0
    gate.leave()


def test_no_bound_never_saturates() -> None:
    gate = Gate(0, queue_timeout_s=0.0)
    assert not gate.saturated


@pytest.mark.parametrize(
    ("limits", "named"),
    [({"max_in_flight": -1}, "max_in_flight"), ({"queue_timeout_s": -0.5}, "queue_timeout_s")],
)
def test_bad_admission_settings_stop_start_up(limits: dict[str, Any], named: str) -> None:
    raw = read_toml()
    raw["limits"] = {**raw["limits"], **limits}
    with pytest.raises(ConfigError, match=rf"\[limits\].*{named}"):
        parse_settings(raw, {})


def tight(settings: Settings) -> Settings:
    """Four slots, no queue; Region Midtjylland gives up after 3 s (it will hang)."""
    limits = replace(settings.limits, max_in_flight=CAPACITY, queue_timeout_s=0.0)
    sources = tuple(replace(s, timeout_s=3.0) if s.id == "rm" else s for s in settings.sources)
    return replace(settings, limits=limits, sources=sources)


async def _overview(gw: Gateway) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {gw.token('citizen-multi')}"}
    async with gw.session.post(f"{gw.url}/graphql", json={"query": OVERVIEW}, headers=headers) as r:
        return r.status, dict(r.headers), await r.json(content_type=None)


async def _status(gw: Gateway, path: str) -> tuple[int, Any]:
    async with gw.session.get(gw.url + path) as r:
        return r.status, await r.json(content_type=None) if path != "/metrics" else None


async def test_past_its_bound_a_replica_refuses_at_once_and_says_it_is_not_ready(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    async with running_gateway(tmp_path, clock, template=migrated_template, tune=tight) as gw:
        await gw.fault("rm", "hang")
        gate: Gate = gw.app.state.gate
        admitted = [asyncio.create_task(_overview(gw)) for _ in range(CAPACITY)]
        for _ in range(3000):  # until all four hang on the source (a bound, not a timing)
            if gate.in_flight == CAPACITY:
                break
            await asyncio.sleep(0.01)
        assert gate.in_flight == CAPACITY
        refused = await asyncio.gather(*(_overview(gw) for _ in range(2 * CAPACITY)))
        for status, headers, body in refused:
            assert status == 503
            assert headers["Retry-After"] == "1"
            assert body["errors"][0]["extensions"] == {"code": "OVERLOADED"}
        assert await _status(gw, "/readyz") == (503, {"status": "saturated"})
        assert (await _status(gw, "/healthz"))[0] == 200
        assert (await _status(gw, "/metrics"))[0] == 200
        # The admitted ones are answered, within their deadline (Region Midtjylland timed out).
        for status, _, body in await asyncio.gather(*admitted):
            assert status == 200
            assert body["data"]["patientOverview"]["appointments"]["totalCount"] > 0
        assert gate.in_flight == 0
        assert await _status(gw, "/readyz") == (200, {"status": "ok"})
        await gw.fault("rm", "off")
        assert (await _overview(gw))[0] == 200
