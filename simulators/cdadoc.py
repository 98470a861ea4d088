"""One published version of an appointment as an APD-DK 2.0.1 CDA document, in the shape of
MedCom's published examples (project-written, not copied).

Places: a site with a SOR id is a ``LOC`` participant; the patient's home is ``SBJ`` named
"Borgers Hjemmeadresse"; any other place without a SOR id (a day centre's entrance) is ``SBJ``
with its own name and address, as municipalities write them. A version without a set time
(``SimVersion.all_day``) is written as MedCom's "no time" example: local midnight, an unknown
end and a ``GuidedIntervalType`` precondition (which ``SimVersion.indicative`` also adds).
"""

from __future__ import annotations

from datetime import datetime

from domain.clock import TZ
from simulators.cda import (
    CPR_OID,
    DOC_ID_OID,
    KIND_OID,
    SOR_OID,
    YDER_OID,
    Entry,
    created,
    institution,
    is_gp,
)
from simulators.population import Population, SimAddress, SimVersion


def _e(text: str) -> str:
    """Escape for XML text and double-quoted attributes."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def ts(value: datetime) -> str:
    """An HL7 TS in Copenhagen local time with that instant's own offset (+0100 or +0200)."""
    return value.astimezone(TZ).strftime("%Y%m%d%H%M%S%z")


def _addr(address: SimAddress | None, use: str) -> str:
    if address is None:
        return '<addr nullFlavor="NI"/>'
    lines = "".join(f"<streetAddressLine>{_e(line)}</streetAddressLine>" for line in address.lines)
    return (
        f'<addr use="{use}">{lines}<postalCode>{_e(address.postcode)}</postalCode>'
        f"<city>{_e(address.city)}</city><country>Danmark</country></addr>"
    )


def _tel(phone: str | None) -> str:
    return f'<telecom value="tel:{_e(phone)}" use="WP"/>' if phone else ""


def _when_text(version: SimVersion) -> str:
    start = version.start.astimezone(TZ)
    if version.all_day:
        return f"{start:%Y-%m-%d} (intet fast tidspunkt)"
    if version.end is None:
        return f"{start:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M} - {version.end.astimezone(TZ):%Y-%m-%d %H:%M}"


def _participant(type_code: str, role: str, name: str) -> str:
    """A meeting place participant: ``role`` (ids, address, phone) and the place's ``name``."""
    return (
        f'<participant typeCode="{type_code}"><participantRole classCode="SDLOC">'
        '<templateId root="1.2.208.184.14.11.3" extension="2019-09-10"/>'
        f'{role}<playingEntity classCode="PLC"><name>{name}</name></playingEntity>'
        "</participantRole></participant>"
    )


