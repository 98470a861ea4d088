"""The one clock: a shifted clock reads another day, at the same local time, and still ticks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.clock import SYSTEM_CLOCK, TZ, ShiftedClock, local_date, require_aware, today


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 7, 15),  # summer time
        date(2026, 10, 25),  # the October DST change: 25 hours
        date(2027, 3, 28),  # the March DST change: 23 hours
        date(2026, 12, 28),  # ISO week 53
        date(2027, 1, 1),
        date(2028, 2, 29),
    ],
)
def test_a_shifted_clock_reads_the_day_it_was_set_to(day: date) -> None:
    clock = ShiftedClock.on(day)
    assert today(clock) == day or today(clock) == day + timedelta(days=1)  # unless midnight passed
    now = clock.now()
    assert now.tzinfo is UTC
    real_local = datetime.now(UTC).astimezone(TZ)
    # The local time of day is kept (an hour later only inside the spring-forward gap).
    diff = abs(
        datetime.combine(day, now.astimezone(TZ).time()) - datetime.combine(day, real_local.time())
    )
    assert diff < timedelta(hours=1, minutes=1)


def test_a_shifted_clock_ticks() -> None:
    clock = ShiftedClock.on(date(2028, 2, 29))
    first = clock.now()
    assert clock.now() >= first


def test_the_system_clock_is_the_machine_clock() -> None:
    assert abs(SYSTEM_CLOCK.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_local_date_and_require_aware() -> None:
    assert local_date(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)
    with pytest.raises(ValueError, match="no time zone"):
        require_aware(datetime(2026, 10, 24, 23, 30))
