"""Conformance, the graph's side: refused documents said in the source's status and an error,
all-day appointments as days (in the graph and the calendar feed), meeting places that are not
the home, plan authors and goal quantities — end to end through the real gateway.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from aiohttp import web

from domain.clock import TZ, Clock
from domain.records import (
    AppointmentRecord,
    AppointmentStatus,
    GoalRecord,
    GoalTarget,
    OrgRef,
    PlanRecord,
    Quantity,
)
from domain.settings import Settings
from gateway.ical import render_calendar
from resolvers.plans import goal_of, plan_of
from resolvers.types import Source, SourceKind
from resolvers.vocab import Comparator
from tests.gatewayfixtures import Gateway, running_gateway
from tests.inprocess import InProcessGateway
from tests.test_conformance import APD_FORMAT, fixture

MULTI = "0108589995"
GROUP2 = "1502779995"
GOOD_ID = "3f1b7a52-1c55-4c6e-9d0e-5a1f0c2b7e01"  # apd_municipality_home.xml
CPR_LIKE = re.compile(r"\d{6}-?\d{4}")
STATUS = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  appointments(first: 500) { nodes { id title place { name isHome address { lines } } } }
  sources { id status refusedDocuments }
} }"""
DAYS = """query($cpr: String!, $date: Date!) { patientOverview(cpr: $cpr) {
  appointments(view: DAY, date: $date) { nodes {
    id title start end allDay startDate endDate indicativeTime localDate
    place { name isHome } overlapsWith { id } } }
} }"""
BLOCK = """mutation($input: CreateBlockInput!) { createBlock(input: $input) { id } }"""
OVERRIDE = """mutation($input: OverrideInput!) { overrideBlocks(input: $input) { id } }"""


def _docref(entry_id: str, xml: bytes, fmt: str = APD_FORMAT) -> dict[str, Any]:
    return {
        "resourceType": "DocumentReference",
        "id": entry_id,
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "56446-8"}]},
        "content": [
            {
                "attachment": {
                    "contentType": "application/xml",
                    "data": base64.b64encode(xml).decode(),
                },
                "format": {"code": fmt},
            }
        ],
    }