def render_cda(pop: Population, source: str, entry: Entry) -> str:
    """One APD-DK 2.0.1 document for ``entry``, in the shape of MedCom's published examples."""
    appt, v = entry.appt, entry.version
    person = pop.people[appt.patient_cpr]
    org = pop.orgs[v.org_sor]
    owner = institution(pop, v.org_sor)
    published = ts(created(entry))
    if is_gp(source):
        # GP systems identify the practice by ydernummer (Yderregister), as MedCom example 1_7.
        practice = next((p for p in pop.practices.values() if p.sor == owner.sor), None)
        author_id = (
            f'<id extension="{practice.ydernummer}" root="{YDER_OID}"/>'
            if practice
            else f'<id extension="{owner.sor}" root="{SOR_OID}"/>'
        )
    else:
        author_id = f'<id extension="{org.sor}" root="{SOR_OID}"/>'
    # A day without a set time is written as MedCom's "no time" example: local midnight, an
    # unknown end and the GuidedIntervalType precondition.
    high = f'<high value="{ts(v.end)}"/>' if v.end and not v.all_day else '<high nullFlavor="NI"/>'
    interval = f'<effectiveTime><low value="{ts(v.start)}"/>{high}</effectiveTime>'
    person_xml = (
        f"<assignedPerson><name>{_e(v.performer)}</name></assignedPerson>" if v.performer else ""
    )
    place = v.place
    guidance = (
        "Der er ikke afsat et bestemt tidspunkt" if v.all_day else "Tidspunktet er vejledende"
    )
    guided = (
        '<precondition><templateId root="1.2.208.184.14.11.5" extension="2019-09-10"/>'
        f'<criterion><code code="GuidedIntervalType" codeSystem="{KIND_OID}"/>'
        f"<text>{guidance}</text></criterion></precondition>"
        if v.all_day or v.indicative
        else ""
    )
    if place.is_home:
        place_xml = _participant(
            "SBJ", _addr(place.address or person.address, "H"), "Borgers Hjemmeadresse"
        )
    elif place.sor is None:
        # A meeting place at the citizen's side with its own name and address (a day centre's
        # entrance): typed SBJ like a home visit, as municipalities do, yet not the home.
        place_xml = _participant("SBJ", _addr(place.address, "PUB"), _e(place.name))
    else:
        site = pop.orgs.get(place.sor) if place.sor else None
        site_id = f'<id extension="{place.sor}" root="{SOR_OID}"/>' if place.sor else ""
        place_xml = _participant(
            "LOC",
            f"{site_id}{_addr(place.address, 'WP')}{_tel(site.phone if site else None)}",
            _e(place.name),
        )
    reason_xml = (
        '<entryRelationship typeCode="RSON"><observation classCode="OBS" moodCode="EVN">'
        f'<code code="NI" displayName="{_e(v.reason)}"/></observation></entryRelationship>'
        if v.reason
        else ""
    )
    where = "Borgers Hjemmeadresse" if place.is_home else place.name
    status_text = {"cancelled": "Aflyst", "completed": "Afsluttet"}.get(entry.cda_status, "Aktiv")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ClinicalDocument xmlns="urn:hl7-org:v3" classCode="DOCCLIN" moodCode="EVN">'
        '<realmCode code="DK"/><typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>'
        '<templateId root="1.2.208.184.14.1" extension="2019-09-10"/>'
        f'<id root="{DOC_ID_OID}" extension="{_e(appt.id)}"/>'
        '<code code="39289-4" codeSystem="2.16.840.1.113883.6.1"/>'
        f'<title>Aftale for {person.cpr}</title><effectiveTime value="{published}"/>'
        '<confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>'
        '<languageCode code="da-DK"/>'
        '<recordTarget><patientRole classCode="PAT">'
        f'<id extension="{person.cpr}" root="{CPR_OID}"/>'
        f"{_addr(person.address, 'H')}<patient><name>"
        f"<given>{_e(person.given_name)}</given><family>{_e(person.family_name)}</family></name>"
        f'<birthTime value="{person.birth_date:%Y%m%d}"/></patient></patientRole></recordTarget>'
        f'<author><time value="{published}"/><assignedAuthor>{author_id}'
        f"<representedOrganization><name>{_e(org.name)}</name></representedOrganization>"
        "</assignedAuthor></author>"
        "<custodian><assignedCustodian><representedCustodianOrganization>"
        f'<id extension="{owner.sor}" root="{SOR_OID}"/>'
        f"<name>{_e(owner.name)}</name>"
        "</representedCustodianOrganization></assignedCustodian></custodian>"
        '<documentationOf><serviceEvent classCode="MPROT" moodCode="EVN">'
        f'<templateId root="1.2.208.184.10.1.11"/>{interval}</serviceEvent></documentationOf>'
        '<documentationOf><serviceEvent classCode="MPROT" moodCode="EVN">'
        '<templateId root="1.2.208.184.10.1.10"/>'
        '<id root="1.2.208.184.100.10" extension="apd-v2.0.1"/>'
        "</serviceEvent></documentationOf>"
        '<component><structuredBody><component><section classCode="DOCSECT" moodCode="EVN">'
        '<templateId root="1.2.208.184.14.11.1" extension="2019-09-10"/>'
        '<code code="18776-5" codeSystem="2.16.840.1.113883.6.1"/>'
        "<title>Aftale</title><text><table><thead><tr><th>Aftale dato</th><th>Vedrørende</th>"
        "<th>Udførende organisation</th><th>Mødested</th><th>Status</th></tr></thead><tbody>"
        f'<tr><td>{_when_text(v)}</td><td ID="aftale">{_e(v.title)}</td><td>{_e(org.name)}</td>'
        f"<td>{_e(where)}</td><td>{status_text}</td></tr></tbody></table></text>"
        '<entry><encounter classCode="ENC" moodCode="APT">'
        '<templateId root="1.2.208.184.14.11.2" extension="2019-09-10"/>'
        f'<id root="{DOC_ID_OID}" extension="{_e(appt.id)}"/>'
        f'<code code="{appt.kind}" codeSystem="{KIND_OID}"/>'
        f"<text>{_e(v.title)}</text>"
        f'<statusCode code="{entry.cda_status}"/>{interval}'
        '<performer typeCode="PRF"><assignedEntity>'
        f'<id extension="{org.sor}" root="{SOR_OID}"/>{person_xml}'
        f"<representedOrganization><name>{_e(org.name)}</name></representedOrganization>"
        f"</assignedEntity></performer>{place_xml}{reason_xml}{guided}"
        "</encounter></entry></section></component></structuredBody></component>"
        "</ClinicalDocument>\n"
    )
