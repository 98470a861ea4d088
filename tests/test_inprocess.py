"""The seam: one connector table, and in-process sources that answer what the simulators serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from connectors.http import Upstream
from connectors.registry import CONNECTORS
from domain.clock import Clock
from domain.errors import UpstreamTimeout, UpstreamUnavailable
from domain.settings import ConfigError
from gateway.config import parse_settings, read_toml
from simulators import server
from tests import gatewayfixtures as gf
from tests.inprocess import InProcessGateway
from tests.recorded import World

MULTI = "0108589995"
SOURCES = "query($c: String!) { patientOverview(cpr: $c) { plans { id } sources { id status } } }"


def _with_protocol(kind: str, protocol: str) -> dict[str, Any]:
    raw = read_toml()
    source = next(s for s in raw["sources"] if kind in s)
    source[kind]["protocol"] = protocol
    return raw


@pytest.mark.parametrize(
    ("kind", "protocol"),
    [(k, p) for k in ("appointments", "plans") for p in CONNECTORS.protocols(k)],
)
def test_config_accepts_each_row_of_the_connector_table(kind: str, protocol: str) -> None:
    parse_settings(_with_protocol(kind, protocol))


@pytest.mark.parametrize("kind", ["appointments", "plans"])
def test_config_refuses_what_the_table_has_no_row_for(kind: str) -> None:
    with pytest.raises(ConfigError, match=", ".join(CONNECTORS.protocols(kind))):
        parse_settings(_with_protocol(kind, "ftp"))


async def test_the_in_process_sources_answer_what_the_simulators_serve_over_http(
    tmp_path: Path, clock: Clock, simulated_world: World
) -> None:
    """Every call the registry makes, for every person: the same records and refusals from the
    real connectors over HTTP as from the recorded in-process sources."""
    world = simulated_world
    sims = await server.start(world.pop)
    settings = gf.unhurried(gf.test_settings(tmp_path, sims.base_url, "sqlite+aiosqlite://"))
    fakes = world.table({})
    try:
        async with aiohttp.ClientSession() as session:

            def up(name: str) -> Upstream:
                return Upstream(session, name, timeout_s=10.0)

            checked = 0
            for s in settings.sources:
                for kind, endpoint in (("appointments", s.appointments), ("plans", s.plans)):
                    if endpoint is None:
                        continue
                    rows: Any = getattr(CONNECTORS, kind)
                    made = rows[endpoint.protocol](up(s.id), endpoint.url, s, clock)
                    fake = getattr(fakes, kind)[endpoint.protocol](up(s.id), endpoint.url, s, clock)
                    for cpr in world.pop.people:
                        if kind == "appointments":
                            calls = ["search_appointments"]
                            args: tuple[Any, ...] = (cpr, None, None)
                        else:
                            calls, args = ["search_plans", "search_goals"], (cpr,)
                        for call in calls:
                            real, recorded = await _both(made, fake, call, args)
                            assert recorded == real, (s.id, call)
                            checked += len(real[0]) if isinstance(real[0], list) else 0
            cpr_real = CONNECTORS.cpr(up("cpr"), settings.cpr.url)
            cpr_fake = fakes.cpr(up("cpr"), settings.cpr.url)
            for cpr in world.pop.people:
                assert await cpr_fake.person(cpr) == await cpr_real.person(cpr)
            sd_real = CONNECTORS.stamdata(up("stamdata"), settings.stamdata.url)
            sd_fake = fakes.stamdata(up("stamdata"), settings.stamdata.url)
            for sor in world.pop.orgs:
                assert await sd_fake.org(sor) == await sd_real.org(sor)
                assert await sd_fake.ancestors(sor) == await sd_real.ancestors(sor)
            for yder in world.pop.practices:
                assert await sd_fake.practice(yder) == await sd_real.practice(yder)
    finally:
        await sims.close()
    assert checked > 1000  # records, not only errors, were compared


async def _both(made: Any, fake: Any, call: str, args: tuple[Any, ...]) -> tuple[Any, Any]:
    """The answer (or the error's type and status) of ``call`` on the real and the fake."""
    out = []
    for connector in (made, fake):
        try:
            got = await getattr(connector, call)(*args)
            out.append((got.records, got.refused))
        except (UpstreamUnavailable, UpstreamTimeout):
            raise
        except Exception as exc:  # e.g. the GP's consent refusal, on both sides
            out.append((type(exc), getattr(exc, "status", None)))
    return out[0], out[1]


@pytest.mark.in_process
async def test_a_failing_in_process_source_is_reported_and_the_others_answer(
    gateway: InProcessGateway,
) -> None:
    gateway.fail("rn", UpstreamUnavailable("rn", detail="test: down"))
    body = await gateway.query("citizen-multi", SOURCES, {"c": MULTI})
    status = {s["id"]: s["status"] for s in body["data"]["patientOverview"]["sources"]}
    assert status["rn"] == "UNAVAILABLE"
    assert status["rm"] == status["aarhus"] == "OK"
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UPSTREAM_UNAVAILABLE"]
    gateway.fail("rn", None)
    again = await gateway.query("citizen-multi", SOURCES, {"c": MULTI})
    assert "errors" not in again
