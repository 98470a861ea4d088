"""Conformance: FHIR R4 Appointment, CarePlan and Goal shapes read as the specification says.

Fixtures (``tests/fixtures/conformance/fhir_*.json``) are the project's own searchset Bundles,
mirroring the shapes of FUT's, IHE's and MedCom's published examples: contained Locations,
participants without an actor, ``Z``/``+01:00``/``+02:00`` offsets, no start at all, cancelled
and entered-in-error resources, OperationOutcome entries. They are served over real HTTP to the
real connector. The published FUT bodies are read at test time when ``../shared/reference``
exists.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors import fhirparse
from connectors.fhir import FhirConnector
from connectors.fhirjson import FhirFormatError, Retracted
from connectors.http import Upstream
from domain.clock import TZ
from domain.records import (
    ActivityRecord,
    Address,
    AppointmentStatus,
    GoalTarget,
    OrgRef,
    Place,
    Quantity,
)
from domain.settings import SourceConfig
from tests.test_conformance import FIXTURES, REFERENCE

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))
MULTI = "0108589995"
RM = SourceConfig("rm", "Region Midtjylland", "region", "320161000016009")
UCUM = "http://unitsofmeasure.org"
FUT = REFERENCE / "fhir" / "danish" / "fut-ehealth" / "json"


def bundle(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@dataclass
class Fhir:
    """A FHIR server on an ephemeral port answering the test's Bundles, and a connector."""

    base: str
    session: aiohttp.ClientSession
    answers: dict[str, dict[str, Any]]

    def connector(self) -> FhirConnector:
        return FhirConnector(Upstream(self.session, "rm", timeout_s=5.0), f"{self.base}/fhir", RM)


@pytest.fixture
async def fhir() -> AsyncIterator[Fhir]:
    world = Fhir("", None, {})  # type: ignore[arg-type]

    async def search(request: web.Request) -> web.Response:
        return web.json_response(
            world.answers[request.match_info["kind"]], content_type="application/fhir+json"
        )

    app = web.Application()
    app.router.add_get("/fhir/{kind}", search)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    async with aiohttp.ClientSession() as session:
        world.base, world.session = f"http://127.0.0.1:{runner.addresses[0][1]}", session
        world.answers = {
            "Appointment": bundle("fhir_appointments.json"),
            "CarePlan": bundle("fhir_careplans.json"),
            "Goal": bundle("fhir_goals.json"),
        }
        yield world
    await runner.cleanup()


# --- Appointment: the mapping is unchanged, every shape read -----------------------------------


async def test_appointment_shapes(fhir: Fhir) -> None:
    answer = await fhir.connector().search_appointments(MULTI, None, None)
    by_id = {r.id: r for r in answer.records}
    assert set(by_id) == {
        "booked-1",
        "cancelled-utc",
        "summer",
        "proposed-open",
        "zero-length",
        "error",
    }
    booked = by_id["booked-1"]
    assert (booked.source, booked.status, booked.kind) == (
        "rm",
        AppointmentStatus.BOOKED,
        "RegionalAppointment",
    )
    assert (booked.start, booked.end) == (
        datetime(2026, 12, 7, 11, 15, tzinfo=CET),
        datetime(2026, 12, 7, 12, 30, tzinfo=CET),
    )
    assert booked.title == "Ambulant kontrol, hjertesygdomme"  # serviceType: no description
    assert booked.reason == "Opfølgende konsultation"
    assert booked.organization == OrgRef(
        "265311000016006", "Hjertesygdomme, Aarhus Universitetshospital"
    )
    assert booked.place == Place(
        "Ambulatorium, opgang 4",
        "265311000016006",
        Address(("Palle Juul-Jensens Boulevard 99", "Indgang J"), "8200", "Aarhus N", "0751"),
        "+4578450000",
    )
    assert booked.performer == "Lene Hjort, overlæge"
    assert (booked.version, booked.updated) == ("3", datetime(2026, 11, 20, 8, 15, tzinfo=CET))
    assert (booked.all_day, booked.indicative_time) == (False, False)

    cancelled = by_id["cancelled-utc"]
    assert cancelled.status is AppointmentStatus.CANCELLED  # shown as cancelled, not dropped
    assert cancelled.start == datetime(2026, 12, 9, 7, tzinfo=UTC)
    assert cancelled.place == Place("Lungefunktion, AUH", "265321000016001")
    assert by_id["summer"].start == datetime(2026, 7, 1, 9, tzinfo=CEST)
    assert (by_id["proposed-open"].start, by_id["proposed-open"].end) == (None, None)
    zero = by_id["zero-length"]
    assert zero.start == zero.end == datetime(2026, 12, 10, 10, tzinfo=CET)
    # Appointments keep entered-in-error as their status: the views hide it (unchanged).
    assert by_id["error"].status is AppointmentStatus.ENTERED_IN_ERROR


