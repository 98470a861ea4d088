"""An RFC 5545 iCalendar feed of a patient's appointments, written by hand.

Times are written as Europe/Copenhagen local time with ``TZID`` and one ``VTIMEZONE`` (the EU rule
in force since 1996; the encoding is ``gateway/icalformat.py``), so calendar apps show them right
across DST changes. The one exception is
the repeated hour on the last Sunday of October: RFC 5545 reads an ambiguous local time as its
first occurrence (summer time), so a time in the second occurrence is written in UTC instead.
An all-day appointment (the source set no time) is written with ``VALUE=DATE``: ``DTSTART`` its
first day, ``DTEND`` the day after its last (RFC 5545 §3.6.1: the end date is exclusive).

Only what a calendar needs leaves: title, place, times, status. The appointment's ``reason``
never does (a GP reason must never leak).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from domain.clock import TZ
from domain.records import AppointmentRecord, AppointmentStatus, Place
from gateway.icalformat import (
    TZID,
    VTIMEZONE,
    date_property,
    escape_text,
    fold,
    time_property,
    utc,
    utc_stamp,
)

__all__ = ["escape_text", "fold", "render_calendar"]

_PRODID = "-//Et samlet patientoverblik//SPO Gateway//DA"
_UID_DOMAIN = "spo.invalid"
_HOME = "Hjemme"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_STATUS = {
    AppointmentStatus.CANCELLED: "CANCELLED",
    # Never happened: shown as cancelled so an imported copy of it is withdrawn, not kept.
    AppointmentStatus.ENTERED_IN_ERROR: "CANCELLED",
    AppointmentStatus.BOOKED: "CONFIRMED",
    AppointmentStatus.ARRIVED: "CONFIRMED",
    AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.FULFILLED: "CONFIRMED",
    AppointmentStatus.NOSHOW: "CONFIRMED",
    AppointmentStatus.PROPOSED: "TENTATIVE",
    AppointmentStatus.PENDING: "TENTATIVE",
    AppointmentStatus.WAITLIST: "TENTATIVE",
}


_NUMERIC = re.compile(r"[0-9]{1,9}")


def _all_day(record: AppointmentRecord, start: datetime) -> list[str]:
    first = utc(start, "DTSTART").astimezone(TZ).date()
    # ``end`` is the local midnight after the last day; a missing one means a single day.
    after = (
        utc(record.end, "DTEND").astimezone(TZ).date()
        if record.end is not None
        else first + timedelta(days=1)
    )
    return [
        date_property("DTSTART", first),
        date_property("DTEND", max(after, first + timedelta(days=1))),
    ]


def _location(place: Place | None) -> str | None:
    if place is None:
        return None
    if place.is_home:
        # The patient's own address may be name/address protected; a synced calendar is no
        # place for it.
        return place.name or _HOME
    parts = [place.name] if place.name else []
    if place.address is not None:
        parts.extend(line for line in place.address.lines if line)
        town = " ".join(p for p in (place.address.postcode, place.address.city) if p)
        if town:
            parts.append(town)
    return ", ".join(parts) or None


def _sequence(record: AppointmentRecord) -> int | None:
    if record.version is not None and _NUMERIC.fullmatch(record.version):
        return int(record.version)
    return None


def _uid(record: AppointmentRecord) -> str:
    return f"{record.source}-{record.id}@{_UID_DOMAIN}"


def _newest(
    records: Iterable[AppointmentRecord],
) -> list[tuple[AppointmentRecord, datetime]]:
    """One ``(record, start)`` per UID, the newest by (SEQUENCE, updated).

    Records without a start cannot be placed in a calendar; superseded ones are not current.
    """
    chosen: dict[str, tuple[AppointmentRecord, datetime]] = {}
    for record in records:
        if record.start is None or record.superseded:
            continue
        uid = _uid(record)
        held = chosen.get(uid)
        if held is None or _order(record) > _order(held[0]):
            chosen[uid] = (record, record.start)
    return list(chosen.values())


def _order(record: AppointmentRecord) -> tuple[int, datetime]:
    updated = utc(record.updated, "updated") if record.updated is not None else _EPOCH
    return _sequence(record) or 0, updated


def _event(record: AppointmentRecord, start: datetime, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(_uid(record))}",
        f"DTSTAMP:{stamp}",
    ]
    if record.all_day:
        lines.extend(_all_day(record, start))
    else:
        lines.append(time_property("DTSTART", start))
    # Compared in UTC: the same wall-clock time can be two instants in October.
    if (
        not record.all_day
        and record.end is not None
        and utc(record.end, "DTEND") > utc(start, "DTSTART")
    ):
        lines.append(time_property("DTEND", record.end))
    lines.append(f"SUMMARY:{escape_text(record.title)}")
    location = _location(record.place)
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    lines.append(f"STATUS:{_STATUS[record.status]}")
    sequence = _sequence(record)
    if sequence is not None:
        lines.append(f"SEQUENCE:{sequence}")
    if record.updated is not None:
        lines.append(f"LAST-MODIFIED:{utc_stamp(record.updated, 'updated')}")
    # Health appointments: ask shared calendars to show them as busy, not by title.
    lines.extend(("CLASS:PRIVATE", "END:VEVENT"))
    return lines


def render_calendar(
    records: Iterable[AppointmentRecord], *, calendar_name: str, now: datetime
) -> bytes:
    """Render appointments as a UTF-8 iCalendar document with CRLF line endings.

    Args:
        records: the appointments to export; ones without a start, and superseded versions,
            are left out, and of several versions of one appointment only the newest is kept
            (UIDs must be unique in a calendar).
        calendar_name: shown by calendar apps (``X-WR-CALNAME``).
        now: the export time (aware), written as every event's ``DTSTAMP``.

    Each event's UID is ``<source>-<id>@spo.invalid``, stable across versions, so a calendar
    that re-imports the feed updates events instead of duplicating them. ``SEQUENCE`` is the
    source's version when that is a number. An end that is unknown (or not after the start) is
    left out, which RFC 5545 reads as an event of no duration.

    Raises ``ValueError`` when ``now`` or an appointment's time is naive.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    stamp = utc_stamp(now, "now")
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{_PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for record, start in _newest(records):
        lines.extend(_event(record, start, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines).encode()
