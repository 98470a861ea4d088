"""The stamkort end to end: CPR and GP data, protection, group 2, edits by every role,
validation, history, blocks and the refusal of a stale edit."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from connectors.registry import PersonResult
from domain.entered import StamkortState
from domain.records import Address, PersonRecord, PersonStatus
from resolvers.stamkort import stamkort_of
from tests.gatewayfixtures import Gateway, GraphQLGateway
from tests.inprocess import InProcessGateway

MULTI = "0108589995"
GROUP2 = "1502779995"
PROTECTED = "0201609996"
VALUE = """fragment V on EnteredValue { value version provenance {
  source enteredByName enteredByRole enteredByAuthorisationId organization { sor name }
  enteredAt } }"""
CARD = f"""query($cpr: String!) {{ patientOverview(cpr: $cpr) {{
  patient {{ name }}
  stamkort {{
    cpr name status addressProtected healthInsuranceGroup gpNote version
    registeredAddress {{ lines postcode city }}
    gp {{ name ydernummer sor phone doctors address {{ lines postcode city }} }}
    provenance {{ source }}
    phone {{ ...V }} temporaryAddress {{ ...V }} dentist {{ ...V }} language {{ ...V }}
    relatives {{ ...V }}
  }} }} }}
{VALUE}"""
UPDATE = f"""mutation($input: UpdateStamkortInput!) {{ updateStamkort(input: $input) {{
  version phone {{ ...V }} temporaryAddress {{ ...V }} dentist {{ ...V }} language {{ ...V }}
  relatives {{ ...V }} }} }}
{VALUE}"""
HISTORY = f"""query($cpr: String!, $field: StamkortField!) {{ patientOverview(cpr: $cpr) {{
  stamkort {{ version history(field: $field) {{ ...V }} }} }} }}
{VALUE}"""
CREATE_BLOCK = """mutation($input: CreateBlockInput!) { createBlock(input: $input) { id } }"""
LOG = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  accessLog(first: 50) { nodes { viewerName viewerRole action categories } } } }"""


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def card(gw: GraphQLGateway, persona: str, cpr: str = MULTI) -> dict[str, Any]:
    body = await gw.query(persona, CARD, {"cpr": cpr})
    assert "errors" not in body, body["errors"]
    stamkort: dict[str, Any] = body["data"]["patientOverview"]["stamkort"]
    return stamkort


async def edit(gw: GraphQLGateway, persona: str, version: int, **fields: Any) -> dict[str, Any]:
    return await gw.query(
        persona, UPDATE, {"input": {"cpr": MULTI, "expectedVersion": version, **fields}}
    )


async def edited(gw: GraphQLGateway, persona: str, version: int, **fields: Any) -> dict[str, Any]:
    body = await edit(gw, persona, version, **fields)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]["updateStamkort"]
    return result


def recent(gw: GraphQLGateway, at: str) -> bool:
    return timedelta(0) <= gw.clock.now() - datetime.fromisoformat(at) < timedelta(minutes=1)


# -- read: CPR, GP, group 2, protection ---------------------------------------------------------


async def test_cpr_fields_and_the_gp_from_yderregisteret(gateway: Gateway) -> None:
    s = await card(gateway, "citizen-multi")
    assert s["cpr"] == MULTI
    assert s["name"] == "Poul Erik Testesen"
    assert s["status"] == "ALIVE"
    assert s["registeredAddress"] == {
        "lines": ["Åbyhøjvej 12, 1. th"],
        "postcode": "8230",
        "city": "Åbyhøj",
    }
    assert s["addressProtected"] is False
    assert s["healthInsuranceGroup"] == 1
    assert s["provenance"] == {"source": "CPR"}
    assert s["gp"] == {
        "name": "Lægerne Jens Michael Larsen",
        "ydernummer": "012345",
        "sor": "471841000016002",
        "phone": "+4586151515",
        "doctors": ["Jens Michael Larsen", "Sofie Bech"],
        "address": {"lines": ["Silkeborgvej 250"], "postcode": "8230", "city": "Åbyhøj"},
    }
    assert s["gpNote"] is None
    assert s["version"] == 0
    for field in ("phone", "temporaryAddress", "dentist", "language", "relatives"):
        assert s[field] is None


