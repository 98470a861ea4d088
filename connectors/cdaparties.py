"""The parties of an APD-DK document: where the appointment is and which organisation owns it.

Pure functions over parsed elements (``connectors/cda.py`` has the rules). Only a place the
document identifies as the patient's home is a home visit (see ``is_home``); the owner is the
first SOR id (else Yderregister number) of the responsible author, the performer's organisation
or the custodian.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from connectors.cdaxml import V3, attr, find, id_ext, text
from domain.records import Address, OrgRef, Place

if TYPE_CHECKING:
    from lxml.etree import _Element as Element  # a type only: parsing is cdaxml's

SOR_OID = "1.2.208.176.1.1"
YDER_OID = "1.2.208.176.1.4"
PLACE_TYPES = frozenset({"LOC", "SBJ", "DST"})
HOME = "Borgers Hjemmeadresse"
REQUESTER_CODES = frozenset({"REFB", "RESB"})


def read_address(role: Element) -> Address | None:
    addr = role.find("v3:addr", V3)
    if addr is None or addr.get("nullFlavor"):
        return None
    lines = tuple(
        line for e in addr.findall("v3:streetAddressLine", V3) if (line := text(e)) is not None
    )
    postcode = text(addr.find("v3:postalCode", V3))
    city = text(addr.find("v3:city", V3))
    if not (lines or postcode or city):
        return None
    return Address(lines, postcode, city)


def _phone(role: Element) -> str | None:
    for telecom in role.findall("v3:telecom", V3):
        value = telecom.get("value") or ""
        if value.startswith("tel:"):
            return value[4:] or None
    return None


def meeting_place(encounter: Element, patient_address: Address | None) -> Place | None:
    for participant in encounter.findall("v3:participant", V3):
        role = participant.find("v3:participantRole", V3)
        kind = participant.get("typeCode")
        if role is None or role.get("classCode", "SDLOC") != "SDLOC" or kind not in PLACE_TYPES:
            continue
        name = text(role.find("v3:playingEntity/v3:name", V3))
        address = read_address(role)
        if is_home(kind, name, address, patient_address):
            # The name is fixed by the standard (FUT even misspells it); the phone would be the
            # patient's own, not the place's.
            return Place(name=HOME, address=address, is_home=True)
        return Place(name=name, sor=id_ext(role, SOR_OID), address=address, phone=_phone(role))
    return None


def is_home(
    kind: str | None, name: str | None, address: Address | None, patient: Address | None
) -> bool:
    """Whether the document identifies the place as the patient's own home.

    A ``SBJ``/``DST`` type alone does not: municipalities type any place "at the citizen's"
    that way, a day centre's entrance included. The name saying so does; so does the patient's
    own address; and so does the type when the place has no name or address of its own.
    """
    if name is not None:
        words = name.casefold().split()
        if len(words) >= 2 and words[0].startswith("borger") and words[1].startswith("hjem"):
            return True
    if address is not None and patient is not None and _same_address(address, patient):
        return True
    return kind in ("SBJ", "DST") and name is None and address is None


def _same_address(a: Address, b: Address) -> bool:
    def key(x: Address) -> tuple[tuple[str, ...], str]:
        lines = tuple(" ".join(line.casefold().split()) for line in x.lines)
        return lines, (x.postcode or "").strip()

    return key(a) == key(b)


def owner(root: Element, performer: Element | None) -> OrgRef | None:
    responsible = next(
        (
            a
            for a in root.findall("v3:author/v3:assignedAuthor", V3)
            if attr(a.find("v3:code", V3), "code") not in REQUESTER_CODES
        ),
        None,
    )
    custodian = root.find(
        "v3:custodian/v3:assignedCustodian/v3:representedCustodianOrganization", V3
    )
    candidates: list[tuple[Element | None, str, Element | None]] = [
        (responsible, SOR_OID, find(responsible, "v3:representedOrganization/v3:name")),
        (performer, SOR_OID, find(performer, "v3:representedOrganization/v3:name")),
        (custodian, SOR_OID, find(custodian, "v3:name")),
        (responsible, YDER_OID, find(responsible, "v3:representedOrganization/v3:name")),
        (performer, YDER_OID, find(performer, "v3:representedOrganization/v3:name")),
    ]
    for elem, oid, name in candidates:
        ident = id_ext(elem, oid)
        if ident:
            return OrgRef(ident, text(name))
    return None
