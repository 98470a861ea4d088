"""Pure merging: source rules, current versions, cross-source duplicates, order, windows, pages."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.errors import BadInputError
from domain.records import AppointmentRecord, AppointmentStatus, OrgRef, Place
from domain.settings import SourceConfig
from resolvers.calendar import TZ
from resolvers.merge import (
    GP_TITLE,
    apply_source_rules,
    current_versions,
    decode_cursor,
    dedupe_across_sources,
    encode_cursor,
    in_window,
    merge_appointments,
    paginate,
    sort_key,
)
from resolvers.paging import Page, PageArgs, page_args

S = AppointmentStatus
AUH = "265311000016006"
HOME_CARE = "751110016004"
CET = timezone(timedelta(hours=1))
REGION = SourceConfig("rm", "Region Midtjylland", "region", "320161000016009")
MUNICIPALITY = SourceConfig("aarhus", "Aarhus Kommune", "municipality", "751000016001")
GP = SourceConfig(
    "gp-jml",
    "Lægerne Jens Michael Larsen",
    "gp",
    "471841000016002",
    requires_consent=True,
    shared_since=date(2021, 10, 1),
)

Factory = Callable[..., AppointmentRecord]


def cph(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ, fold=fold)


def appt(**overrides: Any) -> AppointmentRecord:
    fields: dict[str, Any] = {
        "source": "rm",
        "id": "a1",
        "status": S.BOOKED,
        "start": cph(2026, 6, 15, 9, 30),
        "end": cph(2026, 6, 15, 10),
        "title": "Ambulant kontrol",
        "organization": OrgRef(AUH, "Hjertesygdomme"),
        "place": Place("Hjertesygdomme, AUH", sor=AUH),
        "reason": "Kontrol efter AMI",
    }
    fields.update(overrides)
    return AppointmentRecord(**fields)


def ids(records: Any) -> list[tuple[str, str]]:
    return [(r.source, r.id) for r in records]


# -- source rules ------------------------------------------------------------------------------


def test_records_without_organisation_get_the_source_as_owner() -> None:
    kept = apply_source_rules([appt(organization=None), appt(id="a2")], REGION)
    assert kept[0].organization == OrgRef("320161000016009", "Region Midtjylland")
    assert kept[1].organization == OrgRef(AUH, "Hjertesygdomme")


def test_non_gp_sources_keep_title_and_reason() -> None:
    (kept,) = apply_source_rules([appt(source="aarhus")], MUNICIPALITY)
    assert (kept.title, kept.reason) == ("Ambulant kontrol", "Kontrol efter AMI")


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        (cph(2021, 10, 1, 0, 0), True),  # the first instant of 1 October, local time
        (datetime(2021, 9, 30, 22, 30, tzinfo=UTC), True),  # 00:30 on 1 October in Copenhagen
        (datetime(2021, 9, 30, 21, 59, tzinfo=UTC), False),  # 23:59 on 30 September
        (cph(2021, 6, 15, 9), False),
        (cph(2026, 5, 4, 9), True),
        (None, False),  # undatable: cannot be shown to be after 1 October 2021
    ],
)
def test_gp_appointments_only_from_1_october_2021(start: datetime | None, shown: bool) -> None:
    record = appt(source="gp-jml", start=start, end=None)
    assert bool(apply_source_rules([record], GP)) is shown


def test_gp_appointments_show_the_fixed_title_and_never_a_reason() -> None:
    (kept,) = apply_source_rules(
        [appt(source="gp-jml", title="Samtale om depression", reason="Depression")], GP
    )
    assert kept.title == GP_TITLE == "Aftale hos praktiserende læge"
    assert kept.reason is None
    assert kept.start == cph(2026, 6, 15, 9, 30)
    assert kept.place == Place("Hjertesygdomme, AUH", sor=AUH)


# -- versions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("versions", "current"),
    [
        # A current entry beats a superseded one, however new the superseded one claims to be.
        ([("1", 2, False), ("2", 1, True)], "1"),
        ([("1", 1, True), ("2", 2, False)], "2"),
        # Otherwise the newest update wins...
        ([("1", 1, False), ("2", 3, False), ("3", 2, False)], "2"),
        # ...and then the highest version, compared as a number.
        ([("9", 1, False), ("10", 1, False)], "10"),
        ([("10", 1, False), ("9", 1, False)], "10"),
    ],
)
def test_current_version_of_a_changed_appointment(
    versions: list[tuple[str, int, bool]], current: str
) -> None:
    records = [
        appt(version=v, updated=datetime(2026, 1, day, tzinfo=UTC), superseded=superseded)
        for v, day, superseded in versions
    ]
    (kept,) = current_versions(records)
    assert kept.version == current


def test_current_versions_compare_updates_as_instants() -> None:
    older = appt(version="1", updated=cph(2026, 10, 25, 2, 30, fold=0), title="old")  # 00:30Z
    newer = appt(version="1", updated=cph(2026, 10, 25, 2, 10, fold=1), title="new")  # 01:10Z
    assert current_versions([newer, older])[0].title == "new"
    assert current_versions([older, newer])[0].title == "new"


def test_current_versions_keep_one_per_source_and_id() -> None:
    records = [appt(), appt(version="2"), appt(id="a2"), appt(source="rn")]
    assert sorted(ids(current_versions(records))) == [("rm", "a1"), ("rm", "a2"), ("rn", "a1")]


def test_a_cancelled_current_version_keeps_its_status() -> None:
    records = [appt(version="1"), appt(version="2", status=S.CANCELLED)]
    assert [r.status for r in current_versions(records)] == [S.CANCELLED]


# -- duplicates across sources -----------------------------------------------------------------


def test_two_sources_reporting_one_appointment_give_one_entry() -> None:
    rm, rn = appt(source="rm"), appt(source="rn", id="x")
    assert ids(dedupe_across_sources([rm, rn])) == [("rm", "a1")]


def test_same_instant_written_with_other_offsets_is_the_same_appointment() -> None:
    rm = appt(source="rm")
    utc = appt(
        source="aarhus",
        start=datetime(2026, 6, 15, 7, 30, tzinfo=UTC),
        end=datetime(2026, 6, 15, 8, tzinfo=UTC),
    )
    assert ids(dedupe_across_sources([rm, utc])) == [("rm", "a1")]


def test_an_unknown_end_does_not_keep_duplicates_apart() -> None:
    assert len(dedupe_across_sources([appt(), appt(source="aarhus", end=None)])) == 1


@pytest.mark.parametrize(
    "other",
    [
        {"start": cph(2026, 6, 15, 9, 45)},
        {"end": cph(2026, 6, 15, 10, 30)},
        {"place": Place("Lungesygdomme", sor="265321000016001")},
        {"place": None, "organization": OrgRef("265321000016001")},
    ],
)
def test_different_time_or_place_is_another_appointment(other: dict[str, Any]) -> None:
    assert len(dedupe_across_sources([appt(), appt(source="rn", **other)])) == 2


def test_one_source_s_own_appointments_are_never_merged() -> None:
    # Two of one source's appointments at the same time and place are two appointments.
    records = [appt(id="a1"), appt(id="a2"), appt(source="rn", id="b1")]
    assert ids(dedupe_across_sources(records)) == [("rm", "a1"), ("rm", "a2")]


def test_each_source_report_pairs_with_one_entry() -> None:
    records = [
        appt(id="a1"),
        appt(id="a2"),
        appt(source="rn", id="b1"),
        appt(source="rn", id="b2"),
        appt(source="rn", id="b3"),
    ]
    assert ids(dedupe_across_sources(records)) == [("rm", "a1"), ("rm", "a2"), ("rn", "b3")]


@pytest.mark.parametrize("inactive", [S.CANCELLED, S.ENTERED_IN_ERROR, S.NOSHOW])
def test_the_active_report_wins_over_an_inactive_one(inactive: AppointmentStatus) -> None:
    records = [appt(status=inactive), appt(source="rn", id="b1")]
    assert ids(dedupe_across_sources(records)) == [("rn", "b1")]
    records = [appt(status=S.BOOKED), appt(source="rn", id="b1", status=inactive)]
    assert ids(dedupe_across_sources(records)) == [("rm", "a1")]


def test_records_without_start_or_place_are_never_duplicates() -> None:
    undated = [appt(start=None, end=None), appt(source="rn", start=None, end=None)]
    assert len(dedupe_across_sources(undated)) == 2
    nowhere = [
        appt(place=None, organization=None),
        appt(source="rn", place=None, organization=None),
    ]
    assert len(dedupe_across_sources(nowhere)) == 2


def test_home_visits_match_on_the_owning_organisation() -> None:
    home = Place("Borgers Hjemmeadresse", is_home=True)
    org = OrgRef(HOME_CARE, "Hjemmeplejen Åbyhøj")
    records = [
        appt(source="aarhus", place=home, organization=org),
        appt(source="aarhus-sosu", id="x", place=home, organization=org),
    ]
    assert len(dedupe_across_sources(records)) == 1


# -- merge -------------------------------------------------------------------------------------


def test_merge_sorts_applies_rules_keeps_current_versions_and_dedupes() -> None:
    rm = [
        appt(id="late", start=cph(2026, 6, 16, 9), end=None),
        appt(id="moved", version="1", start=cph(2026, 6, 1, 9), end=None),
        appt(id="moved", version="2", start=cph(2026, 6, 17, 9), end=None),
        appt(id="early", start=cph(2026, 6, 14, 9), end=None),
    ]
    aarhus = [appt(source="aarhus", id="dup", start=cph(2026, 6, 16, 9), end=None)]
    gp = [
        appt(source="gp-jml", id="old", start=cph(2021, 6, 1, 9), end=None),
        appt(source="gp-jml", id="new", start=cph(2026, 6, 15, 9), end=None),
    ]
    merged = merge_appointments([(REGION, rm), (MUNICIPALITY, aarhus), (GP, gp)])
    assert ids(merged) == [
        ("rm", "early"),
        ("gp-jml", "new"),
        ("aarhus", "dup"),  # the same slot as rm:late, and "aarhus" sorts first
        ("rm", "moved"),
    ]
    assert merged[1].title == GP_TITLE
    assert merged[3].version == "2"


def test_merge_does_not_depend_on_the_order_sources_answer_in() -> None:
    rng = random.Random(4)
    base = cph(2026, 3, 1, 8)
    sources = [REGION, MUNICIPALITY, SourceConfig("rn", "Region Nordjylland", "region", "3800")]
    per_source = []
    for src in sources:
        per_source.append(
            (
                src,
                [
                    appt(
                        source=src.id,
                        id=f"{src.id}-{n}",
                        start=base + timedelta(minutes=30 * rng.randrange(20)),
                        end=None,
                        status=rng.choice([S.BOOKED, S.CANCELLED]),
                    )
                    for n in range(30)
                ],
            )
        )
    first = merge_appointments(per_source)
    for _ in range(5):
        rng.shuffle(per_source)
        shuffled = [(src, rng.sample(rs, len(rs))) for src, rs in per_source]
        assert ids(merge_appointments(shuffled)) == ids(first)
    assert [sort_key(r) for r in first] == sorted(sort_key(r) for r in first)


def test_merge_keeps_the_order_when_an_active_duplicate_replaces_a_cancelled_one() -> None:
    # aarhus (cancelled) sorts before rm (booked) at 09:00; frederikshavn is between them.
    cancelled = appt(source="aarhus", id="c", status=S.CANCELLED, start=cph(2026, 6, 1, 9))
    other = appt(
        source="frederikshavn", id="f", start=cph(2026, 6, 1, 9), place=Place("x", sor="1234")
    )
    booked = appt(source="rm", id="b", start=cph(2026, 6, 1, 9))
    fred = SourceConfig("frederikshavn", "Frederikshavn Kommune", "municipality", "813000016001")
    merged = merge_appointments([(MUNICIPALITY, [cancelled]), (fred, [other]), (REGION, [booked])])
    assert ids(merged) == [("frederikshavn", "f"), ("rm", "b")]


def test_sort_key_orders_the_repeated_october_hour_by_instant() -> None:
    first_pass = appt(id="z", start=cph(2026, 10, 25, 2, 40, fold=0), end=None)  # 00:40Z
    second_pass = appt(id="a", start=cph(2026, 10, 25, 2, 10, fold=1), end=None)  # 01:10Z
    undated = appt(id="0", start=None, end=None)
    merged = merge_appointments([(REGION, [undated, second_pass, first_pass])])
    assert ids(merged) == [("rm", "z"), ("rm", "a"), ("rm", "0")]


# -- windows -----------------------------------------------------------------------------------

DAY = (cph(2026, 6, 15), cph(2026, 6, 16))


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (cph(2026, 6, 15, 0), cph(2026, 6, 15, 1), True),
        (cph(2026, 6, 15, 23, 59), None, True),
        (cph(2026, 6, 16, 0), None, False),  # half-open: the next midnight is the next day
        (cph(2026, 6, 14, 23), cph(2026, 6, 15, 0), False),  # ends as the day begins
        (cph(2026, 6, 14, 23), cph(2026, 6, 15, 0, 1), True),  # reaches into the day
        (cph(2026, 6, 10, 10), cph(2026, 6, 20, 10), True),  # a stay over the whole day
        (cph(2026, 6, 14, 12), None, False),
        (cph(2026, 6, 14, 12), cph(2026, 6, 14, 12), False),  # start == end: a point
        (cph(2026, 6, 15, 12), cph(2026, 6, 15, 11), True),  # end before start: a point
        (None, None, False),
    ],
)
def test_in_window(start: datetime | None, end: datetime | None, shown: bool) -> None:
    assert in_window(appt(start=start, end=end), *DAY) is shown


def test_in_window_open_ends() -> None:
    r = appt(start=cph(2026, 6, 15, 9), end=None)
    assert in_window(r, None, None)
    assert in_window(r, None, cph(2026, 6, 15, 9, 1))
    assert not in_window(r, None, cph(2026, 6, 15, 9))
    assert in_window(r, cph(2026, 6, 15, 9), None)
    assert not in_window(r, cph(2026, 6, 15, 9, 1), None)
    assert in_window(appt(start=None, end=None), None, None)


def test_in_window_compares_instants_in_the_repeated_hour() -> None:
    # 02:30 of the second pass (CET, 01:30Z) is after a window ending at 02:45 of the first
    # pass (CEST, 00:45Z), though its wall clock is earlier.
    r = appt(start=cph(2026, 10, 25, 2, 30, fold=1), end=None)
    assert not in_window(r, None, cph(2026, 10, 25, 2, 45, fold=0))
    assert in_window(r, cph(2026, 10, 25, 2, 45, fold=0), None)


# -- pages -------------------------------------------------------------------------------------


def _many(n: int) -> list[AppointmentRecord]:
    rng = random.Random(n)
    base = datetime(2025, 1, 1, 8, tzinfo=CET)
    records = [
        appt(
            source=rng.choice(["rm", "rn", "aarhus"]),
            id=f"id-{i:05d}",
            # Few distinct starts, so that many records tie on start and order by source and id.
            start=base + timedelta(hours=rng.randrange(n // 7 + 1)),
            end=None,
        )
        for i in range(n)
    ]
    records.append(appt(id="undated", start=None, end=None))
    return sorted(records, key=sort_key)


@pytest.mark.parametrize("first", [1, 7, 50, 500, 2000])
def test_following_cursors_visits_every_record_once(first: int) -> None:
    records = _many(1200)
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = paginate(records, PageArgs(first, after=after))
        seen.extend(ids(page.items))
        assert page.has_previous == (after is not None)
        if not page.has_next:
            break
        after = encode_cursor(page.items[-1])
    assert seen == ids(records)


@pytest.mark.parametrize("last", [1, 7, 50, 2000])
def test_following_cursors_backward_visits_every_record_once(last: int) -> None:
    records = _many(1200)
    seen: list[tuple[str, str]] = []
    before = None
    while True:
        page = paginate(records, PageArgs(last, before=before, backward=True))
        seen[:0] = ids(page.items)
        assert page.has_next == (before is not None)
        if not page.has_previous:
            break
        before = encode_cursor(page.items[0])
    assert seen == ids(records)


def test_between_two_cursors_from_either_end() -> None:
    records = _many(20)
    after, before = encode_cursor(records[4]), encode_cursor(records[15])
    forward = paginate(records, PageArgs(3, after=after, before=before))
    backward = paginate(records, PageArgs(3, after=after, before=before, backward=True))
    assert ids(forward.items) == ids(records[5:8])
    assert ids(backward.items) == ids(records[12:15])
    assert (forward.has_previous, forward.has_next) == (True, True)
    # More than fit between the cursors: just those between them.
    everything = paginate(records, PageArgs(100, after=after, before=before))
    assert ids(everything.items) == ids(records[5:15])
    # Cursors the wrong way round: nothing between them.
    assert paginate(records, PageArgs(5, after=before, before=after)).items == []


def test_cursors_survive_changes_before_them() -> None:
    records = _many(100)
    page = paginate(records, PageArgs(30))
    cursor = encode_cursor(page.items[-1])
    # Between pages, an earlier record disappears and another one is added before the cursor.
    changed = sorted([*records[1:], appt(id="new", start=records[0].start)], key=sort_key)
    rest = paginate(changed, PageArgs(1000, after=cursor))
    assert not rest.has_next
    assert ids(rest.items) == ids(records[30:])


def test_a_cursor_whose_record_is_gone_continues_after_its_place() -> None:
    records = _many(50)
    cursor = encode_cursor(records[9])
    rest = paginate(records[:9] + records[10:], PageArgs(5, after=cursor))
    assert ids(rest.items) == ids(records[10:15])
    back = paginate(records[:9] + records[10:], PageArgs(5, before=cursor, backward=True))
    assert ids(back.items) == ids(records[4:9])


def test_cursor_round_trip_in_utc() -> None:
    r = appt(start=cph(2026, 10, 25, 2, 30, fold=1), end=None)
    start, source, rid = decode_cursor(encode_cursor(r))
    assert (start, source, rid) == (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "rm", "a1")
    assert start.utcoffset() == timedelta(0)
    assert "=" not in encode_cursor(r)


def test_last_page_and_empty() -> None:
    records = _many(10)
    page = paginate(records, PageArgs(len(records)))
    assert (len(page.items), page.has_next, page.has_previous) == (len(records), False, False)
    page = paginate(records, PageArgs(3, after=encode_cursor(records[-1])))
    assert (list(page.items), page.has_next, page.has_previous) == ([], False, True)
    assert paginate([], PageArgs(5)) == Page([], False, False)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(0, None, "first"), (501, None, "first"), (None, 0, "last"), (1, 1, "last")],
)
def test_page_sizes_are_checked(first: int | None, last: int | None, field: str) -> None:
    with pytest.raises(BadInputError) as caught:
        page_args(first, None, last, None, default=50, maximum=500)
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "field": field}
    assert page_args(None, None, None, None, default=50, maximum=500) == PageArgs(50)


def _b64(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        _b64("2026-01-01T00:00:00+00:00|rm"),
        _b64("yesterday|rm|a1"),
        _b64("2026-01-01T00:00:00|rm|a1"),  # naive: cannot be placed in the order
        base64.urlsafe_b64encode(b"\xff\xfe|rm|a1").decode(),
    ],
)
@pytest.mark.parametrize("field", ["after", "before"])
def test_bad_cursors_are_refused(cursor: str, field: str) -> None:
    args = PageArgs(2, after=cursor) if field == "after" else PageArgs(2, before=cursor)
    with pytest.raises(BadInputError) as caught:
        paginate(_many(5), args)
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "field": field}
