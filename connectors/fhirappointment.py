"""A FHIR R4 ``Appointment`` as an ``AppointmentRecord``: pure, strict on structure.

Participants give the place (a contained ``Location`` in full, or what a referencing actor says of
it), the performer and the patient check; the owning organisation is the eHealth
responsible-organisation extension. See ``connectors/fhirparse.py`` for the outcomes.
"""

from __future__ import annotations

from connectors.fhirelements import (
    SOR_SYSTEM,
    check_patient,
    contained,
    identifier,
    meta,
    resolve,
    responsible,
    unknown_code,
)
from connectors.fhirjson import (
    Json,
    concept_code,
    first_concept,
    objs,
    opt_datetime,
    opt_list,
    opt_obj,
    opt_str,
    req_str,
)
from domain.records import Address, AppointmentRecord, AppointmentStatus, Place

MUNICIPALITY_EXT = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"


def appointment(res: Json, *, source: str, kind: str | None, cpr: str) -> AppointmentRecord:
    """An ``Appointment`` resource as an ``AppointmentRecord`` of ``source`` for patient ``cpr``."""
    rid = req_str(res, "id", "Appointment")
    where = f"Appointment/{rid}"
    raw_status = req_str(res, "status", where)
    inside = contained(res, where)
    place: Place | None = None
    performer: str | None = None
    for i, participant in enumerate(objs(res, "participant", where)):
        at = f"{where}.participant[{i}]"
        actor = opt_obj(participant, "actor", at)
        if actor is None:
            continue
        target, rtype = resolve(actor, inside, f"{at}.actor")
        if rtype == "Patient":
            check_patient(actor, cpr, f"{at}.actor")
        elif rtype == "Location" and place is None:
            place = _place(target, actor, f"{at}.actor")
        elif rtype in ("Practitioner", "PractitionerRole") and performer is None:
            performer = opt_str(actor, "display", f"{at}.actor")
    # After the participants: another patient's resource fails the answer, whatever its status.
    try:
        status = AppointmentStatus(raw_status)
    except ValueError:
        raise unknown_code(where, "Appointment.status", raw_status) from None
    version, updated = meta(res, where)
    return AppointmentRecord(
        source=source,
        id=rid,
        status=status,
        start=opt_datetime(res, "start", where),
        end=opt_datetime(res, "end", where),
        title=opt_str(res, "description", where)
        or first_concept(res, "serviceType", where)
        or "Aftale",
        organization=responsible(res, where),
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
        return Place(opt_str(actor, "display", where), identifier(actor, SOR_SYSTEM, where))
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
