"""``patientOverview(cpr)``: one patient's overview, assembled at query time.

The root resolver runs the pipeline (``resolvers/pipeline.py``): tenancy, then the parts the
query selected (``resolvers/selection.py``), fetched in one fan-out, then decided once. The
fields below shape what the decision left visible; ``@guarded`` reports what it withheld, and
``notices`` reads the same decision.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from connectors.registry import SourceResult
from domain.access import Category
from domain.cpr import normalise_cpr
from domain.decision import Decision
from domain.errors import BadInputError
from domain.principals import Clinician, Relative
from domain.records import AppointmentStatus as Status
from resolvers import attempts, calendar
from resolvers.appointments import (
    HIDDEN_BY_DEFAULT,
    MAX_PAGE,
    AppointmentConnection,
    AppointmentFilter,
    AppointmentView,
    Selection,
)
from resolvers.blocks import AccessLogConnection, Block, resolve_access_log, resolve_blocks
from resolvers.context import AuditSubject, Context
from resolvers.feed import (
    CalendarFeed,
    CalendarFeedEntry,
    resolve_calendar_feed,
    resolve_calendar_feeds,
)
from resolvers.guard import WITHHELD_MESSAGE, guarded
from resolvers.pipeline import (
    APPOINTMENTS,
    GOALS,
    PLANS,
    STAMKORT,
    Fetched,
    StamkortData,
    decide,
    fetch,
    read_scope,
)
from resolvers.plans import Goal, Plan, goals_of, plans_of
from resolvers.refusals import refused_counts, report_refusals
from resolvers.selection import plan
from resolvers.stamkort import Stamkort, stamkort_of
from resolvers.types import Notice, Source, SourceKind, SourceState, SourceStatus

log = logging.getLogger(__name__)
REGISTERS = (("cpr", "CPR-registret"), ("stamdata", "SOR og Yderregisteret"))


@strawberry.type(description="Who the overview is about.")
class Patient:
    cpr: str = strawberry.field(description="CPR number.")
    name: str | None = strawberry.field(description="Name from CPR (null if CPR is unavailable).")


def report_failures(info: Info[Context, None], results: Iterable[SourceResult[Any]]) -> None:
    """Add one error per failed source (code and source only; details stay in our logs), and
    one per source and rule for documents it refused."""
    state = info.context.state
    results = tuple(results)
    for r in results:
        if r.error is None or r.status is SourceStatus.NOT_CONSENTED:
            continue
        message = (
            f"Source {r.source!r} is {r.status.lower().replace('_', ' ')}; showing data "
            f"fetched at {r.fetched_at:%Y-%m-%d %H:%M} UTC."
            if r.status is SourceStatus.STALE and r.fetched_at
            else f"Source {r.source!r} did not answer usefully; its data is missing."
        )
        state.report(
            (r.source, r.error.code),
            GraphQLError(message, path=info.path.as_list(), extensions=r.error.extensions),
        )
    report_refusals(info, results)


@strawberry.type(description="One patient's overview: appointments, stamkort, plans and goals.")
class PatientOverview:
    cpr: str = strawberry.field(description="The patient's CPR number.")
    fetched: strawberry.Private[Fetched]
    decision: strawberry.Private[Decision]
    source_types: strawberry.Private[Mapping[str, Source]]

    def _visible(self, part: str) -> list[Any]:
        return list(self.decision.verdicts[part].visible)

    @guarded(Category.STAMKORT, "The patient's identity (CPR number and name).", part="patient")
    async def patient(self) -> Patient | None:
        found: StamkortData = self.fetched.get(STAMKORT)
        person = found.person.person
        return Patient(cpr=self.cpr, name=person.name if person else None)

    @guarded(Category.STAMKORT, "The stamkort (master card).", part=STAMKORT)
    async def stamkort(self, info: Info[Context, None]) -> Stamkort | None:
        found: StamkortData = self.fetched.get(STAMKORT)
        report_failures(info, found.person.results)
        principal = info.context.principal
        return stamkort_of(
            self.cpr,
            found.person,
            found.state,
            may_see_protected=not isinstance(principal, Clinician),
            decision=self.decision,
        )

    @guarded(
        Category.APPOINTMENTS,
        "Appointments from every source, each once in its current version, in a stable order "
        "(start, source, id). `view` + `date` pick a day or ISO week in Europe/Copenhagen; "
        "`from`/`to` pick an explicit window instead.",
        part=APPOINTMENTS,
    )
    async def appointments(
        self,
        info: Info[Context, None],
        view: AppointmentView | None = None,
        date: date | None = None,
        from_: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        to: datetime | None = None,
        filter: AppointmentFilter | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> AppointmentConnection | None:
        if not 1 <= first <= MAX_PAGE:
            raise BadInputError(f"'first' must be between 1 and {MAX_PAGE}.", field="first")
        start, end = _window(view, date, from_, to, info.context.state.now)
        report_failures(info, self.fetched.get(APPOINTMENTS))
        visible = self._visible(APPOINTMENTS)
        selection = _selection(info, filter, view, (start, end), self.fetched.chains)
        return AppointmentConnection(
            everything=visible,
            selected=[r for r in visible if selection.matches(r)],
            first=first,
            after=after,
            source_types=self.source_types,
            hide_home_address=self.fetched.hide_home_address,
        )

    @guarded(Category.PLANS, "Care plans from hospitals, municipalities and the GP.", part=PLANS)
    async def plans(self, info: Info[Context, None]) -> list[Plan] | None:
        report_failures(info, self.fetched.get(PLANS))
        return plans_of(self._visible(PLANS), self.source_types)

    @guarded(Category.PLANS, "Goals of the patient's care.", part=GOALS)
    async def goals(self, info: Info[Context, None]) -> list[Goal] | None:
        report_failures(info, self.fetched.get(GOALS))
        return goals_of(self._visible(GOALS), self.source_types)

    blocks: list[Block] = strawberry.field(
        resolver=resolve_blocks,
        description="The patient's blocks, active and ended. Patient and fuldmagt relatives only.",
    )
    access_log: AccessLogConnection = strawberry.field(
        resolver=resolve_access_log,
        description="Min Log: who looked at the patient's data, newest first. Patient and "
        "fuldmagt relatives only.",
    )
    calendar_feed: CalendarFeed | None = strawberry.field(
        resolver=resolve_calendar_feed,
        description="The viewer's secret iCalendar subscription URL, if they have one. Asking "
        "for it confirms the feed (see `confirmCalendarFeed`).",
    )
    calendar_feeds: list[CalendarFeedEntry] | None = strawberry.field(
        resolver=resolve_calendar_feeds,
        description="Every calendar feed on the patient's data, hers and her relatives', live "
        "or lapsed (never another owner's URL). The patient only (null with FORBIDDEN else).",
    )

    @strawberry.field(description="How every source answered for the data this query asked for.")
    async def sources(self, info: Info[Context, None]) -> list[SourceState]:
        worst: dict[str, SourceResult[Any]] = {}  # a source's first non-OK answer, else OK
        results = self.fetched.results()
        for r in results:
            if r.source not in worst or worst[r.source].status is SourceStatus.OK:
                worst[r.source] = r
        refused = refused_counts(info.context.principal, info.context.state.scope, results)
        out = []
        for src in self.source_types.values():
            got = worst.get(src.id)
            out.append(
                SourceState(
                    id=src.id,
                    name=src.name,
                    kind=src.kind,
                    status=got.status if got else SourceStatus.NOT_REQUESTED,
                    fetched_at=got.fetched_at if got else None,
                    refused_documents=refused[src.id],
                )
            )
        return out

    @strawberry.field(
        description="Notices for the viewer, e.g. that some information is withheld at the "
        "patient's request (never which, how much, or by which block)."
    )
    async def notices(self) -> list[Notice]:
        # Read off the request's one decision: never decided again here.
        if self.decision.anything_withheld:
            return [Notice(code="BLOCKED_BY_PATIENT", message=WITHHELD_MESSAGE)]
        return []


def _window(
    view: AppointmentView | None,
    anchor: date | None,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> tuple[datetime | None, datetime | None]:
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


def _selection(
    info: Info[Context, None],
    f: AppointmentFilter | None,
    view: AppointmentView | None,
    window: tuple[datetime | None, datetime | None],
    chains: Mapping[str, tuple[str, ...] | None],
) -> Selection:
    sources = info.context.services.sources
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
        sector_of={s.id: s.sector.value for s in sources.appointment_sources},
        # The chains the fetch stage looked up (it read the filter from the query); a unit SOR
        # cannot place now matches only itself.
        sor_chain={k: v for k, v in chains.items() if v is not None} if sub_units else {},
    )


def source_types(ctx: Context) -> dict[str, Source]:
    settings = ctx.services.settings
    out = {s.id: Source(id=s.id, name=s.name, kind=SourceKind(s.kind)) for s in settings.sources}
    for sid, name in REGISTERS:
        out[sid] = Source(id=sid, name=name, kind=SourceKind.REGISTER)
    return out


async def patient_overview(info: Info[Context, None], cpr: str) -> PatientOverview:
    """Root resolver of ``patientOverview``: tenancy, plan, fetch and decide (``pipeline``)."""
    ctx = info.context
    state = ctx.state
    cpr = normalise_cpr(cpr)
    principal = ctx.principal
    attempts.may_view(ctx, cpr, calendar.local_date(state.now))  # records a refused attempt
    scope = await read_scope(ctx, cpr)
    state.scope = scope
    if isinstance(principal, Clinician | Relative):
        state.audit = AuditSubject(
            patient_cpr=cpr,
            override_id=scope.override.id if scope.override else None,
            override_reason=scope.override.reason if scope.override else None,
        )
    parts, sub_units = plan(info, scope)
    fetched = await fetch(ctx, cpr, scope, parts, sub_unit_filter=sub_units)
    state.decision = decide(scope, fetched)
    return PatientOverview(
        cpr=cpr, fetched=fetched, decision=state.decision, source_types=source_types(ctx)
    )
