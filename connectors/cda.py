"""Reading MedCom APD-DK 2.0.1 appointment documents (HL7 CDA): pure functions, no I/O.

Only ``connectors/cdaxml.py`` parses (lxml, any DTD refused before the parser sees it), so a
billion-laughs bomb or an XXE costs microseconds and reads nothing; times are
``connectors/cdatime.py``'s. Every problem is a ``CdaError`` whose message names what is wrong and
never quotes document content. Two kinds:

* ``CdaError`` itself: the bytes cannot be read as a document at all (over the size cap, not
  well-formed, hostile XML). The answer that carried them is broken; the connector fails it.
* ``ApdRuleError``: well-formed XML that breaks APD-DK 2.0.1's own rules. That document is refused
  on its own (and counted); the rest of the source's answer stands. The rules checked are the ones
  the mapping relies on (``CONF-DK-APD`` ids in brackets):

  - the root is an HL7 v3 ``ClinicalDocument`` with ``templateId`` ``1.2.208.184.14.1``
    extension ``2019-09-10`` (APD 2.x; APD 1.0 has none or ``2017-03-10``);
  - the profile-version ``serviceEvent`` (``1.2.208.184.10.1.10``, older ``…200.1.10``) says
    ``apd-v2.0`` or ``apd-v2.0.1`` [69ee, a2e5] (``apd-v1.1`` is another version);
  - ``id/@extension`` and the patient's CPR number are present [a5bd];
  - exactly one ``entry/encounter[@moodCode='APT']`` [8506, dfed, 8f97] with ``templateId``
    ``1.2.208.184.14.11.2`` ``2019-09-10`` [49d8] and a kind from the MedCom code system
    ``1.2.208.184.100.1`` (``MunicipalityAppointment``, ``RegionalAppointment``,
    ``PractitionerAppointment``) [9245, ed37];
  - the encounter's ``effectiveTime`` has a ``low`` value [8bfe] and does not end before it
    starts; the header interval (``serviceEvent`` ``1.2.208.184.10.1.11``, older ``…200.1.11``)
    has one ``low`` [851d, 0b52] and agrees with the encounter's, instant for instant and
    unknown end for unknown end [ad38, 7e5c];
  - a meeting place: a participant ``LOC``, ``SBJ`` or ``DST`` with an ``SDLOC`` role [4ec7].

What is read (paths from ``/ClinicalDocument``; ``v3`` = ``urn:hl7-org:v3``):

* ``id/@extension`` (the stable document id), ``recordTarget//id[@root=CPR]``, ``effectiveTime``.
* ``.//entry/encounter[@moodCode='APT']``: ``code`` (kind), ``text`` (the appointment's title; a
  ``reference`` into the section narrative is followed), ``statusCode``, ``effectiveTime``
  ``low`` (required) and ``high`` (``nullFlavor`` = unknown end), ``performer``, the ``SDLOC``
  participant and the ``RSON`` reason.
* **Home or not.** Only a place the document identifies as the patient's home is a home visit:
  its name says so ("Borgers Hjemmeadresse", in any spelling FUT uses), or it has no name of its
  own and is typed ``SBJ``/``DST`` (the patient's place) or carries the patient's own address.
  Any other place — a ``SBJ``/``DST`` meeting place with its own name or address (a day centre's
  entrance, a relative's home) — keeps its name, address and phone.
* **Time.** ``precondition`` ``GuidedIntervalType`` (template ``1.2.208.184.14.11.5``) makes the
  time indicative. The document sets no time, only days (*all day*), when ``low`` has day
  precision, or when it is local midnight and the end is a later midnight, or 23:59 of a day, or
  unknown with the time marked indicative (MedCom's "no time" example). An all-day appointment is
  read as ``[first day 00:00, day after the last 00:00)`` in Europe/Copenhagen.
* **The owning organisation** is the first SOR id among: the responsible author (an author not
  coded ``REFB``/``RESB``, which are requesters), the performer, the custodian. Only when none has
  a SOR id is a Yderregister number (root ``1.2.208.176.1.4``) used, kept in ``OrgRef.sor``: a GP
  document may name its practice only that way, and blocks by treatment place then match on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from connectors.cdaparties import SOR_OID, YDER_OID, meeting_place, owner, read_address
from connectors.cdatime import check_header_interval, interval, parse_ts, whole_days
from connectors.cdaxml import (
    V3,
    ApdRuleError,
    CdaError,
    attr,
    find,
    has_template,
    id_ext,
    name_of,
    parse_xml,
    service_event,
    text,
    token,
)
from domain.clock import TZ, local_midnight
from domain.records import AppointmentStatus, OrgRef, Place

if TYPE_CHECKING:
    from lxml.etree import _Element as Element  # a type only: parsing is cdaxml's

__all__ = [
    "CPR_OID",
    "SOR_OID",
    "TZ",
    "YDER_OID",
    "ApdDocument",
    "ApdRuleError",
    "CdaError",
    "appointment_status",
    "parse_apd",
    "parse_ts",
    "read_apd",
]

CPR_OID = "1.2.208.176.1.2"
KIND_OID = "1.2.208.184.100.1"
APD_TEMPLATE = "1.2.208.184.14.1"
APD_RELEASE = "2019-09-10"  # the template extension of every APD-DK 2.x template
ENCOUNTER_TEMPLATE = "1.2.208.184.14.11.2"
GUIDED_TEMPLATE = "1.2.208.184.14.11.5"
VERSION_TEMPLATES = frozenset({"1.2.208.184.10.1.10", "1.2.208.184.200.1.10"})
SUPPORTED_VERSIONS = frozenset({"apd-v2.0", "apd-v2.0.1"})
KINDS = frozenset({"MunicipalityAppointment", "RegionalAppointment", "PractitionerAppointment"})
CANCELLED_CODES = frozenset({"cancelled", "aborted", "nullified"})

ROOT_TAG = "{urn:hl7-org:v3}ClinicalDocument"


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
    all_day: bool = False
    indicative_time: bool = False


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
    """Parse one APD-DK CDA document.

    Raises ``CdaError`` on bytes that are no document at all (hostile, malformed, oversized) and
    its subclass ``ApdRuleError`` on a document that breaks APD-DK 2.0.1's rules (see the module
    docstring for which).
    """
    return read_apd(parse_xml(data))


def read_apd(root: Element) -> ApdDocument:
    """``parse_apd`` on a parsed tree (any ElementTree-like one: a test reads the same tree from
    another parser and compares)."""
    if root.tag != ROOT_TAG:
        raise ApdRuleError("root element is not an HL7 v3 ClinicalDocument")
    cpr = id_ext(root.find("v3:recordTarget/v3:patientRole", V3), CPR_OID)
    try:
        return _read(root, cpr)
    except ApdRuleError as exc:
        exc.patient_cpr = cpr
        raise
    except CdaError as exc:  # a timestamp that is no TS, say: the document's own fault
        raise ApdRuleError(str(exc), cpr) from exc


def _read(root: Element, cpr: str | None) -> ApdDocument:
    _check_profile(root)
    doc_id = attr(root.find("v3:id", V3), "extension")
    if not doc_id:
        raise ApdRuleError("ClinicalDocument/id has no extension")
    if not cpr:
        raise ApdRuleError("no patient CPR number in recordTarget")
    encounters = root.findall(".//v3:entry/v3:encounter[@moodCode='APT']", V3)
    if not encounters:
        raise ApdRuleError("no encounter with moodCode APT")
    if len(encounters) > 1:
        raise ApdRuleError("more than one appointment encounter")
    encounter = encounters[0]
    if not has_template(encounter, ENCOUNTER_TEMPLATE, APD_RELEASE):
        raise ApdRuleError(f"encounter template {ENCOUNTER_TEMPLATE} ({APD_RELEASE}) missing")
    code = encounter.find("v3:code", V3)
    kind = attr(code, "code")
    if kind not in KINDS or attr(code, "codeSystem") != KIND_OID:
        raise ApdRuleError(f"appointment kind is not one of {', '.join(sorted(KINDS))}")
    low, high = interval(encounter.find("v3:effectiveTime", V3), "encounter effectiveTime")
    if low is None:
        raise ApdRuleError("encounter effectiveTime has no low value")
    if high is not None and high.at < low.at:
        raise ApdRuleError("encounter effectiveTime ends before it starts")
    check_header_interval(root, low, high)
    indicative = any(
        has_template(p, GUIDED_TEMPLATE)
        or attr(p.find("v3:criterion/v3:code", V3), "code") == "GuidedIntervalType"
        for p in encounter.findall("v3:precondition", V3)
    )
    days = whole_days(low, high, indicative)
    if days is None:
        start, end = low.at, high.at if high is not None else None
    else:
        start = local_midnight(days[0])
        end = local_midnight(days[1] + timedelta(days=1))
    patient = root.find("v3:recordTarget/v3:patientRole", V3)
    place = meeting_place(encounter, None if patient is None else read_address(patient))
    if place is None:
        raise ApdRuleError("no meeting place (participant LOC, SBJ or DST with an SDLOC role)")
    created = attr(root.find("v3:effectiveTime", V3), "value")
    performer = encounter.find("v3:performer/v3:assignedEntity", V3)
    return ApdDocument(
        doc_id=doc_id,
        patient_cpr=cpr,
        status_code=attr(encounter.find("v3:statusCode", V3), "code") or "active",
        start=start,
        end=end,
        kind=kind,
        title=_title(root, encounter),
        reason=attr(
            encounter.find("v3:entryRelationship[@typeCode='RSON']/v3:observation/v3:code", V3),
            "displayName",
        ),
        place=place,
        organization=owner(root, performer),
        performer=name_of(find(performer, "v3:assignedPerson/v3:name"))
        or text(find(performer, "v3:representedOrganization/v3:name")),
        created=parse_ts(created) if created else None,
        all_day=days is not None,
        indicative_time=indicative,
    )


def _check_profile(root: Element) -> None:
    """The document template and the profile version must be APD-DK 2.0 or 2.0.1."""
    templates = [t for t in root.findall("v3:templateId", V3) if t.get("root") == APD_TEMPLATE]
    if not templates:
        raise ApdRuleError(f"not an APD-DK document (templateId {APD_TEMPLATE} missing)")
    if not any(t.get("extension") == APD_RELEASE for t in templates):
        release = token(templates[0].get("extension")) or "no release"
        raise ApdRuleError(f"unsupported APD-DK version (document template {release})")
    event = service_event(
        root,
        VERSION_TEMPLATES,
        "the profile version (documentationOf/serviceEvent 1.2.208.184.10.1.10)",
    )
    version = attr(event.find("v3:id", V3), "extension")
    if version not in SUPPORTED_VERSIONS:
        raise ApdRuleError(f"unsupported APD-DK version ({token(version) or 'none given'})")


def _title(root: Element, encounter: Element) -> str | None:
    elem = encounter.find("v3:text", V3)
    if elem is None:
        return None
    direct = " ".join((elem.text or "").split())
    if direct:
        return direct
    ref = attr(elem.find("v3:reference", V3), "value")
    if ref and ref.startswith("#"):
        target = next((e for e in root.iter() if e.get("ID") == ref[1:]), None)
        return text(target)
    return text(elem)