async def test_an_appointment_with_a_status_r4_lacks_is_refused_and_said(fhir: Fhir) -> None:
    answer = await fhir.connector().search_appointments(MULTI, None, None)
    assert [(r.document, r.reason) for r in answer.refused] == [
        ("not-r4", "Appointment.status outside FHIR R4's codes")
    ]


# --- CarePlan: only an Organization is the organisation; entered-in-error is not shown ---------


async def test_care_plan_authors_as_r4_types_them(fhir: Fhir) -> None:
    answer = await fhir.connector().search_plans(MULTI)
    by_id = {p.id: p for p in answer.records}
    assert set(by_id) == {
        "by-organization",
        "by-practitioner",
        "by-contained-organization",
        "by-organization-reference",
        "by-care-team",
    }
    assert (by_id["by-organization"].organization, by_id["by-organization"].author) == (
        OrgRef("265311000016006", "Hjertesygdomme, Aarhus Universitetshospital"),
        None,
    )
    # A Practitioner wrote it: a person, never the plan's organisation.
    assert (by_id["by-practitioner"].organization, by_id["by-practitioner"].author) == (
        None,
        "Jens Michael Larsen",
    )
    assert by_id["by-contained-organization"].organization == OrgRef(
        "751110016004", "Hjemmeplejen Åbyhøj"
    )
    assert by_id["by-organization-reference"].organization == OrgRef(
        None, "Genoptræning Aarhus Vest"
    )
    team = by_id["by-care-team"]
    assert (team.organization, team.author, team.status) == (None, "KOL-teamet", "revoked")


async def test_care_plan_shape_every_field(fhir: Fhir) -> None:
    plan = next(p for p in (await fhir.connector().plans(MULTI)) if p.id == "by-organization")
    assert (plan.source, plan.title, plan.category, plan.status, plan.intent) == (
        "rm",
        "Udskrivningsplan efter AMI",
        "736353004",
        "active",
        "plan",
    )
    assert plan.description == "Kontrol og genoptræning efter udskrivelse."
    assert (plan.period_start, plan.period_end) == (datetime(2026, 11, 11, 12, tzinfo=CET), None)
    assert plan.goal_ids == ("quantity", "range")
    assert plan.activities == (
        ActivityRecord(
            "Ambulant kontrol",
            "scheduled",
            datetime(2026, 12, 7, 11, 15, tzinfo=CET),
            datetime(2026, 12, 7, 12, 30, tzinfo=CET),
            ("booked-1",),
        ),
    )
    practitioner = next(
        p for p in (await fhir.connector().plans(MULTI)) if p.id == "by-practitioner"
    )
    # Bare dates are local midnight in Copenhagen.
    assert (practitioner.period_start, practitioner.period_end) == (
        datetime(2026, 1, 5, tzinfo=TZ),
        datetime(2027, 1, 5, tzinfo=TZ),
    )


