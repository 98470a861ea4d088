"""Records: aware times only, and the owner and time span every access decision needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.clock import TZ, local_midnight
from domain.records import (
    ActivityRecord,
    AppointmentRecord,
    AppointmentStatus,
    GoalRecord,
    GoalTarget,
    OrgRef,
    PlanRecord,
    owned,
)

AWARE = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
NAIVE = datetime(2026, 11, 26, 9, 0)
REGION = OrgRef("320161000016009", "Region Midtjylland")


def appointment(**kw: Any) -> AppointmentRecord:
    base: dict[str, Any] = {
        "source": "rm",
        "id": "a1",
        "status": AppointmentStatus.BOOKED,
        "start": AWARE,
        "end": AWARE + timedelta(hours=1),
        "title": "Kontrol",
        "organization": None,
    }
    return AppointmentRecord(**{**base, **kw})


def plan(**kw: Any) -> PlanRecord:
    base: dict[str, Any] = {
        "source": "rm",
        "id": "p1",
        "title": "Udskrivelsesplan",
        "category": None,
        "status": "active",
        "intent": "plan",
        "period_start": AWARE,
        "period_end": None,
        "organization": None,
    }
    return PlanRecord(**{**base, **kw})


def goal(start: date | None, *dues: date | None) -> GoalRecord:
    targets = tuple(GoalTarget("m", "d", due) for due in dues)
    return GoalRecord("rm", "g1", "Gå 500 m", "active", None, start, targets, None)


@pytest.mark.parametrize(
    "build",
    [
        lambda: appointment(start=NAIVE),
        lambda: appointment(end=NAIVE),
        lambda: appointment(updated=NAIVE),
        lambda: plan(period_start=NAIVE),
        lambda: plan(period_end=NAIVE),
        lambda: ActivityRecord("Genoptræning", None, scheduled_start=NAIVE),
        lambda: ActivityRecord("Genoptræning", None, scheduled_end=NAIVE),
    ],
)
def test_a_record_with_a_naive_time_cannot_be_built(build: Any) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        build()


def test_a_plan_without_an_end_is_ongoing() -> None:
    assert plan().origin.ongoing
    ended = plan(period_end=AWARE + timedelta(days=30)).origin
    assert not ended.ongoing
    assert ended.end == AWARE + timedelta(days=30)


def test_a_goal_runs_from_its_start_day_to_the_end_of_its_last_due_day() -> None:
    origin = goal(date(2026, 11, 1), date(2027, 1, 31), None, date(2026, 12, 24)).origin
    assert origin.start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)  # local midnight, CET
    assert origin.end == datetime(2027, 1, 31, 23, 0, tzinfo=UTC)
    assert not origin.ongoing
    # The period-block comparison that failed on a naive date now simply works.
    assert origin.dated_in(datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC))


def test_a_goal_without_due_dates_is_ongoing_and_one_without_start_runs_up_to_its_dues() -> None:
    ongoing = goal(date(2026, 6, 1)).origin
    assert ongoing.ongoing
    assert ongoing.start == local_midnight(date(2026, 6, 1))
    assert ongoing.start is not None
    assert ongoing.start.utcoffset() == timedelta(hours=2)
    undated_start = goal(None, date(2027, 1, 1)).origin
    assert undated_start.start is None
    # Due by its last target: it has run up to then, so a period before that covers it.
    assert undated_start.dated_in(datetime(2026, 12, 1, tzinfo=UTC), None)
    assert not undated_start.dated_in(local_midnight(date(2027, 1, 2)), None)
    assert not goal(None).origin.dated_in(datetime(2026, 12, 1, tzinfo=UTC), None)  # undated


def test_a_goal_due_before_it_began_is_dated_on_its_start_day() -> None:
    origin = goal(date(2026, 11, 10), date(2026, 11, 1)).origin
    assert origin.start == local_midnight(date(2026, 11, 10))
    assert origin.end == local_midnight(date(2026, 11, 11))


def test_records_that_name_no_organisation_are_owned_by_their_source() -> None:
    auh = OrgRef("265311000016006", "AUH")
    plans = owned([plan(), plan(id="p2", organization=auh)], REGION)
    assert [p.organization for p in plans] == [REGION, auh]
    assert plans[0].origin.sor == REGION.sor
    (g,) = owned([goal(date(2026, 11, 1))], REGION)
    assert g.origin.sor == REGION.sor
