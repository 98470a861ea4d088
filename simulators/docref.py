"""The registry side of a simulated APD source: each published version of an appointment document
as a ``DocumentReference`` (IHE MHD ITI-67), as ``simulators/apd.py`` serves them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from simulators.cda import CPR_OID, DOC_ID_OID, SOR_OID, Entry, created, institution
from simulators.population import Population

FORMAT_SYSTEM = "urn:oid:1.2.208.184.100.10"
FORMAT_CODE = "urn:ad:dk:medcom:apd-v2.0.1:full"
LOINC = "http://loinc.org"
TYPE_DISPLAY = {
    "56446-8": "Appointment Summary Document",
    "39289-4": "Dato og tidspunkt for møde mellem patient og sundhedsperson",
}
Resource = dict[str, Any]


def document_reference(pop: Population, source: str, entry: Entry, size: int) -> Resource:
    """The registry entry of one published version: a ``DocumentReference`` (IHE MHD) whose
    attachment is ``size`` bytes of CDA XML (the caller adds its ``url`` and ``data``)."""
    appt, version = entry.appt, entry.version
    org = pop.orgs.get(version.org_sor)
    owner = institution(pop, version.org_sor)
    type_code = "56446-8" if source == "aarhus" else "39289-4"
    period: Resource = {"start": instant(version.start)}
    if version.end is not None:
        period["end"] = instant(version.end)
    resource: Resource = {
        "resourceType": "DocumentReference",
        "id": entry.id,
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{entry.id}"},
        "identifier": [{"system": f"urn:oid:{DOC_ID_OID}", "value": appt.id}],
        "status": entry.status,
        "type": {
            "coding": [{"system": LOINC, "code": type_code, "display": TYPE_DISPLAY[type_code]}]
        },
        "category": [
            {"coding": [{"system": "urn:oid:1.2.208.184.100.9", "code": "001"}]},
        ],
        "subject": {"identifier": {"system": f"urn:oid:{CPR_OID}", "value": appt.patient_cpr}},
        "date": instant(created(entry)),
        "author": [org_ref(version.org_sor, org.name if org else None)],
        "custodian": org_ref(owner.sor, owner.name),
        "content": [
            {
                "attachment": {
                    "contentType": "application/xml",
                    "language": "da",
                    "size": size,
                    "title": f"Aftale for {appt.patient_cpr}",
                },
                "format": {"system": FORMAT_SYSTEM, "code": FORMAT_CODE},
            }
        ],
        "context": {"period": period},
    }
    if entry.replaces is not None:
        resource["relatesTo"] = [
            {"code": "replaces", "target": {"reference": f"DocumentReference/{entry.replaces}"}}
        ]
    return resource


def org_ref(sor: str, name: str | None) -> Resource:
    ref: Resource = {
        "type": "Organization",
        "identifier": {"system": f"urn:oid:{SOR_OID}", "value": sor},
    }
    if name:
        ref["display"] = name
    return ref


def instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
