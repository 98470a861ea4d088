"""Appointment views (day, week, list), filters, pages and overlaps: pure, then end to end.

The end-to-end tests run the gateway in-process over the simulators' answers
(``tests/inprocess.py``). The ``gateway`` fixture's population is anchored today; ``gateway_at``
anchors one on a chosen day, so that citizen-multi's daily home care visits fall on a DST change
or across a year boundary (ISO week 53) deterministically.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.clock import Clock, ShiftedClock
from domain.records import AppointmentRecord, AppointmentStatus, OrgRef, Place
from resolvers import calendar
from resolvers.appointments import AppointmentConnection, Selection
from resolvers.calendar import TZ, View
from resolvers.paging import PageArgs
from resolvers.types import Source, SourceKind
from simulators.population import GP_SHARED_SINCE, last_sunday
from tests.gatewayfixtures import GraphQLGateway
from tests.inprocess import InProcessGateway, in_process_gateway
from tests.recorded import World

S = AppointmentStatus
MULTI = "0108589995"
HISTORY = "0201919990"
PROTECTED = "0201609996"
SOURCES = ("rm", "rn", "aarhus", "frederikshavn", "gp-jml")
SECTOR = {
    "rm": "HOSPITAL",
    "rn": "HOSPITAL",
    "aarhus": "MUNICIPALITY",
    "frederikshavn": "MUNICIPALITY",
    "gp-jml": "GP",
}
HIDDEN_IN_VIEWS = {"CANCELLED", "ENTERED_IN_ERROR"}
NODE = """id start end status title reason localDate isoWeek sector
  source { id } organization { sor } place { name sor isHome } overlapsWith { id }"""
APPOINTMENTS = f"""query($cpr: String!, $view: AppointmentView, $date: Date, $from: DateTime,
  $to: DateTime, $filter: AppointmentFilter, $first: Int! = 500, $after: String) {{
  patientOverview(cpr: $cpr) {{
    appointments(view: $view, date: $date, from: $from, to: $to, filter: $filter, first: $first,
                 after: $after) {{
      totalCount nodes {{ {NODE} }} pageInfo {{ hasNextPage endCursor }} }}
    sources {{ id status }}
  }} }}"""

Node = dict[str, Any]
GatewayAt = Callable[[date], Awaitable[InProcessGateway]]


def cph(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ, fold=fold)


# -- pure: what a view's selection matches -----------------------------------------------------


def record(**overrides: Any) -> AppointmentRecord:
    fields: dict[str, Any] = {
        "source": "rm",
        "id": "a1",
        "status": S.BOOKED,
        "start": cph(2026, 10, 25, 9),
        "end": cph(2026, 10, 25, 9, 30),
        "title": "Ambulant kontrol, hjertesygdomme",
        "organization": OrgRef("265311000016006", "Hjertesygdomme"),
        "place": Place("Hjertesygdomme, Aarhus Universitetshospital", sor="265311000016006"),
        "reason": "Kontrol efter AMI",
    }
    fields.update(overrides)
    return AppointmentRecord(**fields)


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        (cph(2026, 10, 25, 0, 0), True),
        (cph(2026, 10, 25, 2, 30, fold=0), True),  # the repeated hour, first pass (CEST)
        (cph(2026, 10, 25, 2, 30, fold=1), True),  # ... and second pass (CET)
        (cph(2026, 10, 25, 23, 59), True),  # the 25th hour of the day
        (cph(2026, 10, 26, 0, 0), False),
        (cph(2026, 10, 24, 23, 59), False),
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), True),  # local midnight, written in UTC
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), True),  # 23:59 local
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), False),  # the next local midnight
    ],
)
def test_day_view_selects_the_25_hour_day(start: datetime, shown: bool) -> None:
    day = Selection(*calendar.window(View.DAY, date(2026, 10, 25)))
    assert day.matches(record(start=start, end=None)) is shown


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        (cph(2027, 3, 28, 0, 0), True),
        (cph(2027, 3, 28, 3, 0), True),  # the first instant after the skipped hour
        (cph(2027, 3, 28, 23, 59), True),
        (datetime(2027, 3, 27, 23, 0, tzinfo=UTC), True),  # local midnight
        (datetime(2027, 3, 28, 22, 0, tzinfo=UTC), False),  # after 23 hours: the next day
        (cph(2027, 3, 27, 23, 59), False),
    ],
)
def test_day_view_selects_the_23_hour_day(start: datetime, shown: bool) -> None:
    day = Selection(*calendar.window(View.DAY, date(2027, 3, 28)))
    assert day.matches(record(start=start, end=None)) is shown


@pytest.mark.parametrize(
    ("anchor", "week", "monday", "hours"),
    [
        (date(2026, 12, 31), "2026-W53", date(2026, 12, 28), 168),
        (date(2027, 1, 3), "2026-W53", date(2026, 12, 28), 168),  # Sunday, still 2026's week
        (date(2027, 1, 4), "2027-W01", date(2027, 1, 4), 168),
        (date(2020, 12, 31), "2020-W53", date(2020, 12, 28), 168),
        (date(2027, 12, 31), "2027-W52", date(2027, 12, 27), 168),  # 2027 has no week 53
        (date(2028, 1, 2), "2027-W52", date(2027, 12, 27), 168),
        (date(2026, 10, 25), "2026-W43", date(2026, 10, 19), 169),  # fall back: +1 hour
        (date(2027, 3, 28), "2027-W12", date(2027, 3, 22), 167),  # spring forward: -1 hour
    ],
)
def test_week_view_is_the_iso_week(anchor: date, week: str, monday: date, hours: int) -> None:
    start, end = calendar.window(View.WEEK, anchor)
    assert start == cph(monday.year, monday.month, monday.day)
    assert (end.astimezone(UTC) - start.astimezone(UTC)) == timedelta(hours=hours)
    noon = cph(anchor.year, anchor.month, anchor.day, 12)
    assert calendar.iso_week_label(noon) == week
    sel = Selection(start, end)
    sunday_night = cph(*(monday + timedelta(days=6)).timetuple()[:3], 23, 59)
    assert sel.matches(record(start=start, end=None))
    assert sel.matches(record(start=sunday_night, end=None))
    assert not sel.matches(record(start=end, end=None))
    assert calendar.iso_week_label(sunday_night) == week


SECTORS = {"rm": "hospital", "aarhus": "municipality", "gp-jml": "gp"}


@pytest.mark.parametrize(
    ("selection", "matching"),
    [
        (Selection(), {"hjerte", "home", "gp", "cancelled"}),
        (Selection(sources=frozenset({"aarhus"})), {"home"}),
        (
            Selection(sectors=frozenset({"gp", "hospital"}), sector_of=SECTORS),
            {"hjerte", "gp", "cancelled"},
        ),
        (Selection(statuses=frozenset({S.CANCELLED})), {"cancelled"}),
        (Selection(organizations=frozenset({"265311000016006"})), {"hjerte", "cancelled"}),
        # The place's SOR counts as well as the owner's.
        (Selection(organizations=frozenset({"471851000016006"})), {"gp"}),
        (Selection(organizations=frozenset({"265301000016009"})), set()),
        (
            Selection(
                organizations=frozenset({"265301000016009"}),
                sor_chain={"265311000016006": ("265301000016009", "320161000016009")},
            ),
            {"hjerte", "cancelled"},
        ),
        (Selection(text="KONTROL"), {"hjerte", "cancelled"}),
        (Selection(text="hjemmeadresse"), {"home"}),  # the place's name
        (Selection(text="blodtryk"), set()),  # a reason is never searched
        (
            Selection(text="kontrol", sources=frozenset({"rm"}), statuses=frozenset({S.BOOKED})),
            {"hjerte"},
        ),
    ],
)
def test_filters(selection: Selection, matching: set[str]) -> None:
    records = {
        "hjerte": record(),
        "home": record(
            source="aarhus",
            title="Hjemmepleje: morgenbesøg",
            organization=OrgRef("751110016004"),
            place=Place("Borgers Hjemmeadresse", is_home=True),
            reason="Personlig pleje",
        ),
        "gp": record(
            source="gp-jml",
            title="Aftale hos praktiserende læge",
            organization=OrgRef("471841000016002"),
            place=Place("Konsultation", sor="471851000016006"),
            reason="Kontrol af blodtryk",
        ),
        "cancelled": record(id="a2", status=S.CANCELLED, title="Røntgen og kontrol, knæ"),
    }
    assert {name for name, r in records.items() if selection.matches(r)} == matching


def test_overlaps_list_other_active_appointments_only() -> None:
    nine = cph(2026, 12, 6, 9)
    hour = timedelta(hours=1)
    everything = [
        record(id="followup", start=nine, end=nine + hour / 2),
        record(source="aarhus", id="visit", start=nine + hour / 4, end=nine + hour),
        record(id="cancelled", status=S.CANCELLED, start=nine, end=nine + hour),
        record(id="noshow", status=S.NOSHOW, start=nine, end=nine + hour),
        record(id="after", start=nine + hour, end=None),  # touches the visit's end only
        record(id="undated", start=None, end=None),
    ]
    sources = {s: Source(id=s, name=s, kind=SourceKind.REGION) for s in ("rm", "aarhus")}
    page = AppointmentConnection(
        everything=everything, selected=everything, args=PageArgs(50), source_types=sources
    )
    overlaps = {str(n.id): [str(o.id) for o in n.overlaps_with()] for n in page.nodes()}
    assert overlaps == {
        "rm:followup": ["aarhus:visit"],
        "aarhus:visit": ["rm:followup"],
        "rm:cancelled": [],
        "rm:noshow": [],
        "rm:after": [],
        "rm:undated": [],
    }


# -- end to end: helpers -----------------------------------------------------------------------


async def appointments(gw: GraphQLGateway, persona: str, cpr: str, **args: Any) -> dict[str, Any]:
    body = await gw.query(persona, APPOINTMENTS, {"cpr": cpr, **args})
    assert "errors" not in body, body["errors"]
    conn: dict[str, Any] = body["data"]["patientOverview"]["appointments"]
    return conn


async def every(gw: GraphQLGateway, persona: str, cpr: str, **args: Any) -> list[Node]:
    """All pages of a view, following the cursors."""
    nodes: list[Node] = []
    after = None
    while True:
        conn = await appointments(gw, persona, cpr, after=after, **args)
        nodes.extend(conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            return nodes
        after = conn["pageInfo"]["endCursor"]


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def touches(n: Node, start: datetime, end: datetime) -> bool:
    """An independent reading of "shown in the window [start, end)"."""
    s, e = instant(n["start"]), instant(n["end"])
    assert s is not None
    if e is None or e <= s:
        return start <= s < end
    return s < end and e > start


def ids(nodes: list[Node]) -> list[str]:
    return [n["id"] for n in nodes]


def assert_local_dates_and_weeks(nodes: list[Node]) -> None:
    for n in nodes:
        local = datetime.fromisoformat(n["start"]).astimezone(TZ)
        assert n["localDate"] == local.date().isoformat(), n
        year, week, _ = local.date().isocalendar()
        assert n["isoWeek"] == f"{year}-W{week:02d}", n
        # Times are shown in Copenhagen time, with the offset in force then.
        assert n["start"].endswith(("+01:00", "+02:00")), n
        assert datetime.fromisoformat(n["start"]).utcoffset() == local.utcoffset(), n


def _new(directory: Path) -> Path:
    directory.mkdir()
    return directory


@asynccontextmanager
async def serve_at(clock: Clock, tmp_path: Path, template: Path) -> AsyncIterator[InProcessGateway]:
    """A gateway like the ``gateway`` fixture's in-process one, on ``clock`` (the population
    anchored on its today)."""
    async with in_process_gateway(_new(tmp_path), clock, World.build(clock), template) as gw:
        yield gw


@pytest.fixture
async def gateway_at(tmp_path: Path, migrated_template: Path) -> AsyncIterator[GatewayAt]:
    """A factory: ``await gateway_at(anchor)`` serves a population anchored on that day."""
    async with AsyncExitStack() as stack:

        async def make(anchor: date) -> InProcessGateway:
            clock = ShiftedClock.on(anchor)
            at = serve_at(clock, tmp_path / anchor.isoformat(), migrated_template)
            return await stack.enter_async_context(at)

        yield make


@pytest.fixture
async def history_gateway(
    tmp_path: Path, clock: Clock, simulated_world: World, migrated_template: Path
) -> AsyncIterator[InProcessGateway]:
    """Today's population, with citizen-history's over 2,000 appointments."""
    history = _new(tmp_path / "history")
    async with in_process_gateway(history, clock, simulated_world, migrated_template) as gw:
        yield gw


async def assert_views_agree(gw: GraphQLGateway, days: list[date]) -> list[Node]:
    """Each DAY and WEEK view over ``days`` shows exactly the active appointments that touch
    its window, computed here independently from the full record."""
    everything = await every(gw, "citizen-multi", MULTI)
    assert_local_dates_and_weeks(everything)
    active = [n for n in everything if n["status"] not in HIDDEN_IN_VIEWS]
    for day in days:
        for view, first in (("DAY", day), ("WEEK", day - timedelta(days=day.weekday()))):
            start = datetime.combine(first, datetime.min.time(), TZ).astimezone(UTC)
            nxt = first + timedelta(days=1 if view == "DAY" else 7)
            end = datetime.combine(nxt, datetime.min.time(), TZ).astimezone(UTC)
            shown = await every(gw, "citizen-multi", MULTI, view=view, date=day.isoformat())
            expected = [n for n in active if touches(n, start, end)]
            assert ids(shown) == ids(expected), (view, day)
    return everything


# -- end to end: views around DST and year boundaries ------------------------------------------


@pytest.mark.in_process
async def test_day_view_on_the_day_summer_time_ends(gateway: InProcessGateway) -> None:
    dst_end = last_sunday(gateway.pop.anchor.year, 10)
    start, end = calendar.window(View.DAY, dst_end)
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=25)
    day = await appointments(gateway, "citizen-multi", MULTI, view="DAY", date=str(dst_end))
    (knee,) = [n for n in day["nodes"] if n["source"]["id"] == "rm"]
    assert knee["start"] == f"{dst_end}T10:00:00+01:00"  # winter time again at 10:00
    assert knee["localDate"] == str(dst_end)
    year, week, _ = dst_end.isocalendar()
    assert knee["isoWeek"] == f"{year}-W{week:02d}"
    assert all(n["localDate"] == str(dst_end) for n in day["nodes"])
    week_view = await appointments(gateway, "citizen-multi", MULTI, view="WEEK", date=str(dst_end))
    assert knee["id"] in ids(week_view["nodes"])
    assert {n["isoWeek"] for n in week_view["nodes"]} == {knee["isoWeek"]}
    # The day before and the day after do not show it.
    for other in (dst_end - timedelta(days=1), dst_end + timedelta(days=1)):
        conn = await appointments(gateway, "citizen-multi", MULTI, view="DAY", date=str(other))
        assert knee["id"] not in ids(conn["nodes"])


@pytest.mark.in_process
@pytest.mark.parametrize(
    ("anchor", "offset_before", "offset_on"),
    [
        (date(2026, 10, 25), "+02:00", "+01:00"),  # summer time ends: a 25-hour day
        (date(2027, 3, 28), "+01:00", "+02:00"),  # summer time starts: a 23-hour day
    ],
)
async def test_day_and_week_views_across_a_dst_change(
    gateway_at: GatewayAt, anchor: date, offset_before: str, offset_on: str
) -> None:
    gw = await gateway_at(anchor)
    days = [anchor + timedelta(days=n) for n in range(-8, 9)]
    await assert_views_agree(gw, days)
    day = await every(gw, "citizen-multi", MULTI, view="DAY", date=str(anchor))
    visits = [n for n in day if n["title"] == "Hjemmepleje: morgenbesøg"]
    assert [n["start"] for n in visits] == [f"{anchor}T08:00:00{offset_on}"]
    before = await every(gw, "citizen-multi", MULTI, view="DAY", date=str(anchor - timedelta(1)))
    visits = [n for n in before if n["title"] == "Hjemmepleje: morgenbesøg"]
    assert [n["start"] for n in visits] == [f"{anchor - timedelta(1)}T08:00:00{offset_before}"]
    # The week holds one morning visit a day, on both sides of the change.
    week = await every(gw, "citizen-multi", MULTI, view="WEEK", date=str(anchor))
    mornings = [n["localDate"] for n in week if n["title"] == "Hjemmepleje: morgenbesøg"]
    monday = anchor - timedelta(days=anchor.weekday())
    assert mornings == [str(monday + timedelta(days=n)) for n in range(7)]


@pytest.mark.in_process
@pytest.mark.parametrize(
    ("anchor", "week", "first_day", "next_week"),
    [
        (date(2026, 12, 30), "2026-W53", date(2026, 12, 28), "2027-W01"),
        (date(2032, 12, 30), "2032-W53", date(2032, 12, 27), "2033-W01"),
        (date(2027, 12, 30), "2027-W52", date(2027, 12, 27), "2028-W01"),
    ],
)
async def test_week_view_across_the_year_boundary(
    gateway_at: GatewayAt, anchor: date, week: str, first_day: date, next_week: str
) -> None:
    gw = await gateway_at(anchor)
    await assert_views_agree(gw, [anchor + timedelta(days=n) for n in range(-10, 11, 2)])
    seen = []
    for day in (first_day + timedelta(days=n) for n in range(7)):
        nodes = await every(gw, "citizen-multi", MULTI, view="WEEK", date=str(day))
        assert {n["isoWeek"] for n in nodes} == {week}
        seen.append(ids(nodes))
    assert all(s == seen[0] for s in seen)  # any day of the week picks the same week
    nodes = await every(gw, "citizen-multi", MULTI, view="WEEK", date=str(first_day))
    mornings = [n["localDate"] for n in nodes if n["title"] == "Hjemmepleje: morgenbesøg"]
    assert mornings == [str(first_day + timedelta(days=n)) for n in range(7)]
    assert {d[:4] for d in mornings} == {str(first_day.year), str(first_day.year + 1)}
    following = await every(
        gw, "citizen-multi", MULTI, view="WEEK", date=str(first_day + timedelta(7))
    )
    assert {n["isoWeek"] for n in following} == {next_week}


@pytest.mark.in_process
async def test_default_day_and_week_are_today_in_copenhagen(gateway: InProcessGateway) -> None:
    today = calendar.local_date(gateway.clock.now())
    day = await appointments(gateway, "citizen-multi", MULTI, view="DAY")
    explicit = await appointments(gateway, "citizen-multi", MULTI, view="DAY", date=str(today))
    assert ids(day["nodes"]) == ids(explicit["nodes"])
    assert day["nodes"]
    assert {n["localDate"] for n in day["nodes"]} == {str(today)}
    week = await appointments(gateway, "citizen-multi", MULTI, view="WEEK")
    year, number, _ = today.isocalendar()
    assert {n["isoWeek"] for n in week["nodes"]} == {f"{year}-W{number:02d}"}


@pytest.mark.in_process
async def test_explicit_from_to_window(gateway: InProcessGateway) -> None:
    everything = await every(gateway, "citizen-multi", MULTI)
    start = gateway.clock.now().replace(microsecond=0)
    end = start + timedelta(days=3, hours=5)
    shown = await every(
        gateway, "citizen-multi", MULTI, **{"from": start.isoformat(), "to": end.isoformat()}
    )
    assert shown
    assert ids(shown) == ids([n for n in everything if touches(n, start, end)])
    # With a view, an explicit window still hides cancelled ones by default.
    listed = await every(
        gateway,
        "citizen-multi",
        MULTI,
        view="LIST",
        **{"from": start.isoformat(), "to": end.isoformat()},
    )
    assert ids(listed) == ids([n for n in shown if n["status"] not in HIDDEN_IN_VIEWS])


# -- end to end: the full record, statuses and pagination --------------------------------------


@pytest.mark.in_process
async def test_every_appointment_once_in_its_current_version(gateway: InProcessGateway) -> None:
    nodes = await every(gateway, "citizen-multi", MULTI, first=7)
    assert len(ids(nodes)) == len(set(ids(nodes)))
    sim = gateway.pop
    aarhus = {a.id: a for a in sim.appointments_for("aarhus", MULTI)}
    changed = [a for a in aarhus.values() if len(a.versions) > 1]
    assert len(changed) == 2
    for a in changed:
        (shown,) = [n for n in nodes if n["id"] == f"aarhus:{a.id}"]
        assert instant(shown["start"]) == a.current.start.astimezone(UTC)
        assert shown["status"] == a.current.status.upper()
    statuses = {n["status"] for n in nodes}
    assert "CANCELLED" in statuses  # the full record keeps cancelled ones, as cancelled
    assert_local_dates_and_weeks(nodes)


@pytest.mark.in_process
async def test_cancelled_are_hidden_in_views_unless_asked_for(gateway: InProcessGateway) -> None:
    everything = await every(gateway, "citizen-multi", MULTI)
    cancelled = [n for n in everything if n["status"] == "CANCELLED"]
    assert len(cancelled) >= 2
    for view in ("LIST", "DAY", "WEEK"):
        for c in cancelled:
            args = {"view": view, "date": c["localDate"]} if view != "LIST" else {"view": view}
            hidden = ids(await every(gateway, "citizen-multi", MULTI, **args))
            assert c["id"] not in hidden
            shown = await every(
                gateway, "citizen-multi", MULTI, filter={"includeCancelled": True}, **args
            )
            (again,) = [n for n in shown if n["id"] == c["id"]]
            assert again["status"] == "CANCELLED"
    only = await every(
        gateway, "citizen-multi", MULTI, view="LIST", filter={"statuses": ["CANCELLED"]}
    )
    assert ids(only) == ids(cancelled)
    without = await every(gateway, "citizen-multi", MULTI, filter={"includeCancelled": False})
    assert ids(without) == ids([n for n in everything if n["status"] not in HIDDEN_IN_VIEWS])
    listed = await every(gateway, "citizen-multi", MULTI, view="LIST")
    assert ids(listed) == ids(without)


@pytest.mark.in_process
async def test_paging_through_citizen_history_loses_and_repeats_nothing(
    history_gateway: InProcessGateway,
) -> None:
    gateway = history_gateway
    pop = gateway.pop
    expected = {
        f"{source}:{a.id}": a.current
        for source in SOURCES
        for a in pop.appointments_for(source, HISTORY)
    }
    assert len(expected) >= 2000
    for first, args in ((500, {}), (347, {"view": "LIST", "filter": {"includeCancelled": True}})):
        totals, nodes, after = set(), [], None
        while True:
            conn = await appointments(
                gateway, "citizen-history", HISTORY, first=first, after=after, **args
            )
            totals.add(conn["totalCount"])
            assert len(conn["nodes"]) <= first
            nodes.extend(conn["nodes"])
            if not conn["pageInfo"]["hasNextPage"]:
                break
            assert len(conn["nodes"]) == first
            after = conn["pageInfo"]["endCursor"]
        assert totals == {len(expected)}
        assert len(nodes) == len(set(ids(nodes))) == len(expected)
        assert set(ids(nodes)) == set(expected)
        order = [(instant(n["start"]), n["source"]["id"], n["id"]) for n in nodes]
        assert order == sorted(order)  # the stable order: start, source, id
    assert_local_dates_and_weeks(nodes)
    for n in nodes:
        assert instant(n["start"]) == expected[n["id"]].start.astimezone(UTC)
    # Ten years and more, counted from today.
    today = calendar.local_date(gateway.clock.now())
    assert min(n["localDate"] for n in nodes) < str(today.replace(year=today.year - 10, day=1))
    active = [n for n in nodes if n["status"] not in HIDDEN_IN_VIEWS]
    listed = await appointments(gateway, "citizen-history", HISTORY, view="LIST", first=5)
    assert listed["totalCount"] == len(active)
    assert ids(listed["nodes"]) == ids(active[:5])


@pytest.mark.in_process
async def test_a_page_ends_where_the_next_begins(gateway: InProcessGateway) -> None:
    first = await appointments(gateway, "citizen-multi", MULTI, first=10)
    second = await appointments(
        gateway, "citizen-multi", MULTI, first=10, after=first["pageInfo"]["endCursor"]
    )
    both = await appointments(gateway, "citizen-multi", MULTI, first=20)
    assert ids(first["nodes"]) + ids(second["nodes"]) == ids(both["nodes"])
    assert first["pageInfo"]["endCursor"] != second["pageInfo"]["endCursor"]


# -- end to end: filters -----------------------------------------------------------------------


def _org(n: Node) -> set[str]:
    return {s for s in ((n["organization"] or {}).get("sor"), (n["place"] or {}).get("sor")) if s}


AUH = ("265311000016006", "265321000016001", "265331000016005")


FILTERS: list[tuple[dict[str, Any], Callable[[Node], bool]]] = [
    ({"sources": ["rn"]}, lambda n: n["source"]["id"] == "rn"),
    ({"sources": ["rn", "gp-jml"]}, lambda n: n["source"]["id"] in ("rn", "gp-jml")),
    ({"sectors": ["HOSPITAL"]}, lambda n: n["source"]["id"] in ("rm", "rn")),
    ({"sectors": ["MUNICIPALITY"]}, lambda n: n["source"]["id"] in ("aarhus", "frederikshavn")),
    ({"sectors": ["GP"]}, lambda n: n["source"]["id"] == "gp-jml"),
    ({"sectors": ["GP", "HOSPITAL"]}, lambda n: n["sector"] in ("GP", "HOSPITAL")),
    ({"organizations": ["265311000016006"]}, lambda n: "265311000016006" in _org(n)),
    # The institution itself owns none of them; with sub-units it covers its departments.
    ({"organizations": ["265301000016009"]}, lambda n: False),
    (
        {"organizations": ["265301000016009"], "includeSubUnits": True},
        lambda n: bool(_org(n) & set(AUH)),
    ),
    (
        {"organizations": ["320161000016009"], "includeSubUnits": True},
        lambda n: n["source"]["id"] == "rm",
    ),
    (
        {"organizations": ["751000016001", "446031000016008"], "includeSubUnits": True},
        lambda n: n["source"]["id"] == "aarhus" or "446031000016008" in _org(n),
    ),
    ({"text": "KONTROL"}, lambda n: "kontrol" in n["title"].lower()),
    ({"text": "aalborg"}, lambda n: "Aalborg" in ((n["place"] or {}).get("name") or "")),
    ({"text": "hjemmeadresse"}, lambda n: (n["place"] or {}).get("isHome") is True),
    ({"text": "blodtryk"}, lambda n: False),  # the GP's reason is never searched
    ({"text": "  "}, lambda n: True),
    (
        {"sectors": ["MUNICIPALITY"], "text": "genoptræning"},
        lambda n: n["title"].startswith("Genoptræning"),
    ),
    (
        {"statuses": ["BOOKED", "PROPOSED"]},
        lambda n: n["status"] in ("BOOKED", "PROPOSED"),
    ),
    ({"statuses": ["NOSHOW"]}, lambda n: n["status"] == "NOSHOW"),
]


@pytest.mark.in_process
async def test_filters_end_to_end(gateway: InProcessGateway) -> None:
    # One gateway for the whole table: each filter is checked against the full record.
    everything = await every(gateway, "citizen-multi", MULTI)
    assert {n["source"]["id"] for n in everything} == set(SOURCES)
    for flt, keep in FILTERS:
        shown = await every(gateway, "citizen-multi", MULTI, filter=flt)
        expected = [n for n in everything if keep(n)]
        assert ids(shown) == ids(expected), flt
        conn = await appointments(gateway, "citizen-multi", MULTI, filter=flt, first=3)
        assert conn["totalCount"] == len(expected), flt
    # Filters combine with the views: cancelled stay hidden in a view unless asked for.
    listed = await every(gateway, "citizen-multi", MULTI, view="LIST", filter={"sources": ["rm"]})
    assert ids(listed) == ids(
        [n for n in everything if n["source"]["id"] == "rm" and n["status"] != "CANCELLED"]
    )


@pytest.mark.in_process
async def test_sector_of_every_appointment(gateway: InProcessGateway) -> None:
    for n in await every(gateway, "citizen-multi", MULTI):
        assert n["sector"] == SECTOR[n["source"]["id"]]


# -- end to end: GP rules and overlaps ---------------------------------------------------------


@pytest.mark.in_process
async def test_gp_appointments_are_fixed_text_time_and_place_from_1_october_2021(
    history_gateway: InProcessGateway,
) -> None:
    gateway = history_gateway
    for persona, cpr in (("citizen-multi", MULTI), ("citizen-history", HISTORY)):
        nodes = await every(gateway, persona, cpr, filter={"sources": ["gp-jml"]})
        assert nodes
        for n in nodes:
            assert n["title"] == "Aftale hos praktiserende læge"
            assert n["reason"] is None
            assert n["localDate"] >= str(GP_SHARED_SINCE)
            assert n["place"]["name"]
    sim = [a for a in gateway.pop.appointments_for("gp-jml", MULTI)]
    assert any(a.current.start.date() < GP_SHARED_SINCE for a in sim)  # exists, never shown
    # The patient without consent at the clinic: none, and no error either.
    body = await gateway.query("citizen-protected", APPOINTMENTS, {"cpr": PROTECTED})
    assert "errors" not in body
    ov = body["data"]["patientOverview"]
    assert {n["source"]["id"] for n in ov["appointments"]["nodes"]} == {"rn", "frederikshavn"}
    assert {s["id"]: s["status"] for s in ov["sources"]}["gp-jml"] == "NOT_CONSENTED"


@pytest.mark.in_process
async def test_overlapping_appointments_are_listed_for_coordination(
    gateway: InProcessGateway,
) -> None:
    nodes = await every(gateway, "citizen-multi", MULTI)
    by_id = {n["id"]: n for n in nodes}
    # The hospital follow-up and the home-care visit moved into it (d+10, 09:30 and 09:45).
    followup = next(
        n
        for n in nodes
        if n["source"]["id"] == "rm"
        and n["title"].startswith("Ambulant")
        and n["status"] == "BOOKED"
    )
    (visit,) = [by_id[o["id"]] for o in followup["overlapsWith"]]
    assert visit["source"]["id"] == "aarhus"
    assert [o["id"] for o in visit["overlapsWith"]] == [followup["id"]]
    # Every listed overlap is mutual, really overlaps, and is never a cancelled one.
    pairs = 0
    for n in nodes:
        for o in n["overlapsWith"]:
            other = by_id[o["id"]]
            assert n["id"] in [x["id"] for x in other["overlapsWith"]]
            assert other["status"] not in ("CANCELLED", "NOSHOW", "ENTERED_IN_ERROR")
            s, e = instant(other["start"]), instant(other["end"]) or instant(other["start"])
            assert s is not None
            assert e is not None
            assert touches(n, s, max(e, s + timedelta(microseconds=1)))
            pairs += 1
        if n["status"] == "CANCELLED":
            assert n["overlapsWith"] == []
    assert pairs >= 4
    # A view lists overlaps with appointments outside its own filter too.
    hospital = await every(gateway, "citizen-multi", MULTI, filter={"sectors": ["HOSPITAL"]})
    (same,) = [n for n in hospital if n["id"] == followup["id"]]
    assert same["overlapsWith"] == followup["overlapsWith"]


# -- end to end: bad arguments -----------------------------------------------------------------


BAD_ARGUMENTS: list[tuple[dict[str, Any], str]] = [
    ({"first": 0}, "first"),
    ({"first": 501}, "first"),
    ({"after": "bm9wZQ"}, "after"),
    ({"date": "2026-10-25"}, "date"),  # a date needs a DAY or WEEK view
    ({"view": "LIST", "date": "2026-10-25"}, "date"),
    ({"view": "DAY", "date": "2026-10-25", "from": "2026-10-25T00:00:00+02:00"}, "date"),
    ({"from": "2026-10-26T00:00:00+01:00", "to": "2026-10-25T00:00:00+02:00"}, "to"),
    ({"from": "2026-10-25T00:00:00"}, "from"),
]


@pytest.mark.in_process
async def test_bad_arguments_are_refused(gateway: InProcessGateway) -> None:
    for args, field in BAD_ARGUMENTS:
        body = await gateway.query("citizen-multi", APPOINTMENTS, {"cpr": MULTI, **args})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", args
        assert error["extensions"].get("field") == field, args
        assert body["data"]["patientOverview"]["appointments"] is None
