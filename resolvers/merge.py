"""Pure merging of source records: source rules, versions, duplicates, order, windows, pages.

No I/O and no GraphQL here: plain functions over records, tested with plain data.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from connectors.records import AppointmentRecord, AppointmentStatus, OrgRef
from gateway.config import SourceConfig
from gateway.errors import BadInputError

TZ = ZoneInfo("Europe/Copenhagen")
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
    owner = OrgRef(source.sor, source.name)
    records = [r if r.organization else replace(r, organization=owner) for r in records]
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


def _version_key(r: AppointmentRecord) -> tuple[bool, datetime, str]:
    updated = r.updated or datetime.min.replace(tzinfo=UTC)
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


def _same_key(r: AppointmentRecord) -> tuple[object, ...] | None:
    if r.start is None:
        return None
    place = (r.place.sor if r.place else None) or (r.organization.sor if r.organization else None)
    if place is None:
        return None
    return (r.start, r.end, place)


def dedupe_across_sources(records: Sequence[AppointmentRecord]) -> list[AppointmentRecord]:
    """One entry when two sources report the same appointment (same start, end and place).

    The active report wins over a cancelled one; otherwise the first in source order stays.
    """
    kept: dict[tuple[object, ...], int] = {}
    out: list[AppointmentRecord] = []
    for r in records:
        key = _same_key(r)
        if key is None:
            out.append(r)
            continue
        at = kept.get(key)
        if at is None:
            kept[key] = len(out)
            out.append(r)
        elif out[at].status in INACTIVE and r.status not in INACTIVE:
            out[at] = r
    return out


def sort_key(r: AppointmentRecord) -> tuple[datetime, str, str]:
    """The stable order of the overview: start (unknown last), then source, then id."""
    return (r.start or FAR_FUTURE, r.source, r.id)


def merge_appointments(
    per_source: Iterable[tuple[SourceConfig, Iterable[AppointmentRecord]]],
) -> list[AppointmentRecord]:
    """All sources' appointments → one sorted list, each appointment once."""
    merged: list[AppointmentRecord] = []
    for source, records in per_source:
        merged.extend(current_versions(apply_source_rules(records, source)))
    merged.sort(key=sort_key)
    return dedupe_across_sources(merged)


def in_window(r: AppointmentRecord, start: datetime | None, end: datetime | None) -> bool:
    """Does the appointment touch the half-open window [start, end)?

    An appointment without a (later) end counts as a point at its start; an undated one only
    shows when there is no window at all.
    """
    if r.start is None:
        return start is None and end is None
    if end is not None and r.start >= end:
        return False
    if start is None:
        return True
    if r.end is None or r.end <= r.start:
        return r.start >= start
    return r.end > start


def encode_cursor(r: AppointmentRecord) -> str:
    start, source, rid = sort_key(r)
    raw = f"{start.isoformat()}|{source}|{rid}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        start, source, rid = raw.split("|", 2)
        return (datetime.fromisoformat(start), source, rid)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInputError("The cursor 'after' is not valid.", field="after") from exc


def paginate(
    records: Sequence[AppointmentRecord], first: int, after: str | None
) -> tuple[Sequence[AppointmentRecord], bool]:
    """The page of ``first`` records after the cursor, in ``sort_key`` order, and whether more
    follow. Cursors are positions in the order, so a page never repeats or skips a record even
    when records are added before it."""
    lo = 0
    if after:
        key = decode_cursor(after)
        lo = _bisect_after(records, key)
    page = records[lo : lo + first]
    return page, lo + first < len(records)


def _bisect_after(records: Sequence[AppointmentRecord], key: tuple[datetime, str, str]) -> int:
    lo, hi = 0, len(records)
    while lo < hi:
        mid = (lo + hi) // 2
        if sort_key(records[mid]) <= key:
            lo = mid + 1
        else:
            hi = mid
    return lo
