from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.calendar import (
    TZ,
    View,
    find_overlaps,
    iso_week,
    iso_week_label,
    local_date,
    overlaps,
    window,
)

HOUR = timedelta(hours=1)


def cph(year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ, fold=fold)


def hours(start: datetime, end: datetime) -> float:
    # Subtracting two datetimes that share a tzinfo gives wall-clock time; go through UTC.
    return (end.astimezone(UTC) - start.astimezone(UTC)) / HOUR


@pytest.mark.parametrize(
    ("anchor", "length"),
    [
        (date(2026, 3, 29), 23),  # spring forward: 02:00 → 03:00
        (date(2026, 10, 25), 25),  # fall back: 03:00 → 02:00
        (date(2026, 5, 4), 24),
        (date(2026, 12, 31), 24),
    ],
)
def test_day_window_is_local_midnight_to_local_midnight(anchor: date, length: int) -> None:
    start, end = window(View.DAY, anchor)
    assert start == cph(anchor.year, anchor.month, anchor.day)
    assert end == cph(anchor.year, anchor.month, anchor.day) + timedelta(days=1)
    assert (start.hour, start.minute, end.hour, end.minute) == (0, 0, 0, 0)
    assert start.tzinfo is TZ
    assert end.tzinfo is TZ
    assert hours(start, end) == length


def test_day_window_utc_bounds_across_dst() -> None:
    start, end = window(View.DAY, date(2026, 3, 29))
    assert start.astimezone(UTC) == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 29, 22, tzinfo=UTC)
    start, end = window(View.DAY, date(2026, 10, 25))
    assert start.astimezone(UTC) == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 10, 25, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("anchor", "monday", "length"),
    [
        (date(2026, 3, 23), date(2026, 3, 23), 7 * 24 - 1),  # Monday of the spring-forward week
        (date(2026, 3, 29), date(2026, 3, 23), 7 * 24 - 1),  # its Sunday
        (date(2026, 10, 21), date(2026, 10, 19), 7 * 24 + 1),  # fall-back week
        (date(2026, 5, 6), date(2026, 5, 4), 7 * 24),
        (date(2027, 1, 3), date(2026, 12, 28), 7 * 24),  # week 53 spans new year
        (date(2027, 1, 4), date(2027, 1, 4), 7 * 24),
    ],
)
def test_week_window_is_iso_week_monday_first(anchor: date, monday: date, length: int) -> None:
    start, end = window(View.WEEK, anchor)
    assert start == cph(monday.year, monday.month, monday.day)
    assert start.weekday() == 0
    nxt = monday + timedelta(days=7)
    assert end == cph(nxt.year, nxt.month, nxt.day)
    assert hours(start, end) == length
    assert start.isocalendar()[:2] == anchor.isocalendar()[:2]


def test_list_view_has_no_window() -> None:
    with pytest.raises(ValueError, match="no calendar window"):
        window(View.LIST, date(2026, 5, 4))


@pytest.mark.parametrize(
    ("dt", "label"),
    [
        (cph(2026, 12, 31, 12), "2026-W53"),
        (cph(2027, 1, 3, 23, 59), "2026-W53"),
        (cph(2027, 1, 4, 0, 0), "2027-W01"),
        (cph(2020, 12, 31, 9), "2020-W53"),
        (cph(2021, 1, 3, 9), "2020-W53"),
        (cph(2021, 1, 4, 9), "2021-W01"),
        (cph(2026, 1, 1, 9), "2026-W01"),
        (cph(2026, 5, 4, 9), "2026-W19"),
        # Sunday 23:30 UTC is already Monday in Copenhagen.
        (datetime(2027, 1, 3, 23, 30, tzinfo=UTC), "2027-W01"),
    ],
)
def test_iso_week_label(dt: datetime, label: str) -> None:
    assert iso_week_label(dt) == label
    year, week = iso_week(dt)
    assert f"{year}-W{week:02d}" == label


