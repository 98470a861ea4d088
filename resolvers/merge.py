"""Pure merging of source records: source rules, versions, duplicates, order, windows, pages.

No I/O and no GraphQL here: plain functions over records, tested with plain data.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from domain.clock import TZ
from domain.errors import BadInputError
from domain.records import AppointmentRecord, AppointmentStatus, OrgRef, owned
from domain.settings import SourceConfig
from resolvers.paging import Page, PageArgs

GP_TITLE = "Aftale hos praktiserende læge"
FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
INACTIVE = frozenset(
    {AppointmentStatus.CANCELLED, AppointmentStatus.ENTERED_IN_ERROR, AppointmentStatus.NOSHOW}
)


def apply_source_rules(
    records: Iterable[AppointmentRecord], source: SourceConfig
) -> list[AppointmentRecord]:
    """Every record gets an owning organisation (the source's own SOR when it names none, so a
    treatment-place block on the source still covers it). GP rules: only from ``shared_since``
    on, always the fixed title, never the reason."""
    records = owned(list(records), OrgRef(source.sor, source.name))
    if source.kind != "gp":
        return records
    out = []
    for r in records:
        if source.shared_since and (
            r.start is None or r.start.astimezone(TZ).date() < source.shared_since
        ):
            continue
        out.append(replace(r, title=GP_TITLE, reason=None))
    return out


def _utc(dt: datetime) -> datetime:
    # Aware datetimes sharing one ZoneInfo compare by wall clock (ignoring ``fold``), so the
    # repeated hour in October would order wrongly: every comparison here is made in UTC.
    return dt.astimezone(UTC)


def _version_key(r: AppointmentRecord) -> tuple[bool, datetime, str]:
    updated = _utc(r.updated) if r.updated else datetime.min.replace(tzinfo=UTC)
    version = (r.version or "").rjust(20, "0")  # numeric versions compare as numbers
    return (not r.superseded, updated, version)


def current_versions(records: Iterable[AppointmentRecord]) -> list[AppointmentRecord]:
    """Keep one record per (source, id): the current version (never a superseded one if a
    current one exists; else the newest)."""
    best: dict[tuple[str, str], AppointmentRecord] = {}
    for r in records:
        key = (r.source, r.id)
        seen = best.get(key)
        if seen is None or _version_key(r) > _version_key(seen):
            best[key] = r
    return list(best.values())


def _same_key(r: AppointmentRecord) -> tuple[datetime, str] | None:
    if r.start is None:
        return None
    place = (r.place.sor if r.place else None) or (r.organization.sor if r.organization else None)
    if place is None:
        return None
    return (_utc(r.start), place)


def _same_end(a: AppointmentRecord, b: AppointmentRecord) -> bool:
    # One source may not know the end (APD ``high nullFlavor="NI"``): that is no disagreement.
    return a.end is None or b.end is None or _utc(a.end) == _utc(b.end)


def dedupe_across_sources(records: Iterable[AppointmentRecord]) -> list[AppointmentRecord]:
    """One entry when two sources report the same appointment: the same start instant at the
    same place (SOR of the site, else of the owning organisation), with the same end or one of
    them not knowing the end.

    Records of one source are never merged with each other: the source's own ids tell its
    appointments apart, even two at the same time and place. Of duplicates, an active report
    wins over an inactive one (cancelled, entered in error, no-show); otherwise the first in the
    input stays. The input's order is kept
    (a replaced entry keeps its position).
    """
    kept: dict[tuple[datetime, str], list[int]] = {}
    sources: list[set[str]] = []  # per entry of ``out``: the sources it stands for
    out: list[AppointmentRecord] = []
    for r in records:
        key = _same_key(r)
        if key is None:
            out.append(r)
            sources.append({r.source})
            continue
        for at in kept.get(key, ()):
            if r.source not in sources[at] and _same_end(out[at], r):
                sources[at].add(r.source)
                if out[at].status in INACTIVE and r.status not in INACTIVE:
                    out[at] = r
                break
        else:
            kept.setdefault(key, []).append(len(out))
            out.append(r)
            sources.append({r.source})
    return out


def sort_key(r: AppointmentRecord) -> tuple[datetime, str, str]:
    """The stable order of the overview: start instant (unknown last), then source, then id."""
    return (_utc(r.start) if r.start else FAR_FUTURE, r.source, r.id)


def merge_appointments(
    per_source: Iterable[tuple[SourceConfig, Iterable[AppointmentRecord]]],
) -> list[AppointmentRecord]:
    """All sources' appointments → one list in ``sort_key`` order, each appointment once.

    Duplicates are looked for in ``sort_key`` order, so which report of a duplicate stays does
    not depend on the order the sources answered in.
    """
    merged: list[AppointmentRecord] = []
    for source, records in per_source:
        merged.extend(current_versions(apply_source_rules(records, source)))
    merged.sort(key=sort_key)
    # A duplicate replaced by a later source's active report moves in the order: sort again.
    return sorted(dedupe_across_sources(merged), key=sort_key)


def in_window(r: AppointmentRecord, start: datetime | None, end: datetime | None) -> bool:
    """Does the appointment touch the half-open window [start, end)?

    An appointment without a (later) end counts as a point at its start; an undated one only
    shows when there is no window at all.
    """
    if r.start is None:
        return start is None and end is None
    r_start = _utc(r.start)
    if end is not None and r_start >= _utc(end):
        return False
    if start is None:
        return True
    if r.end is None or _utc(r.end) <= r_start:
        return r_start >= _utc(start)
    return _utc(r.end) > _utc(start)


def encode_cursor(r: AppointmentRecord) -> str:
    """An opaque cursor naming ``r``'s place in ``sort_key`` order (not its position)."""
    start, source, rid = sort_key(r)
    raw = f"{start.isoformat()}|{source}|{rid}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, str, str]:
    """The ``sort_key`` a cursor names; ``BadInputError`` naming ``field`` if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        start, source, rid = raw.split("|", 2)
        at = datetime.fromisoformat(start)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInputError(f"The cursor '{field}' is not valid.", field=field) from exc
    if at.utcoffset() is None:
        raise BadInputError(f"The cursor '{field}' is not valid.", field=field)
    return (_utc(at), source, rid)


def paginate(records: Sequence[AppointmentRecord], args: PageArgs) -> Page[AppointmentRecord]:
    """The page ``args`` asks for, in ``sort_key`` order. A cursor is a key in that order, not a
    count, so following the cursors either way never repeats or skips a record, even when
    records are added or removed before it between pages."""
    lo = bisect_right(records, decode_cursor(args.after), key=sort_key) if args.after else 0
    hi = len(records)
    if args.before:
        hi = max(lo, bisect_left(records, decode_cursor(args.before, "before"), key=sort_key))
    start, end = (max(lo, hi - args.size), hi) if args.backward else (lo, min(hi, lo + args.size))
    return Page(records[start:end], has_previous=start > 0, has_next=end < len(records))
