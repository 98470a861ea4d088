"""RFC 5545 encoding for ``gateway/ical.py``: TEXT escaping, line folding, and times as
Europe/Copenhagen local time with ``TZID`` (one ``VTIMEZONE``, the EU rule in force since 1996),
in UTC for the second pass of October's repeated hour, or as ``VALUE=DATE``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from domain.clock import TZ

TZID = "Europe/Copenhagen"


_MAX_OCTETS = 75


VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11); other control characters become spaces."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub(" ", value)
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line to at most 75 octets a line (RFC 5545 §3.1), CRLF-terminated.

    Breaks fall between characters, never inside a UTF-8 sequence; each continuation line
    starts with one space, which counts towards its 75 octets.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    limit = _MAX_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            chunks.append("".join(current))
            current, size, limit = [], 0, _MAX_OCTETS - 1
        current.append(char)
        size += width
    chunks.append("".join(current))
    return "\r\n ".join(chunks) + "\r\n"


def utc(dt: datetime, name: str) -> datetime:
    """``dt`` in UTC; ``ValueError`` naming the property ``name`` when it is naive."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        # Guessing a zone would move the appointment silently.
        raise ValueError(f"{name} {dt.isoformat()} has no time zone")
    return dt.astimezone(UTC)


def utc_stamp(dt: datetime, name: str) -> str:
    """A UTC DATE-TIME (``20261025T013000Z``)."""
    return utc(dt, name).strftime("%Y%m%dT%H%M%SZ")


def time_property(name: str, dt: datetime) -> str:
    """``name`` at ``dt``: local time with ``TZID``, or UTC in the repeated hour's second pass."""
    local = utc(dt, name).astimezone(TZ)
    if local.fold:
        return f"{name}:{utc_stamp(dt, name)}"
    return f"{name};TZID={TZID}:{local.strftime('%Y%m%dT%H%M%S')}"


def date_property(name: str, day: date) -> str:
    """``name`` on the whole day ``day`` (``VALUE=DATE``)."""
    return f"{name};VALUE=DATE:{day.strftime('%Y%m%d')}"
