"""The APD-DK 2.0.1 documents a simulated source publishes: versions, entries and the CDA XML.

``publish`` turns one appointment of the neutral model into its document entries (one per
published version, see ``simulators/apd.py`` for the wire rules); ``render_cda`` writes one entry
as an APD-DK CDA in the shape of MedCom's published examples (project-written, not copied);
``hostile`` writes the stand-ins served under ``malformed`` faults.

Places: a site with a SOR id is a ``LOC`` participant; the patient's home is ``SBJ`` named
"Borgers Hjemmeadresse"; any other place without a SOR id (a day centre's entrance) is ``SBJ``
with its own name and address, as municipalities write them. A version without a set time
(``SimVersion.all_day``) is written as MedCom's "no time" example: local midnight, an unknown
end and a ``GuidedIntervalType`` precondition (which ``SimVersion.indicative`` also adds).
"""

from __future__ import annotations

import re
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.clock import TZ
from simulators.population import Population, SimAddress, SimAppointment, SimOrg, SimVersion

CPR_OID = "1.2.208.176.1.2"
SOR_OID = "1.2.208.176.1.1"
YDER_OID = "1.2.208.176.1.4"
DOC_ID_OID = "1.2.208.184"
KIND_OID = "1.2.208.184.100.1"
# Sim statuses the CDA ActStatus can say; everything else (booked, proposed, noshow, ...) is
# "active", as in every published APD example.
CDA_STATUS = {"cancelled": "cancelled", "fulfilled": "completed", "entered-in-error": "nullified"}
_NS = uuid.UUID("6f1c2a52-0c64-4d4e-9d55-5a0d2f1e7a01")


def is_gp(source: str) -> bool:
    """GP sources share only with consent and only from ``GP_SHARED_SINCE`` on."""
    return source.startswith("gp")


def withdrawn(appt: SimAppointment) -> bool:
    """Whether ``appt``'s cancellation is published by withdrawing the document.

    The other cancelled half says ``statusCode="cancelled"`` in a current CDA. The split is a
    checksum of the id, so it is stable across runs and both styles occur in any sizeable set.
    """
    return appt.current.status == "cancelled" and zlib.crc32(appt.id.encode()) % 2 == 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One published DocumentReference: one version of one appointment document."""

    id: str
    appt: SimAppointment
    version: SimVersion
    ordinal: int
    status: str  # current | superseded
    cda_status: str
    replaces: str | None


def publish(source: str, appt: SimAppointment) -> list[Entry]:
    """The entries ``source`` publishes for ``appt``, oldest first."""
    versions = list(appt.versions)
    statuses = [CDA_STATUS.get(v.status, "active") for v in versions]
    gone = withdrawn(appt)
    if gone and len(versions) > 1:
        # The cancellation is no new document: the last booked one is deprecated instead.
        versions, statuses = versions[:-1], statuses[:-1]
    elif gone:
        statuses[-1] = "active"  # the document as it was booked, then withdrawn
    entries: list[Entry] = []
    for n, (version, cda_status) in enumerate(zip(versions, statuses, strict=True), start=1):
        last = n == len(versions)
        entry_id = str(uuid.uuid5(_NS, f"{source}/{appt.id}/{n}"))
        entries.append(
            Entry(
                id=entry_id,
                appt=appt,
                version=version,
                ordinal=n,
                status="current" if last and not gone else "superseded",
                cda_status=cda_status,
                replaces=entries[-1].id if entries else None,
            )
        )
    return entries


def created(entry: Entry) -> datetime:
    """A deterministic publication time: the first version ten days ahead, later ones hourly."""
    first = entry.appt.versions[0].start
    return first - timedelta(days=10) + timedelta(hours=entry.ordinal - 1)


def institution(pop: Population, sor: str) -> SimOrg:
    """The health institution above a unit (the custodian of its documents)."""
    org = pop.orgs[sor]
    while org.level == "unit" and org.parent is not None:
        org = pop.orgs[org.parent]
    return org


# --- hostile documents ---


_BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
        for n in range(1, 10)
    )
    + ']>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol9;</title></ClinicalDocument>\n'
)


def hostile(variant: str, cda: str, index: int) -> bytes:
    """A hostile stand-in for ``cda``; ``structure`` rotates its three forms with ``index``."""
    if variant == "xml-bomb":
        return _BOMB.encode()
    if variant == "xxe":
        # An otherwise valid CDA whose texts would carry the file, were the entity resolved.
        head, _, rest = cda.partition("\n")
        doctype = '<!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        body = rest.replace("<text>", "<text>&xxe;")
        return f"{head}\n{doctype}\n{body}".encode()
    form = index % 3
    if form == 0:
        return re.sub(r"<low [^>]*/>", "", cda).encode()
    if form == 1:
        return b'<?xml version="1.0"?><Appointment xmlns="urn:example:not-cda"/>'
    return b"Dokumentet er midlertidigt utilg\xc3\xa6ngeligt"


# --- the CDA document ---


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
        place_xml = (
            '<participant typeCode="SBJ"><participantRole classCode="SDLOC">'
            '<templateId root="1.2.208.184.14.11.3" extension="2019-09-10"/>'
            f"{_addr(place.address or person.address, 'H')}"
            '<playingEntity classCode="PLC"><name>Borgers Hjemmeadresse</name></playingEntity>'
            "</participantRole></participant>"
        )
    elif place.sor is None:
        # A meeting place at the citizen's side with its own name and address (a day centre's
        # entrance): typed SBJ like a home visit, as municipalities do, yet not the home.
        place_xml = (
            '<participant typeCode="SBJ"><participantRole classCode="SDLOC">'
            '<templateId root="1.2.208.184.14.11.3" extension="2019-09-10"/>'
            f"{_addr(place.address, 'PUB')}"
            f'<playingEntity classCode="PLC"><name>{_e(place.name)}</name></playingEntity>'
            "</participantRole></participant>"
        )
    else:
        site = pop.orgs.get(place.sor) if place.sor else None
        site_id = f'<id extension="{place.sor}" root="{SOR_OID}"/>' if place.sor else ""
        place_xml = (
            '<participant typeCode="LOC"><participantRole classCode="SDLOC">'
            '<templateId root="1.2.208.184.14.11.3" extension="2019-09-10"/>'
            f"{site_id}{_addr(place.address, 'WP')}{_tel(site.phone if site else None)}"
            f'<playingEntity classCode="PLC"><name>{_e(place.name)}</name></playingEntity>'
            "</participantRole></participant>"
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