def test_local_date_is_copenhagen_date() -> None:
    assert local_date(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == date(2026, 10, 25)
    assert local_date(datetime(2026, 10, 24, 21, 59, tzinfo=UTC)) == date(2026, 10, 24)
    assert local_date(datetime(2026, 6, 30, 22, 0, tzinfo=UTC)) == date(2026, 7, 1)


@pytest.mark.parametrize("func", [local_date, iso_week, iso_week_label])
def test_naive_datetimes_are_refused(func: Callable[[datetime], object]) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        func(datetime(2026, 5, 4, 9))


T9 = cph(2026, 5, 4, 9)
T10 = cph(2026, 5, 4, 10)
T11 = cph(2026, 5, 4, 11)
T12 = cph(2026, 5, 4, 12)
T930 = cph(2026, 5, 4, 9, 30)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((T9, T10), (T10, T11), False),  # touching is not overlap
        ((T9, T11), (T10, T12), True),
        ((T9, T12), (T10, T11), True),  # containment
        ((T9, T10), (T9, T10), True),  # identical
        ((T9, T10), (T11, T12), False),  # disjoint
        ((T9, None), (T9, T10), True),  # unknown end: a point at its start...
        ((T930, None), (T9, T10), True),  # ...inside the other
        ((T10, None), (T9, T10), False),  # ...at the other's (exclusive) end
        ((T9, None), (T9, None), True),  # two points at one instant
        ((T9, None), (T10, None), False),
        ((T9, T9), (T9, T10), True),  # start == end behaves as a point
        ((T10, T9), (T930, T10), False),  # end before start: a point at 10:00, not 9-10
        ((None, None), (T9, T10), False),  # no start: overlaps nothing
        ((None, T10), (T9, T10), False),
        # The same instant in another offset.
        ((T9, T10), (datetime(2026, 5, 4, 7, 30, tzinfo=UTC), None), True),
        # The repeated hour: 02:30 CEST and 02:30 CET are an hour apart.
        (
            (cph(2026, 10, 25, 2, 0), cph(2026, 10, 25, 2, 45)),
            (cph(2026, 10, 25, 2, 30, fold=1), None),
            False,
        ),
        (
            (cph(2026, 10, 25, 2, 0), cph(2026, 10, 25, 2, 45)),
            (cph(2026, 10, 25, 2, 30, fold=0), None),
            True,
        ),
    ],
)
def test_overlaps(
    a: tuple[datetime | None, datetime | None],
    b: tuple[datetime | None, datetime | None],
    expected: bool,
) -> None:
    assert overlaps(*a, *b) is expected
    assert overlaps(*b, *a) is expected


def test_overlaps_refuses_naive() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        overlaps(datetime(2026, 5, 4, 9), None, T9, T10)


def test_find_overlaps_example() -> None:
    items = [
        ("a", T9, T10),
        ("b", T930, None),
        ("c", T10, T11),  # touches a
        ("d", None, None),  # no start
        ("e", T9, T12),  # overlaps a, b, c
        ("f", T12, None),  # touches e's end
    ]
    assert find_overlaps(items, lambda item: (item[1], item[2])) == {
        0: [1, 4],
        1: [0, 4],
        2: [4],
        4: [0, 1, 2],
    }


def test_find_overlaps_empty() -> None:
    assert find_overlaps([], lambda item: item) == {}


def test_find_overlaps_is_not_quadratic() -> None:
    # 100 000 back-to-back half hours: a pairwise check would make 5e9 comparisons.
    starts = [BASE + i * timedelta(minutes=30) for i in range(100_000)]
    chained = [(start, start + timedelta(minutes=30)) for start in starts]
    assert find_overlaps(chained, lambda span: span) == {}
    nested = [(BASE, BASE + timedelta(days=1)), *chained[:10]]
    assert find_overlaps(nested, lambda span: span)[0] == list(range(1, 11))


BASE = datetime(2026, 10, 25, 0, tzinfo=UTC)

# Quarter-hour grid over a few hours so that touching, equal starts and points are common.
_instants = st.integers(min_value=0, max_value=24).map(lambda q: BASE + q * timedelta(minutes=15))
_spans = st.tuples(st.none() | _instants, st.none() | _instants)


def brute_force(
    spans: list[tuple[datetime | None, datetime | None]],
) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for i, (a_start, a_end) in enumerate(spans):
        others = [
            j
            for j, (b_start, b_end) in enumerate(spans)
            if j != i and overlaps(a_start, a_end, b_start, b_end)
        ]
        if others:
            result[i] = others
    return result


@given(st.lists(_spans, max_size=40))
def test_find_overlaps_matches_brute_force(
    spans: list[tuple[datetime | None, datetime | None]],
) -> None:
    assert find_overlaps(spans, lambda span: span) == brute_force(spans)


@given(st.lists(_spans, max_size=20))
def test_find_overlaps_is_symmetric_and_irreflexive(
    spans: list[tuple[datetime | None, datetime | None]],
) -> None:
    result = find_overlaps(spans, lambda span: span)
    for i, others in result.items():
        assert i not in others
        assert others == sorted(set(others))
        for j in others:
            assert i in result[j]


@given(st.lists(_spans, max_size=30))
def test_find_overlaps_is_independent_of_offsets(
    spans: list[tuple[datetime | None, datetime | None]],
) -> None:
    def local(dt: datetime | None) -> datetime | None:
        return dt.astimezone(TZ) if dt is not None else None

    converted = [(local(start), local(end)) for start, end in spans]
    assert find_overlaps(converted, lambda span: span) == find_overlaps(spans, lambda span: span)
