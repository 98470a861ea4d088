"""FHIR R4 JSON to records: pure functions, strict on structure, tolerant of real-world variation.

The typed helpers are in ``connectors/fhirjson.py``. Two outcomes besides a record:

* ``FhirFormatError``: the document as a whole is unacceptable (``entry`` not a list, a resource
  without ``resourceType``, an Appointment without ``status``, a ``start`` that is no dateTime,
  another patient's data). The connector reports it as ``UpstreamBadResponse``: a source that
  breaks FHIR's structure cannot be trusted for the rest of that answer.
* ``SkipRecord``: one well-formed resource carries a value outside R4's set (an unknown status).
  The connector refuses it on its own (logged, and counted in the source's status); the rest of
  the answer stands.
* ``Retracted``: a ``CarePlan`` or ``Goal`` with status ``entered-in-error``. R4: it should never
  have existed, so it is not shown at all (nor counted). Appointments keep that status (the
  views hide it), as before.

As R4 says:

* ``CarePlan.author`` may be a Patient, Practitioner, PractitionerRole, Device, RelatedPerson,
  Organization or CareTeam. Only an ``Organization`` (by ``type``, a literal ``Organization/…``
  reference, a contained Organization, or a SOR identifier) is the plan's organisation; any other
  author is a person or team, kept by name in ``PlanRecord.author``.
* ``Goal.target.detail[x]`` is one of Quantity, Range, CodeableConcept, string, boolean, integer
  or Ratio; each is read and written out in ``GoalTarget.detail`` (``< 53 mmol/mol``, ``4-7
  mmol/L`` with an en dash, ``≥ 150 min``); quantities and range ends are also kept as they are
  (``quantity``, ``low``, ``high``).

Tolerated: a missing ``end`` or ``start``, offsets ``Z``/``±hh:mm``, fractional seconds, bare or
partial dates (read as Copenhagen local midnight), OperationOutcome and ``include`` entries in a
searchset, literal references absolute or relative, and ``expressedBy`` for a Goal's organisation.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from connectors.fhirjson import (
    FhirFormatError,
    Json,
    Retracted,
    SkipRecord,
    concept_code,
    concept_text,
    first_concept,
    obj,
    objs,
    opt_datetime,
    opt_list,
    opt_obj,
    opt_str,
    parse_date,
    ref_type,
    reference_id,
    req_str,
)
from domain.records import (
    ActivityRecord,
    Address,
    AppointmentRecord,
    AppointmentStatus,
    GoalRecord,
    GoalTarget,
    OrgRef,
    Place,
    PlanRecord,
    Quantity,
)

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
# The owning organisation of an Appointment or Goal (a FUT eHealth extension; R4 has no element).
RESPONSIBLE_ORG = (
    "http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-responsible-organization"
)
MUNICIPALITY_EXT = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
PLAN_STATUSES = frozenset(
    ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")
)
GOAL_STATUSES = frozenset(
    (
        "proposed",
        "planned",
        "accepted",
        "active",
        "on-hold",
        "completed",
        "cancelled",
        "entered-in-error",
        "rejected",
    )
)


# --- shared elements ---


def _identifier(ref: Json, system: str, where: str) -> str | None:
    ident = opt_obj(ref, "identifier", where)
    if ident is not None and opt_str(ident, "system", where) == system:
        return opt_str(ident, "value", f"{where}.identifier")
    return None


def _org(ref: Json, where: str) -> OrgRef | None:
    sor = _identifier(ref, SOR_SYSTEM, where)
    name = opt_str(ref, "display", where)
    return OrgRef(sor, name) if sor or name else None


def _responsible(res: Json, where: str) -> OrgRef | None:
    for i, ext in enumerate(objs(res, "extension", where)):
        if ext.get("url") == RESPONSIBLE_ORG:
            ref = opt_obj(ext, "valueReference", f"{where}.extension[{i}]")
            return None if ref is None else _org(ref, f"{where}.extension[{i}].valueReference")
    return None


def _check_patient(ref: Json, cpr: str, where: str) -> None:
    other = _identifier(ref, CPR_SYSTEM, where)
    if other is not None and other != cpr:
        # Another patient's data in this patient's answer: nothing in it can be trusted.
        raise FhirFormatError(f"{where} names a different patient")


def _meta(res: Json, where: str) -> tuple[str | None, datetime | None]:
    meta = opt_obj(res, "meta", where)
    if meta is None:
        return None, None
    return opt_str(meta, "versionId", f"{where}.meta"), opt_datetime(meta, "lastUpdated", where)


# --- Appointment ---


def appointment(res: Json, *, source: str, kind: str | None, cpr: str) -> AppointmentRecord:
    """An ``Appointment`` resource as an ``AppointmentRecord`` of ``source`` for patient ``cpr``."""
    rid = req_str(res, "id", "Appointment")
    where = f"Appointment/{rid}"
    raw_status = req_str(res, "status", where)
    contained = {
        c.get("id"): c for c in objs(res, "contained", where) if isinstance(c.get("id"), str)
    }
    place: Place | None = None
    performer: str | None = None
    for i, participant in enumerate(objs(res, "participant", where)):
        at = f"{where}.participant[{i}]"
        actor = opt_obj(participant, "actor", at)
        if actor is None:
            continue
        ref = opt_str(actor, "reference", f"{at}.actor") or ""
        target = contained.get(ref[1:]) if ref.startswith("#") else None
        rtype = opt_str(actor, "type", f"{at}.actor") or (
            target.get("resourceType") if target else ref_type(ref)
        )
        if rtype == "Patient":
            _check_patient(actor, cpr, f"{at}.actor")
        elif rtype == "Location" and place is None:
            place = _place(target, actor, f"{at}.actor")
        elif rtype in ("Practitioner", "PractitionerRole") and performer is None:
            performer = opt_str(actor, "display", f"{at}.actor")
    # After the participants: another patient's resource fails the answer, whatever its status.
    try:
        status = AppointmentStatus(raw_status)
    except ValueError:
        raise SkipRecord(
            f"{where}: unknown status {raw_status!r}", "Appointment.status outside FHIR R4's codes"
        ) from None
    version, updated = _meta(res, where)
    return AppointmentRecord(
        source=source,
        id=rid,
        status=status,
        start=opt_datetime(res, "start", where),
        end=opt_datetime(res, "end", where),
        title=opt_str(res, "description", where)
        or first_concept(res, "serviceType", where)
        or "Aftale",
        organization=_responsible(res, where),
        place=place,
        performer=performer,
        reason=first_concept(res, "reasonCode", where),
        kind=kind,
        version=version,
        updated=updated,
    )


def _place(location: Json | None, actor: Json, where: str) -> Place:
    """A contained Location in full, or what a referencing actor says of it."""
    if location is None:
        return Place(opt_str(actor, "display", where), _identifier(actor, SOR_SYSTEM, where))
    sor = None
    for ident in objs(location, "identifier", where):
        if ident.get("system") == SOR_SYSTEM:
            sor = opt_str(ident, "value", where)
    phone = None
    for telecom in objs(location, "telecom", where):
        if telecom.get("system") == "phone":
            phone = phone or opt_str(telecom, "value", where)
    raw = opt_obj(location, "address", where)
    address = None
    if raw is not None:
        lines = tuple(v for v in opt_list(raw, "line", where) if isinstance(v, str))
        municipality = None
        for ext in objs(raw, "extension", f"{where}.address"):
            if ext.get("url") == MUNICIPALITY_EXT:
                municipality = concept_code(opt_obj(ext, "valueCodeableConcept", where), where)
        address = Address(
            lines, opt_str(raw, "postalCode", where), opt_str(raw, "city", where), municipality
        )
    name = opt_str(location, "name", where) or opt_str(actor, "display", where)
    return Place(name, sor, address, phone)


# --- CarePlan and Goal ---


def care_plan(res: Json, *, source: str, cpr: str) -> PlanRecord:
    """A ``CarePlan`` resource as a ``PlanRecord``; activities link appointments by id."""
    rid = req_str(res, "id", "CarePlan")
    where = f"CarePlan/{rid}"
    # Another patient's resource fails the answer before any rule of this one's is looked at.
    subject = opt_obj(res, "subject", where)
    if subject is not None:
        _check_patient(subject, cpr, f"{where}.subject")
    status = req_str(res, "status", where)
    if status not in PLAN_STATUSES:
        raise SkipRecord(
            f"{where}: unknown status {status!r}", "CarePlan.status outside FHIR R4's codes"
        )
    if status == "entered-in-error":
        raise Retracted(where)
    categories = objs(res, "category", where)
    category = concept_code(categories[0], f"{where}.category[0]") if categories else None
    author = opt_obj(res, "author", where)
    contained = {
        c.get("id"): c for c in objs(res, "contained", where) if isinstance(c.get("id"), str)
    }
    organization, author_name = _author(author, contained, f"{where}.author")
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
    ref: Json | None, contained: dict[Any, Json], where: str
) -> tuple[OrgRef | None, str | None]:
    """``(organisation, person)``: which one the author reference is, as R4 types it."""
    if ref is None:
        return None, None
    literal = opt_str(ref, "reference", where) or ""
    target = contained.get(literal[1:]) if literal.startswith("#") else None
    rtype = opt_str(ref, "type", where) or (
        target.get("resourceType") if target else ref_type(literal)
    )
    sor = _identifier(ref, SOR_SYSTEM, where)
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


def goal(res: Json, *, source: str, cpr: str) -> GoalRecord:
    """A ``Goal`` resource as a ``GoalRecord``."""
    rid = req_str(res, "id", "Goal")
    where = f"Goal/{rid}"
    subject = opt_obj(res, "subject", where)
    if subject is not None:
        _check_patient(subject, cpr, f"{where}.subject")
    lifecycle = req_str(res, "lifecycleStatus", where)
    if lifecycle not in GOAL_STATUSES:
        raise SkipRecord(
            f"{where}: unknown lifecycleStatus {lifecycle!r}",
            "Goal.lifecycleStatus outside FHIR R4's codes",
        )
    if lifecycle == "entered-in-error":
        raise Retracted(where)
    description = concept_text(obj(res.get("description"), f"{where}.description"), where)
    organization = _responsible(res, where)
    expressed = opt_obj(res, "expressedBy", where)
    if organization is None and expressed is not None:
        sor = _identifier(expressed, SOR_SYSTEM, f"{where}.expressedBy")
        organization = OrgRef(sor, opt_str(expressed, "display", where)) if sor else None
    targets = [_target(t, f"{where}.target[{i}]") for i, t in enumerate(objs(res, "target", where))]
    start = res.get("startDate")
    return GoalRecord(
        source=source,
        id=rid,
        description=description or "Mål",
        lifecycle_status=lifecycle,
        achievement_status=concept_code(opt_obj(res, "achievementStatus", where), where),
        start=None if start is None else parse_date(start, f"{where}.startDate"),
        targets=tuple(targets),
        organization=organization,
        addresses=tuple(
            r for a in objs(res, "addresses", where) if (r := opt_str(a, "reference", where))
        ),
    )


def _target(t: Json, at: str) -> GoalTarget:
    """One ``Goal.target``, its ``detail[x]`` read in whichever of R4's forms it comes."""
    due = t.get("dueDate")
    quantity = _quantity(opt_obj(t, "detailQuantity", at), f"{at}.detailQuantity")
    span = opt_obj(t, "detailRange", at)
    low = (
        _quantity(opt_obj(span, "low", f"{at}.detailRange"), f"{at}.detailRange.low")
        if span
        else None
    )
    high = (
        _quantity(opt_obj(span, "high", f"{at}.detailRange"), f"{at}.detailRange.high")
        if span
        else None
    )
    detail = opt_str(t, "detailString", at)
    if detail is None and quantity is not None:
        detail = _quantity_text(quantity)
    if detail is None and (low is not None or high is not None):
        detail = _range_text(low, high)
    if detail is None:
        detail = concept_text(opt_obj(t, "detailCodeableConcept", at), at)
    if detail is None and isinstance(t.get("detailBoolean"), bool):
        detail = "Ja" if t["detailBoolean"] else "Nej"
    if detail is None and "detailInteger" in t:
        value = t["detailInteger"]
        if not isinstance(value, int) or isinstance(value, bool):
            raise FhirFormatError(f"{at}.detailInteger must be an integer")
        detail = str(value)
    if detail is None and (ratio := opt_obj(t, "detailRatio", at)) is not None:
        parts = [
            _quantity(opt_obj(ratio, side, f"{at}.detailRatio"), f"{at}.detailRatio.{side}")
            for side in ("numerator", "denominator")
        ]
        if all(p is not None for p in parts):
            detail = " / ".join(_quantity_text(p) for p in parts if p is not None)
    return GoalTarget(
        measure=concept_text(opt_obj(t, "measure", at), at),
        detail=detail,
        due=None if due is None else parse_date(due, f"{at}.dueDate"),
        quantity=quantity,
        low=low,
        high=high,
    )


