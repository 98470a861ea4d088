"""What FHIR resources share: identifiers, organisation references, the patient check, ``meta``,
contained resources and the status rule of a CarePlan or Goal.

Pure functions over parsed JSON, used by ``connectors/fhirappointment.py``, ``fhirplan.py`` and
``fhirgoal.py``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from connectors.fhirjson import (
    FhirFormatError,
    Json,
    Retracted,
    SkipRecord,
    objs,
    opt_datetime,
    opt_obj,
    opt_str,
    ref_type,
    req_str,
)
from domain.records import OrgRef

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
SOR_SYSTEM = "urn:oid:1.2.208.176.1.1"
# The owning organisation of an Appointment or Goal (a FUT eHealth extension; R4 has no element).
RESPONSIBLE_ORG = (
    "http://ehealth.sundhed.dk/fhir/StructureDefinition/ehealth-responsible-organization"
)


def identifier(ref: Json, system: str, where: str) -> str | None:
    """The value of ``ref``'s single ``identifier`` when it is of ``system``."""
    ident = opt_obj(ref, "identifier", where)
    if ident is not None and opt_str(ident, "system", where) == system:
        return opt_str(ident, "value", f"{where}.identifier")
    return None


def org(ref: Json, where: str) -> OrgRef | None:
    """An organisation reference by its SOR identifier and display name."""
    sor = identifier(ref, SOR_SYSTEM, where)
    name = opt_str(ref, "display", where)
    return OrgRef(sor, name) if sor or name else None


def responsible(res: Json, where: str) -> OrgRef | None:
    """The organisation the eHealth responsible-organisation extension names, if any."""
    for i, ext in enumerate(objs(res, "extension", where)):
        if ext.get("url") == RESPONSIBLE_ORG:
            ref = opt_obj(ext, "valueReference", f"{where}.extension[{i}]")
            return None if ref is None else org(ref, f"{where}.extension[{i}].valueReference")
    return None


def check_patient(ref: Json, cpr: str, where: str) -> None:
    """``FhirFormatError`` when ``ref`` names a patient other than ``cpr``."""
    other = identifier(ref, CPR_SYSTEM, where)
    if other is not None and other != cpr:
        # Another patient's data in this patient's answer: nothing in it can be trusted.
        raise FhirFormatError(f"{where} names a different patient")


def meta(res: Json, where: str) -> tuple[str | None, datetime | None]:
    """``meta.versionId`` and ``meta.lastUpdated``."""
    found = opt_obj(res, "meta", where)
    if found is None:
        return None, None
    return opt_str(found, "versionId", f"{where}.meta"), opt_datetime(found, "lastUpdated", where)


def contained(res: Json, where: str) -> dict[Any, Json]:
    """``res``'s contained resources by id."""
    return {c.get("id"): c for c in objs(res, "contained", where) if isinstance(c.get("id"), str)}


def resolve(ref: Json, inside: dict[Any, Json], where: str) -> tuple[Json | None, str | None]:
    """The contained resource a ``#id`` reference points at (else ``None``) and the type the
    reference has: its ``type``, else the target's ``resourceType``, else the literal's."""
    literal = opt_str(ref, "reference", where) or ""
    target = inside.get(literal[1:]) if literal.startswith("#") else None
    rtype = opt_str(ref, "type", where) or (
        target.get("resourceType") if target else ref_type(literal)
    )
    return target, rtype


def unknown_code(where: str, element: str, value: str) -> SkipRecord:
    """The refusal of one resource whose ``element`` (``Appointment.status``) is not R4's."""
    field = element.rsplit(".", 1)[-1]
    return SkipRecord(f"{where}: unknown {field} {value!r}", f"{element} outside FHIR R4's codes")


def lifecycle(res: Json, element: str, allowed: Collection[str], cpr: str, where: str) -> str:
    """The status ``element`` (``CarePlan.status``) of a CarePlan or Goal for patient ``cpr``.

    Another patient's resource fails the answer before any rule of this one's is looked at; an
    unknown code refuses the resource (``SkipRecord``); ``entered-in-error`` is ``Retracted``.
    """
    subject = opt_obj(res, "subject", where)
    if subject is not None:
        check_patient(subject, cpr, f"{where}.subject")
    status = req_str(res, element.rsplit(".", 1)[-1], where)
    if status not in allowed:
        raise unknown_code(where, element, status)
    if status == "entered-in-error":
        raise Retracted(where)
    return status
