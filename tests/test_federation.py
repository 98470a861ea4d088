"""The Federation 2 subgraph: ``_service { sdl }`` and ``_entities`` for ``PatientEntity``.

``_entities`` goes through the rules ``patientOverview`` goes through (``resolvers/federation.py``):
each test asks both and compares, in-process over the recorded sources
(``tests/test_federation_http.py``: the real HTTP gateway with federation on).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from domain.errors import UpstreamUnavailable
from gateway.cli import export_schema
from resolvers.context import ONE_PATIENT
from resolvers.federation import MALFORMED
from store.auditlog import REFUSED
from tests.inprocess import InProcessGateway

ROOT = Path(__file__).resolve().parent.parent
MULTI = "0108589995"
OTHER = "0201609996"  # citizen-protected: a person, not in clinician-auh's EPJ context
FIELDS = """cpr
  stamkort { name phone { value } }
  appointments(first: 500) { totalCount nodes { id organization { sor } start } }
  plans { id organization { sor } }
  goals { id }
  notices { code message }"""
OVERVIEW = "query($cpr: String!) { patientOverview(cpr: $cpr) { " + FIELDS + " } }"
ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) {\n"
    "  ... on PatientEntity { cpr overview { " + FIELDS + " } } } }"
)
SDL = "{ _service { sdl } }"
CREATE = """mutation($input: CreateBlockInput!) { createBlock(input: $input) { id } }"""


def rep(cpr: Any, **extra: Any) -> dict[str, Any]:
    return {"__typename": "PatientEntity", "cpr": cpr, **extra}


def codes(body: dict[str, Any]) -> list[str]:
    return sorted(e["extensions"]["code"] for e in body.get("errors", []))


def tails(body: dict[str, Any], prefix: list[Any]) -> list[tuple[Any, ...]]:
    """Each error's (path past ``prefix``, code, message)."""
    out = []
    for e in body.get("errors", []):
        path = e.get("path") or []
        assert path[: len(prefix)] == prefix, e
        out.append((tuple(path[len(prefix) :]), e["extensions"]["code"], e["message"]))
    return sorted(out)


@pytest.fixture
def federated(gateway: InProcessGateway) -> InProcessGateway:
    """The in-process gateway, its schema built with ``[graphql] federation`` on."""
    graphql = replace(gateway.settings.graphql, federation=True)
    return replace(gateway, settings=replace(gateway.settings, graphql=graphql))


async def entities(
    gw: InProcessGateway, persona: str, reps: list[Any], query: str = ENTITIES
) -> dict[str, Any]:
    return await gw.query(persona, query, {"r": reps})


async def log_of(gw: InProcessGateway, cpr: str) -> list[Any]:
    await gw.services.refusals.drain()
    return list((await gw.services.access_log.page(cpr, first=50)).entries)


def fail_every_source(gw: InProcessGateway) -> None:
    """From now on, anything fetched from any source or register is an error in the answer."""
    for source in [*gw.services.sources.by_id, "cpr", "stamdata"]:
        gw.fail(source, UpstreamUnavailable(source, detail="test: nothing may be fetched"))


pytestmark = pytest.mark.in_process


# -- _service ---------------------------------------------------------------------------------


async def test_the_sdl_declares_the_entity_and_is_the_committed_file(
    federated: InProcessGateway,
) -> None:
    assert not federated.settings.graphql.introspection  # a subgraph tells its SDL regardless
    body = await federated.query("citizen-multi", SDL)
    sdl = body["data"]["_service"]["sdl"]
    assert 'type PatientEntity @key(fields: "cpr")' in sdl
    assert "https://specs.apollo.dev/federation/v2.11" in sdl
    assert sdl + "\n" == (ROOT / "schema.federation.graphql").read_text("utf-8")
    assert sdl + "\n" == export_schema(federation=True)


