"""The FHIR simulator and connector over real HTTP, plus the pure parser on hand-written JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors import fhirjson, fhirparse
from connectors.fhir import FhirConnector
from connectors.fhirjson import FhirFormatError, SkipRecord
from connectors.http import Upstream
from domain.clock import TZ
from domain.errors import UpstreamBadResponse, UpstreamUnavailable
from domain.records import AppointmentStatus, OrgRef
from domain.settings import SourceConfig
from simulators import faults, fhir
from simulators.population import Population, build_population

ANCHOR = date(2026, 11, 26)
HISTORY = "0201919990"  # citizen-history: 260 RM appointments over 11 years
MULTI = "0108589995"  # citizen-multi: plans, goals, a cancelled, a proposed, one without end
NOBODY = "0201609995"  # a test person with nothing at RM
CPR_PARAM = "urn:oid:1.2.208.176.1.2|"
SOURCES = {
    "rm": SourceConfig("rm", "Region Midtjylland", "region", "320161000016009"),
    "aarhus": SourceConfig("aarhus", "Aarhus Kommune", "municipality", "751000016001"),
}

# faults.py stores the fault under a plain string request key, which aiohttp 3.14 warns about
# once per process; the warning is the simulator's, not the connector's business.
NOT_APP_KEY = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")


@pytest.fixture(scope="module")
def pop() -> Population:
    return build_population(ANCHOR)


@dataclass
class World:
    """The simulators of ``rm`` and ``aarhus`` on an ephemeral port, and one client session."""

    base: str
    session: aiohttp.ClientSession

    def connector(self, source: str = "rm", path: str | None = None, **kw: int) -> FhirConnector:
        """A connector to ``source`` (at ``path`` on this host, by default its own FHIR base)."""
        upstream = Upstream(self.session, source, timeout_s=5.0)
        base = f"{self.base}{path or f'/{source}/fhir'}"
        return FhirConnector(upstream, base, SOURCES[source], **kw)

    async def fault(self, source: str, mode: str, variant: str = "truncated") -> None:
        body = {"mode": mode, "variant": variant}
        async with self.session.post(f"{self.base}/{source}/_faults", json=body) as resp:
            assert resp.status == 200

    async def hits(self, source: str) -> int:
        async with self.session.get(f"{self.base}/{source}/_hits") as resp:
            hits: int = (await resp.json())["hits"]
            return hits

    async def raw(self, path: str, **params: str) -> tuple[int, Any]:
        async with self.session.get(f"{self.base}{path}", params=params) as resp:
            return resp.status, await resp.json(content_type=None)


def _bundle(next_url: str | None) -> dict[str, Any]:
    links = [{"relation": "next", "url": next_url}] if next_url else []
    return {"resourceType": "Bundle", "type": "searchset", "link": links}


async def _hostile(request: web.Request) -> web.Response:
    """A server whose next link sends the client elsewhere (or back to the same page)."""
    target = {
        "other-host": "http://evil.invalid/fhir/Appointment?page=2",
        "other-port": str(request.url.with_port((request.url.port or 80) + 1)),
        "loop": str(request.url),
        "endless": str(request.url.update_query(n=int(request.query.get("n", "0")) + 1)),
    }[request.match_info["kind"]]
    return web.json_response(_bundle(target), content_type="application/fhir+json")


@pytest.fixture
async def world(pop: Population) -> AsyncIterator[World]:
    root = web.Application()
    for source, appointments in (("rm", True), ("aarhus", False)):
        app = web.Application()
        faults.install(app)
        fhir.add_routes(app, pop, source, appointments=appointments)
        root.add_subapp(f"/{source}/", app)
    hostile = web.Application()
    hostile.router.add_get("/{kind}/Appointment", _hostile)
    root.add_subapp("/hostile/", hostile)
    runner = web.AppRunner(root, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as session:
            yield World(f"http://127.0.0.1:{port}", session)
    finally:
        await runner.cleanup()


# --- appointments over HTTP ---


async def test_paging_returns_every_appointment_once(world: World, pop: Population) -> None:
    records = await world.connector(page_size=50).appointments(HISTORY, None, None)
    expected = {a.id for a in pop.appointments_for("rm", HISTORY)}
    assert len(expected) == 260
    assert len(records) == 260
    assert {r.id for r in records} == expected
    assert await world.hits("rm") == 6  # ceil(260 / 50) pages
    assert [r.start for r in records] == sorted(r.start for r in records if r.start)


async def test_next_link_is_absolute_on_the_requests_own_host(world: World) -> None:
    status, bundle = await world.raw(
        "/rm/fhir/Appointment", **{"patient:identifier": CPR_PARAM + HISTORY, "_count": "200"}
    )
    assert status == 200
    assert bundle["total"] == 260
    assert len(bundle["entry"]) == 200
    assert {e["search"]["mode"] for e in bundle["entry"]} == {"match"}
    links = {link["relation"]: link["url"] for link in bundle["link"]}
    assert links["next"].startswith(f"{world.base}/rm/fhir/Appointment?")
    assert "_offset=200" in links["next"]


async def test_count_is_capped(world: World) -> None:
    _, bundle = await world.raw(
        "/rm/fhir/Appointment", **{"patient:identifier": CPR_PARAM + HISTORY, "_count": "1000"}
    )
    assert len(bundle["entry"]) == 200


async def test_date_filter_is_half_open(world: World, pop: Population) -> None:
    sims = pop.appointments_for("rm", HISTORY)
    lo = sorted(a.current.start for a in sims)[100]  # an actual start: tests the closed side
    hi = datetime(2026, 7, 1, tzinfo=TZ)
    records = await world.connector().appointments(HISTORY, lo, hi)
    expected = {a.id for a in sims if lo <= a.current.start < hi}
    assert expected
    assert {r.id for r in records} == expected
    hits_at = {a.id for a in sims if a.current.start == lo}
    assert hits_at <= {r.id for r in records}


async def test_open_ended_date_filter(world: World, pop: Population) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    records = await world.connector().appointments(HISTORY, since, None)
    sims = pop.appointments_for("rm", HISTORY)
    assert {r.id for r in records} == {a.id for a in sims if a.current.start >= since}


async def test_offsets_become_the_right_instants(world: World, pop: Population) -> None:
    _, bundle = await world.raw(
        "/rm/fhir/Appointment", **{"patient:identifier": CPR_PARAM + HISTORY, "_count": "200"}
    )
    offsets = {e["resource"]["start"][-6:] for e in bundle["entry"]}
    assert offsets == {"+01:00", "+02:00"}
    records = await world.connector().appointments(HISTORY, None, None)
    by_id = {a.id: a.current for a in pop.appointments_for("rm", HISTORY)}
    for r in records:
        assert r.start is not None
        assert r.start == by_id[r.id].start
        assert r.start.utcoffset() == by_id[r.id].start.utcoffset()
    summer = next(r for r in records if r.start and r.start.utcoffset() == timedelta(hours=2))
    assert summer.start is not None
    assert summer.start.astimezone(UTC).hour == by_id[summer.id].start.hour - 2


async def test_statuses_versions_and_fields(world: World, pop: Population) -> None:
    records = [
        *await world.connector().appointments(MULTI, None, None),
        *await world.connector().appointments(HISTORY, None, None),
    ]
    sims = {
        a.id: a for a in pop.appointments_for("rm", MULTI) + pop.appointments_for("rm", HISTORY)
    }
    assert {r.status for r in records} >= {
        AppointmentStatus.CANCELLED,
        AppointmentStatus.NOSHOW,
        AppointmentStatus.PROPOSED,
        AppointmentStatus.BOOKED,
        AppointmentStatus.FULFILLED,
    }
    for r in records:
        sim = sims[r.id]
        current = sim.current
        assert r.source == "rm"
        assert r.status == AppointmentStatus(current.status)
        assert r.version == str(len(sim.versions))
        assert r.updated is not None
        assert r.updated.tzinfo is not None
        assert r.title == current.title
        assert r.reason == current.reason
        assert r.kind == "RegionalAppointment"
        assert r.organization == OrgRef(current.org_sor, pop.orgs[current.org_sor].name)
        assert r.place is not None
        assert r.place.sor == current.place.sor
        assert r.place.name == current.place.name
        assert r.place.address is not None
        assert r.performer == current.performer
        assert not r.superseded


async def test_appointment_without_end(world: World, pop: Population) -> None:
    records = await world.connector().appointments(MULTI, None, None)
    no_end = [a.id for a in pop.appointments_for("rm", MULTI) if a.current.end is None]
    assert no_end
    assert all(r.end is None for r in records if r.id in no_end)
    assert all(r.end is not None for r in records if r.id not in no_end)


async def test_only_the_asked_patients_data(world: World, pop: Population) -> None:
    records = await world.connector().appointments(MULTI, None, None)
    assert {r.id for r in records} == {a.id for a in pop.appointments_for("rm", MULTI)}
    others = {a.id for cpr, appts in pop.appointments["rm"].items() if cpr != MULTI for a in appts}
    assert others
    assert not others & {r.id for r in records}
    assert await world.connector().appointments(NOBODY, None, None) == []
    assert await world.connector().plans(NOBODY) == []


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"patient:identifier": "0108589995"},
        {"patient:identifier": "urn:oid:1.2.208.176.1.1|0108589995"},
        {"patient:identifier": CPR_PARAM + "abc"},
        {"patient:identifier": CPR_PARAM + MULTI, "date": "eq2026-01-01"},
        {"patient:identifier": CPR_PARAM + MULTI, "date": "ge-in-a-while"},
        {"patient:identifier": CPR_PARAM + MULTI, "_count": "-1"},
    ],
)
async def test_invalid_search_is_400_operation_outcome(
    world: World, params: dict[str, str]
) -> None:
    status, body = await world.raw("/rm/fhir/Appointment", **params)
    assert status == 400
    assert body["resourceType"] == "OperationOutcome"


# --- plans and goals ---


async def test_plans_link_activities_to_appointments(world: World, pop: Population) -> None:
    conn = world.connector()
    plans = await conn.plans(MULTI)
    goals = await conn.goals(MULTI)
    appointments = {r.id for r in await conn.appointments(MULTI, None, None)}
    (plan,) = plans
    sim = pop.plans["rm"][MULTI][0]
    assert (plan.id, plan.title, plan.category, plan.status) == (
        sim.id,
        "Udskrivelsesplan efter AMI",
        "discharge",
        "active",
    )
    assert plan.intent == "plan"
    assert plan.period_start == sim.start
    assert plan.period_end == sim.end
    assert sim.org_sor is not None
    assert plan.organization == OrgRef(sim.org_sor, pop.orgs[sim.org_sor].name)
    assert plan.description == sim.description
    linked = plan.activities[0]
    assert linked.appointment_ids == sim.activities[0].appointment_ids
    assert set(linked.appointment_ids) <= appointments
    assert linked.scheduled_start == sim.activities[0].start
    assert (linked.title, linked.status) == ("Ambulant kontrol", "scheduled")
    assert plan.activities[1].appointment_ids == ()
    (goal,) = goals
    assert plan.goal_ids == (goal.id,)
    sim_goal = pop.goals["rm"][MULTI][0]
    assert goal.description == sim_goal.description
    assert (goal.lifecycle_status, goal.achievement_status) == ("active", "in-progress")
    assert goal.start == sim_goal.start
    assert sim_goal.org_sor is not None
    assert goal.organization == OrgRef(sim_goal.org_sor, pop.orgs[sim_goal.org_sor].name)
    (target,) = goal.targets
    assert (target.measure, target.detail, target.due) == (
        "Ejection fraction",
        "EF over 45 %",
        sim_goal.targets[0].due,
    )


async def test_municipality_serves_plans_but_not_appointments(world: World) -> None:
    conn = world.connector("aarhus")
    (plan,) = await conn.plans(MULTI)
    assert plan.source == "aarhus"
    assert plan.period_end is None
    (goal,) = await conn.goals(MULTI)
    assert plan.goal_ids == (goal.id,)
    with pytest.raises(UpstreamBadResponse):  # 404: appointments come by APD there
        await conn.appointments(MULTI, None, None)


# --- faults and hostile servers ---


async def _search(conn: FhirConnector, search: str) -> object:
    if search == "appointments":
        return await conn.appointments(MULTI, None, None)
    return await (conn.plans(MULTI) if search == "plans" else conn.goals(MULTI))


@NOT_APP_KEY
@pytest.mark.parametrize("variant", ["structure", "truncated", "content-type", "utf8"])
@pytest.mark.parametrize("search", ["appointments", "plans", "goals"])
async def test_malformed_is_a_bad_response(world: World, variant: str, search: str) -> None:
    await world.fault("rm", "malformed", variant)
    conn = world.connector()
    # Three calls: the structural break rotates through three forms.
    for _ in range(3):
        with pytest.raises(UpstreamBadResponse) as caught:
            await _search(conn, search)
        assert caught.value.source == "rm"


@NOT_APP_KEY
async def test_structure_fault_breaks_even_an_empty_answer(world: World) -> None:
    await world.fault("rm", "malformed", "structure")
    with pytest.raises(UpstreamBadResponse):
        await world.connector().appointments(NOBODY, None, None)


async def test_error_fault_is_unavailable(world: World) -> None:
    await world.fault("rm", "error")
    with pytest.raises(UpstreamUnavailable) as caught:
        await world.connector().appointments(MULTI, None, None)
    assert caught.value.source == "rm"


@pytest.mark.parametrize("kind", ["other-host", "other-port", "loop", "endless"])
async def test_hostile_next_link_is_a_bad_response(world: World, kind: str) -> None:
    conn = world.connector("rm", path=f"/hostile/{kind}", max_pages=5)
    with pytest.raises(UpstreamBadResponse) as caught:
        await conn.appointments(MULTI, None, None)
    assert caught.value.source == "rm"


async def test_naive_search_bounds_are_refused(world: World) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await world.connector().appointments(MULTI, datetime(2026, 1, 1), None)


def test_simulator_and_parser_agree_on_the_wire() -> None:
    assert fhir.RESPONSIBLE_ORG == fhirparse.RESPONSIBLE_ORG
    assert fhir.CPR_SYSTEM == fhirparse.CPR_SYSTEM
    assert fhir.SOR_SYSTEM == fhirparse.SOR_SYSTEM


# --- the parser on hand-written JSON ---


def _appt(**fields: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": "a1",
        "status": "booked",
        "start": "2026-03-29T10:00:00Z",
        "end": "2026-03-29T10:30:00Z",
    }
    res.update(fields)
    return {k: v for k, v in res.items() if v is not None}


def _parse(res: dict[str, Any], cpr: str = MULTI) -> Any:
    return fhirparse.appointment(res, source="rm", kind="RegionalAppointment", cpr=cpr)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-03-29T10:00:00Z", datetime(2026, 3, 29, 10, tzinfo=UTC)),
        ("2026-03-29T10:00:00+02:00", datetime(2026, 3, 29, 8, tzinfo=UTC)),
        ("2026-01-29T10:00:00+01:00", datetime(2026, 1, 29, 9, tzinfo=UTC)),
        ("2026-03-29T10:00:00-05:00", datetime(2026, 3, 29, 15, tzinfo=UTC)),
        ("2026-03-29T10:00:00.123+00:00", datetime(2026, 3, 29, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2026-03-29", datetime(2026, 3, 28, 23, tzinfo=UTC)),  # local midnight, winter time
    ],
)
def test_offsets_are_parsed_to_aware_instants(text: str, utc: datetime) -> None:
    record = _parse(_appt(start=text, end=None))
    assert record.start == utc
    assert record.start.tzinfo is not None


def test_minus_five_keeps_its_offset() -> None:
    record = _parse(_appt(start="2026-03-29T10:00:00-05:00"))
    assert record.start.utcoffset() == timezone(timedelta(hours=-5)).utcoffset(None)


def test_missing_end_and_start_are_tolerated() -> None:
    record = _parse(_appt(status="proposed", start=None, end=None))
    assert (record.status, record.start, record.end) == (AppointmentStatus.PROPOSED, None, None)
    assert record.title == "Aftale"
    assert record.organization is None


def test_title_falls_back_to_service_type() -> None:
    record = _parse(_appt(serviceType=[{"coding": [{"code": "x", "display": "Blodprøve"}]}]))
    assert record.title == "Blodprøve"


def test_operation_outcome_and_include_entries_are_skipped() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": {"resourceType": "OperationOutcome", "issue": []}},
            {"resource": _appt(), "search": {"mode": "match"}},
            {
                "resource": {"resourceType": "Organization", "id": "o"},
                "search": {"mode": "include"},
            },
        ],
    }
    (res,) = fhirjson.search_matches(bundle, "Appointment")
    assert res["id"] == "a1"
    assert fhirjson.next_link(bundle) is None


def test_empty_bundle_has_no_entries() -> None:
    assert fhirjson.search_matches({"resourceType": "Bundle", "type": "searchset"}, "Goal") == []


@pytest.mark.parametrize(
    "bundle",
    [
        [],
        {"resourceType": "OperationOutcome"},
        {"resourceType": "Bundle", "type": "transaction"},
        {"resourceType": "Bundle", "entry": {"resource": {}}},
        {"resourceType": "Bundle", "entry": [{"resource": {"id": "x"}}]},
        {"resourceType": "Bundle", "entry": [{"fullUrl": "x"}]},
        {"resourceType": "Bundle", "link": {"relation": "next"}},
    ],
)
def test_broken_bundles(bundle: Any) -> None:
    def read() -> None:
        fhirjson.search_matches(bundle, "Appointment")
        fhirjson.next_link(bundle)

    with pytest.raises(FhirFormatError):
        read()


@pytest.mark.parametrize(
    "fields",
    [
        {"status": None},
        {"status": 3},
        {"start": "tirsdag kl. 10"},
        {"start": "2026-03-29T10:00:00"},  # no offset: the instant is unknown
        {"start": "2026-13-29T10:00:00Z"},
        {"end": 1743242400},
        {"participant": {"actor": {}}},
        {"id": None},
    ],
)
def test_broken_appointments(fields: dict[str, Any]) -> None:
    with pytest.raises(FhirFormatError):
        _parse(_appt(**fields))


def test_unknown_status_skips_the_record() -> None:
    with pytest.raises(SkipRecord):
        _parse(_appt(status="rescheduled"))


def test_another_patients_appointment_is_refused() -> None:
    identifier = {"system": fhirparse.CPR_SYSTEM, "value": NOBODY}
    patient = {"actor": {"type": "Patient", "identifier": identifier}}
    with pytest.raises(FhirFormatError, match="different patient"):
        _parse(_appt(participant=[patient]))


def test_participants_by_literal_reference() -> None:
    record = _parse(
        _appt(
            participant=[
                {"actor": {"reference": "https://x.example/fhir/Patient/179103"}},
                {"actor": {"reference": "Practitioner/107302", "display": "Dr. Y"}},
                {"actor": {"reference": "Location/7", "display": "Room 43b"}},
            ]
        )
    )
    assert record.performer == "Dr. Y"
    assert record.place is not None
    assert record.place.name == "Room 43b"


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("Appointment/a1", "a1"),
        ("https://host.example/fhir/Appointment/a1", "a1"),
        ("Appointment/a1/_history/3", "a1"),
        ("Goal/a1", None),
        ("a1", None),
    ],
)
def test_reference_id(reference: str, expected: str | None) -> None:
    assert fhirjson.reference_id(reference, "Appointment") == expected


def test_care_plan_with_activity_reference_and_unknown_status() -> None:
    plan = {
        "resourceType": "CarePlan",
        "id": "p1",
        "status": "active",
        "intent": "plan",
        "category": [{"text": "Behandlingsplan"}],
        "activity": [{"reference": {"reference": "Appointment/a1", "display": "Kontrol"}}],
    }
    record = fhirparse.care_plan(plan, source="rm", cpr=MULTI)
    assert record.title == record.category == "Behandlingsplan"
    assert record.activities[0].appointment_ids == ("a1",)
    assert record.activities[0].title == "Kontrol"
    with pytest.raises(SkipRecord):
        fhirparse.care_plan({**plan, "status": "paused"}, source="rm", cpr=MULTI)
    with pytest.raises(FhirFormatError):
        fhirparse.care_plan({**plan, "status": None}, source="rm", cpr=MULTI)


def test_goal_with_expressed_by_and_partial_dates() -> None:
    goal = {
        "resourceType": "Goal",
        "id": "g1",
        "lifecycleStatus": "active",
        "description": {"coding": [{"code": "reference-value"}]},
        "startDate": "2025-02",
        "expressedBy": {"identifier": {"system": fhirparse.SOR_SYSTEM, "value": "265311000016006"}},
        "target": [{"measure": {"coding": [{"code": "NPU03011"}]}, "detailQuantity": {"value": 7}}],
    }
    record = fhirparse.goal(goal, source="rm", cpr=MULTI)
    assert record.description == "reference-value"
    assert record.start == date(2025, 2, 1)
    assert record.organization == OrgRef("265311000016006", None)
    assert record.targets[0].measure == "NPU03011"
    assert record.targets[0].detail == "7"
    with pytest.raises(FhirFormatError):
        fhirparse.goal({**goal, "lifecycleStatus": None}, source="rm", cpr=MULTI)
    with pytest.raises(FhirFormatError):
        fhirparse.goal({**goal, "description": None}, source="rm", cpr=MULTI)