COMPARATORS = frozenset({"<", "<=", ">=", ">"})


def _quantity(q: Json | None, where: str) -> Quantity | None:
    """An R4 ``Quantity``; ``None`` when absent or empty."""
    if q is None:
        return None
    value = q.get("value")
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise FhirFormatError(f"{where}.value must be a decimal")
    comparator = opt_str(q, "comparator", where)
    if comparator is not None and comparator not in COMPARATORS:
        raise FhirFormatError(f"{where}.comparator must be one of <, <=, >=, >")
    unit, code = opt_str(q, "unit", where), opt_str(q, "code", where)
    if value is None and unit is None and code is None:
        return None
    return Quantity(
        value=None if value is None else _number(float(value)),
        comparator=comparator,
        unit=unit,
        code=code,
        system=opt_str(q, "system", where),
    )


_SIGN = {"<": "<", "<=": "≤", ">=": "≥", ">": ">"}
_DASH = "\u2013"  # an en dash, as a range is written


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _quantity_text(q: Quantity) -> str:
    parts = [_SIGN[q.comparator]] if q.comparator else []
    if q.value is not None:
        parts.append(q.value)
    if q.unit or q.code:
        parts.append(q.unit or q.code or "")
    return " ".join(parts)


def _range_text(low: Quantity | None, high: Quantity | None) -> str:
    """R4 ``Range``: both ends inclusive, either may be missing (``≥ low``, ``≤ high``)."""
    if low is not None and high is not None:
        if (low.unit or low.code) == (high.unit or high.code) and low.value is not None:
            return f"{low.value}{_DASH}{_quantity_text(high)}"
        return f"{_quantity_text(low)} {_DASH} {_quantity_text(high)}"
    if low is not None:
        return f"≥ {_quantity_text(low)}"
    assert high is not None
    return f"≤ {_quantity_text(high)}"