@pytest.mark.in_process
async def test_group_2_has_no_gp_and_the_stamkort_says_so(gateway: InProcessGateway) -> None:
    s = await card(gateway, "citizen-group2", GROUP2)
    assert s["healthInsuranceGroup"] == 2
    assert s["gp"] is None
    assert "Sygesikringsgruppe 2" in s["gpNote"]
    assert "no fixed GP" in s["gpNote"]


def _relative_of(gw: GraphQLGateway, cpr: str) -> str:
    p = gw.pop.persona("relative-multi")
    assert p.fuldmagt_from is not None
    assert p.fuldmagt_to is not None
    return gw.token(
        "relative-multi",
        fuldmagt={
            "patient_cpr": cpr,
            "valid_from": p.fuldmagt_from.isoformat(),
            "valid_to": p.fuldmagt_to.isoformat(),
        },
    )


async def _card_as(gw: GraphQLGateway, token: str, cpr: str) -> dict[str, Any]:
    status, body = await gw.post({"query": CARD, "variables": {"cpr": cpr}}, token)
    assert status == 200
    assert "errors" not in body, body["errors"]
    return body["data"]["patientOverview"]  # type: ignore[no-any-return]


@pytest.mark.in_process
async def test_a_protected_address_is_shown_only_to_the_patient_and_relatives(
    gateway: InProcessGateway,
) -> None:
    own = await card(gateway, "citizen-protected", PROTECTED)
    assert own["addressProtected"] is True
    assert own["registeredAddress"] == {
        "lines": ["Hemmeligvej 3"],
        "postcode": "9900",
        "city": "Frederikshavn",
    }
    relative = await _card_as(gateway, _relative_of(gateway, PROTECTED), PROTECTED)
    assert relative["stamkort"]["registeredAddress"] == own["registeredAddress"]
    clinician = await _card_as(
        gateway, gateway.token("clinician-auh", patient_cpr=PROTECTED), PROTECTED
    )
    s = clinician["stamkort"]
    assert s["addressProtected"] is True  # they see that it is protected ...
    assert s["registeredAddress"] is None  # ... and not the address
    assert "Hemmeligvej" not in str(clinician)
    assert s["name"] == "Birgitte Beskyttet"
    assert s["gp"]["name"] == "Lægehuset Frederikshavn"
    # An unprotected patient's address is shown to a clinician.
    other = await card(gateway, "clinician-auh")
    assert other["registeredAddress"]["lines"] == ["Åbyhøjvej 12, 1. th"]


@pytest.mark.parametrize("status", list(PersonStatus))
def test_civil_status_from_cpr(status: PersonStatus) -> None:
    person = PersonRecord(
        MULTI,
        "Poul Erik",
        "Testesen",
        Address(("Åbyhøjvej 12",), "8230", "Åbyhøj"),
        status,
        protected=False,
        insurance_group=1,
        gp_ydernummer=None,
    )
    s = stamkort_of(
        MULTI, PersonResult(person, None, ()), StamkortState(0, {}), may_see_protected=False
    )
    assert s.status is status
    assert s.gp is None
    assert s.gp_note == "No GP is registered for the patient."


def test_cpr_unavailable_leaves_the_cpr_fields_empty() -> None:
    s = stamkort_of(
        MULTI, PersonResult(None, None, ()), StamkortState(0, {}), may_see_protected=True
    )
    assert (s.cpr, s.name, s.status, s.registered_address, s.address_protected) == (
        MULTI,
        None,
        None,
        None,
        False,
    )


# -- edits by each role, with provenance and history -------------------------------------------