@pytest.fixture
async def refusing(tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    """The gateway with Aarhus answering one good document and two it must refuse."""
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": _docref("good", fixture("apd_municipality_home.xml"))},
            {"resource": _docref("v11", fixture("apd_v1_1.xml"))},
            {"resource": _docref("old", fixture("apd_gp.xml"), "urn:ad:dk:medcom:appointment")},
        ],
    }

    async def search(request: web.Request) -> web.Response:
        return web.json_response(bundle, content_type="application/fhir+json")

    registry = web.Application()
    registry.router.add_get("/xds/DocumentReference", search)
    runner = web.AppRunner(registry, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    registry_url = f"http://127.0.0.1:{runner.addresses[0][1]}/xds"

    def through_registry(settings: Settings) -> Settings:
        sources = tuple(
            replace(s, appointments=replace(s.appointments, url=registry_url))
            if s.id == "aarhus" and s.appointments
            else s
            for s in settings.sources
        )
        return replace(settings, sources=sources)

    try:
        async with running_gateway(tmp_path, clock, tune=through_registry) as gw:
            yield gw
    finally:
        await runner.cleanup()


def _refusals(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in body.get("errors", []) if e["extensions"]["code"] == "DOCUMENT_REFUSED"]


def _refused(body: dict[str, Any]) -> dict[str, int]:
    return {s["id"]: s["refusedDocuments"] for s in body["data"]["patientOverview"]["sources"]}


async def test_refused_documents_are_counted_and_named_the_rest_is_served(
    refusing: Gateway,
) -> None:
    for persona in ("citizen-multi", "relative-multi"):
        body = await refusing.query(persona, STATUS, {"cpr": MULTI})
        ov = body["data"]["patientOverview"]
        statuses = {s["id"]: s["status"] for s in ov["sources"]}
        assert statuses["aarhus"] == "OK"  # the rest of the source is served
        assert f"aarhus:{GOOD_ID}" in {n["id"] for n in ov["appointments"]["nodes"]}
        assert _refused(body) == {s: 2 if s == "aarhus" else 0 for s in _refused(body)}
        errors = _refusals(body)
        # One error per rule broken, each naming the source and how many broke it.
        assert [(e["extensions"]["source"], e["extensions"]["refused"]) for e in errors] == [
            ("aarhus", 1),
            ("aarhus", 1),
        ]
        text = " ".join(e["message"] for e in errors)
        assert "unsupported APD-DK version (apd-v1.1)" in text
        assert "unsupported appointment document format" in text
        assert all(e["path"] == ["patientOverview", "appointments"] for e in errors)
        assert not CPR_LIKE.search(text)


async def test_a_clinician_is_not_told_of_refused_documents_block_or_no_block(
    refusing: Gateway,
) -> None:
    # A refused document's owner cannot be read: it may be one a block withholds. And what a
    # clinician is told must not change when a block appears, or the block shows itself.
    before = await refusing.query("clinician-auh", STATUS, {"cpr": MULTI})
    made = await refusing.query(
        "citizen-multi",
        BLOCK,
        {"input": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "0D3XJ"}},
    )
    assert "errors" not in made, made
    after = await refusing.query("clinician-auh", STATUS, {"cpr": MULTI})
    for body in (before, after):
        assert _refusals(body) == []
        assert set(_refused(body).values()) == {0}
    assert before["data"] == after["data"]
    # Overriding lifts every block: then the clinician sees what the patient sees.
    over = await refusing.query(
        "clinician-auh",
        OVERRIDE,
        {"input": {"cpr": MULTI, "basis": "PATIENT_UNREACHABLE", "reason": "Akut indlagt"}},
    )
    assert "errors" not in over, over
    overriding = await refusing.query("clinician-auh", STATUS, {"cpr": MULTI})
    assert _refused(overriding)["aarhus"] == 2


async def test_refusals_stay_said_when_the_answer_comes_from_the_cache(
    refusing: Gateway,
) -> None:
    first = await refusing.query("citizen-multi", STATUS, {"cpr": MULTI})
    second = await refusing.query("citizen-multi", STATUS, {"cpr": MULTI})  # cached
    assert _refused(first)["aarhus"] == _refused(second)["aarhus"] == 2
    assert len(_refusals(second)) == 2


# --- all day, indicative time, and a meeting place that is not the home ----------------------


@pytest.mark.in_process
async def test_an_all_day_appointment_is_a_day_not_midnight(gateway: InProcessGateway) -> None:
    sim = next(a for a in gateway.pop.appointments_for("aarhus", GROUP2) if a.current.all_day)
    day = sim.current.start.astimezone(TZ).date()
    body = await gateway.query("citizen-group2", DAYS, {"cpr": GROUP2, "date": str(day)})
    assert "errors" not in body, body
    [node] = [
        n
        for n in body["data"]["patientOverview"]["appointments"]["nodes"]
        if n["id"] == f"aarhus:{sim.id}"
    ]
    assert node["allDay"] is True
    assert node["indicativeTime"] is True
    assert (node["startDate"], node["endDate"], node["localDate"]) == (str(day),) * 3
    # Still a span in time, half-open: [00:00 that day, 00:00 the next) in Copenhagen.
    assert datetime.fromisoformat(node["start"]) == datetime.combine(day, datetime.min.time(), TZ)
    assert datetime.fromisoformat(node["end"]) == datetime.combine(
        day + timedelta(days=1), datetime.min.time(), TZ
    )
    assert node["overlapsWith"] == []  # no time of day: it overlaps nothing
    assert node["place"]["isHome"] is True
    nxt = await gateway.query(
        "citizen-group2", DAYS, {"cpr": GROUP2, "date": str(day + timedelta(days=1))}
    )
    assert f"aarhus:{sim.id}" not in {
        n["id"] for n in nxt["data"]["patientOverview"]["appointments"]["nodes"]
    }


