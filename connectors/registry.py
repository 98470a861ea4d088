"""Sources as configuration: builds each configured source's connector and serves their records
through the shared cache, folding every upstream failure into a per-source result.

Nothing here raises for an upstream problem: a ``SourceResult`` says how the source answered
(``OK``, ``STALE``, ``TIMEOUT``, …), so one failing source never fails the overview. It also
carries the documents the source's answer refused (``connectors/answer.py``): an ``OK`` source
may have left some out, and says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import aiohttp

from connectors.answer import Answer, Refusal
from connectors.apd import ApdConnector
from connectors.cache import Cached, RecordCache
from connectors.cpr import CprConnector
from connectors.fhir import FhirConnector
from connectors.http import Upstream
from connectors.protocols import AppointmentSource, ConnectorTable, PlanSource
from connectors.stamdata import StamdataConnector
from domain.clock import SYSTEM_CLOCK, Clock
from domain.errors import SourceStatus, UpstreamBadResponse, UpstreamError, UpstreamNotConsented
from domain.records import (
    AppointmentRecord,
    GoalRecord,
    GpPractice,
    OrgRef,
    OrgUnit,
    PersonRecord,
    PlanRecord,
    owned,
)
from domain.settings import RegisterConfig, Settings, SourceConfig

log = logging.getLogger(__name__)
RESULTS_KEPT = 512  # as many as the cache keeps decoded values
R = TypeVar("R")
P = TypeVar("P", PlanRecord, GoalRecord)


@dataclass(frozen=True, slots=True)
class SourceResult(Generic[R]):
    """What one source contributed to one request.

    ``refused``: the documents its answer held that broke their format's rules (not in
    ``records``, not shown); the source's other records stand.
    """

    source: str
    status: SourceStatus
    records: tuple[R, ...]
    fetched_at: datetime | None
    error: UpstreamError | None = None
    refused: tuple[Refusal, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonResult:
    """The CPR person and their GP practice, with how the registers answered."""

    person: PersonRecord | None
    practice: GpPractice | None
    results: tuple[SourceResult[Any], ...]


def _owned_by(result: SourceResult[P], source: SourceConfig) -> SourceResult[P]:
    # After the cache, like every input of an access decision.
    records = owned(list(result.records), OrgRef(source.sor, source.name))
    return replace(result, records=tuple(records))


# Which connector reads what: the one table from configuration to connector. A source's
# ``appointments.protocol`` / ``plans.protocol`` must name one of its rows (gateway/config.py).
CONNECTORS = ConnectorTable(
    appointments={
        "fhir": lambda up, url, s, clock: FhirConnector(up, url, s),
        "apd": lambda up, url, s, clock: ApdConnector(up, url, s, clock=clock.now),
    },
    plans={"fhir": lambda up, url, s, clock: FhirConnector(up, url, s)},
    cpr=CprConnector,
    stamdata=StamdataConnector,
)


def _appointments_key(
    s: SourceConfig, cpr: str, start: datetime | None, end: datetime | None
) -> str:
    if start is None and end is None:
        return f"appointments:{s.id}:{cpr}:all"
    # UTC, so one instant is one key whatever offset it was written with.
    period = ":".join("-" if t is None else t.astimezone(UTC).isoformat() for t in (start, end))
    return f"appointments:{s.id}:{cpr}:{period}"


class _NotConsented(Exception):
    """Carries a consent refusal past the cache: it must never be answered with stale data."""

    def __init__(self, error: UpstreamNotConsented) -> None:
        self.error = error


class Sources:
    """Every configured source, its connector and the cache in front of it.

    ``connectors`` makes the connectors (``CONNECTORS`` unless a test brings its own).
    """

    def __init__(
        self,
        settings: Settings,
        session: aiohttp.ClientSession,
        cache: RecordCache,
        clock: Clock = SYSTEM_CLOCK,
        connectors: ConnectorTable = CONNECTORS,
    ):
        self.settings = settings
        self.cache = cache
        self.stale_s = settings.resilience.stale_if_error_s
        cap = settings.limits.max_response_bytes

        def upstream(name: str, timeout_s: float) -> Upstream:
            self.upstreams[name] = Upstream.configured(
                session, name, timeout_s=timeout_s, resilience=settings.resilience, max_bytes=cap
            )
            return self.upstreams[name]

        self.upstreams: dict[str, Upstream] = {}  # one per source: its breaker and retry budget
        # The last result per cache key, with the stored value it was built from.
        self._results: OrderedDict[str, tuple[object, SourceResult[Any]]] = OrderedDict()

        self.by_id = {s.id: s for s in settings.sources}
        self.appointment_sources = tuple(s for s in settings.sources if s.appointments)
        self.plan_sources = tuple(s for s in settings.sources if s.plans)
        self._appointments: dict[str, AppointmentSource] = {}
        self._plans: dict[str, PlanSource] = {}
        for s in settings.sources:
            up = upstream(s.id, s.timeout_s)
            if s.appointments:
                make = connectors.appointments[s.appointments.protocol]
                self._appointments[s.id] = make(up, s.appointments.url, s, clock)
            if s.plans:
                self._plans[s.id] = connectors.plans[s.plans.protocol](up, s.plans.url, s, clock)
        self.cpr_config: RegisterConfig = settings.cpr
        self.stamdata_config: RegisterConfig = settings.stamdata
        self.cpr = connectors.cpr(upstream("cpr", settings.cpr.timeout_s), settings.cpr.url)
        self.stamdata = connectors.stamdata(
            upstream("stamdata", settings.stamdata.timeout_s), settings.stamdata.url
        )

    async def _cached(
        self,
        source: str,
        key: str,
        record_type: type[R],
        ttl_s: float,
        load: Callable[[], Awaitable[list[R] | Answer[R]]],
    ) -> SourceResult[R]:
        async def guarded_load() -> list[R] | Answer[R]:
            try:
                return await load()
            except UpstreamNotConsented as exc:
                raise _NotConsented(exc) from exc

        try:
            got = await self.cache.fetch(key, record_type, ttl_s, self.stale_s, guarded_load)
        except _NotConsented as exc:
            return SourceResult(source, exc.error.status, (), None, exc.error)
        except UpstreamError as exc:
            log.warning("source %s failed: %s %s", source, exc.code, exc.detail)
            return SourceResult(source, exc.status, (), None, exc)
        except Exception:
            # A connector bug for one source must not fail the others; it is logged in full.
            log.exception("source %s: unexpected failure", source)
            err = UpstreamBadResponse(source, detail="unexpected connector failure")
            return SourceResult(source, err.status, (), None, err)
        if got.stale:
            if got.error is not None:
                log.warning("source %s failed, serving stale: %s", source, got.error.detail)
            return SourceResult(
                source,
                SourceStatus.STALE,
                tuple(got.records),
                got.fetched_at,
                got.error,
                got.refused,
            )
        return self._fresh_result(source, key, got)

    def _fresh_result(self, source: str, key: str, got: Cached[R]) -> SourceResult[R]:
        if got.origin is not None:
            # A hit on a value this process holds: the result built from it last time, the
            # same object, so what callers derive from it (the merged appointments) keeps too.
            kept = self._results.get(key)
            if kept is not None and kept[0] is got.origin and kept[1].source == source:
                self._results.move_to_end(key)
                return kept[1]
        result = SourceResult(
            source, SourceStatus.OK, tuple(got.records), got.fetched_at, None, got.refused
        )
        if got.origin is not None:
            self._results[key] = (got.origin, result)
            self._results.move_to_end(key)
            while len(self._results) > RESULTS_KEPT:
                self._results.popitem(last=False)
        return result

    def held_appointments(
        self, s: SourceConfig, cpr: str, start: datetime | None = None, end: datetime | None = None
    ) -> SourceResult[AppointmentRecord] | None:
        """What ``appointments`` answers when this process holds a fresh value for it, without
        awaiting anything (so the caller needs no task for it); else None."""
        key = _appointments_key(s, cpr, start, end)
        got = self.cache.held(key, AppointmentRecord, s.cache_ttl_s)
        return None if got is None else self._fresh_result(s.id, key, got)

    async def appointments(
        self, s: SourceConfig, cpr: str, start: datetime | None = None, end: datetime | None = None
    ) -> SourceResult[AppointmentRecord]:
        """The source's appointments starting in ``[start, end)`` (``None``: open), cached per
        period: the key names it, so a day view and the whole list never share an entry."""
        conn = self._appointments[s.id]
        return await self._cached(
            s.id,
            _appointments_key(s, cpr, start, end),
            AppointmentRecord,
            s.cache_ttl_s,
            lambda: conn.search_appointments(cpr, start, end),
        )

    async def plans(self, s: SourceConfig, cpr: str) -> SourceResult[PlanRecord]:
        """The source's care plans, each owned by an organisation (the source's when unnamed)."""
        conn = self._plans[s.id]
        got = await self._cached(
            s.id, f"plans:{s.id}:{cpr}", PlanRecord, s.cache_ttl_s, lambda: conn.search_plans(cpr)
        )
        return _owned_by(got, s)

    async def goals(self, s: SourceConfig, cpr: str) -> SourceResult[GoalRecord]:
        """The source's goals, each owned by an organisation (the source's when unnamed)."""
        conn = self._plans[s.id]
        got = await self._cached(
            s.id, f"goals:{s.id}:{cpr}", GoalRecord, s.cache_ttl_s, lambda: conn.search_goals(cpr)
        )
        return _owned_by(got, s)

    async def person(self, cpr: str) -> SourceResult[PersonRecord]:
        async def load() -> list[PersonRecord]:
            found = await self.cpr.person(cpr)
            return [] if found is None else [found]

        return await self._cached(
            "cpr", f"cpr:{cpr}", PersonRecord, self.cpr_config.cache_ttl_s, load
        )

    async def practice(self, ydernummer: str) -> SourceResult[GpPractice]:
        async def load() -> list[GpPractice]:
            found = await self.stamdata.practice(ydernummer)
            return [] if found is None else [found]

        return await self._cached(
            "stamdata", f"yder:{ydernummer}", GpPractice, self.stamdata_config.cache_ttl_s, load
        )

    async def person_with_gp(self, cpr: str) -> PersonResult:
        """The person from CPR, then their GP practice from Yderregisteret."""
        person = await self.person(cpr)
        found = person.records[0] if person.records else None
        if found is None or not found.gp_ydernummer:
            return PersonResult(found, None, (person,))
        practice = await self.practice(found.gp_ydernummer)
        gp = practice.records[0] if practice.records else None
        return PersonResult(found, gp, (person, practice))

    async def search_units(self, text: str, limit: int) -> list[OrgUnit]:
        """SOR units by name (or SOR id); ``UpstreamError`` when stamdata cannot answer."""
        return await self.stamdata.search(text, limit)

    async def org_exists(self, sor: str) -> bool | None:
        """Whether SOR knows ``sor`` (None when stamdata cannot tell right now)."""
        try:
            return await self.stamdata.org(sor) is not None
        except UpstreamError:
            return None

    async def ancestors(self, sor: str) -> tuple[str, ...] | None:
        """The SOR units above ``sor``, nearest first; None when stamdata cannot tell now."""
        got = await self._cached(
            "stamdata",
            f"sor-ancestors:{sor}",
            OrgRef,
            self.stamdata_config.cache_ttl_s,
            lambda: self._ancestor_refs(sor),
        )
        if not got.status.answered:
            return None
        return tuple(r.sor for r in got.records if r.sor)

    async def _ancestor_refs(self, sor: str) -> list[OrgRef]:
        return [OrgRef(a) for a in await self.stamdata.ancestors(sor)]

    async def ancestors_of(self, sors: Iterable[str]) -> dict[str, tuple[str, ...] | None]:
        """``ancestors`` for several units at once."""
        wanted = sorted(set(sors))
        chains = await asyncio.gather(*(self.ancestors(s) for s in wanted))
        return dict(zip(wanted, chains, strict=True))
