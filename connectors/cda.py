"""Reading MedCom APD-DK 2.0.1 appointment documents (HL7 CDA): pure functions, no I/O.

Only ``defusedxml`` parses, with DTDs forbidden: a document type declaration is refused before any
entity is expanded or any external reference is followed, so a billion-laughs bomb or an XXE
costs microseconds and reads nothing. Every problem is a ``CdaError`` whose message names what is
wrong and never quotes document content.

What is read (paths from ``/ClinicalDocument``; ``v3`` = ``urn:hl7-org:v3``):

* ``id/@extension`` (the stable document id), ``recordTarget//id[@root=CPR]``, ``effectiveTime``.
* ``.//entry/encounter[@moodCode='APT']``: ``code`` (kind), ``text`` (the appointment's title; a
  ``reference`` into the section narrative is followed), ``statusCode``, ``effectiveTime``
  ``low`` (required) and ``high`` (``nullFlavor`` = unknown end), ``performer``, the ``SDLOC``
  participant (``LOC`` = a site; ``SBJ``/``DST`` = the patient's home) and the ``RSON`` reason.
* **The owning organisation** is the first SOR id among: the responsible author (an author not
  coded ``REFB``/``RESB``, which are requesters), the performer, the custodian. Only when none has
  a SOR id is a Yderregister number (root ``1.2.208.176.1.4``) used, kept in ``OrgRef.sor``: a GP
  document may name its practice only that way, and blocks by treatment place then match on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from connectors.records import Address, AppointmentStatus, OrgRef, Place

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # a type only: parsing is defusedxml's

CPR_OID = "1.2.208.176.1.2"
SOR_OID = "1.2.208.176.1.1"
YDER_OID = "1.2.208.176.1.4"
APD_TEMPLATE = "1.2.208.184.14.1"
HOME = "Borgers Hjemmeadresse"
MAX_DOCUMENT_BYTES = 2_000_000  # an APD is a few kB; anything near this is not one
CANCELLED_CODES = frozenset({"cancelled", "aborted", "nullified"})
REQUESTER_CODES = frozenset({"REFB", "RESB"})
TZ = ZoneInfo("Europe/Copenhagen")

_V3 = {"v3": "urn:hl7-org:v3"}
_ROOT_TAG = "{urn:hl7-org:v3}ClinicalDocument"
_TS = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.(\d{1,6}))?)?)?([+-]\d{4})?"
)


class CdaError(ValueError):
    """The document is not an APD-DK appointment we can accept. The message is safe to log."""


@dataclass(frozen=True, slots=True)
class ApdDocument:
    """What one APD-DK document says about its appointment."""

    doc_id: str
    patient_cpr: str
    status_code: str
    start: datetime
    end: datetime | None
    kind: str | None = None
    title: str | None = None
    reason: str | None = None
    place: Place | None = None
    organization: OrgRef | None = None
    performer: str | None = None
    created: datetime | None = None


def parse_ts(value: str) -> datetime:
    """An HL7 TS (``YYYYMMDDHHMMSS±HHMM``, less precision allowed) as an aware datetime.

    The offset is the one written, so an interval may mix ``+0100`` and ``+0200``. A value
    without an offset is read as Copenhagen local time, the only zone the sources live in.

    >>> parse_ts("20210331120000+0200").isoformat()
    '2021-03-31T12:00:00+02:00'
    """
    match = _TS.fullmatch(value.strip())
    if match is None:
        raise CdaError("timestamp is not an HL7 TS")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is None:
        tz: timezone | ZoneInfo = TZ
    else:
        hours, minutes = int(offset[1:3]), int(offset[3:5])
        if hours > 14 or minutes > 59:
            raise CdaError("timestamp has an impossible UTC offset")
        delta = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-delta if offset[0] == "-" else delta)
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError as exc:
        raise CdaError("timestamp is not a valid date and time") from exc


def appointment_status(
    status_code: str, start: datetime, end: datetime | None, now: datetime
) -> AppointmentStatus:
    """Map the encounter's ActStatus to the normalised status.

    ``completed`` is fulfilled; ``cancelled``/``aborted``/``nullified`` are cancelled. Everything
    else (``active`` in every published example, ``new``, ``held``, ...) is a planned appointment:
    booked while it is ahead, fulfilled once it is over — as FUT's APD-to-FHIR transform maps a
    past ``active`` one, since the sources never update a document after the visit.
    """
    if status_code == "completed":
        return AppointmentStatus.FULFILLED
    if status_code in CANCELLED_CODES:
        return AppointmentStatus.CANCELLED
    return AppointmentStatus.FULFILLED if (end or start) < now else AppointmentStatus.BOOKED


def parse_apd(data: bytes) -> ApdDocument:
    """Parse one APD-DK CDA document; raise ``CdaError`` on anything hostile or malformed."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CdaError("document exceeds the size cap")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        # The class name says which defence fired; its fields would name the entity target.
        raise CdaError(f"hostile XML refused ({type(exc).__name__})") from exc
    except SafeET.ParseError as exc:
        raise CdaError(f"not well-formed XML ({exc.position[0]}:{exc.position[1]})") from exc
    if root.tag != _ROOT_TAG:
        raise CdaError("root element is not an HL7 v3 ClinicalDocument")
    if not any(t.get("root") == APD_TEMPLATE for t in root.findall("v3:templateId", _V3)):
        raise CdaError("not an APD-DK document (templateId 1.2.208.184.14.1 missing)")
    doc_id = _attr(root.find("v3:id", _V3), "extension")
    if not doc_id:
        raise CdaError("ClinicalDocument/id has no extension")
    cpr = _id_ext(root.find("v3:recordTarget/v3:patientRole", _V3), CPR_OID)
    if not cpr:
        raise CdaError("no patient CPR number in recordTarget")
    encounter = root.find(".//v3:entry/v3:encounter[@moodCode='APT']", _V3)
    if encounter is None:
        raise CdaError("no encounter with moodCode APT")
    low = _attr(encounter.find("v3:effectiveTime/v3:low", _V3), "value")
    if not low:
        raise CdaError("encounter effectiveTime has no low value")
    start = parse_ts(low)
    high = _attr(encounter.find("v3:effectiveTime/v3:high", _V3), "value")
    end = parse_ts(high) if high else None  # absent or nullFlavor: the end is unknown
    if end is not None and end < start:
        raise CdaError("encounter effectiveTime ends before it starts")
    created = _attr(root.find("v3:effectiveTime", _V3), "value")
    performer = encounter.find("v3:performer/v3:assignedEntity", _V3)
    return ApdDocument(
        doc_id=doc_id,
        patient_cpr=cpr,
        status_code=_attr(encounter.find("v3:statusCode", _V3), "code") or "active",
        start=start,
        end=end,
        kind=_attr(encounter.find("v3:code", _V3), "code"),
        title=_title(root, encounter),
        reason=_attr(
            encounter.find("v3:entryRelationship[@typeCode='RSON']/v3:observation/v3:code", _V3),
            "displayName",
        ),
        place=_place(encounter),
        organization=_owner(root, performer),
        performer=_name(_find(performer, "v3:assignedPerson/v3:name"))
        or _text(_find(performer, "v3:representedOrganization/v3:name")),
        created=parse_ts(created) if created else None,
    )


