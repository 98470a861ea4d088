"""A FHIR R4 ``CarePlan`` as a ``PlanRecord``: pure, strict on structure.

R4's ``CarePlan.author`` may be a Patient, Practitioner, PractitionerRole, Device, RelatedPerson,
Organization or CareTeam: only an ``Organization`` (by ``type``, a literal ``Organization/…``
reference, a contained Organization, or a SOR identifier) is the plan's organisation; any other
author is a person or team, kept by name. Activities link appointments by id.
"""

from __future__ import annotations

from typing import Any

from connectors.fhirelements import SOR_SYSTEM, contained, identifier, lifecycle, resolve
from connectors.fhirjson import (
    Json,
    concept_code,
    concept_text,
    objs,
    opt_datetime,
    opt_obj,
    opt_str,
    reference_id,
    req_str,
)
from domain.records import ActivityRecord, OrgRef, PlanRecord

PLAN_STATUSES = frozenset(
    ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")
)


def care_plan(res: Json, *, source: str, cpr: str) -> PlanRecord:
    """A ``CarePlan`` resource as a ``PlanRecord``; activities link appointments by id."""
    rid = req_str(res, "id", "CarePlan")
    where = f"CarePlan/{rid}"
    status = lifecycle(res, "CarePlan.status", PLAN_STATUSES, cpr, where)
    categories = objs(res, "category", where)
    category = concept_code(categories[0], f"{where}.category[0]") if categories else None
    author = opt_obj(res, "author", where)
    organization, author_name = _author(author, contained(res, where), f"{where}.author")
    period = opt_obj(res, "period", where)
    goals = (opt_str(g, "reference", where) or "" for g in objs(res, "goal", where))
    return PlanRecord(
        source=source,
        id=rid,
        title=opt_str(res, "title", where) or category or "Plan",
        category=category,
        status=status,
        intent=opt_str(res, "intent", where),
        period_start=opt_datetime(period, "start", f"{where}.period"),
        period_end=opt_datetime(period, "end", f"{where}.period"),
        organization=organization,
        activities=tuple(
            _activity(a, f"{where}.activity[{i}]")
            for i, a in enumerate(objs(res, "activity", where))
        ),
        goal_ids=tuple(g for g in (reference_id(r, "Goal") for r in goals) if g),
        description=opt_str(res, "description", where),
        author=author_name,
    )


def _author(
    ref: Json | None, inside: dict[Any, Json], where: str
) -> tuple[OrgRef | None, str | None]:
    """``(organisation, person)``: which one the author reference is, as R4 types it."""
    if ref is None:
        return None, None
    target, rtype = resolve(ref, inside, where)
    sor = identifier(ref, SOR_SYSTEM, where)
    if target is not None and rtype == "Organization":
        for ident in objs(target, "identifier", f"{where}.contained"):
            if ident.get("system") == SOR_SYSTEM:
                sor = sor or opt_str(ident, "value", f"{where}.contained")
    display = opt_str(ref, "display", where) or (
        opt_str(target, "name", f"{where}.contained") if target else None
    )
    # A SOR id names an organisation whatever the reference leaves out; any other typed author
    # is a person or a team, never the plan's organisation.
    if rtype == "Organization" or (rtype is None and sor is not None):
        return (OrgRef(sor, display) if sor or display else None), None
    return None, display


def _activity(activity: Json, where: str) -> ActivityRecord:
    detail = opt_obj(activity, "detail", where) or {}
    refs = objs(activity, "outcomeReference", where)
    planned = opt_obj(activity, "reference", where)
    if planned is not None:
        refs.append(planned)
    ids = (reference_id(opt_str(r, "reference", where) or "", "Appointment") for r in refs)
    period = opt_obj(detail, "scheduledPeriod", where)
    title = (
        opt_str(detail, "description", where)
        or concept_text(opt_obj(detail, "code", where), where)
        or (opt_str(planned, "display", where) if planned else None)
        or "Aktivitet"
    )
    return ActivityRecord(
        title=title,
        status=opt_str(detail, "status", where),
        scheduled_start=opt_datetime(period, "start", f"{where}.detail.scheduledPeriod"),
        scheduled_end=opt_datetime(period, "end", f"{where}.detail.scheduledPeriod"),
        appointment_ids=tuple(dict.fromkeys(i for i in ids if i)),
    )
