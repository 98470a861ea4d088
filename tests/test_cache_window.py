"""The appointments are fetched for the window the query's fields need, and cached per window.

Pure: ``resolvers/window.py``'s ``around`` (the period fetched for some windows). End to end,
in-process (``tests/inprocess.py``): the simulators are asked for the narrowed period (they log
the periods searched, ``simulators/search.py``), the day, week and from/to answers are the ones
the unbounded fetch gives, and a clinician whom a block may withhold something from still has
every appointment fetched and decided.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.clock import local_date
from resolvers import calendar
from resolvers.calendar import TZ, View
from resolvers.window import LONGEST, around
from simulators import search
from simulators.server import SOURCE_APPS
from tests.inprocess import InProcessGateway
from tests.recorded import World

MULTI = "0108589995"
HISTORY = "0201919990"
SOURCES = ("rm", "rn", "aarhus", "frederikshavn", "gp-jml")
NODE = """id start end status title allDay localDate isoWeek source { id }
  place { name isHome } overlapsWith { id }"""
WINDOWED = f"""query($cpr: String!, $view: AppointmentView, $date: Date, $from: DateTime,
  $to: DateTime) {{ patientOverview(cpr: $cpr) {{
    w: appointments(view: $view, date: $date, from: $from, to: $to, first: 500) {{
      totalCount nodes {{ {NODE} }} pageInfo {{ hasNextPage endCursor }} }}
  }} }}"""
# The same field next to an unbounded one: the fetch is then the whole range, as before.
WITH_LIST = f"""query($cpr: String!, $view: AppointmentView, $date: Date, $from: DateTime,
  $to: DateTime) {{ patientOverview(cpr: $cpr) {{
    w: appointments(view: $view, date: $date, from: $from, to: $to, first: 500) {{
      totalCount nodes {{ {NODE} }} pageInfo {{ hasNextPage endCursor }} }}
    all: appointments(first: 1) {{ totalCount }}
  }} }}"""
LIST = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  appointments(first: 500, filter: { includeCancelled: true }) { nodes { start end } } } }"""


def cph(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ)


# --- around ----------------------------------------------------------------------------------


def test_a_day_is_fetched_as_whole_weeks_with_room_for_long_appointments() -> None:
    start, end = calendar.window(View.DAY, date(2026, 11, 26))  # a Thursday
    lo, hi = around([(start, end)])
    assert lo is not None
    assert hi is not None
    assert lo.astimezone(TZ) == cph(2026, 9, 28)  # the Monday on or before start - 8 weeks
    assert hi.astimezone(TZ) == cph(2026, 12, 28)  # the Monday after end + 4 weeks
    assert lo <= start - 2 * LONGEST
    assert hi >= end + LONGEST


def test_the_days_of_one_week_share_one_period() -> None:
    monday = date(2026, 11, 23)
    periods = {around([calendar.window(View.DAY, monday + timedelta(days=n))]) for n in range(7)}
    assert len(periods) == 1
    assert periods == {around([calendar.window(View.WEEK, monday)])}


def test_the_period_is_the_union_and_open_ends_stay_open() -> None:
    a = calendar.window(View.DAY, date(2026, 1, 5))
    b = calendar.window(View.WEEK, date(2026, 6, 10))
    lo, hi = around([a, b])
    assert (lo, hi) == (around([a])[0], around([b])[1])
    assert around([a, (None, None)]) == (None, None)
    assert around([(a[0], None)]) == (around([a])[0], None)
    assert around([(None, a[1])]) == (None, around([a])[1])
    assert around([]) == (None, None)


def test_the_period_is_rounded_to_copenhagen_midnights_across_dst() -> None:
    # The week of the October change (25 hours on its Sunday), and the March one's.
    for anchor in (date(2026, 10, 25), date(2027, 3, 28)):
        lo, hi = around([calendar.window(View.WEEK, anchor)])
        assert lo is not None
        assert hi is not None
        for edge in (lo, hi):
            local = edge.astimezone(TZ)
            assert (local.hour, local.minute, local.weekday()) == (0, 0, 0)


def test_windows_at_the_calendars_ends_fetch_open_there() -> None:
    early = datetime(1, 1, 3, tzinfo=UTC)
    late = datetime(9999, 12, 30, tzinfo=UTC)
    assert around([(early, late)]) == (None, None)


# --- end to end ------------------------------------------------------------------------------


def _periods(world: World) -> dict[str, int]:
    return {s: len(search.periods(world.app[SOURCE_APPS][s])) for s in SOURCES}


def _new_periods(world: World, before: dict[str, int]) -> dict[str, set[Any]]:
    return {s: set(search.periods(world.app[SOURCE_APPS][s])[before[s] :]) for s in SOURCES}


@pytest.mark.in_process
async def test_a_day_view_asks_every_source_for_its_weeks_only(
    gateway: InProcessGateway, simulated_world: World
) -> None:
    # A day far from every other test's, so the session's recorded answers hold none of it.
    day = gateway.pop.anchor - timedelta(days=5 * 365 + 123)
    before = _periods(simulated_world)
    body = await gateway.query(
        "citizen-history", WINDOWED, {"cpr": HISTORY, "view": "DAY", "date": day.isoformat()}
    )
    assert "errors" not in body, body
    expected = around([calendar.window(View.DAY, day)])
    searched = _new_periods(simulated_world, before)
    assert searched == {s: {expected} for s in SOURCES}
    lo, hi = expected
    assert lo is not None
    assert hi is not None
    assert hi - lo < timedelta(weeks=14)  # not ten years


