"""The window and the filters an ``appointments`` field asks for, as a plain ``Selection``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from domain.errors import BadInputError
from domain.records import AppointmentStatus as Status
from resolvers import calendar
from resolvers.appointments import HIDDEN_BY_DEFAULT, AppointmentFilter, AppointmentView, Selection


def window_of(
    view: AppointmentView | None,
    anchor: date | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> tuple[datetime | None, datetime | None]:
    """The half-open window ``[start, end)`` asked for (``None`` ends: unbounded)."""
    for name, value in (("from", start), ("to", end)):
        if value is not None and value.tzinfo is None:
            raise BadInputError(f"'{name}' needs a UTC offset.", field=name)
    calendar_view = view in (AppointmentView.DAY, AppointmentView.WEEK)
    if anchor is not None and (not calendar_view or start is not None or end is not None):
        # Silently ignoring the anchor would show another window than the one asked for.
        raise BadInputError(
            "'date' picks the window of view DAY or WEEK; give either it or 'from'/'to'.",
            field="date",
        )
    if start is not None or end is not None:
        if start is not None and end is not None and end <= start:
            raise BadInputError("'to' must be after 'from'.", field="to")
        return start, end
    if view in (AppointmentView.DAY, AppointmentView.WEEK):
        day = anchor or calendar.local_date(now)
        return calendar.window(calendar.View(view.value), day)
    return None, None


def selection_of(
    f: AppointmentFilter | None,
    view: AppointmentView | None,
    window: tuple[datetime | None, datetime | None],
    sector_of: Mapping[str, str],
    chains: Mapping[str, tuple[str, ...] | None],
) -> Selection:
    """The field's filters as plain values. ``chains``: the SOR chains the fetch stage looked up
    (it read the filter from the query); a unit SOR cannot place now matches only itself."""
    f = f or AppointmentFilter()
    statuses = frozenset(f.statuses) if f.statuses else None
    show_cancelled = f.include_cancelled if f.include_cancelled is not None else view is None
    if statuses is None and not show_cancelled:
        statuses = frozenset(s for s in Status if s not in HIDDEN_BY_DEFAULT)
    sub_units = bool(f.organizations and f.include_sub_units)
    return Selection(
        start=window[0],
        end=window[1],
        sources=frozenset(f.sources) if f.sources else None,
        organizations=frozenset(f.organizations) if f.organizations else None,
        sectors=frozenset(s.value for s in f.sectors) if f.sectors else None,
        statuses=statuses,
        text=f.text.strip() if f.text and f.text.strip() else None,
        sector_of=sector_of,
        sor_chain={k: v for k, v in chains.items() if v is not None} if sub_units else {},
    )