@pytest.mark.in_process
async def test_patient_relative_and_clinician_edit_with_provenance(
    gateway: InProcessGateway,
) -> None:
    first = await edited(
        gateway,
        "citizen-multi",
        0,
        phone="20 12 34 56",
        temporaryAddress={
            "lines": ["Sommerhusvej 4"],
            "postcode": "9990",
            "city": "Skagen",
            "validFrom": "2026-06-01",
            "validTo": "2026-08-31",
        },
    )
    assert first["version"] == 1
    assert first["phone"]["value"] == "+4520123456"
    second = await edited(
        gateway,
        "relative-multi",
        1,
        language="dan",
        dentist={"name": "Tandlæge Ib Holm", "phone": "86 12 12 12"},
    )
    assert second["version"] == 2
    assert second["language"]["value"] == {"code": "da", "name": "Danish"}
    assert second["phone"] == first["phone"]  # omitted fields stay as they are
    third = await edited(
        gateway,
        "clinician-homecare-aarhus",
        2,
        relatives=[
            {"name": "Hanne Testesen", "phone": "+45 20 20 20 20", "relation": "SPS"},
            {"name": "Mads Testesen", "phone": "30303030", "relation": "SONC"},
        ],
    )
    assert third["version"] == 3

    s = await card(gateway, "citizen-multi")
    assert s["version"] == 3
    assert s["phone"]["value"] == "+4520123456"
    assert s["temporaryAddress"]["value"] == {
        "lines": ["Sommerhusvej 4"],
        "postcode": "9990",
        "city": "Skagen",
        "valid_from": "2026-06-01",
        "valid_to": "2026-08-31",
    }
    assert s["dentist"]["value"] == {
        "name": "Tandlæge Ib Holm",
        "phone": "+4586121212",
        "address": None,
    }
    assert s["relatives"]["value"] == [
        {
            "name": "Hanne Testesen",
            "phone": "+4520202020",
            "relation": "SPS",
            "relation_display": "Ægtefælle",
        },
        {
            "name": "Mads Testesen",
            "phone": "+4530303030",
            "relation": "SONC",
            "relation_display": "Søn",
        },
    ]
    by_citizen = s["phone"]["provenance"]
    assert s["temporaryAddress"]["provenance"] == by_citizen
    assert {k: v for k, v in by_citizen.items() if k != "enteredAt"} == {
        "source": "STAMKORT",
        "enteredByName": "Poul Erik Testesen",
        "enteredByRole": "CITIZEN",
        "enteredByAuthorisationId": None,
        "organization": None,
    }
    by_relative = s["language"]["provenance"]
    assert (by_relative["enteredByName"], by_relative["enteredByRole"]) == (
        "Hanne Testesen",
        "RELATIVE",
    )
    assert by_relative["enteredByAuthorisationId"] is None
    by_clinician = s["relatives"]["provenance"]
    assert {k: v for k, v in by_clinician.items() if k != "enteredAt"} == {
        "source": "STAMKORT",
        "enteredByName": "Mette Sørensen",
        "enteredByRole": "CLINICIAN",
        "enteredByAuthorisationId": "0B7TR",
        "organization": {"sor": "751110016004", "name": "Hjemmeplejen Åbyhøj"},
    }
    assert [s[f]["version"] for f in ("phone", "language", "relatives")] == [1, 2, 3]
    assert all(recent(gateway, p["enteredAt"]) for p in (by_citizen, by_relative, by_clinician))
    # Every viewer sees the same card.
    for persona in ("relative-multi", "clinician-auh", "clinician-gp"):
        assert await card(gateway, persona) == s
    # The relative's and the clinician's edits are in the patient's log; the patient's are not.
    log = await gateway.query("citizen-multi", LOG, {"cpr": MULTI})
    edits = [
        n for n in log["data"]["patientOverview"]["accessLog"]["nodes"] if n["action"] == "EDIT"
    ]
    assert sorted((n["viewerName"], n["viewerRole"]) for n in edits) == [
        ("Hanne Testesen", "RELATIVE"),
        ("Mette Sørensen", "CLINICIAN"),
    ]
    assert all(n["categories"] == ["STAMKORT"] for n in edits)