# --- helpers over ElementTree elements ---


def _find(elem: Element | None, path: str) -> Element | None:
    return None if elem is None else elem.find(path, _V3)


def _attr(elem: Element | None, name: str) -> str | None:
    value = None if elem is None else elem.get(name)
    return value.strip() or None if value else None


def _text(elem: Element | None) -> str | None:
    if elem is None or elem.get("nullFlavor"):
        return None
    return " ".join("".join(elem.itertext()).split()) or None


def _name(elem: Element | None) -> str | None:
    """A person name: its parts (prefix, given, family) each a word, or plain text."""
    if elem is None or elem.get("nullFlavor"):
        return None
    return " ".join(" ".join(elem.itertext()).split()) or None


def _id_ext(elem: Element | None, oid: str) -> str | None:
    if elem is None:
        return None
    for ident in elem.findall("v3:id", _V3):
        if ident.get("root") == oid and ident.get("extension"):
            return _attr(ident, "extension")
    return None


def _title(root: Element, encounter: Element) -> str | None:
    text = encounter.find("v3:text", _V3)
    if text is None:
        return None
    direct = " ".join((text.text or "").split())
    if direct:
        return direct
    ref = _attr(text.find("v3:reference", _V3), "value")
    if ref and ref.startswith("#"):
        target = next((e for e in root.iter() if e.get("ID") == ref[1:]), None)
        return _text(target)
    return _text(text)


def _address(role: Element) -> Address | None:
    addr = role.find("v3:addr", _V3)
    if addr is None or addr.get("nullFlavor"):
        return None
    lines = tuple(
        line for e in addr.findall("v3:streetAddressLine", _V3) if (line := _text(e)) is not None
    )
    postcode = _text(addr.find("v3:postalCode", _V3))
    city = _text(addr.find("v3:city", _V3))
    if not (lines or postcode or city):
        return None
    return Address(lines, postcode, city)


def _phone(role: Element) -> str | None:
    for telecom in role.findall("v3:telecom", _V3):
        value = telecom.get("value") or ""
        if value.startswith("tel:"):
            return value[4:] or None
    return None


def _place(encounter: Element) -> Place | None:
    for participant in encounter.findall("v3:participant", _V3):
        role = participant.find("v3:participantRole", _V3)
        if role is None or role.get("classCode", "SDLOC") != "SDLOC":
            continue
        kind = participant.get("typeCode")
        if kind == "LOC":
            return Place(
                name=_text(role.find("v3:playingEntity/v3:name", _V3)),
                sor=_id_ext(role, SOR_OID),
                address=_address(role),
                phone=_phone(role),
            )
        if kind in ("SBJ", "DST"):
            # The name is fixed by the standard (FUT even misspells it); the phone would be the
            # patient's own, not the place's.
            return Place(name=HOME, address=_address(role), is_home=True)
    return None


def _owner(root: Element, performer: Element | None) -> OrgRef | None:
    responsible = next(
        (
            a
            for a in root.findall("v3:author/v3:assignedAuthor", _V3)
            if _attr(a.find("v3:code", _V3), "code") not in REQUESTER_CODES
        ),
        None,
    )
    custodian = root.find(
        "v3:custodian/v3:assignedCustodian/v3:representedCustodianOrganization", _V3
    )
    candidates: list[tuple[Element | None, str, Element | None]] = [
        (responsible, SOR_OID, _find(responsible, "v3:representedOrganization/v3:name")),
        (performer, SOR_OID, _find(performer, "v3:representedOrganization/v3:name")),
        (custodian, SOR_OID, _find(custodian, "v3:name")),
        (responsible, YDER_OID, _find(responsible, "v3:representedOrganization/v3:name")),
        (performer, YDER_OID, _find(performer, "v3:representedOrganization/v3:name")),
    ]
    for elem, oid, name in candidates:
        ident = _id_ext(elem, oid)
        if ident:
            return OrgRef(ident, _text(name))
    return None