@pytest.mark.in_process
async def test_a_list_next_to_a_day_view_fetches_everything(
    gateway: InProcessGateway, simulated_world: World
) -> None:
    # A list view next to a day view: the union is the whole range.
    day = gateway.pop.anchor - timedelta(days=4 * 365 + 77)
    body = await gateway.query(
        "citizen-history", WITH_LIST, {"cpr": HISTORY, "view": "DAY", "date": day.isoformat()}
    )
    assert "errors" not in body, body
    assert body["data"]["patientOverview"]["all"]["totalCount"] > 2000
    narrowed = around([calendar.window(View.DAY, day)])
    asked = {key[1:] for key in simulated_world.answers if key[0] == "rm"}
    assert ("appointments", HISTORY, None, None) in asked
    assert ("appointments", HISTORY, *narrowed) not in asked


def _dates(nodes: list[dict[str, Any]]) -> set[date]:
    out = set()
    for n in nodes:
        for t in (n["start"], n["end"]):
            if t is not None:
                out.add(local_date(datetime.fromisoformat(t)))
    return out


@pytest.mark.in_process
@pytest.mark.parametrize("persona", ["citizen-multi", "clinician-auh"])
async def test_day_and_week_answers_are_the_unbounded_ones(
    gateway: InProcessGateway, persona: str
) -> None:
    listed = await gateway.query(persona, LIST, {"cpr": MULTI})
    days = _dates(listed["data"]["patientOverview"]["appointments"]["nodes"])
    assert len(days) > 5
    # Every day an appointment of the patient starts or ends on (the six-day one's too), and the
    # weeks of those days; and a from/to window cut across the middle of two days.
    asks: list[dict[str, Any]] = []
    for d in sorted(days):
        asks += [{"view": "DAY", "date": d.isoformat()}, {"view": "WEEK", "date": d.isoformat()}]
    first = min(days)
    asks.append(
        {
            "from": cph(first.year, first.month, first.day, 11).isoformat(),
            "to": (cph(first.year, first.month, first.day, 13) + timedelta(days=9)).isoformat(),
        }
    )
    shown = 0
    for ask in asks:
        narrowed = await gateway.query(persona, WINDOWED, {"cpr": MULTI, **ask})
        whole = await gateway.query(persona, WITH_LIST, {"cpr": MULTI, **ask})
        assert "errors" not in narrowed, narrowed
        assert narrowed["data"]["patientOverview"]["w"] == whole["data"]["patientOverview"]["w"], (
            ask
        )
        shown += narrowed["data"]["patientOverview"]["w"]["totalCount"]
    assert shown > len(days)  # the views did show appointments


CREATE = """mutation($input: CreateBlockInput!) { createBlock(input: $input) { id active } }"""


@pytest.mark.in_process
async def test_under_a_block_a_day_view_is_decided_over_every_appointment(
    gateway: InProcessGateway,
) -> None:
    listed = await gateway.query("citizen-multi", LIST, {"cpr": MULTI})
    starts = sorted(
        datetime.fromisoformat(n["start"])
        for n in listed["data"]["patientOverview"]["appointments"]["nodes"]
        if n["start"]
    )
    # Block the hour of the first appointment; look at a day months away from it.
    hidden = starts[0]
    made = await gateway.query(
        "citizen-multi",
        CREATE,
        {
            "input": {
                "cpr": MULTI,
                "kind": "PERIOD",
                "periodStart": hidden.isoformat(),
                "periodEnd": (hidden + timedelta(minutes=1)).isoformat(),
            }
        },
    )
    assert made["data"]["createBlock"]["active"] is True, made
    far = local_date(hidden) + timedelta(days=200)
    ask = {"cpr": MULTI, "view": "DAY", "date": far.isoformat()}
    narrowed = await gateway.query("clinician-auh", WINDOWED, ask)
    whole = await gateway.query("clinician-auh", WITH_LIST, ask)
    # As before windows: the field says that something of the patient's appointments is
    # withheld, whichever day is looked at, so probing days does not tell when.
    codes = [e["extensions"]["code"] for e in narrowed.get("errors", [])]
    assert codes == ["BLOCKED_BY_PATIENT"]
    assert narrowed["data"]["patientOverview"]["w"] == whole["data"]["patientOverview"]["w"]


SMALL = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  appointments(first: 5) { totalCount nodes { id } } } }"""


@pytest.mark.in_process
async def test_a_warm_repeat_is_handed_the_appointments_merged_before(
    gateway: InProcessGateway,
) -> None:
    from resolvers import pipeline

    first = await gateway.query("citizen-history", SMALL, {"cpr": HISTORY})
    kept = dict(pipeline._MERGED)
    again = await gateway.query("citizen-history", SMALL, {"cpr": HISTORY})
    assert again == first
    assert dict(pipeline._MERGED).keys() == kept.keys()  # no new merge: the same answers
    # Other answers are other inputs: merged anew.
    await gateway.query("citizen-multi", SMALL, {"cpr": MULTI})
    assert len(dict(pipeline._MERGED).keys() - kept.keys()) == 1
