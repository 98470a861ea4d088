"""One overview, one pipeline: tenancy → plan → fetch → decide → shape.

``patientOverview``'s root resolver (``resolvers/overview.py``) runs the first four stages here;
the fields of ``PatientOverview`` shape what is visible. The calendar feed route runs the same
stages for its one part.

- **plan**: the parts the query selected (``resolvers/selection.py``), less the categories a
  block denies the viewer outright (nothing of those is fetched).
- **fetch**: the one fan-out. Every selected part's loader (a row of ``FETCHERS``) runs at once,
  the appointments' for the period the query's ``appointments`` fields need (``_narrowed``);
  then, in one more round, the SOR chains that active sub-unit blocks and sub-unit filters need,
  and CPR's address protection when a clinician would see a home visit's address. All of it runs
  under the request's fetch budget.
- **decide**: ``domain/decision.py`` over the fetched plain records, once per part.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from connectors.registry import PersonResult, SourceResult, Sources
from domain.access import Category, Scope
from domain.deadline import deadline_scope
from domain.decision import Dated, Decision, Verdict, decide_part, needed_sors
from domain.entered import StamkortState, StamkortValue
from domain.errors import StoreUnavailableError
from domain.principals import Citizen, Clinician, Relative
from domain.records import AppointmentRecord
from domain.settings import Limits
from resolvers.context import Context
from resolvers.merge import merge_appointments

Window = tuple[datetime | None, datetime | None]  # half-open; None: open on that side
UNBOUNDED: Window = (None, None)

log = logging.getLogger(__name__)
APPOINTMENTS, PLANS, GOALS, STAMKORT = "appointments", "plans", "goals", "stamkort"
PATIENT = "patient"  # CPR's person and their GP: the identity, and the stamkort's register data
EDITS = "stamkort:edits"


@dataclass(frozen=True, slots=True)
class StamkortData:
    """The stamkort's self-entered values (with every edit when a block may hide some of them
    from this viewer); its CPR and Yderregisteret data are the ``PATIENT`` part."""

    state: StamkortState
    entries: tuple[StamkortValue, ...] | None


@dataclass(frozen=True, slots=True)
class Fetcher:
    """A row of the fetch table: how a part is loaded, and which of its records are decided."""

    category: Category
    # ``Window``: the period of appointments the query's fields need (only appointments read it)
    load: Callable[[Context, str, Scope, Window], Awaitable[Any]]
    records: Callable[[Any], dict[str, Sequence[Dated]]]


async def _appointments(
    ctx: Context, cpr: str, scope: Scope, window: Window
) -> list[SourceResult[Any]]:
    s = ctx.services.sources
    start, end = window
    # Values this process holds answer at once; only the others cost a task each.
    held = [s.held_appointments(src, cpr, start, end) for src in s.appointment_sources]
    missing = [src for src, got in zip(s.appointment_sources, held, strict=True) if got is None]
    if not missing:
        return cast(list[SourceResult[Any]], held)
    loaded = iter(await asyncio.gather(*(s.appointments(src, cpr, start, end) for src in missing)))
    return [got if got is not None else next(loaded) for got in held]


async def _plans(ctx: Context, cpr: str, scope: Scope, window: Window) -> list[SourceResult[Any]]:
    s = ctx.services.sources
    return list(await asyncio.gather(*(s.plans(src, cpr) for src in s.plan_sources)))


async def _goals(ctx: Context, cpr: str, scope: Scope, window: Window) -> list[SourceResult[Any]]:
    s = ctx.services.sources
    return list(await asyncio.gather(*(s.goals(src, cpr) for src in s.plan_sources)))


async def _person(ctx: Context, cpr: str, scope: Scope, window: Window) -> PersonResult:
    return await ctx.services.sources.person_with_gp(cpr)


async def _stamkort(ctx: Context, cpr: str, scope: Scope, window: Window) -> StamkortData:
    store = ctx.services.stamkort
    state = await store.stamkort(cpr)
    entries = None
    if scope.may_hide_stamkort_edits:
        entries = tuple(await store.stamkort_entries(cpr))
    return StamkortData(state, entries)


def _records(results: list[SourceResult[Any]]) -> dict[str, Sequence[Dated]]:
    return {"": [r for res in results for r in res.records]}


def _stamkort_records(data: StamkortData) -> dict[str, Sequence[Dated]]:
    out: dict[str, Sequence[Dated]] = {STAMKORT: list(data.state.values.values())}
    if data.entries is not None:
        out[EDITS] = data.entries
    return out


# The fetch table. A new guarded category is a record type, a row here, its field in SHOWS
# (resolvers/selection.py) and the field.
FETCHERS: dict[str, Fetcher] = {
    APPOINTMENTS: Fetcher(Category.APPOINTMENTS, _appointments, lambda _: {}),
    PLANS: Fetcher(Category.PLANS, _plans, _records),
    GOALS: Fetcher(Category.PLANS, _goals, _records),
    STAMKORT: Fetcher(Category.STAMKORT, _stamkort, _stamkort_records),
    PATIENT: Fetcher(Category.STAMKORT, _person, lambda _: {}),  # no record of a place
}


@dataclass(slots=True)
class Fetched:
    """Everything one overview request fetched, before any decision."""

    parts: dict[str, Any] = field(default_factory=dict)
    failures: dict[str, BaseException] = field(default_factory=dict)
    merged: list[AppointmentRecord] = field(default_factory=list)
    chains: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    hide_home_address: bool = False

    def get(self, part: str) -> Any:
        """A part's data; a part whose loader failed (the gateway's own database) raises here,
        on the field that shows it, and fails only that field."""
        if part in self.failures:
            raise self.failures[part]
        return self.parts[part]

    def results(self) -> list[SourceResult[Any]]:
        """Every source result of this request (for the per-source status)."""
        out: list[SourceResult[Any]] = []
        for part, data in self.parts.items():
            if part == PATIENT:
                out.extend(data.results)
            elif part != STAMKORT:  # the gateway's own data: no source answered for it
                out.extend(data)
        return out


async def read_scope(ctx: Context, cpr: str) -> Scope:
    """Tenancy was checked; for clinicians, the patient's active blocks and their override."""
    principal = ctx.principal
    now = ctx.state.now
    if isinstance(principal, Citizen | Relative):
        return Scope(principal, (), None, now)
    services = ctx.services
    try:
        blocks, override = await asyncio.gather(
            services.blocks.active_blocks(cpr, now),
            services.overrides.active_override(cpr, principal.authorisation_id, now),
        )
    except StoreUnavailableError as exc:  # the store's database failed or timed out
        log.error("cannot read blocks for a patient: %s", exc.__cause__)
        raise StoreUnavailableError(
            "The patient's privacy settings cannot be read right now; no data was returned."
        ) from exc
    return Scope(principal, tuple(blocks), override, now)