@pytest.mark.in_process
async def test_earlier_values_are_kept_as_history(gateway: InProcessGateway) -> None:
    await edited(gateway, "citizen-multi", 0, phone="20123456")
    await edited(gateway, "relative-multi", 1, phone="+46 70 123 45 67", language="en")
    await edited(gateway, "clinician-auh", 2, clear=["PHONE"])
    body = await gateway.query("citizen-multi", HISTORY, {"cpr": MULTI, "field": "PHONE"})
    assert "errors" not in body
    stamkort = body["data"]["patientOverview"]["stamkort"]
    history = stamkort["history"]
    assert [(h["version"], h["value"]) for h in history] == [
        (3, None),  # cleared
        (2, "+46701234567"),
        (1, "+4520123456"),
    ]
    assert [h["provenance"]["enteredByRole"] for h in history] == [
        "CLINICIAN",
        "RELATIVE",
        "CITIZEN",
    ]
    assert history[0]["provenance"]["enteredByAuthorisationId"] == "005ML"
    assert (await card(gateway, "citizen-multi"))["phone"] is None
    body = await gateway.query("clinician-gp", HISTORY, {"cpr": MULTI, "field": "LANGUAGE"})
    assert [h["value"] for h in body["data"]["patientOverview"]["stamkort"]["history"]] == [
        {"code": "en", "name": "English"}
    ]
    body = await gateway.query("citizen-multi", HISTORY, {"cpr": MULTI, "field": "DENTIST"})
    assert body["data"]["patientOverview"]["stamkort"]["history"] == []


# -- who may edit ------------------------------------------------------------------------------


@pytest.mark.in_process
async def test_only_the_patient_fuldmagt_relatives_and_clinicians_in_context_edit(
    gateway: InProcessGateway,
) -> None:
    for persona in ("relative-expired", "citizen-group2", "citizen-protected"):
        body = await edit(gateway, persona, 0, phone="20123456")
        assert codes(body) == ["FORBIDDEN"], persona
    status, body = await gateway.post(
        {
            "query": UPDATE,
            "variables": {"input": {"cpr": MULTI, "expectedVersion": 0, "phone": "20123456"}},
        },
        gateway.token("clinician-auh", patient_cpr=PROTECTED),
    )
    assert status == 200
    assert codes(body) == ["FORBIDDEN"]
    assert (await card(gateway, "citizen-multi"))["version"] == 0


@pytest.mark.in_process
async def test_a_blocked_clinician_cannot_edit(gateway: InProcessGateway) -> None:
    made = await gateway.query(
        "citizen-multi",
        CREATE_BLOCK,
        {"input": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}},
    )
    assert "errors" not in made
    body = await edit(gateway, "clinician-auh", 0, phone="20123456")
    assert codes(body) == ["BLOCKED_BY_PATIENT"]
    ok = await edited(gateway, "clinician-gp", 0, phone="20123456")
    assert ok["version"] == 1


@pytest.mark.in_process
async def test_a_treatment_place_block_hides_values_and_history_entered_there(
    gateway: InProcessGateway,
) -> None:
    await edited(gateway, "clinician-auh", 0, dentist={"name": "Tandklinikken Åbyhøj"})
    await edited(gateway, "citizen-multi", 1, language="da")
    await gateway.query(
        "citizen-multi",
        CREATE_BLOCK,
        {"input": {"cpr": MULTI, "kind": "TREATMENT_PLACE", "sor": "265311000016006"}},
    )
    s = await gateway.query("clinician-homecare-aarhus", CARD, {"cpr": MULTI})
    assert s["data"]["patientOverview"]["stamkort"]["dentist"] is None
    assert s["data"]["patientOverview"]["stamkort"]["language"]["value"]["code"] == "da"
    assert "BLOCKED_BY_PATIENT" in codes(s)
    history = await gateway.query(
        "clinician-homecare-aarhus", HISTORY, {"cpr": MULTI, "field": "DENTIST"}
    )
    assert history["data"]["patientOverview"]["stamkort"]["history"] == []
    assert "BLOCKED_BY_PATIENT" in codes(history)
    assert "Tandklinikken" not in str(history)
    # Editing does not reveal it either (the clinician edits the version they read, which
    # counts only the edits they can see); the patient sees everything.
    seen = s["data"]["patientOverview"]["stamkort"]["version"]
    assert seen == 1
    body = await edit(gateway, "clinician-homecare-aarhus", seen, phone="20123456")
    assert body["data"]["updateStamkort"]["dentist"] is None
    assert body["data"]["updateStamkort"]["phone"]["value"] == "+4520123456"
    assert "BLOCKED_BY_PATIENT" in codes(body)
    own = await gateway.query("citizen-multi", HISTORY, {"cpr": MULTI, "field": "DENTIST"})
    assert [h["value"]["name"] for h in own["data"]["patientOverview"]["stamkort"]["history"]] == [
        "Tandklinikken Åbyhøj"
    ]