@pytest.mark.in_process
async def test_timed_appointments_say_they_are_not_all_day(gateway: InProcessGateway) -> None:
    day = gateway.pop.anchor + timedelta(days=1)
    body = await gateway.query("citizen-multi", DAYS, {"cpr": MULTI, "date": str(day)})
    nodes = body["data"]["patientOverview"]["appointments"]["nodes"]
    assert nodes
    for n in nodes:
        assert (n["allDay"], n["startDate"], n["endDate"]) == (False, None, None)
        assert n["indicativeTime"] is False


@pytest.mark.in_process
async def test_a_meeting_place_that_is_not_the_home_keeps_its_name_and_address(
    gateway: InProcessGateway,
) -> None:
    body = await gateway.query("citizen-multi", STATUS, {"cpr": MULTI})
    [walk] = [
        n
        for n in body["data"]["patientOverview"]["appointments"]["nodes"]
        if n["title"] == "Genoptræning: gåtur"
    ]
    assert walk["place"] == {
        "name": "Ved hovedindgangen, Aktivitetscenter Åbyhøj",
        "isHome": False,
        "address": {"lines": ["Bakkegårdsvej 400"]},
    }


def test_the_calendar_feed_writes_all_day_appointments_as_dates() -> None:
    day = date(2026, 12, 1)
    record = AppointmentRecord(
        source="aarhus",
        id="d1",
        status=AppointmentStatus.BOOKED,
        start=datetime.combine(day, datetime.min.time(), TZ),
        end=datetime.combine(day + timedelta(days=2), datetime.min.time(), TZ),
        title="Levering af hjælpemidler",
        organization=None,
        all_day=True,
    )
    data = render_calendar([record], calendar_name="x", now=datetime(2026, 11, 26, tzinfo=UTC))
    text = data.decode()
    assert "DTSTART;VALUE=DATE:20261201\r\n" in text
    assert "DTEND;VALUE=DATE:20261203\r\n" in text  # RFC 5545: the end date is exclusive
    (event,) = icalendar.Calendar.from_ical(data).events
    assert event.decoded("DTSTART") == day
    assert event.decoded("DTEND") == day + timedelta(days=2)


# --- plans and goals in the graph -------------------------------------------------------------

SOURCES = {"rm": Source(id="rm", name="Region Midtjylland", kind=SourceKind.REGION)}


def test_a_plan_written_by_a_practitioner_shows_the_person_not_an_organisation() -> None:
    record = PlanRecord(
        source="rm",
        id="p1",
        title="Forløbsplan, KOL",
        category=None,
        status="active",
        intent="plan",
        period_start=None,
        period_end=None,
        organization=None,
        author="Jens Michael Larsen",
    )
    plan = plan_of(record, SOURCES)
    assert (plan.organization, plan.author) == (None, "Jens Michael Larsen")


def test_goal_quantities_and_ranges_reach_the_graph() -> None:
    record = GoalRecord(
        source="rm",
        id="g1",
        description="Blodsukker",
        lifecycle_status="active",
        achievement_status=None,
        start=None,
        targets=(
            GoalTarget("HbA1c", "< 53 mmol/mol", None, Quantity("53", "<", "mmol/mol")),
            GoalTarget(
                "Glukose",
                "4\u20137.5 mmol/L",
                None,
                low=Quantity("4", unit="mmol/L"),
                high=Quantity("7.5", unit="mmol/L"),
            ),
        ),
        organization=OrgRef("265311000016006"),
    )
    quantity, span = goal_of(record, SOURCES).targets
    assert quantity.quantity is not None
    assert (quantity.detail, quantity.quantity.value, quantity.quantity.comparator) == (
        "< 53 mmol/mol",
        53.0,
        Comparator.LESS_THAN,
    )
    assert span.low is not None
    assert span.high is not None
    assert (span.low.value, span.high.value, span.high.unit) == (4.0, 7.5, "mmol/L")