async def test_entered_in_error_plans_are_not_shown_and_unknown_ones_are_refused(
    fhir: Fhir,
) -> None:
    answer = await fhir.connector().search_plans(MULTI)
    assert "error" not in {p.id for p in answer.records}
    # Never existed, by R4: not shown and not counted as refused either.
    assert [(r.document, r.reason) for r in answer.refused] == [
        ("not-r4", "CarePlan.status outside FHIR R4's codes")
    ]


# --- Goal: every detail[x] form; entered-in-error is not shown ---------------------------------


async def test_goal_targets_in_every_r4_form(fhir: Fhir) -> None:
    answer = await fhir.connector().search_goals(MULTI)
    by_id = {g.id: g for g in answer.records}
    assert set(by_id) == {"quantity", "range", "other-forms", "cancelled"}
    assert by_id["quantity"].targets == (
        GoalTarget(
            "HbA1c",
            "< 53 mmol/mol",
            date(2027, 5, 1),
            quantity=Quantity("53", "<", "mmol/mol", "mmol/mol", UCUM),
        ),
    )
    mmol = Quantity("4", None, "mmol/L", "mmol/L", UCUM)
    assert by_id["range"].targets == (
        GoalTarget(
            "Faste-blodsukker",
            "4\u20137.5 mmol/L",
            None,
            low=mmol,
            high=Quantity("7.5", None, "mmol/L", "mmol/L", UCUM),
        ),
        GoalTarget("Motion", "≥ 150 min/uge", None, low=Quantity("150", None, "min/uge")),
        GoalTarget("Vægt", "≤ 95.5 kg", None, high=Quantity("95.5", None, "kg", "kg")),
    )
    assert [(t.measure, t.detail) for t in by_id["other-forms"].targets] == [
        ("Gangdistance", "500 m uden pause"),
        ("Gangfunktion", "Selvhjulpen"),
        ("Rollator", "Nej"),
        ("Skridt om dagen", "8000"),
        ("Medicin", "1 tablet / 1 døgn"),
    ]


async def test_goal_shape_every_field(fhir: Fhir) -> None:
    goals = {g.id: g for g in await fhir.connector().goals(MULTI)}
    goal = goals["quantity"]
    assert (goal.source, goal.description, goal.lifecycle_status, goal.achievement_status) == (
        "rm",
        "Bedre regulering af blodsukker",
        "active",
        "improving",
    )
    assert goal.start == date(2026, 11, 11)
    assert goal.organization == OrgRef("471851000016006", "Lægerne Jens Michael Larsen")
    other = goals["other-forms"]
    assert (other.description, other.organization) == (
        "Gå uden hjælpemidler",
        OrgRef("751130016001", "Genoptræning Aarhus Vest"),
    )
    assert goals["cancelled"].lifecycle_status == "cancelled"  # shown, with its status


async def test_entered_in_error_goals_are_not_shown_and_unknown_ones_are_refused(
    fhir: Fhir,
) -> None:
    answer = await fhir.connector().search_goals(MULTI)
    assert "error" not in {g.id for g in answer.records}
    assert [(r.document, r.reason) for r in answer.refused] == [
        ("not-r4", "Goal.lifecycleStatus outside FHIR R4's codes")
    ]


async def test_a_later_page_retracting_a_goal_removes_it(fhir: Fhir) -> None:
    first = bundle("fhir_goals.json")
    retracted = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {
                "resource": {
                    "resourceType": "Goal",
                    "id": "quantity",
                    "lifecycleStatus": "entered-in-error",
                    "description": {"text": "x"},
                }
            }
        ],
    }
    first["link"] = [{"relation": "next", "url": f"{fhir.base}/fhir/GoalPage2"}]
    fhir.answers["Goal"], fhir.answers["GoalPage2"] = first, retracted
    goals = {g.id for g in await fhir.connector().goals(MULTI)}
    assert "quantity" not in goals


