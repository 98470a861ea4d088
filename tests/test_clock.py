"""The one clock: a shifted clock reads another day, at the same local time, and still ticks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.clock import SYSTEM_CLOCK, ShiftedClock, local_date, require_aware, today


@pytest.mark.parametrize(
    ("day", "at", "utc"),
    [
        (date(2026, 7, 15), time(12), datetime(2026, 7, 15, 10, tzinfo=UTC)),  # summer time
        # The October DST change: 02:30 comes twice; the first pass is summer time.
        (date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # The March DST change: 02:30 does not exist; it is read an hour later, 03:30 CEST.
        (date(2027, 3, 28), time(2, 30), datetime(2027, 3, 28, 1, 30, tzinfo=UTC)),
        (date(2026, 12, 28), time(12), datetime(2026, 12, 28, 11, tzinfo=UTC)),  # ISO week 53
        (date(2027, 1, 1), time(0, 30), datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
        (date(2028, 2, 29), time(12), datetime(2028, 2, 29, 11, tzinfo=UTC)),
    ],
)
def test_a_shifted_clock_reads_the_moment_it_was_set_to(day: date, at: time, utc: datetime) -> None:
    clock = ShiftedClock.on(day, at)
    now = clock.now()
    assert now.tzinfo is UTC
    assert timedelta(0) <= now - utc < timedelta(minutes=1)
    assert today(clock) == day


def test_a_shifted_clock_parses_a_day_or_a_wall_time() -> None:
    assert today(ShiftedClock.parse("2028-02-29")) == date(2028, 2, 29)
    at = ShiftedClock.parse("2026-10-25T02:30").now()
    assert timedelta(0) <= at - datetime(2026, 10, 25, 0, 30, tzinfo=UTC) < timedelta(minutes=1)
    with pytest.raises(ValueError, match="offset"):
        ShiftedClock.parse("2026-10-25T02:30+01:00")
    with pytest.raises(ValueError):  # noqa: PT011 - the date parser's own message
        ShiftedClock.parse("not a day")


def test_the_system_clock_is_the_machine_clock() -> None:
    assert abs(SYSTEM_CLOCK.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_local_date_and_require_aware() -> None:
    assert local_date(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)
    with pytest.raises(ValueError, match="no time zone"):
        require_aware(datetime(2026, 10, 24, 23, 30))
