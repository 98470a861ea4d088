"""The simulated sources' model rendered as FHIR R4 resources: ``Appointment``, ``CarePlan``,
``Goal`` (the wire decisions are listed in ``simulators/fhir.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from domain.clock import TZ
from simulators.population import Population, SimAppointment, SimGoal, SimOrg, SimPlace, SimPlan

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
RESPONSIBLE_ORG = (
    "http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-responsible-organization"
)
MUNICIPALITY_EXT = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
MUNICIPALITY_CS = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
CATEGORY_CS = "https://fhir.spo.invalid/CodeSystem/careplan-category"
ACHIEVEMENT_CS = "http://terminology.hl7.org/CodeSystem/goal-achievement"
PARTICIPATION_CS = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CATEGORY_TEXT = {
    "discharge": "Udskrivelsesplan",
    "municipal-care": "Kommunal plejeplan",
    "rehabilitation": "Genoptræningsplan",
    "chronic-care": "Forløbsplan",
}

Resource = dict[str, Any]


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds")


def local(value: datetime) -> str:
    """A dateTime with the Copenhagen offset of that instant (+01:00 or +02:00)."""
    return value.astimezone(TZ).isoformat()


def _sor_ref(pop: Population, sor: str) -> Resource:
    org = pop.orgs.get(sor)
    ref: Resource = {"type": "Organization", "identifier": {"system": SOR_SYSTEM, "value": sor}}
    if org is not None:
        ref["display"] = org.name
    return ref


def _patient_ref(cpr: str) -> Resource:
    return {"type": "Patient", "identifier": {"system": CPR_SYSTEM, "value": cpr}}


def _responsible(pop: Population, sor: str) -> Resource:
    return {"url": RESPONSIBLE_ORG, "valueReference": _sor_ref(pop, sor)}


def _last_updated(appt: SimAppointment, now: datetime) -> datetime:
    """A plausible, deterministic change time: booked weeks ahead, a day per later version,
    and closed after the visit for those that took place."""
    current = appt.current
    if current.status in ("fulfilled", "noshow"):
        changed = (current.end or current.start) + timedelta(hours=1)
    else:
        changed = current.start - timedelta(days=30 - len(appt.versions))
    return min(changed, now)


def _location(pop: Population, place: SimPlace) -> Resource:
    loc: Resource = {"resourceType": "Location", "id": "loc", "name": place.name}
    if place.sor:
        loc["identifier"] = [{"system": SOR_SYSTEM, "value": place.sor}]
        org: SimOrg | None = pop.orgs.get(place.sor)
        if org is not None and org.phone:
            loc["telecom"] = [{"system": "phone", "value": org.phone, "use": "work"}]
    if place.address is not None:
        address: Resource = {
            "use": "work",
            "type": "physical",
            "line": list(place.address.lines),
            "postalCode": place.address.postcode,
            "city": place.address.city,
            "country": "DK",
        }
        if place.address.municipality_code:
            coding = {"system": MUNICIPALITY_CS, "code": place.address.municipality_code}
            address["extension"] = [
                {"url": MUNICIPALITY_EXT, "valueCodeableConcept": {"coding": [coding]}}
            ]
        loc["address"] = address
    return loc


def appointment(pop: Population, appt: SimAppointment) -> Resource:
    # FHIR updates in place: only the current version is published, versionId counts them all.
    current = appt.current
    now = datetime.combine(pop.anchor, time(12), TZ)
    res: Resource = {
        "resourceType": "Appointment",
        "id": appt.id,
        "meta": {
            "versionId": str(len(appt.versions)),
            "lastUpdated": instant(_last_updated(appt, now)),
        },
        "extension": [_responsible(pop, current.org_sor)],
        "identifier": [
            {"system": f"https://fhir.spo.invalid/{appt.source}/sid/appointment", "value": appt.id}
        ],
        "status": current.status,
        "description": current.title,
        "start": local(current.start),
    }
    if current.end is not None:
        res["end"] = local(current.end)
    if current.reason:
        res["reasonCode"] = [{"text": current.reason}]
    participants: list[Resource] = [
        {"actor": _patient_ref(appt.patient_cpr), "required": "required", "status": "accepted"}
    ]
    if not current.place.is_home:
        res["contained"] = [_location(pop, current.place)]
        participants.append(
            {"actor": {"reference": "#loc", "type": "Location"}, "status": "accepted"}
        )
    if current.performer:
        participants.append(
            {
                "type": [{"coding": [{"system": PARTICIPATION_CS, "code": "PPRF"}]}],
                "actor": {"type": "Practitioner", "display": current.performer},
                "status": "accepted",
            }
        )
    res["participant"] = participants
    return res


def _period(start: datetime | None, end: datetime | None) -> Resource:
    period: Resource = {}
    if start is not None:
        period["start"] = local(start)
    if end is not None:
        period["end"] = local(end)
    return period


def care_plan(pop: Population, plan: SimPlan) -> Resource:
    activities: list[Resource] = []
    for act in plan.activities:
        detail: Resource = {"status": act.status, "description": act.title}
        if act.start is not None:
            detail["scheduledPeriod"] = _period(act.start, act.end)
        activity: Resource = {"detail": detail}
        if act.appointment_ids:
            detail["kind"] = "Appointment"
            activity["outcomeReference"] = [
                {"reference": f"Appointment/{a}", "type": "Appointment"}
                for a in act.appointment_ids
            ]
        activities.append(activity)
    text = CATEGORY_TEXT.get(plan.category, plan.category)
    res: Resource = {
        "resourceType": "CarePlan",
        "id": plan.id,
        "meta": {"versionId": "1", "lastUpdated": instant(plan.start)},
        "status": plan.status,
        "intent": "plan",
        "category": [
            {
                "coding": [{"system": CATEGORY_CS, "code": plan.category, "display": text}],
                "text": text,
            }
        ],
        "title": plan.title,
        "subject": _patient_ref(plan.patient_cpr),
        "period": _period(plan.start, plan.end),
        "goal": [{"reference": f"Goal/{g}", "type": "Goal"} for g in plan.goal_ids],
        "activity": activities,
    }
    if plan.org_sor:
        res["author"] = _sor_ref(pop, plan.org_sor)
    if plan.description:
        res["description"] = plan.description
    return res


def goal(pop: Population, goal: SimGoal) -> Resource:
    targets: list[Resource] = []
    for t in goal.targets:
        target: Resource = {"measure": {"text": t.measure}, "detailString": t.detail}
        if t.due is not None:
            target["dueDate"] = t.due.isoformat()
        targets.append(target)
    res: Resource = {
        "resourceType": "Goal",
        "id": goal.id,
        "meta": {
            "versionId": "1",
            "lastUpdated": instant(datetime.combine(goal.start, time(9), TZ)),
        },
        "extension": [_responsible(pop, goal.org_sor)] if goal.org_sor else [],
        "lifecycleStatus": goal.lifecycle_status,
        "description": {"text": goal.description},
        "subject": _patient_ref(goal.patient_cpr),
        "startDate": goal.start.isoformat(),
        "target": targets,
    }
    if goal.achievement_status:
        res["achievementStatus"] = {
            "coding": [{"system": ACHIEVEMENT_CS, "code": goal.achievement_status}]
        }
    return res