@pytest.mark.in_process
async def test_versions_count_only_the_edits_the_viewer_can_see(gateway: InProcessGateway) -> None:
    # Edits 1 and 3 by the patient, 2 by AUH; then AUH is blocked as a treatment place.
    await edited(gateway, "citizen-multi", 0, phone="20123456")
    await edited(gateway, "clinician-auh", 1, dentist={"name": "Tandklinikken Åbyhøj"})
    await edited(gateway, "citizen-multi", 2, language="da")
    await gateway.query(
        "citizen-multi",
        CREATE_BLOCK,
        {"input": {"cpr": MULTI, "kind": "TREATMENT_PLACE", "sor": "265311000016006"}},
    )
    viewer = "clinician-homecare-aarhus"
    s = (await gateway.query(viewer, CARD, {"cpr": MULTI}))["data"]["patientOverview"]["stamkort"]
    # No gap and no total tells of the hidden edit: versions 1 and 2 of 2.
    assert (s["phone"]["version"], s["language"]["version"], s["version"]) == (1, 2, 2)
    for field, value in (("PHONE", "+4520123456"), ("LANGUAGE", {"code": "da", "name": "Danish"})):
        body = await gateway.query(viewer, HISTORY, {"cpr": MULTI, "field": field})
        history = body["data"]["patientOverview"]["stamkort"]
        assert history["version"] == 2
        assert [h["version"] for h in history["history"]] == [1 if field == "PHONE" else 2]
        assert history["history"][0]["value"] == value
    # A stale edit is told the version as this viewer counts it, never the real one.
    stale = await edit(gateway, viewer, 1, phone="20999999")
    assert codes(stale) == ["STALE_EDIT"]
    (error,) = stale["errors"]
    assert error["extensions"]["currentVersion"] == 2
    assert "3" not in error["message"]
    # The version the viewer read is the one to edit; the result counts on from it.
    body = await edit(gateway, viewer, 2, phone="20999999")
    assert codes(body) == ["BLOCKED_BY_PATIENT"]  # the hidden dentist stays hidden
    done = body["data"]["updateStamkort"]
    assert done["dentist"] is None
    assert done["version"] == 3
    assert done["phone"]["version"] == 3
    # The patient counts every edit.
    own = await card(gateway, "citizen-multi")
    assert (own["dentist"]["version"], own["phone"]["version"], own["version"]) == (2, 4, 4)


# -- validation --------------------------------------------------------------------------------

ADDRESS = {
    "lines": ["Sommerhusvej 4"],
    "postcode": "9990",
    "city": "Skagen",
    "validFrom": "2026-06-01",
}
RELATIVE = {"name": "Ib", "phone": "20123456", "relation": "SPS"}
INVALID: list[tuple[dict[str, Any], str]] = [
    ({"phone": "12"}, "phone"),
    ({"phone": "call me"}, "phone"),
    ({"language": "xx"}, "language"),
    ({"language": "Danish"}, "language"),
    ({"temporaryAddress": {**ADDRESS, "postcode": "123"}}, "temporaryAddress.postcode"),
    ({"temporaryAddress": {**ADDRESS, "lines": ["  "]}}, "temporaryAddress.lines"),
    ({"temporaryAddress": {**ADDRESS, "city": ""}}, "temporaryAddress.city"),
    ({"temporaryAddress": {**ADDRESS, "validTo": "2026-05-31"}}, "temporaryAddress.validTo"),
    ({"dentist": {"name": " "}}, "dentist.name"),
    ({"dentist": {"name": "Tandlæge", "phone": "1"}}, "dentist.phone"),
    ({"relatives": [{"name": "", "phone": "20123456", "relation": "SPS"}]}, "relatives.name"),
    ({"relatives": [{"name": "Ib", "phone": "2", "relation": "SPS"}]}, "relatives.phone"),
    (
        {"relatives": [{"name": "Ib", "phone": "20123456", "relation": "SPS"}] * 21},
        "relatives",
    ),
    ({"phone": "20123456", "clear": ["PHONE"]}, "clear"),
]


