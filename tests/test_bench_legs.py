"""The benchmark's two legs give the same answer (``make bench`` refuses to time them otherwise):
the gateway over HTTP and ``bench/handwritten.py`` on the same running gateway's services.

Without this, a change to the graph (a String turned enum, a field renamed) breaks ``make bench``
unnoticed until someone runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.configfile import write_config
from bench.handwritten import overview
from bench.overview import CASES, Case, _comparable
from bench.queries import OVERVIEW
from domain.clock import Clock
from domain.principals import Citizen
from gateway.config import load_settings
from gateway.ratelimit import RateLimits
from tests.gatewayfixtures import running_gateway

FIRST = 50


@pytest.mark.parametrize("case", [c for c in CASES if c.both_legs], ids=lambda c: c.name)
async def test_the_hand_written_leg_answers_as_the_gateway_does(
    tmp_path: Path, clock: Clock, migrated_template: Path, case: Case
) -> None:
    async with running_gateway(tmp_path, clock, template=migrated_template) as gw:
        token = gw.token(case.persona)
        cpr = gw.pop.persona(case.persona).cpr
        variables = {"cpr": cpr, "first": FIRST}
        status, by_graph = await gw.post({"query": OVERVIEW, "variables": variables}, token)
        assert status == 200
        state = gw.app.state
        by_hand = json.loads(await overview(state.services, state.verifier, token, cpr, FIRST))
        graph, hand = _comparable(by_graph), _comparable(by_hand)
        assert graph["data"]["patientOverview"]["appointments"]["totalCount"] > 0
        assert hand == graph


async def test_the_bench_s_gateway_lets_a_few_principals_load_it(tmp_path: Path) -> None:
    """The bench and the soak load one gateway with a few principals from one address, sending
    their own queries: the config they write lets that through (trusted documents optional, no
    rate limit), or every timed run would be 429s and 403s."""
    settings = load_settings({"SPO_CONFIG": str(write_config(tmp_path, b"not read here"))})
    assert settings.graphql.trusted_documents == "optional"
    limits = RateLimits(settings.ratelimit, "memory://")
    limits.open()
    try:
        someone = Citizen(cpr="0108589995", name="Poul Erik Testesen")
        for _ in range(2 * 300):  # twice the default limit per principal and minute
            await limits.check_principal(someone)
    finally:
        await limits.close()