def fetch_budget(limits: Limits) -> float:
    """How long the sources may take: the request's deadline less a reserve for the access-log
    entry (a database call's time, at most a quarter of the deadline), so that a slow source
    never leaves the entry, and so the data, without time."""
    reserve = min(limits.database_timeout_s, limits.request_deadline_s / 4)
    return limits.request_deadline_s - reserve


async def fetch(
    ctx: Context,
    cpr: str,
    scope: Scope,
    parts: Iterable[str],
    *,
    sub_unit_filter: bool = False,
    window: Window = UNBOUNDED,
) -> Fetched:
    """The one fan-out, under the fetch budget (see the module's docstring). ``window``: the
    period of appointments the query's fields need (``resolvers/window.py`` ``fetch_window``);
    unbounded by default, as the calendar feed needs."""
    with deadline_scope(fetch_budget(ctx.services.settings.limits)):
        return await _fetch(ctx, cpr, scope, list(parts), sub_unit_filter, _narrowed(scope, window))


def _narrowed(scope: Scope, window: Window) -> Window:
    """The period to fetch. A decision over only a window's appointments would flag withheld
    records in that window alone, and probing windows would tell *when* something is hidden: so
    while a block may withhold anything from this viewer, every appointment is fetched and
    decided, as for the list view, and only the field narrows what it shows."""
    if scope.unrestricted or not scope.has_blocks:
        return window
    return UNBOUNDED


async def _fetch(
    ctx: Context, cpr: str, scope: Scope, parts: list[str], sub_unit_filter: bool, window: Window
) -> Fetched:
    sources = ctx.services.sources
    fetched = Fetched()
    loaded = await asyncio.gather(
        *(FETCHERS[p].load(ctx, cpr, scope, window) for p in parts), return_exceptions=True
    )
    for part, got in zip(parts, loaded, strict=True):
        if isinstance(got, StoreUnavailableError):
            fetched.failures[part] = got
        elif isinstance(got, BaseException):
            raise got
        else:
            fetched.parts[part] = got
    if APPOINTMENTS in fetched.parts:
        fetched.merged = _merged(sources, fetched.parts[APPOINTMENTS])
    sors = needed_sors(scope, (r.origin for r in _decided_records(fetched)))
    if sub_unit_filter:
        sors |= {
            sor
            for r in fetched.merged
            for sor in (r.organization and r.organization.sor, r.place and r.place.sor)
            if sor
        }
    chains, hide = await asyncio.gather(
        sources.ancestors_of(sors), _hides_home_address(ctx, sources, cpr, fetched.merged)
    )
    fetched.chains, fetched.hide_home_address = chains, hide
    return fetched


