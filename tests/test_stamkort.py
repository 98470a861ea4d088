from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from domain.errors import BadInputError
from domain.stamkort import (
    DK_RELATIONSHIP_SYSTEM,
    EDITABLE_FIELDS,
    RELATIONSHIP_CODES,
    RELATIONSHIPS,
    V3_ROLE_CODE_SYSTEM,
    validate_dentist,
    validate_language,
    validate_phone,
    validate_relative,
    validate_temporary_address,
)


def test_editable_fields() -> None:
    assert EDITABLE_FIELDS == ("phone", "temporary_address", "dentist", "language", "relatives")


# --- phone -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("20 12 34 56", "+4520123456"),
        ("20123456", "+4520123456"),
        ("+45 20 12 34 56", "+4520123456"),
        ("0045 20 12 34 56", "+4520123456"),
        ("(+45) 20-12-34-56", "+4520123456"),
        ("  86 12 34 56  ", "+4586123456"),
        ("+46 70 123 45 67", "+46701234567"),  # Swedish mobile
        ("+299 32 12 34", "+299321234"),  # Greenland
    ],
)
def test_validate_phone_valid(raw: str, e164: str) -> None:
    assert validate_phone(raw) == e164


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "1234",
        "112",
        "12345678",  # no Danish number starts with 1
        "+45 2012345",  # seven digits
        "+45 20 12 34 56 78",
        "+45 00 00 00 00",
        "2" * 200,
    ],
)
def test_validate_phone_invalid(raw: str) -> None:
    with pytest.raises(BadInputError) as caught:
        validate_phone(raw)
    err = caught.value
    assert err.extensions == {"code": "BAD_USER_INPUT", "field": "phone"}
    assert err.message.startswith("Phone number")
    assert "phonenumbers" not in err.message


def test_validate_phone_names_the_field_it_is_given() -> None:
    with pytest.raises(BadInputError) as caught:
        validate_phone("1234", field="relatives.phone")
    assert caught.value.extensions["field"] == "relatives.phone"
    assert "relative" in caught.value.message


# --- language ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("da", ("da", "Danish")),
        ("DA", ("da", "Danish")),
        (" en ", ("en", "English")),
        ("dan", ("da", "Danish")),  # a 639-3 code with a 639-1 twin comes back as the twin
        ("kl", ("kl", "Kalaallisut")),
        ("fo", ("fo", "Faroese")),
        ("ar", ("ar", "Arabic")),  # macrolanguage
        ("dsl", ("dsl", "Danish Sign Language")),  # 639-3 only
        ("prs", ("prs", "Dari")),
        ("eo", ("eo", "Esperanto")),
    ],
)
def test_validate_language_valid(code: str, expected: tuple[str, str]) -> None:
    assert validate_language(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "",
        "x",
        "xx",
        "dk",  # a country code, not a language
        "danish",
        "da-DK",
        "ger",  # ISO 639-2/B, not 639-3
        "und",  # special codes: undetermined, multiple, none
        "mul",
        "zxx",
        "la",  # historical
        "12",
        "æø",
    ],
)
def test_validate_language_invalid(code: str) -> None:
    with pytest.raises(BadInputError) as caught:
        validate_language(code)
    assert caught.value.extensions["field"] == "language"
    assert "Language" in caught.value.message


# --- relationship codes ------------------------------------------------------------------------


def test_relationship_codes_cover_dk_core_examples() -> None:
    # DK-core's own RelatedPerson examples use these three.
    for code in ("CHILD", "NBOR", "PRICARE"):
        assert code in RELATIONSHIP_CODES


def test_relationship_codes_systems_and_displays() -> None:
    assert RELATIONSHIP_CODES["SPS"] == "Ægtefælle"
    assert RELATIONSHIP_CODES["PRICARE"] == "Primær omsorgsperson"
    assert RELATIONSHIPS["SPS"].system == V3_ROLE_CODE_SYSTEM
    assert RELATIONSHIPS["SPS"].display_en == "spouse"
    dk_codes = {c for c, r in RELATIONSHIPS.items() if r.system == DK_RELATIONSHIP_SYSTEM}
    assert dk_codes == {"PARAUTH", "PRICARE", "PROCON"}
    assert set(RELATIONSHIP_CODES) == set(RELATIONSHIPS)
    assert all(code.isupper() and display for code, display in RELATIONSHIP_CODES.items())


def test_relationship_tables_are_read_only() -> None:
    with pytest.raises(TypeError):
        RELATIONSHIP_CODES["XXX"] = "x"  # type: ignore[index]


