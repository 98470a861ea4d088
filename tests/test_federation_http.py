"""The Federation 2 subgraph over real HTTP: a clinician's ``_entities`` read, data and log."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from domain.clock import Clock
from domain.settings import Settings
from tests.gatewayfixtures import running_gateway
from tests.test_federation import ENTITIES, MULTI, rep


def federation_on(settings: Settings) -> Settings:
    return replace(settings, graphql=replace(settings.graphql, federation=True))


async def test_a_clinicians_entity_read_over_http_returns_data_and_logs_it(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    async with running_gateway(
        tmp_path, clock, tune=federation_on, template=migrated_template
    ) as gw:
        body = await gw.query("clinician-auh", ENTITIES, {"r": [rep(MULTI)]})
        assert "errors" not in body, body
        (entity,) = body["data"]["_entities"]
        assert entity["cpr"] == MULTI
        overview = entity["overview"]
        assert overview["appointments"]["totalCount"] > 0
        assert overview["stamkort"]["name"]
        log = gw.app.state.services.access_log
        entries = (await log.page(MULTI, first=10)).entries
        assert [(e.actor_id, e.action, e.categories) for e in entries] == [
            ("005ML", "view", ("appointments", "plans", "stamkort"))
        ]
