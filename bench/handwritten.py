"""The benchmark's hand-written leg: one overview without GraphQL, doing the gateway's work.

What a careful engineer would write without GraphQL, over the same parts: the token check, the
same tenancy check, for clinicians the blocks and override read, the one fan-out, merge and
decision of ``resolvers/pipeline.py`` (``read_scope``, ``fetch``, ``decide``), the access-log
append before anything leaves, then a dict of the fields ``bench/queries.py``'s overview asks for,
through ``json.dumps``. ``bench/handapp.py`` serves it behind the same uvicorn as the gateway;
``bench/overview.py`` checks that its JSON is the gateway's before anything is timed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from connectors.registry import PersonResult, SourceResult
from domain.access import Category
from domain.actor import Actor
from domain.decision import Decision
from domain.entered import StamkortState
from domain.errors import BlockedError
from domain.principals import Clinician, Relative
from domain.records import AppointmentRecord, GoalRecord, PlanRecord
from domain.settings import Settings
from gateway.app import new_context
from gateway.auth import TokenVerifier
from resolvers import attempts
from resolvers.calendar import local_date
from resolvers.context import Context, Services
from resolvers.guard import WITHHELD_MESSAGE
from resolvers.merge import FAR_FUTURE, encode_cursor, merge_appointments
from resolvers.pipeline import (
    APPOINTMENTS,
    GOALS,
    PATIENT,
    PLANS,
    STAMKORT,
    decide,
    fetch,
    read_scope,
)
from resolvers.sources import source_states, source_types
from resolvers.stamkort import stamkort_of
from resolvers.vocab import PlanStatus, Role
from store.auditlog import NewEntry, actor_columns

PARTS = (PATIENT, STAMKORT, APPOINTMENTS, PLANS, GOALS)
CATEGORY = {
    PATIENT: Category.STAMKORT,
    STAMKORT: Category.STAMKORT,
    APPOINTMENTS: Category.APPOINTMENTS,
    PLANS: Category.PLANS,
    GOALS: Category.PLANS,
}


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _name(value: Enum | None) -> str | None:
    """An enum as GraphQL writes it: by name."""
    return None if value is None else value.name


def _appointments(names: Mapping[str, str], records: Sequence[Any], first: int) -> dict[str, Any]:
    page = records[:first]
    return {
        "totalCount": len(records),
        "nodes": [
            {
                "id": f"{r.source}:{r.id}",
                "start": _iso(r.start),
                "end": _iso(r.end),
                "status": r.status.name,
                "title": r.title,
                "source": {"id": r.source, "name": names[r.source]},
                "organization": (
                    {"sor": r.organization.sor, "name": r.organization.name}
                    if r.organization
                    else None
                ),
            }
            for r in page
        ],
        "pageInfo": {
            "hasNextPage": len(records) > first,
            "endCursor": encode_cursor(page[-1]) if page else None,
        },
    }


def _plans(records: Sequence[Any]) -> list[dict[str, Any]]:
    ordered = sorted(records, key=lambda p: (p.period_start or FAR_FUTURE, f"{p.source}:{p.id}"))
    return [
        {
            "id": f"{p.source}:{p.id}",
            "title": p.title,
            "status": PlanStatus(p.status).name,
            "organization": {"name": p.organization.name} if p.organization else None,
            "activities": [
                {
                    "title": a.title,
                    "appointmentIds": [f"{p.source}:{i}" for i in a.appointment_ids],
                }
                for a in p.activities
            ],
        }
        for p in ordered
    ]


def _goals(records: Sequence[Any]) -> list[dict[str, Any]]:
    ordered = sorted(records, key=lambda g: (g.start or date.max, f"{g.source}:{g.id}"))
    return [
        {
            "id": f"{g.source}:{g.id}",
            "description": g.description,
            "targets": [{"detail": t.detail, "dueDate": _iso(t.due)} for t in g.targets],
        }
        for g in ordered
    ]


def _stamkort(ctx: Context, cpr: str, fetched: Any, decision: Decision) -> dict[str, Any]:
    card = stamkort_of(
        cpr,
        fetched.get(PATIENT),
        fetched.get(STAMKORT).state,
        may_see_protected=not isinstance(ctx.principal, Clinician),
        decision=decision,
    )
    relatives = card.relatives
    return {
        "name": card.name,
        "healthInsuranceGroup": card.health_insurance_group,
        "gp": {"name": card.gp.name, "phone": card.gp.phone} if card.gp else None,
        "relatives": {
            "value": relatives.value,
            "provenance": {
                "enteredByRole": _name(relatives.provenance.entered_by_role),
                "enteredAt": _iso(relatives.provenance.entered_at),
            },
        }
        if relatives
        else None,
    }


def render(
    settings: Settings,
    cpr: str,
    first: int,
    parts: Sequence[tuple[type[Any], SourceResult[Any], Sequence[Any]]],
    person: PersonResult,
    card: StamkortState,
) -> bytes:
    """The floor's overview (``bench/handapp.py``): decoded records straight to JSON, with no
    scope, decision or log; what any implementation of the same response pays at least."""
    configs = {s.id: s for s in settings.sources}
    by_kind: dict[type[Any], list[Any]] = {AppointmentRecord: [], PlanRecord: [], GoalRecord: []}
    merged_input = []
    for kind, got, records in parts:
        by_kind[kind].extend(records)
        if kind is AppointmentRecord:
            merged_input.append((configs[got.source], records))
    merged = merge_appointments(merged_input)
    names = {s.id: s.name for s in settings.sources}
    found, practice = person.person, person.practice
    relatives = card.values.get("relatives")
    doc = {
        "patient": {"cpr": cpr, "name": found.name if found else None},
        "stamkort": {
            "name": found.name if found else None,
            "healthInsuranceGroup": found.insurance_group if found else None,
            "gp": {"name": practice.name, "phone": practice.phone} if practice else None,
            "relatives": {
                "value": relatives.value,
                "provenance": {
                    "enteredByRole": Role(relatives.provenance.role).name,
                    "enteredAt": _iso(relatives.entered_at),
                },
            }
            if relatives
            else None,
        },
        "appointments": _appointments(names, merged, first),
        "plans": _plans(by_kind[PlanRecord]),
        "goals": _goals(by_kind[GoalRecord]),
        "sources": [
            {
                "id": got.source,
                "name": names[got.source],
                "status": got.status.name,
                "fetchedAt": _iso(got.fetched_at),
            }
            for got in {got.source: got for _, got, _ in parts}.values()
        ],
        "notices": [],
    }
    return json.dumps({"data": {"patientOverview": doc}}, separators=(",", ":")).encode()


def _error(path: list[str]) -> dict[str, Any]:
    return {
        "message": WITHHELD_MESSAGE,
        "path": path,
        "extensions": BlockedError(WITHHELD_MESSAGE).extensions,
    }


async def overview(
    services: Services, verifier: TokenVerifier, token: str, cpr: str, first: int
) -> bytes:
    """One overview: verify, tenancy, scope, fan out, decide, log, project, serialise."""
    principal = await verifier.verify(token)
    ctx = new_context(principal, services, None)
    now = ctx.state.now
    attempts.may_view(ctx, cpr, local_date(now))
    scope = await read_scope(ctx, cpr)
    fetched = await fetch(ctx, cpr, scope, PARTS)
    decision = decide(scope, fetched)
    ctx.state.scope, ctx.state.decision = scope, decision

    names = {s.id: s.name for s in services.settings.sources}
    builders: dict[str, Any] = {
        PATIENT: lambda: {"cpr": cpr, "name": fetched.get(PATIENT).person.name},
        STAMKORT: lambda: _stamkort(ctx, cpr, fetched, decision),
        APPOINTMENTS: lambda: _appointments(names, decision.verdicts[APPOINTMENTS].visible, first),
        PLANS: lambda: _plans(decision.verdicts[PLANS].visible),
        GOALS: lambda: _goals(decision.verdicts[GOALS].visible),
    }
    doc: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    shown: set[Category] = set()
    for part in PARTS:
        verdict = decision.verdicts.get(part)
        field = "patient" if part == PATIENT else part
        if decision.denied(CATEGORY[part]) or (verdict is not None and verdict.failed):
            doc[field] = None
            errors.append(_error(["patientOverview", field]))
            continue
        if verdict is not None and verdict.withheld:
            errors.append(_error(["patientOverview", field]))
        shown.add(CATEGORY[part])
        doc[field] = builders[part]()
    types = source_types(ctx)
    doc["sources"] = [
        {"id": s.id, "name": s.name, "status": s.status.name, "fetchedAt": _iso(s.fetched_at)}
        for s in source_states(ctx, types, fetched.results())
    ]
    doc["notices"] = (
        [{"code": BlockedError.code, "message": WITHHELD_MESSAGE}]
        if decision.anything_withheld
        else []
    )
    if isinstance(principal, Clinician | Relative):
        actor = Actor.of(principal).toward(cpr)
        await services.access_log.append(
            NewEntry(
                at=now,
                patient_cpr=cpr,
                **actor_columns(actor),
                action="view",
                categories=tuple(sorted(c.value for c in shown)),
                override_id=scope.override.id if scope.override else None,
                override_reason=scope.override.reason if scope.override else None,
                request_id=ctx.state.request_id,
            )
        )
    body: dict[str, Any] = {"data": {"patientOverview": doc}}
    if errors:
        body = {"errors": errors, **body}
    return json.dumps(body, separators=(",", ":")).encode()
