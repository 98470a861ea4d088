"""``patientOverview(cpr)``: one patient's overview, assembled at query time.

The root resolver decides tenancy, reads the patient's blocks and any override (for clinicians),
and starts — in one fan-out — exactly the fetches the query selected, unless a block withholds
that category entirely. Guarded fields then await their own data; ``@guarded`` filters it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info

from connectors.registry import SourceResult
from domain.access import Category, Scope, category_denied
from domain.cpr import normalise_cpr
from domain.deadline import deadline_scope
from domain.errors import BadInputError, StoreUnavailableError
from domain.principals import Citizen, Clinician, Relative
from domain.records import AppointmentRecord
from domain.records import AppointmentStatus as Status
from domain.settings import Limits
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
from resolvers.fetch import APPOINTMENTS, FIELD_CATEGORY, GOALS, PLANS, STAMKORT, Fetches
from resolvers.guard import WITHHELD_MESSAGE, guarded, restrict
from resolvers.plans import Goal, Plan, goals_of, plans_of
from resolvers.refusals import refused_counts, report_refusals
from resolvers.stamkort import EnteredOrigin, Stamkort, edits_of, stamkort_of
from resolvers.types import Notice, Source, SourceKind, SourceState, SourceStatus

log = logging.getLogger(__name__)
FETCHING_FIELDS = {"appointments", "plans", "goals", "stamkort", "patient"}
REGISTERS = (("cpr", "CPR-registret"), ("stamdata", "SOR og Yderregisteret"))


@strawberry.type(description="Who the overview is about.")
class Patient:
    cpr: str = strawberry.field(description="CPR number.")
    name: str | None = strawberry.field(description="Name from CPR (null if CPR is unavailable).")

    def origins(self) -> list[Any]:
        return []  # CPR identity data belongs to no treatment place and no period

    def restrict(self, keep: Any) -> tuple[Patient, bool]:
        return self, False


def report_failures(info: Info[Context, None], results: Iterable[SourceResult[Any]]) -> None:
    """Add one error per failed source (code and source only; details stay in our logs), and
    one per source and rule for documents it refused."""
    state = info.context.state
    results = tuple(results)
    for r in results:
        if r.error is None or r.status == "NOT_CONSENTED":
            continue
        message = (
            f"Source {r.source!r} is {r.status.lower().replace('_', ' ')}; showing data "
            f"fetched at {r.fetched_at:%Y-%m-%d %H:%M} UTC."
            if r.status == "STALE" and r.fetched_at
            else f"Source {r.source!r} did not answer usefully; its data is missing."
        )
        state.report(
            (r.source, r.error.code),
            GraphQLError(message, path=info.path.as_list(), extensions=r.error.extensions),
        )
    report_refusals(info, results)


def _names(selection_set: SelectionSetNode | None, fragments: Mapping[str, Any]) -> set[str]:
    """The field names selected directly under ``patientOverview`` (through fragments too).

    Reads the query's syntax tree: only the top level is needed, so converting the whole
    selection (``info.selected_fields``) would be work for nothing on every request.
    """
    names: set[str] = set()
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            names.add(sel.name.value)
        elif isinstance(sel, InlineFragmentNode):
            names |= _names(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            names |= _names(fragments[sel.name.value].selection_set, fragments)
    return names


@strawberry.type(description="One patient's overview: appointments, stamkort, plans and goals.")
class PatientOverview:
    cpr: str = strawberry.field(description="The patient's CPR number.")
    fetches: strawberry.Private[Fetches]
    source_types: strawberry.Private[Mapping[str, Source]]

    @guarded(Category.STAMKORT, "The patient's identity (CPR number and name).")
    async def patient(self) -> Patient | None:
        found = await self.fetches.person()
        return Patient(cpr=self.cpr, name=found.person.name if found.person else None)

    @guarded(Category.STAMKORT, "The stamkort (master card).")
    async def stamkort(self, info: Info[Context, None]) -> Stamkort | None:
        store = info.context.services.store
        found, state = await asyncio.gather(self.fetches.person(), store.stamkort(self.cpr))
        report_failures(info, found.results)
        principal = info.context.principal
        card = stamkort_of(
            self.cpr, found, state, may_see_protected=not isinstance(principal, Clinician)
        )
        scope = info.context.state.scope
        if scope is not None and scope.may_hide_stamkort_edits:
            # Some edits may be hidden: the guard counts versions over the visible ones.
            card = replace(card, edits=edits_of(await store.stamkort_entries(self.cpr)))
        return card

    @guarded(
        Category.APPOINTMENTS,
        "Appointments from every source, each once in its current version, in a stable order "
        "(start, source, id). `view` + `date` pick a day or ISO week in Europe/Copenhagen; "
        "`from`/`to` pick an explicit window instead.",
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
        report_failures(info, await self.fetches.appointments())
        everything = await self.fetches.merged_appointments()
        selection = await _selection(info, filter, view, (start, end), everything)
        return AppointmentConnection(
            everything=everything,
            selected=[r for r in everything if selection.matches(r)],
            first=first,
            after=after,
            source_types=self.source_types,
            hide_home_address=await _hides_home_address(info.context, self.cpr, everything),
        )

    @guarded(Category.PLANS, "Care plans from hospitals, municipalities and the GP.")
    async def plans(self, info: Info[Context, None]) -> list[Plan] | None:
        results = await self.fetches.plans()
        report_failures(info, results)
        return plans_of(results, self.source_types)

    @guarded(Category.PLANS, "Goals of the patient's care.")
    async def goals(self, info: Info[Context, None]) -> list[Goal] | None:
        results = await self.fetches.goals()
        report_failures(info, results)
        return goals_of(results, self.source_types)

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
        results = await self.fetches.results()
        for r in results:
            if r.source not in worst or worst[r.source].status == "OK":
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
                    status=SourceStatus(got.status) if got else SourceStatus.NOT_REQUESTED,
                    fetched_at=got.fetched_at if got else None,
                    refused_documents=refused[src.id],
                )
            )
        return out

    @strawberry.field(
        description="Notices for the viewer, e.g. that some information is withheld at the "
        "patient's request (never which, how much, or by which block)."
    )
    async def notices(self, info: Info[Context, None]) -> list[Notice]:
        ctx = info.context
        scope = ctx.state.scope
        if scope is None or scope.unrestricted or not scope.has_blocks:
            return []
        withheld = [Notice(code="BLOCKED_BY_PATIENT", message=WITHHELD_MESSAGE)]
        if any(category_denied(scope, c) for c in Category):
            return withheld
        # Only when blocks exist and this field is asked for: the same decision as the guarded
        # fields, over everything this request fetched, so the notice is true, never a guess.
        try:
            for category, value in await self._fetched(ctx):
                if (await restrict(ctx, scope, category, value))[1]:
                    return withheld
        except Exception:
            # The notice never fails the overview. A decision that cannot be made withholds
            # (the guarded fields fail closed the same way), so the notice says so.
            log.exception("request %s: notices could not decide", ctx.state.request_id)
            return withheld
        return []

    async def _fetched(self, ctx: Context) -> list[tuple[Category, list[Any]]]:
        out: list[tuple[Category, list[Any]]] = []
        started = self.fetches.started
        if APPOINTMENTS in started:
            out.append((Category.APPOINTMENTS, await self.fetches.merged_appointments()))
        if PLANS in started:
            out.append((Category.PLANS, [p for r in await self.fetches.plans() for p in r.records]))
        if GOALS in started:
            out.append((Category.PLANS, [g for r in await self.fetches.goals() for g in r.records]))
        if STAMKORT in started:
            state = await ctx.services.store.stamkort(self.cpr)
            out.append((Category.STAMKORT, [EnteredOrigin(v) for v in state.values.values()]))
        return out


async def _hides_home_address(ctx: Context, cpr: str, records: Sequence[AppointmentRecord]) -> bool:
    """Whether home visits' addresses stay out: for clinicians, when the patient has name and
    address protection (as on the stamkort), or when CPR cannot tell (fail closed). CPR is
    asked only when some home visit carries an address."""
    if not isinstance(ctx.principal, Clinician):
        return False
    if not any(r.place and r.place.is_home and r.place.address for r in records):
        return False
    found = await ctx.services.sources.person(cpr)
    if found.status not in ("OK", "STALE"):
        return True
    return any(p.protected for p in found.records)


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


async def _selection(
    info: Info[Context, None],
    f: AppointmentFilter | None,
    view: AppointmentView | None,
    window: tuple[datetime | None, datetime | None],
    everything: Sequence[AppointmentRecord],
) -> Selection:
    sources = info.context.services.sources
    f = f or AppointmentFilter()
    statuses = frozenset(f.statuses) if f.statuses else None
    show_cancelled = f.include_cancelled if f.include_cancelled is not None else view is None
    if statuses is None and not show_cancelled:
        statuses = frozenset(s for s in Status if s not in HIDDEN_BY_DEFAULT)
    chains: dict[str, tuple[str, ...]] = {}
    if f.organizations and f.include_sub_units:
        sors = {
            sor
            for r in everything
            for sor in (r.organization and r.organization.sor, r.place and r.place.sor)
            if sor
        }
        found = await sources.ancestors_of(sors)
        chains = {k: v for k, v in found.items() if v is not None}
    return Selection(
        start=window[0],
        end=window[1],
        sources=frozenset(f.sources) if f.sources else None,
        organizations=frozenset(f.organizations) if f.organizations else None,
        sectors=frozenset(s.value for s in f.sectors) if f.sectors else None,
        statuses=statuses,
        text=f.text.strip() if f.text and f.text.strip() else None,
        sector_of={s.id: s.sector.value for s in sources.appointment_sources},
        sor_chain=chains,
    )


def source_types(ctx: Context) -> dict[str, Source]:
    settings = ctx.services.settings
    out = {s.id: Source(id=s.id, name=s.name, kind=SourceKind(s.kind)) for s in settings.sources}
    for sid, name in REGISTERS:
        out[sid] = Source(id=sid, name=name, kind=SourceKind.REGISTER)
    return out


async def patient_overview(info: Info[Context, None], cpr: str) -> PatientOverview:
    """Root resolver of ``patientOverview``."""
    ctx = info.context
    state = ctx.state
    cpr = normalise_cpr(cpr)
    principal = ctx.principal
    attempts.may_view(ctx, cpr, calendar.local_date(state.now))  # records a refused attempt
    scope = await _scope(ctx, cpr)
    state.scope = scope
    if isinstance(principal, Clinician | Relative):
        state.audit = AuditSubject(
            patient_cpr=cpr,
            override_id=scope.override.id if scope.override else None,
            override_reason=scope.override.reason if scope.override else None,
        )
    fetches = Fetches(ctx.services.sources, cpr)
    raw = info._raw_info  # the graphql-core info: its syntax tree is all we need here
    wanted = {
        name
        for name in _names(raw.field_nodes[0].selection_set, raw.fragments)
        if name in FETCHING_FIELDS
        and not category_denied(scope, FIELD_CATEGORY.get(name, Category.STAMKORT))
    }
    with deadline_scope(fetch_budget(ctx.services.settings.limits)):
        fetches.start(STAMKORT if n == "patient" else n for n in wanted)
    return PatientOverview(cpr=cpr, fetches=fetches, source_types=source_types(ctx))


def fetch_budget(limits: Limits) -> float:
    """How long the sources may take: the request's deadline less a reserve for the access-log
    entry (a database call's time, at most a quarter of the deadline), so that a slow source
    never leaves the entry, and so the data, without time."""
    reserve = min(limits.database_timeout_s, limits.request_deadline_s / 4)
    return limits.request_deadline_s - reserve


async def _scope(ctx: Context, cpr: str) -> Scope:
    principal = ctx.principal
    now = ctx.state.now
    if isinstance(principal, Citizen | Relative):
        return Scope(principal, (), None, now)
    store = ctx.services.store
    try:
        blocks, override = await asyncio.gather(
            store.active_blocks(cpr, now),
            store.active_override(cpr, principal.authorisation_id, now),
        )
    except StoreUnavailableError as exc:  # the store's database failed or timed out
        log.error("cannot read blocks for a patient: %s", exc.__cause__)
        raise StoreUnavailableError(
            "The patient's privacy settings cannot be read right now; no data was returned."
        ) from exc
    return Scope(principal, tuple(blocks), override, now)
