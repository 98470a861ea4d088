"""Times in APD-DK documents: HL7 TS values, intervals, and days without a set time.

Pure functions over parsed elements. A TS keeps the offset it was written with (one interval may
mix ``+0100`` and ``+0200``); an interval's ``high`` may be unknown (``nullFlavor``). The header
interval must agree with the encounter's; and ``whole_days`` says when a document sets no time
of day at all (see ``connectors/cda.py`` for the rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING

from connectors.cdaxml import V3, ApdRuleError, CdaError, attr, service_event
from domain.clock import TZ

if TYPE_CHECKING:
    from lxml.etree import _Element as Element  # a type only: parsing is cdaxml's

INTERVAL_TEMPLATES = frozenset({"1.2.208.184.10.1.11", "1.2.208.184.200.1.11"})
_TS = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?([+-]\d{4})?"
)
_LAST_MINUTE = (time(23, 59), time(23, 59, 59))


@dataclass(frozen=True, slots=True)
class Stamp:
    """A parsed TS and whether it gave a time of day at all (``20261201`` does not)."""

    at: datetime
    has_time: bool


def parse_ts(value: str) -> datetime:
    """An HL7 TS (``YYYYMMDDHHMMSS±HHMM``, less precision allowed) as an aware datetime.

    The offset is the one written, so an interval may mix ``+0100`` and ``+0200``. A value
    without an offset is read as Copenhagen local time, the only zone the sources live in.

    >>> parse_ts("20210331120000+0200").isoformat()
    '2021-03-31T12:00:00+02:00'
    """
    return stamp(value).at


def stamp(value: str) -> Stamp:
    """``value`` as a ``Stamp``; ``CdaError`` if it is no HL7 TS or no real date and time."""
    match = _TS.fullmatch(value.strip())
    if match is None:
        raise CdaError("timestamp is not an HL7 TS")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is None:
        tz: tzinfo = TZ
    else:
        hours, minutes = int(offset[1:3]), int(offset[3:5])
        if hours > 14 or minutes > 59:
            raise CdaError("timestamp has an impossible UTC offset")
        delta = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-delta if offset[0] == "-" else delta)
    try:
        at = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise CdaError("timestamp is not a valid date and time") from exc
    return Stamp(at, hour is not None)


def interval(elem: Element | None, what: str) -> tuple[Stamp | None, Stamp | None]:
    """``low`` and ``high`` of an IVL_TS; a ``high`` with a nullFlavor (or none) is unknown."""
    if elem is None:
        return None, None
    lows = elem.findall("v3:low", V3)
    if len(lows) > 1:
        raise ApdRuleError(f"{what} has more than one low")
    highs = elem.findall("v3:high", V3)
    if len(highs) > 1:
        raise ApdRuleError(f"{what} has more than one high")
    low = attr(lows[0], "value") if lows else None
    high = attr(highs[0], "value") if highs else None
    try:
        return (stamp(low) if low else None, stamp(high) if high else None)
    except CdaError as exc:
        raise ApdRuleError(f"{what}: {exc}") from exc


def check_header_interval(root: Element, low: Stamp, high: Stamp | None) -> None:
    """The header's interval is what registries index (XDS serviceStartTime): it must agree."""
    event = service_event(
        root,
        INTERVAL_TEMPLATES,
        "the header interval (documentationOf/serviceEvent 1.2.208.184.10.1.11)",
    )
    h_low, h_high = interval(event.find("v3:effectiveTime", V3), "header effectiveTime")
    if h_low is None:
        raise ApdRuleError("header effectiveTime has no low value")
    # As instants: "+0100" and "+0000" may spell the same moment.
    same_end = (h_high is None and high is None) or (
        h_high is not None and high is not None and h_high.at == high.at
    )
    if h_low.at != low.at or not same_end:
        raise ApdRuleError("the header and the encounter give different times")


def whole_days(low: Stamp, high: Stamp | None, indicative: bool) -> tuple[date, date] | None:
    """The first and last day (inclusive) when the document sets no time, else ``None``.

    Read as written (the dates in the document's own offset): a day is what its writer meant.
    """
    first = low.at.date()
    if not low.has_time:
        if high is None:
            return first, first
        if not high.has_time or high.at.time().replace(microsecond=0) in _LAST_MINUTE:
            return first, max(first, high.at.date())
        if high.at.time() == time(0):
            return first, max(first, high.at.date() - timedelta(days=1))
        return None
    if low.at.time() != time(0):
        return None
    if high is None:
        return (first, first) if indicative else None
    if high.at.time() == time(0) and high.at.date() > first:
        return first, high.at.date() - timedelta(days=1)
    if high.at.time().replace(microsecond=0) in _LAST_MINUTE:
        return first, high.at.date()
    return None
