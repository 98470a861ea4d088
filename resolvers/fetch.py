"""The one place that fans out: per request, start every source fetch the query needs, at once.

``Fetches.start`` is called by the overview's root resolver with the data categories the query
selected; each starts one task per source, all running concurrently under the request deadline.
Fields then await only their own category; ``sources`` awaits all that were started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any

from connectors.registry import PersonResult, SourceResult, Sources
from domain.access import Category
from domain.records import AppointmentRecord, GoalRecord, PlanRecord
from resolvers.merge import merge_appointments

APPOINTMENTS, PLANS, GOALS, STAMKORT = "appointments", "plans", "goals", "stamkort"
FIELD_CATEGORY = {
    APPOINTMENTS: Category.APPOINTMENTS,
    PLANS: Category.PLANS,
    GOALS: Category.PLANS,
    STAMKORT: Category.STAMKORT,
}


class Fetches:
    """The upstream work of one overview request, for one patient."""

    def __init__(self, sources: Sources, cpr: str) -> None:
        self.sources = sources
        self.cpr = cpr
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._merged: list[AppointmentRecord] | None = None

    def start(self, wanted: Iterable[str]) -> None:
        """Start the fetches for the selected fields (``appointments``, ``plans``, ...)."""
        s, cpr = self.sources, self.cpr
        for name in wanted:
            if name in self._tasks:
                continue
            work: Awaitable[Any]
            if name == APPOINTMENTS:
                work = asyncio.gather(*(s.appointments(src, cpr) for src in s.appointment_sources))
            elif name == PLANS:
                work = asyncio.gather(*(s.plans(src, cpr) for src in s.plan_sources))
            elif name == GOALS:
                work = asyncio.gather(*(s.goals(src, cpr) for src in s.plan_sources))
            elif name == STAMKORT:
                work = s.person_with_gp(cpr)
            else:
                continue
            self._tasks[name] = asyncio.ensure_future(work)

    @property
    def started(self) -> frozenset[str]:
        return frozenset(self._tasks)

    async def appointments(self) -> list[SourceResult[AppointmentRecord]]:
        self.start([APPOINTMENTS])
        return await self._tasks[APPOINTMENTS]  # type: ignore[no-any-return]

    async def plans(self) -> list[SourceResult[PlanRecord]]:
        self.start([PLANS])
        return await self._tasks[PLANS]  # type: ignore[no-any-return]

    async def goals(self) -> list[SourceResult[GoalRecord]]:
        self.start([GOALS])
        return await self._tasks[GOALS]  # type: ignore[no-any-return]

    async def person(self) -> PersonResult:
        self.start([STAMKORT])
        return await self._tasks[STAMKORT]  # type: ignore[no-any-return]

    async def merged_appointments(self) -> list[AppointmentRecord]:
        """All sources' appointments merged (``resolvers/merge.py``), once per request."""
        if self._merged is None:
            by_id = self.sources.by_id
            results = await self.appointments()
            self._merged = merge_appointments((by_id[r.source], r.records) for r in results)
        return self._merged

    async def results(self) -> list[SourceResult[Any]]:
        """Every source result of this request so far (for the per-source status)."""
        out: list[SourceResult[Any]] = []
        for item in await asyncio.gather(*self._tasks.values()):
            if isinstance(item, PersonResult):
                out.extend(item.results)
            else:
                out.extend(item)
        return out
