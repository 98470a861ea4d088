"""``patientOverview(cpr)``: one patient's overview, assembled at query time.

The root resolver runs the pipeline (``resolvers/pipeline.py``): tenancy, then the parts the
query selected (``resolvers/selection.py``), fetched in one fan-out, then decided once. The
fields below shape what the decision left visible; ``@guarded`` reports what it withheld, and
``notices`` reads the same decision.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from connectors.registry import PersonResult
from domain.access import Category
from domain.cpr import normalise_cpr
from domain.decision import Decision
from domain.principals import Clinician, Relative
from resolvers import attempts, calendar
from resolvers.appointments import (
    MAX_PAGE,
    AppointmentConnection,
    AppointmentFilter,
    AppointmentView,
)
from resolvers.blocks import AccessLogConnection, Block, resolve_access_log, resolve_blocks
from resolvers.context import Context
from resolvers.feed import (
    CalendarFeed,
    CalendarFeedEntry,
    resolve_calendar_feed,
    resolve_calendar_feeds,
)
from resolvers.guard import WITHHELD_MESSAGE, guarded
from resolvers.paging import After, Before, First, Last, page_args
from resolvers.pipeline import (
    APPOINTMENTS,
    GOALS,
    PATIENT,
    PLANS,
    STAMKORT,
    Fetched,
    StamkortData,
    decide,
    fetch,
    read_scope,
)
from resolvers.plans import Goal, Plan, goals_of, plans_of
from resolvers.selection import plan
from resolvers.sources import REGISTERS, report_failures, source_states, source_types
from resolvers.stamkort import Stamkort, stamkort_of
from resolvers.types import Notice, Source, SourceState
from resolvers.vocab import NoticeCode
from resolvers.window import fetch_window, selection_of, window_of

log = logging.getLogger(__name__)
__all__ = ["REGISTERS", "PatientOverview", "admit", "overview_of", "patient_overview"]


@strawberry.type(description="Who the overview is about.")
class Patient:
    cpr: str = strawberry.field(description="CPR number.")
    name: str | None = strawberry.field(description="Name from CPR (null if CPR is unavailable).")


@strawberry.type(description="One patient's overview: appointments, stamkort, plans and goals.")
class PatientOverview:
    cpr: str = strawberry.field(description="The patient's CPR number.")
    fetched: strawberry.Private[Fetched]
    decision: strawberry.Private[Decision]
    source_types: strawberry.Private[Mapping[str, Source]]

    def _visible(self, part: str) -> list[Any]:
        return list(self.decision.verdicts[part].visible)

    @guarded(Category.STAMKORT, "The patient's identity (CPR number and name).", part=PATIENT)
    async def patient(self) -> Patient | None:
        found: PersonResult = self.fetched.get(PATIENT)
        person = found.person
        return Patient(cpr=self.cpr, name=person.name if person else None)

    @guarded(Category.STAMKORT, "The stamkort (master card).", part=STAMKORT)
    async def stamkort(self, info: Info[Context, None]) -> Stamkort | None:
        card: StamkortData = self.fetched.get(STAMKORT)
        found: PersonResult = self.fetched.get(PATIENT)
        report_failures(info, found.results)
        principal = info.context.principal
        return stamkort_of(
            self.cpr,
            found,
            card.state,
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
        view: Annotated[
            AppointmentView | None,
            strawberry.argument(
                description="DAY or WEEK: the window around `date`; LIST: all, cancelled "
                "hidden. Null: the full record, cancelled included."
            ),
        ] = None,
        date: Annotated[
            date | None,
            strawberry.argument(
                description="With DAY or WEEK: the day (Europe/Copenhagen) whose day or ISO "
                "week to show. Default: today."
            ),
        ] = None,
        from_: Annotated[
            datetime | None,
            strawberry.argument(
                name="from",
                description="An explicit window's start (inclusive, with a UTC offset); "
                "instead of `date`.",
            ),
        ] = None,
        to: Annotated[
            datetime | None,
            strawberry.argument(
                description="An explicit window's end (exclusive, with a UTC offset)."
            ),
        ] = None,
        filter: Annotated[
            AppointmentFilter | None,
            strawberry.argument(description="Narrow the list; all given filters must match."),
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> AppointmentConnection | None:
        args = page_args(first, after, last, before, default=50, maximum=MAX_PAGE)
        start, end = window_of(view, date, from_, to, info.context.state.now)
        report_failures(info, self.fetched.get(APPOINTMENTS))
        visible = self._visible(APPOINTMENTS)
        sources = info.context.services.sources
        sector_of = {s.id: s.sector.value for s in sources.appointment_sources}
        selection = selection_of(filter, view, (start, end), sector_of, self.fetched.chains)
        return AppointmentConnection(
            everything=visible,
            selected=[r for r in visible if selection.matches(r)],
            args=args,
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
        return source_states(info.context, self.source_types, self.fetched.results())

    @strawberry.field(
        description="Notices for the viewer, e.g. that some information is withheld at the "
        "patient's request (never which, how much, or by which block)."
    )
    async def notices(self) -> list[Notice]:
        # Read off the request's one decision: never decided again here.
        if self.decision.anything_withheld:
            return [Notice(code=NoticeCode.BLOCKED_BY_PATIENT, message=WITHHELD_MESSAGE)]
        return []


def admit(ctx: Context, cpr: str) -> str:
    """The rules before anything of patient ``cpr`` is read; returns her normalised number.

    Synchronous, so it runs before the operation's other fields await: the one patient of the
    operation (``RequestState.claim``), then tenancy (a refusal is recorded in her Min Log).
    ``patientOverview`` and the federation entity (``resolvers/federation.py``) both call it,
    then :func:`overview_of`.
    """
    cpr = normalise_cpr(cpr)
    ctx.state.claim(cpr)
    attempts.may_view(ctx, cpr, calendar.local_date(ctx.state.now))  # records a refused attempt
    return cpr


async def overview_of(info: Info[Context, None], cpr: str) -> PatientOverview:
    """The overview of an admitted patient (:func:`admit`): blocks and override, the
    access-log subject, then plan, fetch and decide (``pipeline``) for what ``info``'s field
    selects."""
    ctx = info.context
    state = ctx.state
    scope = await read_scope(ctx, cpr)
    state.scope = scope
    if isinstance(ctx.principal, Clinician | Relative):
        override = scope.override
        state.subject(
            cpr,
            override_id=override.id if override else None,
            override_reason=override.reason if override else None,
        )
    parts, sub_units = plan(info, scope)
    window = fetch_window(info, state.now)
    fetched = await fetch(ctx, cpr, scope, parts, sub_unit_filter=sub_units, window=window)
    decision = decide(scope, fetched)
    state.decision = decision
    return PatientOverview(
        cpr=cpr, fetched=fetched, decision=decision, source_types=source_types(ctx)
    )


async def patient_overview(info: Info[Context, None], cpr: str) -> PatientOverview:
    """Root resolver of ``patientOverview``: :func:`admit`, then :func:`overview_of`."""
    return await overview_of(info, admit(info.context, cpr))