@pytest.mark.in_process
async def test_invalid_values_are_refused_naming_the_field(gateway: InProcessGateway) -> None:
    for fields, field in INVALID:
        body = await edit(gateway, "citizen-multi", 0, **fields)
        assert codes(body) == ["BAD_USER_INPUT"], fields
        (error,) = body["errors"]
        assert error["extensions"]["field"] == field, fields
        assert error["message"], fields
    # A relationship outside DK Core's codes is refused by the schema itself (an enum).
    body = await edit(gateway, "citizen-multi", 0, relatives=[RELATIVE | {"relation": "BFF"}])
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "RelationshipCode" in body["errors"][0]["message"]
    body = await edit(gateway, "citizen-multi", 0)
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "Nothing to change" in body["errors"][0]["message"]
    # Nothing was written.
    assert (await card(gateway, "citizen-multi"))["version"] == 0


# -- two editors at once -----------------------------------------------------------------------


@pytest.mark.in_process
async def test_a_stale_edit_is_refused_with_a_clear_error(gateway: InProcessGateway) -> None:
    seen_by_patient = (await card(gateway, "citizen-multi"))["version"]
    seen_by_nurse = (await card(gateway, "clinician-homecare-aarhus"))["version"]
    assert seen_by_patient == seen_by_nurse == 0
    await edited(gateway, "citizen-multi", seen_by_patient, phone="20123456")
    body = await edit(gateway, "clinician-homecare-aarhus", seen_by_nurse, phone="30303030")
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "STALE_EDIT", "expectedVersion": 0, "currentVersion": 1}
    assert "changed by someone else" in error["message"]
    assert "reload" in error["message"]
    s = await card(gateway, "citizen-multi")
    assert (s["version"], s["phone"]["value"]) == (1, "+4520123456")  # not overwritten
    # Reloaded, the nurse's edit goes through.
    retried = await edited(gateway, "clinician-homecare-aarhus", 1, phone="30303030")
    assert (retried["version"], retried["phone"]["value"]) == (2, "+4530303030")


@pytest.mark.in_process
async def test_of_simultaneous_edits_exactly_one_wins(gateway: InProcessGateway) -> None:
    bodies = await asyncio.gather(
        edit(gateway, "citizen-multi", 0, phone="20123456"),
        edit(gateway, "relative-multi", 0, phone="30303030"),
        edit(gateway, "clinician-gp", 0, phone="40404040"),
    )
    won = [b for b in bodies if "errors" not in b]
    lost = [b for b in bodies if "errors" in b]
    assert len(won) == 1
    assert [codes(b) for b in lost] == [["STALE_EDIT"], ["STALE_EDIT"]]
    s = await card(gateway, "citizen-multi")
    assert s["version"] == 1
    assert s["phone"]["value"] == won[0]["data"]["updateStamkort"]["phone"]["value"]


@pytest.mark.in_process
async def test_a_protected_address_stays_out_of_home_visits_for_clinicians(
    gateway: InProcessGateway,
) -> None:
    query = """query($cpr: String!) { patientOverview(cpr: $cpr) {
      appointments(first: 100) { nodes { id place { name isHome address { lines } } } } } }"""

    def home_addresses(body: dict[str, Any]) -> list[Any]:
        nodes = body["data"]["patientOverview"]["appointments"]["nodes"]
        return [n["place"]["address"] for n in nodes if n["place"] and n["place"]["isHome"]]

    own = await gateway.query("citizen-protected", query, {"cpr": PROTECTED})
    assert "errors" not in own
    assert home_addresses(own)
    assert all(home_addresses(own))  # the patient sees her own address
    clinician = gateway.token("clinician-homecare-aarhus", patient_cpr=PROTECTED)
    status, seen = await gateway.post({"query": query, "variables": {"cpr": PROTECTED}}, clinician)
    assert status == 200
    assert "errors" not in seen
    assert home_addresses(seen)
    assert all(a is None for a in home_addresses(seen))  # as the stamkort hides it
    assert "Hemmeligvej" not in str(seen)
    # A patient without protection: the nurse sees where the visit is.
    open_ = await gateway.query("clinician-homecare-aarhus", query, {"cpr": MULTI})
    assert all(home_addresses(open_))
