"""FHIR R4 JSON to records: pure functions, strict on structure, tolerant of real-world variation.

The typed helpers are in ``connectors/fhirjson.py``. Two outcomes besides a record:

* ``FhirFormatError``: the document as a whole is unacceptable (``entry`` not a list, a resource
  without ``resourceType``, an Appointment without ``status``, a ``start`` that is no dateTime,
  another patient's data). The connector reports it as ``UpstreamBadResponse``: a source that
  breaks FHIR's structure cannot be trusted for the rest of that answer.
* ``SkipRecord``: one well-formed resource carries a value outside R4's set (an unknown status).
  The connector skips and logs it; the rest of the answer stands.

Tolerated: a missing ``end`` or ``start``, offsets ``Z``/``±hh:mm``, fractional seconds, bare or
partial dates (read as Copenhagen local midnight), OperationOutcome and ``include`` entries in a
searchset, literal references absolute or relative, and ``expressedBy`` for a Goal's organisation.
"""

from __future__ import annotations

from datetime import datetime

from connectors.fhirjson import (
    FhirFormatError,
    Json,
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
from connectors.records import (
    ActivityRecord,
    Address,
    AppointmentRecord,
    AppointmentStatus,
    GoalRecord,
    GoalTarget,
    OrgRef,
    Place,
    PlanRecord,
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
    try:
        status = AppointmentStatus(raw_status)
    except ValueError:
        raise SkipRecord(f"{where}: unknown status {raw_status!r}") from None
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
    status = req_str(res, "status", where)
    if status not in PLAN_STATUSES:
        raise SkipRecord(f"{where}: unknown status {status!r}")
    subject = opt_obj(res, "subject", where)
    if subject is not None:
        _check_patient(subject, cpr, f"{where}.subject")
    categories = objs(res, "category", where)
    category = concept_code(categories[0], f"{where}.category[0]") if categories else None
    author = opt_obj(res, "author", where)
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
        organization=None if author is None else _org(author, f"{where}.author"),
        activities=tuple(
            _activity(a, f"{where}.activity[{i}]")
            for i, a in enumerate(objs(res, "activity", where))
        ),
        goal_ids=tuple(g for g in (reference_id(r, "Goal") for r in goals) if g),
        description=opt_str(res, "description", where),
    )


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
    lifecycle = req_str(res, "lifecycleStatus", where)
    if lifecycle not in GOAL_STATUSES:
        raise SkipRecord(f"{where}: unknown lifecycleStatus {lifecycle!r}")
    subject = opt_obj(res, "subject", where)
    if subject is not None:
        _check_patient(subject, cpr, f"{where}.subject")
    description = concept_text(obj(res.get("description"), f"{where}.description"), where)
    organization = _responsible(res, where)
    expressed = opt_obj(res, "expressedBy", where)
    if organization is None and expressed is not None:
        sor = _identifier(expressed, SOR_SYSTEM, f"{where}.expressedBy")
        organization = OrgRef(sor, opt_str(expressed, "display", where)) if sor else None
    targets = []
    for i, t in enumerate(objs(res, "target", where)):
        at = f"{where}.target[{i}]"
        detail = opt_str(t, "detailString", at)
        quantity = opt_obj(t, "detailQuantity", at)
        if detail is None and quantity is not None:
            detail = f"{quantity.get('value', '')} {quantity.get('unit', '')}".strip() or None
        due = t.get("dueDate")
        targets.append(
            GoalTarget(
                measure=concept_text(opt_obj(t, "measure", at), at),
                detail=detail,
                due=None if due is None else parse_date(due, f"{at}.dueDate"),
            )
        )
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
