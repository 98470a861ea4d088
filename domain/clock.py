"""The one clock: what time it is, and so which day "today" is in Europe/Copenhagen.

Everything that needs the current time takes a ``Clock``: the gateway's request state, the
calendar feed, the connectors that tell a past appointment from a future one, the record cache,
and the synthetic population's anchor. Production and the demo run on ``SystemClock``; the tests
run on ``ShiftedClock.on(day)``, which ticks at real speed from another date, so the suite proves
itself on any day (``SPO_TEST_TODAY``; see ``tests/conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Copenhagen")


class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ShiftedClock:
    """The machine's clock moved by a fixed ``offset``: time passes, on another day."""

    offset: timedelta

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    @classmethod
    def on(cls, day: date, at: time | None = None) -> ShiftedClock:
        """A clock that reads ``day`` at local time ``at`` in Copenhagen now (default: the
        local time of day it is now), and ticks on from there.

        The offset keeps the local wall-clock time (not the UTC time), so the local date is
        ``day`` even when ``day`` and today are on different sides of a DST change. A time in
        the repeated autumn hour is its first pass (summer time); one in the skipped spring
        hour does not exist, and is read an hour later.
        """
        real = datetime.now(UTC)
        wall = at or real.astimezone(TZ).time().replace(tzinfo=None)
        target = datetime.combine(day, wall, TZ)
        if target.astimezone(UTC).astimezone(TZ).time() != wall:
            target += timedelta(hours=1)
        return cls(target.astimezone(UTC) - real)

    @classmethod
    def parse(cls, value: str) -> ShiftedClock:
        """``YYYY-MM-DD`` (the real time of day) or ``YYYY-MM-DDTHH:MM`` (that local time)."""
        if "T" in value:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                raise ValueError("give the Copenhagen wall time, without an offset")
            return cls.on(moment.date(), moment.time())
        return cls.on(date.fromisoformat(value))


SYSTEM_CLOCK = SystemClock()


def require_aware(moment: datetime) -> datetime:
    """``moment`` itself, or ``ValueError`` when it is naive.

    A naive time has no place on a timeline; guessing a zone would shift it silently.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment


def local_date(moment: datetime) -> date:
    """The Copenhagen calendar date of the instant ``moment`` (which must be aware).

    >>> local_date(datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    datetime.date(2026, 10, 25)
    """
    return require_aware(moment).astimezone(TZ).date()


def local_midnight(day: date) -> datetime:
    """The instant the Copenhagen calendar day ``day`` begins (midnight always exists there).

    >>> local_midnight(date(2026, 10, 25)).isoformat()
    '2026-10-25T00:00:00+02:00'
    """
    return datetime.combine(day, time(0), TZ)


def today(clock: Clock) -> date:
    """Today's date in Copenhagen on ``clock``."""
    return local_date(clock.now())