# --- relatives ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("Ellen Louise Lauridsen", "20 12 34 56", "SPS"),
            {
                "name": "Ellen Louise Lauridsen",
                "phone": "+4520123456",
                "relation": "SPS",
                "relation_display": "Ægtefælle",
            },
        ),
        (
            ("  Odd  Haugen\tMosebryggersen ", "+45 86 12 34 56", "child"),
            {
                "name": "Odd Haugen Mosebryggersen",
                "phone": "+4586123456",
                "relation": "CHILD",
                "relation_display": "Barn",
            },
        ),
        (
            ("Karl Kristensen", "20123456", " pricare "),
            {
                "name": "Karl Kristensen",
                "phone": "+4520123456",
                "relation": "PRICARE",
                "relation_display": "Primær omsorgsperson",
            },
        ),
        (
            # Decomposed å (a + combining ring) is stored composed.
            ("Bjørn A\u030agesen", "20123456", "NBOR"),
            {
                "name": "Bjørn Ågesen",
                "phone": "+4520123456",
                "relation": "NBOR",
                "relation_display": "Nabo",
            },
        ),
        (
            ("X" * 200, "20123456", "FRND"),
            {
                "name": "X" * 200,
                "phone": "+4520123456",
                "relation": "FRND",
                "relation_display": "Ven (ikke-beslægtet)",
            },
        ),
    ],
)
def test_validate_relative_valid(args: tuple[str, str, str], expected: dict[str, str]) -> None:
    result = validate_relative(*args)
    assert result == expected
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "20123456", "SPS"), "relatives.name"),
        (("   ", "20123456", "SPS"), "relatives.name"),
        (("X" * 201, "20123456", "SPS"), "relatives.name"),
        (("Ellen\x00Lauridsen", "20123456", "SPS"), "relatives.name"),
        (("Ellen Lauridsen", "1234", "SPS"), "relatives.phone"),
        (("Ellen Lauridsen", "", "SPS"), "relatives.phone"),
        (("Ellen Lauridsen", "20123456", "WIFE"), "relatives.relation"),
        (("Ellen Lauridsen", "20123456", ""), "relatives.relation"),
        (("Ellen Lauridsen", "20123456", "Ægtefælle"), "relatives.relation"),
    ],
)
def test_validate_relative_invalid(args: tuple[str, str, str], field: str) -> None:
    with pytest.raises(BadInputError) as caught:
        validate_relative(*args)
    assert caught.value.extensions["field"] == field
    assert "relative" in caught.value.message


# --- temporary address -------------------------------------------------------------------------

MAY = date(2026, 5, 1)
AUGUST = date(2026, 8, 31)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            (["Testvej 12, 2. tv."], "8200", "Aarhus N", MAY, AUGUST),
            {
                "lines": ["Testvej 12, 2. tv."],
                "postcode": "8200",
                "city": "Aarhus N",
                "valid_from": "2026-05-01",
                "valid_to": "2026-08-31",
            },
        ),
        (
            (["c/o Hansen", " Skovbrynet  4 ", "", "Skagen"], "9990", " Skagen ", MAY, None),
            {
                "lines": ["c/o Hansen", "Skovbrynet 4", "Skagen"],
                "postcode": "9990",
                "city": "Skagen",
                "valid_from": "2026-05-01",
                "valid_to": None,
            },
        ),
        (
            (("Rådhuspladsen 1",), "0800", "Høje Taastrup", MAY, MAY),
            {
                "lines": ["Rådhuspladsen 1"],
                "postcode": "0800",
                "city": "Høje Taastrup",
                "valid_from": "2026-05-01",
                "valid_to": "2026-05-01",
            },
        ),
    ],
)
def test_validate_temporary_address_valid(args: tuple[Any, ...], expected: dict[str, Any]) -> None:
    result = validate_temporary_address(*args)
    assert result == expected
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (([], "8200", "Aarhus N", MAY, None), "temporary_address.lines"),
        ((["", "  "], "8200", "Aarhus N", MAY, None), "temporary_address.lines"),
        ((["a", "b", "c", "d"], "8200", "Aarhus N", MAY, None), "temporary_address.lines"),
        ((["v" * 101], "8200", "Aarhus N", MAY, None), "temporary_address.lines"),
        ((["Testvej 12"], "820", "Aarhus N", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "82000", "Aarhus N", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "0799", "København", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "9991", "Skagen", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "DK-8200", "Aarhus N", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "٨٢٠٠", "Aarhus N", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "", "Aarhus N", MAY, None), "temporary_address.postcode"),
        ((["Testvej 12"], "8200", "", MAY, None), "temporary_address.city"),
        ((["Testvej 12"], "8200", "Aarhus N", AUGUST, MAY), "temporary_address.valid_to"),
    ],
)
def test_validate_temporary_address_invalid(args: tuple[Any, ...], field: str) -> None:
    with pytest.raises(BadInputError) as caught:
        validate_temporary_address(*args)
    assert caught.value.extensions["field"] == field


def test_validate_temporary_address_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError):
        validate_temporary_address("Testvej 12", "8200", "Aarhus N", MAY, None)


# --- dentist -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("Tandlægerne Åbyhøj", "86 15 00 00", "Silkeborgvej 100, 8230 Åbyhøj"),
            {
                "name": "Tandlægerne Åbyhøj",
                "phone": "+4586150000",
                "address": "Silkeborgvej 100, 8230 Åbyhøj",
            },
        ),
        (
            ("Tandlæge Birgitte Sørensen", None, None),
            {"name": "Tandlæge Birgitte Sørensen", "phone": None, "address": None},
        ),
        (
            ("Tandlæge Birgitte Sørensen", "  ", "\n"),
            {"name": "Tandlæge Birgitte Sørensen", "phone": None, "address": None},
        ),
        (
            ("Frederikshavn Tandklinik", None, "Havnegade 1\n9900 Frederikshavn"),
            {
                "name": "Frederikshavn Tandklinik",
                "phone": None,
                "address": "Havnegade 1 9900 Frederikshavn",
            },
        ),
    ],
)
def test_validate_dentist_valid(
    args: tuple[str, str | None, str | None], expected: dict[str, str | None]
) -> None:
    result = validate_dentist(*args)
    assert result == expected
    assert json.loads(json.dumps(result)) == result


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", None, None), "dentist.name"),
        (("N" * 201, None, None), "dentist.name"),
        (("Tandlægerne Åbyhøj", "1234", None), "dentist.phone"),
        (("Tandlægerne Åbyhøj", None, "A" * 201), "dentist.address"),
        (("Tandlægerne Åbyhøj", None, "Vej 1\x07"), "dentist.address"),
    ],
)
def test_validate_dentist_invalid(args: tuple[str, str | None, str | None], field: str) -> None:
    with pytest.raises(BadInputError) as caught:
        validate_dentist(*args)
    assert caught.value.extensions["field"] == field
    assert "dentist" in caught.value.message