async def test_without_federation_there_is_no_service_and_no_entities(
    gateway: InProcessGateway,
) -> None:
    assert not gateway.settings.graphql.federation
    for query, variables in ((SDL, {}), (ENTITIES, {"r": [rep(MULTI)]})):
        body = await gateway.query("citizen-multi", query, variables)
        assert body.get("data") is None
        assert set(codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "PatientEntity" not in export_schema()


# -- the same rules as patientOverview -----------------------------------------------------------


async def test_the_citizens_own_entity_is_her_overview(federated: InProcessGateway) -> None:
    direct = await federated.query("citizen-multi", OVERVIEW, {"cpr": MULTI})
    body = await entities(federated, "citizen-multi", [rep("010858-9995")])
    assert "errors" not in body, body
    (entity,) = body["data"]["_entities"]
    assert entity["cpr"] == MULTI
    assert entity["overview"] == direct["data"]["patientOverview"]
    assert entity["overview"]["appointments"]["totalCount"] > 0


async def test_a_patient_outside_the_clinicians_context_is_refused_as_by_patient_overview(
    federated: InProcessGateway,
) -> None:
    direct = await federated.query("clinician-auh", OVERVIEW, {"cpr": OTHER})
    fail_every_source(federated)
    body = await entities(federated, "clinician-auh", [rep(OTHER)])
    assert body["data"] == {"_entities": [None]}
    # The same error (and nothing fetched: every source fails, and no error says so).
    assert tails(body, ["_entities", 0]) == tails(direct, ["patientOverview"])
    assert codes(body) == ["FORBIDDEN"]
    # Refused attempts recorded, one per window as for any refusal; nothing logged as read.
    assert [e.action for e in await log_of(federated, OTHER)] == [REFUSED]


async def test_blocked_data_is_withheld_as_by_patient_overview(
    federated: InProcessGateway,
) -> None:
    block = {"cpr": MULTI, "kind": "TREATMENT_PLACE", "sor": "265311000016006"}
    made = await federated.query("citizen-multi", CREATE, {"input": block})
    assert "errors" not in made, made
    direct = await federated.query("clinician-homecare-aarhus", OVERVIEW, {"cpr": MULTI})
    body = await entities(federated, "clinician-homecare-aarhus", [rep(MULTI)])
    overview = body["data"]["_entities"][0]["overview"]
    assert overview == direct["data"]["patientOverview"]
    assert [n["code"] for n in overview["notices"]] == ["BLOCKED_BY_PATIENT"]
    assert tails(body, ["_entities", 0, "overview"]) == tails(direct, ["patientOverview"])
    assert "BLOCKED_BY_PATIENT" in codes(body)
    # Withheld wholesale for the blocked professional, field by field, as directly.
    professional = {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}
    await federated.query("citizen-multi", CREATE, {"input": professional})
    direct = await federated.query("clinician-auh", OVERVIEW, {"cpr": MULTI})
    body = await entities(federated, "clinician-auh", [rep(MULTI)])
    overview = body["data"]["_entities"][0]["overview"]
    assert overview == direct["data"]["patientOverview"]
    assert overview["appointments"] is overview["stamkort"] is overview["plans"] is None
    assert tails(body, ["_entities", 0, "overview"]) == tails(direct, ["patientOverview"])


async def test_a_clinicians_entity_read_is_in_the_access_log(federated: InProcessGateway) -> None:
    await federated.query("clinician-auh", OVERVIEW, {"cpr": MULTI})
    body = await entities(federated, "clinician-auh", [rep(MULTI)])
    assert "errors" not in body, body
    direct, via_entity = await log_of(federated, MULTI)  # newest first
    assert (via_entity.actor_id, via_entity.action) == ("005ML", "view")
    assert via_entity.categories == direct.categories == ("appointments", "plans", "stamkort")


async def test_no_entity_leaves_when_the_log_cannot_be_written(
    federated: InProcessGateway,
) -> None:
    async with federated.app.state.engine.begin() as conn:
        await conn.execute(text("DROP TABLE access_log"))
    body = await entities(federated, "clinician-auh", [rep(MULTI)])
    assert body["data"] is None
    assert codes(body) == ["AUDIT_UNAVAILABLE"]


# -- bounded and checked representations ---------------------------------------------------------


async def test_more_representations_than_aliases_are_refused_and_nothing_is_read(
    federated: InProcessGateway,
) -> None:
    limit = federated.settings.limits.max_aliases
    fail_every_source(federated)
    body = await entities(federated, "clinician-auh", [rep(MULTI)] * (limit + 1))
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == f"At most {limit} representations per request."
    assert await log_of(federated, MULTI) == []
    federated.failing.clear()
    body = await entities(federated, "clinician-auh", [rep(MULTI)] * limit)
    assert "errors" not in body, body
    assert len(body["data"]["_entities"]) == limit
    assert len(await log_of(federated, MULTI)) == 1  # the same patient: one entry


MALFORMED_REPS = [
    {"cpr": MULTI},  # no __typename
    {"__typename": "PatientEntity"},  # no key
    {"__typename": "Patient", "cpr": MULTI},  # not the entity
    {"__typename": "Query", "cpr": MULTI},
    rep(MULTI, name="x"),  # more than the key
    rep(1085899),
    rep(None),
    "0108589995",
    [MULTI],
]


async def test_malformed_representations_are_bad_input_at_their_index(
    federated: InProcessGateway,
) -> None:
    fail_every_source(federated)
    body = await entities(federated, "clinician-auh", MALFORMED_REPS)
    assert body["data"] == {"_entities": [None] * len(MALFORMED_REPS)}
    assert sorted(e["path"][1] for e in body["errors"]) == list(range(len(MALFORMED_REPS)))
    assert {(e["extensions"]["code"], e["message"]) for e in body["errors"]} == {
        ("BAD_USER_INPUT", MALFORMED)
    }
    assert await log_of(federated, MULTI) == []


@pytest.mark.parametrize("cpr", ["", "0108589", "3208589995", "abcdefghij", "0108589995x"])
async def test_a_malformed_cpr_number_is_bad_input_as_by_patient_overview(
    federated: InProcessGateway, cpr: str
) -> None:
    direct = await federated.query("clinician-auh", OVERVIEW, {"cpr": cpr})
    body = await entities(federated, "clinician-auh", [rep(cpr), rep(MULTI)])
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["cpr"] == MULTI  # the good one is answered
    assert tails(body, ["_entities", 0]) == tails(direct, ["patientOverview"])
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_one_patient_per_operation_through_entities_too(
    federated: InProcessGateway,
) -> None:
    # A relative's fuldmagt covers MULTI; OTHER is another person (any number: the same words).
    body = await entities(federated, "relative-multi", [rep(MULTI), rep(OTHER), rep(MULTI)])
    first, second, third = body["data"]["_entities"]
    assert first["cpr"] == third["cpr"] == MULTI
    assert second is None
    (error,) = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["_entities", 1], "BAD_USER_INPUT")
    assert error["message"] == ONE_PATIENT
    # One entry for MULTI, nothing at all for OTHER (not read, not tried).
    assert [e.action for e in await log_of(federated, MULTI)] == ["view"]
    assert await log_of(federated, OTHER) == []
    # The first named is the one read, whichever it is.
    body = await entities(federated, "relative-multi", [rep(OTHER), rep(MULTI)])
    assert [e["extensions"]["code"] for e in sorted(body["errors"], key=lambda e: e["path"])] == [
        "FORBIDDEN",
        "BAD_USER_INPUT",
    ]