def test_another_patients_retracted_goal_is_still_another_patients() -> None:
    res: dict[str, Any] = {
        "resourceType": "Goal",
        "id": "x",
        "lifecycleStatus": "entered-in-error",
        "description": {"text": "x"},
        "subject": {"identifier": {"system": "urn:oid:1.2.208.176.1.2", "value": "0201609995"}},
    }
    with pytest.raises(FhirFormatError):
        fhirparse.goal(res, source="rm", cpr=MULTI)
    res["subject"] = {"identifier": {"system": "urn:oid:1.2.208.176.1.2", "value": MULTI}}
    with pytest.raises(Retracted):
        fhirparse.goal(res, source="rm", cpr=MULTI)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"detailQuantity": {"value": "53"}}, "must be a decimal"),
        ({"detailQuantity": {"value": 53, "comparator": "=="}}, "comparator"),
        ({"detailInteger": 1.5}, "must be an integer"),
    ],
)
def test_a_target_that_breaks_r4_is_a_format_error(target: dict[str, Any], message: str) -> None:
    res: dict[str, Any] = {
        "resourceType": "Goal",
        "id": "g",
        "lifecycleStatus": "active",
        "description": {"text": "x"},
        "target": [target],
    }
    with pytest.raises(FhirFormatError, match=message):
        fhirparse.goal(res, source="rm", cpr=MULTI)


# --- the published FUT bodies (read at test time, never copied) -------------------------------

needs_fut = pytest.mark.skipif(not FUT.is_dir(), reason="../shared/reference is not here")


def _fut(name: str) -> dict[str, Any]:
    path = FUT / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this copy of the reference")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@needs_fut
async def test_fut_goal_search_entered_in_error_goals_are_not_shown(fhir: Fhir) -> None:
    fhir.answers["Goal"] = _fut("GET_Goal_search.response.json")
    answer = await fhir.connector().search_goals(MULTI)
    assert (answer.records, answer.refused) == ([], ())


@needs_fut
async def test_fut_care_plan_search_reads_the_plan_among_other_resources(fhir: Fhir) -> None:
    fhir.answers["CarePlan"] = _fut("GET_CarePlan_search.response.json")
    answer = await fhir.connector().search_plans(MULTI)
    [plan] = answer.records
    assert (plan.id, plan.status, plan.organization, plan.author) == ("2557", "draft", None, None)
    assert plan.period_start == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)


@needs_fut
@pytest.mark.parametrize(
    "name", ["GET_Appointment_5.response.json", "GET_Appointment_Video.response.json"]
)
def test_fut_appointments_read_with_their_fractional_utc_times(name: str) -> None:
    record = fhirparse.appointment(_fut(name), source="rm", kind="RegionalAppointment", cpr=MULTI)
    assert record.status is AppointmentStatus.BOOKED
    assert record.start == datetime(2021, 9, 10, 9, tzinfo=UTC)
    assert record.end == datetime(2021, 9, 10, 11, tzinfo=UTC)


OTHER_PATIENT = {"identifier": {"system": "urn:oid:1.2.208.176.1.2", "value": "0201609995"}}


@pytest.mark.parametrize(
    ("parse", "resource"),
    [
        (
            lambda r: fhirparse.appointment(r, source="rm", kind=None, cpr=MULTI),
            {
                "resourceType": "Appointment",
                "id": "a1",
                "status": "postponed",
                "participant": [{"actor": {"type": "Patient", **OTHER_PATIENT}}],
            },
        ),
        (
            lambda r: fhirparse.care_plan(r, source="rm", cpr=MULTI),
            {"resourceType": "CarePlan", "id": "p1", "status": "paused", "subject": OTHER_PATIENT},
        ),
        (
            lambda r: fhirparse.goal(r, source="rm", cpr=MULTI),
            {"resourceType": "Goal", "id": "g1", "lifecycleStatus": "x", "subject": OTHER_PATIENT},
        ),
    ],
)
def test_another_patients_resource_fails_the_answer_whatever_its_status(
    parse: Any, resource: dict[str, Any]
) -> None:
    # Not refused on its own (and counted): another patient's data means the answer is wrong.
    with pytest.raises(FhirFormatError, match="different patient"):
        parse(resource)
