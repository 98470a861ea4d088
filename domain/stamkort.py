"""Validation of the stamkort fields a patient, a fuldmagt relative or a clinician may edit. Pure.

Each validator normalises a value (trimmed, NFC, whitespace collapsed, phone numbers in E.164)
and returns it in a JSON-able shape for the store, or raises ``BadInputError`` with a message
for the person who typed it and ``extensions.field`` naming the input, e.g. ``"phone"`` or
``"relatives.relation"``.

Relationship codes are DK-core's binding for ``RelatedPerson.relationship``: the value set
``dk-core-RelatedPersonRelationshipTypes`` (HL7 DK, DK Core, ``input/fsh/valueSets.fsh``): a
selection of HL7 v3 RoleCode personal-relationship codes, Danish displays from DK Core's
``RoleCodeDkSupplement``, plus DK Core's own ``DkRelatedPersonRelationshipCodes`` (PARAUTH,
PRICARE, PROCON; ``input/fsh/codeSystems.fsh``). The binding is extensible; this list is closed,
so the store only ever holds codes a FHIR consumer can look up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

import phonenumbers
import pycountry

from domain.errors import BadInputError
from domain.text import clean_text, normalise

__all__ = [
    "DK_RELATIONSHIP_SYSTEM",
    "EDITABLE_FIELDS",
    "RELATIONSHIPS",
    "RELATIONSHIP_CODES",
    "V3_ROLE_CODE_SYSTEM",
    "Relationship",
    "validate_dentist",
    "validate_language",
    "validate_phone",
    "validate_relative",
    "validate_temporary_address",
]

EDITABLE_FIELDS = ("phone", "temporary_address", "dentist", "language", "relatives")

V3_ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
DK_RELATIONSHIP_SYSTEM = "http://hl7.dk/fhir/core/CodeSystem/dk-relatedperson-relationshipcodes"

NAME_MAX = 200
ADDRESS_LINE_MAX = 100
ADDRESS_LINES_MAX = 3
DENTIST_ADDRESS_MAX = 200
_PHONE_INPUT_MAX = 40


@dataclass(frozen=True, slots=True)
class Relationship:
    """One relationship code with its system and displays."""

    code: str
    system: str
    display_en: str
    display_da: str


def _v3(code: str, en: str, da: str) -> Relationship:
    return Relationship(code, V3_ROLE_CODE_SYSTEM, en, da)


def _dk(code: str, en: str, da: str) -> Relationship:
    return Relationship(code, DK_RELATIONSHIP_SYSTEM, en, da)


RELATIONSHIPS: Mapping[str, Relationship] = MappingProxyType(
    {
        r.code: r
        for r in (
            _v3("FAMMEMB", "family member", "Familiemedlem"),
            _v3("CHILD", "child", "Barn"),
            _v3("DAUC", "daughter", "Datter"),
            _v3("SONC", "son", "Søn"),
            _v3("GRNDCHILD", "grandchild", "Barnebarn"),
            _v3("CHLDINLAW", "child-in-law", "Svigerbarn"),
            _v3("PRN", "parent", "Forælder"),
            _v3("FTH", "father", "Far"),
            _v3("MTH", "mother", "Mor"),
            _v3("SIB", "sibling", "Søskende"),
            _v3("DOMPART", "domestic partner", "Registreret partner"),
            _v3("SPS", "spouse", "Ægtefælle"),
            _v3("FRND", "unrelated friend", "Ven (ikke-beslægtet)"),
            _v3("NBOR", "neighbor", "Nabo"),
            _v3("ROOM", "roommate", "Samboende"),
            _v3("GUARD", "guardian", "Værge"),
            _v3("NOK", "next of kin", "Pårørende"),
            _v3("POWATT", "power of attorney", "Fuldmagtshaver"),
            _v3("ECON", "emergency contact", "Primær kontakt"),
            _dk("PARAUTH", "parental authority", "Forældremyndighedsindehaver"),
            _dk("PRICARE", "primary caretaker", "Primær omsorgsperson"),
            _dk("PROCON", "professional contact", "Professionel kontakt"),
        )
    }
)
"""Every accepted relationship code, by code."""

RELATIONSHIP_CODES: Mapping[str, str] = MappingProxyType(
    {code: r.display_da for code, r in RELATIONSHIPS.items()}
)
"""Relationship code → Danish display (what the stamkort shows)."""

_PHONE_LABELS = {
    "phone": "Phone number",
    "relatives.phone": "The relative's phone number",
    "dentist.phone": "The dentist's phone number",
}
_POSTCODE = re.compile(r"[0-9]{4}")
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# ISO 639-3 types a person can be written to in: living and constructed languages (not
# "undetermined", "multiple", extinct, ancient or historical ones).
_LANGUAGE_TYPES = frozenset({"L", "C"})


def _clean(value: str) -> str:
    """NFC, trimmed, every run of whitespace (line breaks too) made one space."""
    return normalise(value)


def _text(value: str | None, *, field: str, label: str, max_len: int) -> str:
    # The one text rule (domain/text.py): no control or direction-control characters.
    return clean_text(value, field=field, label=label, max_len=max_len)


def _optional_text(value: str | None, *, field: str, label: str, max_len: int) -> str | None:
    if value is None or not _clean(value):
        return None
    return _text(value, field=field, label=label, max_len=max_len)


def validate_phone(raw: str, *, field: str = "phone") -> str:
    """A phone number in E.164 (``"+4520123456"``); Danish unless it has a country code.

    Accepts the usual ways of writing one: ``"20 12 34 56"``, ``"+45 20123456"``,
    ``"0045 20 12 34 56"``, ``"+46 70 123 45 67"``. ``field`` names the input in the error.

    >>> validate_phone("20 12 34 56")
    '+4520123456'
    """
    label = _PHONE_LABELS.get(field, "Phone number")
    text = _clean(raw)
    if not text:
        raise BadInputError(f"{label} is required.", field=field)
    if len(text) > _PHONE_INPUT_MAX:
        raise BadInputError(f"{label} is too long to be a phone number.", field=field)
    try:
        number = phonenumbers.parse(text, "DK")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise BadInputError(
            f"{label} is not a valid phone number. Write it as 8 digits, or with a country "
            "code such as +45 for numbers outside Denmark.",
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_language(code: str) -> tuple[str, str]:
    """An ISO 639-1 (two-letter) or ISO 639-3 (three-letter) language code and its English name.

    A three-letter code with a two-letter equivalent comes back as the two-letter one (the
    shortest code, as BCP 47 prefers), so one language is always stored one way:
    ``"dan"`` → ``("da", "Danish")``; ``"dsl"`` → ``("dsl", "Danish Sign Language")``.

    >>> validate_language("DA")
    ('da', 'Danish')
    """
    text = code.strip().lower()
    language: Any = None
    if _LANGUAGE_CODE.fullmatch(text):
        key = "alpha_2" if len(text) == 2 else "alpha_3"
        language = pycountry.languages.get(**{key: text})
    if language is None or getattr(language, "type", None) not in _LANGUAGE_TYPES:
        raise BadInputError(
            "Language must be a known language code, such as 'da' for Danish or 'en' for English.",
            field="language",
        )
    canonical: str = getattr(language, "alpha_2", None) or language.alpha_3
    return canonical, str(language.name)


def validate_relative(name: str, phone: str, relation: str) -> dict[str, str]:
    """A relative (pårørende): name, phone number and relationship code.

    ``relation`` is a code of :data:`RELATIONSHIPS` (any letter case). Returns
    ``{"name", "phone", "relation", "relation_display"}`` with the Danish display.

    >>> validate_relative("Ellen Lauridsen", "20 12 34 56", "sps")["relation_display"]
    'Ægtefælle'
    """
    clean_name = _text(name, field="relatives.name", label="The relative's name", max_len=NAME_MAX)
    clean_phone = validate_phone(phone, field="relatives.phone")
    code = relation.strip().upper()
    if code not in RELATIONSHIPS:
        raise BadInputError(
            "The relationship to the relative is not one of the choices. Choose one from the list.",
            field="relatives.relation",
        )
    return {
        "name": clean_name,
        "phone": clean_phone,
        "relation": code,
        "relation_display": RELATIONSHIP_CODES[code],
    }


def validate_temporary_address(
    lines: Sequence[str],
    postcode: str,
    city: str,
    valid_from: date,
    valid_to: date | None,
) -> dict[str, Any]:
    """A temporary (midlertidig) Danish address and the period it applies in.

    Blank lines are dropped; 1 to 3 lines of at most 100 characters must remain. The postcode
    is four digits from 0800 to 9990; ``valid_to`` (optional: open-ended) is on or after
    ``valid_from``. Dates come back as ISO strings:
    ``{"lines": [...], "postcode", "city", "valid_from", "valid_to"}``.
    """
    if isinstance(lines, str):
        raise TypeError("lines must be a sequence of strings, not one string")
    kept = [_clean(line) for line in lines if _clean(line)]
    if not kept:
        raise BadInputError(
            "The temporary address needs a street address.", field="temporary_address.lines"
        )
    if len(kept) > ADDRESS_LINES_MAX:
        raise BadInputError(
            f"The temporary address can have at most {ADDRESS_LINES_MAX} address lines.",
            field="temporary_address.lines",
        )
    clean_lines = [
        _text(
            line,
            field="temporary_address.lines",
            label="Each line of the temporary address",
            max_len=ADDRESS_LINE_MAX,
        )
        for line in kept
    ]
    code = postcode.strip()
    if not _POSTCODE.fullmatch(code) or not 800 <= int(code) <= 9990:
        raise BadInputError(
            "Postcode must be a Danish postcode of four digits (0800 to 9990).",
            field="temporary_address.postcode",
        )
    clean_city = _text(
        city,
        field="temporary_address.city",
        label="The city of the temporary address",
        max_len=NAME_MAX,
    )
    if valid_to is not None and valid_to < valid_from:
        raise BadInputError(
            "The temporary address cannot end before it starts: choose an end date on or after "
            "the start date.",
            field="temporary_address.valid_to",
        )
    return {
        "lines": clean_lines,
        "postcode": code,
        "city": clean_city,
        "valid_from": valid_from.isoformat(),
        "valid_to": valid_to.isoformat() if valid_to is not None else None,
    }


def validate_dentist(name: str, phone: str | None, address: str | None) -> dict[str, str | None]:
    """The patient's dentist: a name, and optionally a phone number and a one-line address.

    Returns ``{"name", "phone", "address"}``; a blank phone or address is ``None``.
    """
    clean_name = _text(name, field="dentist.name", label="The dentist's name", max_len=NAME_MAX)
    clean_phone = (
        validate_phone(phone, field="dentist.phone")
        if phone is not None and _clean(phone)
        else None
    )
    clean_address = _optional_text(
        address, field="dentist.address", label="The dentist's address", max_len=DENTIST_ADDRESS_MAX
    )
    return {"name": clean_name, "phone": clean_phone, "address": clean_address}
