"""The benchmark's hand-written leg: one overview without GraphQL, built from the same sources.

The same token check, the running gateway's own ``Sources`` fetched with ``asyncio.gather``,
``merge_appointments``, and a dict of the fields ``bench/overview.py``'s query asks for, through
``json.dumps``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from connectors.registry import PersonResult, SourceResult
from domain.access import may_view
from domain.entered import StamkortState
from domain.records import AppointmentRecord, GoalRecord, PlanRecord
from domain.settings import Settings
from gateway.auth import TokenVerifier
from resolvers.calendar import local_date
from resolvers.context import Services
from resolvers.merge import FAR_FUTURE, encode_cursor, merge_appointments
from resolvers.overview import REGISTERS


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _statuses(
    settings: Settings, results: Sequence[SourceResult[Any]], person: PersonResult
) -> list[dict[str, Any]]:
    worst: dict[str, SourceResult[Any]] = {}
    for r in results:
        seen = worst.get(r.source)
        if seen is None or seen.status == "OK":
            worst[r.source] = r
    for sub in person.results:
        worst.setdefault(sub.source, sub)
    names = [(s.id, s.name) for s in settings.sources] + list(REGISTERS)
    out = []
    for sid, name in names:
        got = worst.get(sid)
        out.append(
            {
                "id": sid,
                "name": name,
                "status": got.status if got else "NOT_REQUESTED",
                "fetchedAt": _iso(got.fetched_at) if got else None,
            }
        )
    return out


def overview_document(
    settings: Settings,
    cpr: str,
    first: int,
    appointments: Sequence[SourceResult[AppointmentRecord]],
    plans: Sequence[SourceResult[PlanRecord]],
    goals: Sequence[SourceResult[GoalRecord]],
    person: PersonResult,
    stamkort: StamkortState,
) -> dict[str, Any]:
    """The overview as the GraphQL query above shapes it, built directly from the records."""
    names = {s.id: s.name for s in settings.sources}
    configs = {s.id: s for s in settings.sources}
    merged = merge_appointments((configs[r.source], r.records) for r in appointments)
    page = merged[:first]
    nodes = [
        {
            "id": f"{r.source}:{r.id}",
            "start": _iso(r.start),
            "end": _iso(r.end),
            "status": r.status.name,
            "title": r.title,
            "source": {"id": r.source, "name": names[r.source]},
            "organization": (
                {"sor": r.organization.sor, "name": r.organization.name} if r.organization else None
            ),
        }
        for r in page
    ]
    plan_records = sorted(
        (p for res in plans for p in res.records),
        key=lambda p: (p.period_start or FAR_FUTURE, f"{p.source}:{p.id}"),
    )
    goal_records = sorted(
        (g for res in goals for g in res.records),
        key=lambda g: (g.start or date.max, f"{g.source}:{g.id}"),
    )
    found, practice = person.person, person.practice
    relatives = stamkort.values.get("relatives")
    return {
        "patient": {"cpr": cpr, "name": found.name if found else None},
        "stamkort": {
            "name": found.name if found else None,
            "healthInsuranceGroup": found.insurance_group if found else None,
            "gp": {"name": practice.name, "phone": practice.phone} if practice else None,
            "relatives": {
                "value": relatives.value,
                "provenance": {
                    "enteredByRole": relatives.provenance.role,
                    "enteredAt": _iso(relatives.entered_at),
                },
            }
            if relatives
            else None,
        },
        "appointments": {
            "totalCount": len(merged),
            "nodes": nodes,
            "pageInfo": {
                "hasNextPage": len(merged) > first,
                "endCursor": encode_cursor(page[-1]) if page else None,
            },
        },
        "plans": [
            {
                "id": f"{p.source}:{p.id}",
                "title": p.title,
                "status": p.status,
                "organization": {"name": p.organization.name} if p.organization else None,
                "activities": [
                    {
                        "title": a.title,
                        "appointmentIds": [f"{p.source}:{i}" for i in a.appointment_ids],
                    }
                    for a in p.activities
                ],
            }
            for p in plan_records
        ],
        "goals": [
            {
                "id": f"{g.source}:{g.id}",
                "description": g.description,
                "targets": [{"detail": t.detail, "dueDate": _iso(t.due)} for t in g.targets],
            }
            for g in goal_records
        ],
        "sources": _statuses(settings, [*appointments, *plans, *goals], person),
    }


async def handwritten(
    services: Services, verifier: TokenVerifier, token: str, cpr: str, first: int
) -> bytes:
    """One overview without GraphQL: verify, fan out, merge, serialise."""
    principal = await verifier.verify(token)
    may_view(principal, cpr, local_date(datetime.now(UTC)))
    sources = services.sources
    appointments, plans, goals, person, stamkort = await asyncio.gather(
        asyncio.gather(*(sources.appointments(s, cpr) for s in sources.appointment_sources)),
        asyncio.gather(*(sources.plans(s, cpr) for s in sources.plan_sources)),
        asyncio.gather(*(sources.goals(s, cpr) for s in sources.plan_sources)),
        sources.person_with_gp(cpr),
        services.stamkort.stamkort(cpr),
    )
    doc = overview_document(
        services.settings, cpr, first, appointments, plans, goals, person, stamkort
    )
    return json.dumps({"data": {"patientOverview": doc}}, separators=(",", ":")).encode()
