"""An RFC 5545 iCalendar feed of a patient's appointments, built with ``icalendar``.

The library writes the document: TEXT escaping, folding at 75 octets (never inside a UTF-8
sequence), CRLF line endings and the value types. What stays ours is what the library cannot
know:

- which properties leave: title, place, times, status. The appointment's ``reason`` never does
  (a GP reason must never leak), and a home visit never carries the patient's address;
- our status mapping (``_STATUS``) and one event per appointment, its newest version;
- the time zone: times are Europe/Copenhagen local time with ``TZID`` and one compact
  ``VTIMEZONE`` holding the EU rule in force since 1996 as two ``RRULE`` observances.
  (``icalendar.Timezone.from_tzid`` lists every transition as ``RDATE`` and stops in 2038.)
  The repeated hour on the last Sunday of October is the exception: RFC 5545 reads an
  ambiguous local time as its first occurrence (summer time), so a time in the second
  occurrence is written in UTC instead;
- all-day appointments (the source set no time) as ``VALUE=DATE``: ``DTSTART`` the first day,
  ``DTEND`` the day after the last (RFC 5545 §3.6.1: the end date is exclusive).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import icalendar

from domain.clock import TZ
from domain.records import AppointmentRecord, AppointmentStatus, Place

__all__ = ["TZID", "render_calendar"]

TZID = "Europe/Copenhagen"
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
# Control characters other than TAB and LF have no place in a TEXT value (RFC 5545 §3.3.11).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: str) -> icalendar.vText:
    """A TEXT value: line breaks made LF (the library escapes them), other controls spaces."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return icalendar.vText(_CONTROL.sub(" ", value))


def _utc(dt: datetime, name: str) -> datetime:
    """``dt`` in UTC; ``ValueError`` naming the property ``name`` when it is naive."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        # Guessing a zone would move the appointment silently.
        raise ValueError(f"{name} {dt.isoformat()} has no time zone")
    return dt.astimezone(UTC)


def _local(dt: datetime, name: str) -> datetime:
    """``dt`` as written: Copenhagen local time, or UTC in the repeated hour's second pass."""
    local = _utc(dt, name).astimezone(TZ)
    return local.astimezone(UTC) if local.fold else local


def _timezone() -> icalendar.Timezone:
    zone = icalendar.Timezone()
    zone.add("TZID", TZID)
    for kind, name, start, before, after, month in (
        (icalendar.TimezoneDaylight, "CEST", datetime(1970, 3, 29, 2), 1, 2, 3),
        (icalendar.TimezoneStandard, "CET", datetime(1970, 10, 25, 3), 2, 1, 10),
    ):
        rule = kind()
        rule.add("TZOFFSETFROM", timedelta(hours=before))
        rule.add("TZOFFSETTO", timedelta(hours=after))
        rule.add("TZNAME", name)
        rule.add("DTSTART", start)
        rule.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": "-1SU"})
        zone.add_component(rule)
    return zone


def _all_day(record: AppointmentRecord, start: datetime) -> tuple[date, date]:
    first = _utc(start, "DTSTART").astimezone(TZ).date()
    # ``end`` is the local midnight after the last day; a missing one means a single day.
    after = (
        _utc(record.end, "DTEND").astimezone(TZ).date()
        if record.end is not None
        else first + timedelta(days=1)
    )
    return first, max(after, first + timedelta(days=1))


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
    updated = _utc(record.updated, "updated") if record.updated is not None else _EPOCH
    return _sequence(record) or 0, updated


def _event(record: AppointmentRecord, start: datetime, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("UID", _text(_uid(record)))
    event.add("DTSTAMP", stamp)
    if record.all_day:
        first, after = _all_day(record, start)
        event.add("DTSTART", first)
        event.add("DTEND", after)
    else:
        event.add("DTSTART", _local(start, "DTSTART"))
        # Compared in UTC: the same wall-clock time can be two instants in October.
        if record.end is not None and _utc(record.end, "DTEND") > _utc(start, "DTSTART"):
            event.add("DTEND", _local(record.end, "DTEND"))
    # Only these leave; ``record.reason`` is never read here.
    event.add("SUMMARY", _text(record.title))
    location = _location(record.place)
    if location:
        event.add("LOCATION", _text(location))
    event.add("STATUS", _STATUS[record.status])
    sequence = _sequence(record)
    if sequence is not None:
        event.add("SEQUENCE", sequence)
    if record.updated is not None:
        event.add("LAST-MODIFIED", _utc(record.updated, "updated"))
    # Health appointments: ask shared calendars to show them as busy, not by title.
    event.add("CLASS", "PRIVATE")
    return event


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
    stamp = now.astimezone(UTC)
    calendar = icalendar.Calendar()
    calendar.add("PRODID", _PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    # X- properties are written as given unless typed: these are TEXT to the apps reading them.
    calendar.add("X-WR-CALNAME", _text(calendar_name))
    calendar.add("X-WR-TIMEZONE", icalendar.vText(TZID))
    calendar.add_component(_timezone())
    for record, start in _newest(records):
        calendar.add_component(_event(record, start, stamp))
    document: bytes = calendar.to_ical()
    return document