# The merged appointments by the identity of what they were merged from: the sources' results
# (the same objects while their cached values stay fresh, see ``Sources._cached``) and their
# configuration. The key's objects are held by the entry, so no id is reused while it lives.
_MERGED: OrderedDict[tuple[int, ...], tuple[tuple[object, ...], tuple[AppointmentRecord, ...]]] = (
    OrderedDict()
)
MERGED_KEPT = 64  # a few per patient being looked at


def _merged(sources: Sources, results: Sequence[SourceResult[Any]]) -> list[AppointmentRecord]:
    """The patient's appointments from every source, merged once per set of answers: a warm
    repeat of a request is handed the list merged before, not 2,080 records merged again."""
    inputs = tuple(x for r in results for x in (sources.by_id[r.source], r))
    key = tuple(map(id, inputs))
    kept = _MERGED.get(key)
    if kept is not None:
        _MERGED.move_to_end(key)
        return list(kept[1])
    merged = merge_appointments((sources.by_id[r.source], r.records) for r in results)
    _MERGED[key] = (inputs, tuple(merged))
    while len(_MERGED) > MERGED_KEPT:
        _MERGED.popitem(last=False)
    return merged


def _decided_records(fetched: Fetched) -> Iterable[Dated]:
    yield from fetched.merged
    for part, data in fetched.parts.items():
        for records in FETCHERS[part].records(data).values():
            yield from records


async def _hides_home_address(
    ctx: Context, sources: Sources, cpr: str, records: Sequence[AppointmentRecord]
) -> bool:
    """Whether home visits' addresses stay out: for clinicians, when the patient has name and
    address protection (as on the stamkort), or when CPR cannot tell (fail closed). CPR is
    asked only when some home visit carries an address."""
    if not isinstance(ctx.principal, Clinician):
        return False
    if not any(r.place and r.place.is_home and r.place.address for r in records):
        return False
    found = await sources.person(cpr)
    if not found.status.answered:
        return True
    return any(p.protected for p in found.records)


def decide(scope: Scope, fetched: Fetched) -> Decision:
    """The one decision of this request, over every fetched part."""
    decision = Decision(scope)
    chains = fetched.chains
    if APPOINTMENTS in fetched.parts:
        decision.verdicts[APPOINTMENTS] = decide_part(
            scope, Category.APPOINTMENTS, fetched.merged, chains
        )
    for part, data in fetched.parts.items():
        fetcher = FETCHERS[part]
        for sub, records in fetcher.records(data).items():
            decision.verdicts[sub or part] = decide_part(scope, fetcher.category, records, chains)
    edits = decision.verdicts.get(EDITS)
    if edits is not None:
        _history_verdicts(decision, fetched.get(STAMKORT).entries, edits)
    return decision


async def decide_stamkort(
    ctx: Context, scope: Scope, state: StamkortState, entries: Sequence[StamkortValue] | None
) -> Decision:
    """The stamkort part alone, as the overview decides it (for an edit's result)."""
    kept = None if entries is None else tuple(entries)
    data = StamkortData(state, kept)
    fetched = Fetched(parts={STAMKORT: data})
    sors = needed_sors(scope, (r.origin for r in _decided_records(fetched)))
    fetched.chains = await ctx.services.sources.ancestors_of(sors)
    return decide(scope, fetched)


def visible_edits(decision: Decision) -> tuple[StamkortValue, ...] | None:
    """The stamkort edits the viewer may see, when a block may hide some (else None)."""
    edits = decision.verdicts.get(EDITS)
    return None if edits is None else cast(tuple[StamkortValue, ...], edits.visible)


def _history_verdicts(
    decision: Decision, entries: Sequence[StamkortValue], edits: Verdict[Dated]
) -> None:
    """Each stamkort field's history, read off the decision over all edits (not decided again)."""
    shown = {id(v) for v in edits.visible}
    for name in {v.field for v in entries}:
        values = [v for v in entries if v.field == name]
        visible = tuple(v for v in values if id(v) in shown)
        decision.verdicts[f"history:{name}"] = Verdict(
            visible, len(visible) != len(values), failed=edits.failed
        )
