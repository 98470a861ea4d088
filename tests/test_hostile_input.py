"""The same hostile inputs on every database: refused at the boundary with a clear error and code.

PostgreSQL refuses a NUL in text and a value longer than its column; SQLite stores both. Before
the boundary checks, a clinician whose token carried a 201-character name could look up patients
on SQLite while every lookup failed with ``AUDIT_UNAVAILABLE`` on PostgreSQL, and a NUL in an
override reason was ``INTERNAL_SERVER_ERROR`` there. Each test runs on SQLite and, when
``SPO_TEST_POSTGRES_URL`` is set, on PostgreSQL (``gateway_on_each_database``), and asserts the
same outcome on both.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.gatewayfixtures import Gateway

MULTI = "0108589995"
VIEW = 'query { patientOverview(cpr: "0108589995") { patient { name } } }'
OVERRIDE = "mutation($i: OverrideInput!) { overrideBlocks(input: $i) { reason } }"
CREATE = "mutation($i: CreateBlockInput!) { createBlock(input: $i) { id authorisationId } }"
END = "mutation($cpr: String!, $id: ID!) { endBlock(cpr: $cpr, id: $id) { id } }"
UPDATE = """mutation($i: UpdateStamkortInput!) { updateStamkort(input: $i) {
  version relatives { value } dentist { value } } }"""
LOG = """query { patientOverview(cpr: "0108589995") {
  accessLog(first: 50) { nodes { viewerName organization { sor name } overrideReason } } } }"""

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Dr. \u202eneslruaL" reads as "Dr. Laurslen"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def field_of(body: dict[str, Any]) -> str | None:
    field: str | None = body["errors"][0]["extensions"].get("field")
    return field


@pytest.mark.parametrize(
    ("claim", "value", "says"),
    [
        ("name", "N" * 201, "longer than 200"),
        ("name", "Jens\x00Larsen", "not allowed (U+0000)"),
        ("name", f"Dr. {RLO}neslruaL", "not allowed (U+202E)"),
        ("org_name", "O" * 201, "longer than 200"),
        ("sor", "1" * 65, "not a SOR id"),
        ("sor", "320161000016009\x00", "not a SOR id"),
        ("authorisation_id", "005ML\n", "not an authorisation id"),
        ("role", "læge\x1b[31m", "not allowed (U+001B)"),
    ],
)
async def test_a_clinician_token_with_hostile_claims_is_refused(
    gateway_on_each_database: Gateway, claim: str, value: str, says: str
) -> None:
    gw = gateway_on_each_database
    status, body = await gw.post({"query": VIEW}, gw.token("clinician-auh", **{claim: value}))
    assert status == 401
    assert codes(body) == ["UNAUTHENTICATED"]
    assert claim in body["errors"][0]["message"]
    assert says in body["errors"][0]["message"]
    assert "data" not in body
    # Nothing reached the log; an honest token of the same clinician still works.
    ok = await gw.query("clinician-auh", VIEW)
    assert ok["data"]["patientOverview"]["patient"]["name"]


async def test_names_at_the_column_limit_work_and_show_whole_in_min_log(
    gateway_on_each_database: Gateway,
) -> None:
    gw = gateway_on_each_database
    name, org = "Å" * 200, "Ø" * 200
    token = gw.token("clinician-auh", name=name, org_name=org)
    status, body = await gw.post({"query": VIEW}, token)
    assert status == 200
    assert "errors" not in body, body
    log = await gw.query("citizen-multi", LOG)
    nodes = log["data"]["patientOverview"]["accessLog"]["nodes"]
    assert [(n["viewerName"], n["organization"]["name"]) for n in nodes] == [(name, org)]


@pytest.mark.parametrize(
    "reason",
    [
        "Akut indlagt\x00, bevidstløs",
        f"Akut indlagt, {RLO}søløtsvb",
        "Akut indlagt, bevidstløs\x07\x07",
    ],
)
async def test_a_hostile_override_reason_is_bad_input_on_every_database(
    gateway_on_each_database: Gateway, reason: str
) -> None:
    gw = gateway_on_each_database
    body = await gw.query(
        "clinician-auh",
        OVERRIDE,
        {"i": {"cpr": MULTI, "basis": "PATIENT_UNREACHABLE", "reason": reason}},
    )
    assert body["data"] is None
    assert codes(body) == ["BAD_USER_INPUT"]
    assert field_of(body) == "reason"
    log = await gw.query("citizen-multi", LOG)
    assert log["data"]["patientOverview"]["accessLog"]["nodes"] == []


async def test_a_clean_reason_is_kept_as_typed(gateway_on_each_database: Gateway) -> None:
    gw = gateway_on_each_database
    body = await gw.query(
        "clinician-auh",
        OVERRIDE,
        {
            "i": {
                "cpr": MULTI,
                "basis": "PATIENT_UNREACHABLE",
                "reason": " Akut\nindlagt,  ukontaktbar ",
            }
        },
    )
    assert body["data"]["overrideBlocks"]["reason"] == "Akut indlagt, ukontaktbar"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"relatives": [{"name": "Ellen\x00", "phone": "20123456", "relation": "SPS"}]},
            "relatives.name",
        ),
        (
            {"relatives": [{"name": f"{RLO}nesdiruaL", "phone": "20123456", "relation": "SPS"}]},
            "relatives.name",
        ),
        ({"dentist": {"name": "Tandklinikken", "address": "Vej 1\x00"}}, "dentist.address"),
        ({"dentist": {"name": "T" * 201}}, "dentist.name"),
    ],
)
async def test_hostile_stamkort_values_are_bad_input_on_every_database(
    gateway_on_each_database: Gateway, change: dict[str, Any], field: str
) -> None:
    gw = gateway_on_each_database
    for persona in ("citizen-multi", "clinician-auh"):
        body = await gw.query(
            persona, UPDATE, {"i": {"cpr": MULTI, "expectedVersion": 0, **change}}
        )
        assert body["data"] is None
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert field_of(body) == field


async def test_hostile_block_inputs_are_refused_on_every_database(
    gateway_on_each_database: Gateway,
) -> None:
    gw = gateway_on_each_database
    # "$" in a regular expression also matches before a trailing newline: such an id was taken,
    # stored as "005ML\n" and blocked nobody.
    body = await gw.query(
        "citizen-multi",
        CREATE,
        {"i": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML\n"}},
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert field_of(body) == "authorisationId"
    body = await gw.query(
        "citizen-multi",
        CREATE,
        {"i": {"cpr": MULTI, "kind": "TREATMENT_PLACE", "sor": "320161000016009\n"}},
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert field_of(body) == "sor"
    for block_id in ("a\x00b", "x" * 5000, "0" * 32):
        body = await gw.query("citizen-multi", END, {"cpr": MULTI, "id": block_id})
        assert codes(body) == ["NOT_FOUND"], (block_id[:10], body)
