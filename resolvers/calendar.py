"""Calendar arithmetic for the appointment views, in Europe/Copenhagen time. Pure: no I/O.

The day and week views are half-open windows ``[start, end)`` of local time: a day runs from local
midnight to the next local midnight, so the days DST changes on are 23 and 25 hours long; a week is
an ISO week, Monday first.

A word on comparing aware datetimes: Python compares two datetimes that share one ``tzinfo``
object by wall-clock time, ignoring ``fold``, so 02:30 CEST and 02:30 CET on the last Sunday of
October compare equal. Everything here that orders instants converts to UTC first.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from domain.clock import TZ, local_date, local_midnight
from domain.clock import require_aware as _require_aware

__all__ = [
    "TZ",
    "View",
    "find_overlaps",
    "iso_week",
    "iso_week_label",
    "local_date",
    "overlaps",
    "window",
]

T = TypeVar("T")


class View(StrEnum):
    """The appointment views."""

    DAY = "day"
    WEEK = "week"
    LIST = "list"


def window(view: View, anchor: date) -> tuple[datetime, datetime]:
    """The half-open window ``[start, end)`` a day or week view shows, as Copenhagen datetimes.

    ``DAY`` is the local day ``anchor``; ``WEEK`` is the ISO week containing ``anchor``, from
    Monday 00:00 to the next Monday 00:00. Midnight always exists and is never ambiguous in
    Copenhagen (clocks change at 02:00/03:00), so both ends are exact instants.

    >>> start, end = window(View.DAY, date(2026, 3, 29))
    >>> (end - start.astimezone(UTC)).total_seconds() / 3600
    23.0

    Raises ``ValueError`` for ``LIST``, which has no window.
    """
    if view is View.DAY:
        first, days = anchor, 1
    elif view is View.WEEK:
        first, days = anchor - timedelta(days=anchor.weekday()), 7
    else:
        raise ValueError(f"the {view.value} view has no calendar window")
    start = local_midnight(first)
    end = local_midnight(first + timedelta(days=days))
    return start, end


def _utc(dt: datetime) -> datetime:
    _require_aware(dt)
    return dt.astimezone(UTC)


def iso_week(dt: datetime) -> tuple[int, int]:
    """``(ISO year, ISO week)`` of the instant ``dt`` in Copenhagen time.

    >>> iso_week(datetime(2027, 1, 3, 12, tzinfo=TZ))
    (2026, 53)
    """
    year, week, _ = local_date(dt).isocalendar()
    return year, week


def iso_week_label(dt: datetime) -> str:
    """The ISO 8601 week label of ``dt`` in Copenhagen time, e.g. ``"2026-W53"``."""
    year, week = iso_week(dt)
    return f"{year:04d}-W{week:02d}"


def _span(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime] | None:
    """``(start, end)`` in UTC, with an unknown or non-positive duration collapsed to a point."""
    if start is None:
        return None
    s = _utc(start)
    e = _utc(end) if end is not None else s
    return s, max(s, e)


def _contains(span: tuple[datetime, datetime], t: datetime) -> bool:
    start, end = span
    # A point holds only its own instant; an interval is half-open.
    return start <= t and (t < end or t == start)


def overlaps(
    a_start: datetime | None,
    a_end: datetime | None,
    b_start: datetime | None,
    b_end: datetime | None,
) -> bool:
    """Whether two appointments overlap in time.

    Intervals are half-open ``[start, end)``: one ending at 10:00 and one starting at 10:00
    touch but do not overlap. An unknown end (``None``), or an end not after the start (sources
    send ``start == end`` for "end not given"), makes the appointment a point at its start: it
    overlaps an interval that contains that instant and a point at the same instant. Without a
    start an appointment overlaps nothing. All datetimes must be aware.

    >>> nine = datetime(2026, 5, 4, 9, tzinfo=TZ)
    >>> overlaps(nine, nine + timedelta(hours=1), nine + timedelta(hours=1), None)
    False
    """
    a = _span(a_start, a_end)
    b = _span(b_start, b_end)
    if a is None or b is None:
        return False
    # Two sets of this kind meet iff the later start lies in the other one.
    return _contains(b, a[0]) or _contains(a, b[0])


def find_overlaps(
    items: Sequence[T],
    key: Callable[[T], tuple[datetime | None, datetime | None]],
) -> dict[int, list[int]]:
    """Which items overlap which, by the rule of :func:`overlaps`.

    ``key`` gives an item's ``(start, end)``; return ``(None, None)`` for items that must not be
    counted (e.g. cancelled ones). The result maps the index of every item that overlaps at least
    one other item to the sorted indices of those others; items without overlaps are absent.

    A sweep over the items sorted by start: O(n log n + k) for k overlapping pairs.

    >>> nine = datetime(2026, 5, 4, 9, tzinfo=TZ)
    >>> hour = timedelta(hours=1)
    >>> slots = [(nine, nine + hour), (nine + hour / 2, None), (nine + hour, None)]
    >>> find_overlaps(slots, lambda slot: slot)
    {0: [1], 1: [0]}
    """
    spans: list[tuple[datetime, datetime, int]] = []
    for index, item in enumerate(items):
        span = _span(*key(item))
        if span is not None:
            spans.append((span[0], span[1], index))
    spans.sort()

    result: dict[int, list[int]] = {}

    def pair(i: int, j: int) -> None:
        result.setdefault(i, []).append(j)
        result.setdefault(j, []).append(i)

    # Earlier-starting items that may still contain a later start, keyed by end.
    active: list[tuple[datetime, int]] = []
    pos = 0
    while pos < len(spans):
        start = spans[pos][0]
        group_end = pos
        while group_end < len(spans) and spans[group_end][0] == start:
            group_end += 1
        group = [index for _, _, index in spans[pos:group_end]]
        # An earlier item contains ``start`` iff its end is after it; the rest never will again.
        while active and active[0][0] <= start:
            heapq.heappop(active)
        for member in group:
            for _, other in active:
                pair(member, other)
        # Items starting at the same instant always overlap (each contains the other's start).
        for n, member in enumerate(group):
            for other in group[n + 1 :]:
                pair(member, other)
        for _, end, index in spans[pos:group_end]:
            if end > start:
                heapq.heappush(active, (end, index))
        pos = group_end

    return {index: sorted(result[index]) for index in sorted(result)}
