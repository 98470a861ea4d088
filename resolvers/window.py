"""The window and the filters an ``appointments`` field asks for, as a plain ``Selection``, and
the period the appointments are fetched for (``fetch_window``).

A source is asked for the appointments that *start* in a period (FHIR's and APD's searches read
the start), but a view shows every appointment that *touches* its window, and each shown one's
``overlapsWith`` lists those that touch it. So the period fetched reaches ``LONGEST`` before the
window for the appointments running into it, and as far again for the ones those overlap, and
``LONGEST`` past its end for the ones overlapping an appointment that runs out of it: exact for
every appointment up to ``LONGEST`` long. It is rounded outward to Copenhagen ISO weeks, so the
day views of one week, and neighbouring requests, share one cached search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graphql import GraphQLObjectType, Undefined, VariableNode, get_named_type, value_from_ast
from strawberry.types import Info

from domain.clock import local_date, local_midnight
from domain.errors import BadInputError
from domain.records import AppointmentStatus as Status
from resolvers import calendar
from resolvers.appointments import HIDDEN_BY_DEFAULT, AppointmentFilter, AppointmentView, Selection
from resolvers.pipeline import UNBOUNDED, Window
from resolvers.selection import selected_fields

LONGEST = timedelta(weeks=4)  # the longest appointment a bounded fetch is exact for
WINDOW_ARGS = {"view": "view", "date": "date", "from": "start", "to": "end"}


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


def fetch_window(info: Info[Any, Any], now: datetime) -> Window:
    """The period the ``appointments`` fields under this ``patientOverview`` need fetched (see
    the module's docstring): the union of their windows; unbounded when one of them is, or when
    one's arguments do not make a window (that field reports its own error)."""
    windows = []
    for node in selected_fields(info):
        if node.name.value != "appointments":
            continue
        asked = _arguments(info, node)
        if asked is None:
            return UNBOUNDED
        try:
            windows.append(
                window_of(asked["view"], asked["date"], asked["start"], asked["end"], now)
            )
        except BadInputError:
            return UNBOUNDED
    return around(windows)


def _arguments(info: Info[Any, Any], node: Any) -> dict[str, Any] | None:
    """The window arguments of one ``appointments`` field as GraphQL coerces them (None when one
    does not coerce)."""
    raw = info._raw_info
    parent = get_named_type(raw.return_type)
    assert isinstance(parent, GraphQLObjectType)
    args = parent.fields["appointments"].args
    # graphql-core types them as VariableValues; at run time they are the coerced dict.
    variables: Any = raw.variable_values
    variables = getattr(variables, "coerced", variables)
    asked: dict[str, Any] = dict.fromkeys(WINDOW_ARGS.values())
    for given in node.arguments or ():
        name = given.name.value
        if name not in WINDOW_ARGS:
            continue
        if isinstance(given.value, VariableNode) and given.value.name.value not in variables:
            continue  # a variable not given: the argument's default, as graphql-core runs it
        value = value_from_ast(given.value, args[name].type, variables)
        if value is Undefined:
            return None
        if name == "view" and value is not None and not isinstance(value, AppointmentView):
            value = AppointmentView(value)
        asked[WINDOW_ARGS[name]] = value
    return asked


def around(windows: Iterable[Window]) -> Window:
    """The period to fetch for these windows: their union, widened by ``LONGEST`` (twice
    before it) and rounded outward to Copenhagen ISO weeks; an open end stays open."""
    windows = list(windows)
    if not windows:
        return UNBOUNDED
    starts = [s for s, _ in windows]
    ends = [e for _, e in windows]
    start = None if None in starts else min(s.astimezone(UTC) for s in starts if s is not None)
    end = None if None in ends else max(e.astimezone(UTC) for e in ends if e is not None)
    try:
        lo = None if start is None else _week_start(start - 2 * LONGEST)
    except (OverflowError, ValueError):  # a window near the calendar's ends: open there
        lo = None
    try:
        hi = None if end is None else _week_start(end + LONGEST - timedelta.resolution, 1)
    except (OverflowError, ValueError):
        hi = None
    return lo, hi


def _week_start(moment: datetime, weeks_on: int = 0) -> datetime:
    """Copenhagen midnight on the Monday of ``moment``'s ISO week, ``weeks_on`` weeks later."""
    day = local_date(moment)
    return local_midnight(day - timedelta(days=day.weekday()) + timedelta(weeks=weeks_on))
