from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cpr import birth_date, is_female, is_test_cpr, mask_cpr, normalise_cpr
from domain.errors import BadInputError

MEDCOM_TEST_NUMBERS = ("0201609995", "0201609996", "0201919990", "0108589995", "1502779995")
WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def modulus_11_ok(cpr: str) -> bool:
    return sum(int(d) * w for d, w in zip(cpr, WEIGHTS, strict=True)) % 11 == 0


def fabricate(born: date, digit7: int, tail: str = "99") -> str:
    """A CPR-shaped number for ``born`` with century digit ``digit7``.

    Digit 7 below 9 cannot carry a test sequence (>= 9990), so the century rules need numbers
    outside MedCom's list. Like MedCom's, these are made to fail modulus 11, so none of them can
    be a number issued before 2007. They are built here and never stored as literals.
    """
    first9 = f"{born:%d%m%y}{digit7}{tail}"
    last = next(d for d in range(10) if not modulus_11_ok(f"{first9}{d}"))
    return f"{first9}{last}"


@pytest.mark.parametrize("cpr", MEDCOM_TEST_NUMBERS)
def test_medcom_test_numbers_are_accepted_though_they_fail_modulus_11(cpr: str) -> None:
    assert not modulus_11_ok(cpr)
    assert normalise_cpr(cpr) == cpr
    assert is_test_cpr(cpr)


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("0201609995", date(1960, 1, 2)),
        ("0201919990", date(1991, 1, 2)),
        ("0108589995", date(1958, 8, 1)),
        ("1502779995", date(1977, 2, 15)),
    ],
)
def test_birth_date_of_medcom_numbers(cpr: str, born: date) -> None:
    assert birth_date(cpr) == born


@pytest.mark.parametrize(
    ("digit7", "yy", "year"),
    [
        *((d, yy, 1900 + yy) for d in (0, 1, 2, 3) for yy in (0, 36, 37, 57, 58, 99)),
        *((d, yy, 2000 + yy) for d in (4, 9) for yy in (0, 36)),
        *((d, yy, 1900 + yy) for d in (4, 9) for yy in (37, 57, 58, 99)),
        *((d, yy, 2000 + yy) for d in (5, 6, 7, 8) for yy in (0, 36, 37, 57)),
        *((d, yy, 1800 + yy) for d in (5, 6, 7, 8) for yy in (58, 99)),
    ],
)
def test_century_from_digit_7(digit7: int, yy: int, year: int) -> None:
    cpr = fabricate(date(year, 12, 31), digit7)
    assert cpr[4:6] == f"{yy:02d}"
    assert birth_date(cpr) == date(year, 12, 31)


@pytest.mark.parametrize(
    ("digit7", "valid"),
    [(0, False), (3, False), (4, True), (9, True), (5, True), (8, True)],
)
def test_29_february_00_depends_on_the_century(digit7: int, valid: bool) -> None:
    # 1900 was no leap year, 2000 was: the century rule decides whether the date exists.
    if valid:
        assert birth_date(fabricate(date(2000, 2, 29), digit7)) == date(2000, 2, 29)
    else:
        with pytest.raises(BadInputError):
            normalise_cpr(f"290200{digit7}990")


@pytest.mark.parametrize(
    "raw",
    ["010858-9995", "0108589995", " 010858 - 9995 ", "01 08 58 99 95", "\t0108589995\n"],
)
def test_hyphen_and_spaces_are_optional(raw: str) -> None:
    assert normalise_cpr(raw) == "0108589995"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "010858999",  # nine digits
        "01085899950",  # eleven digits
        "010858--9995",
        "0108-589995",
        "010858_9995",
        "0108589995-",
        "O108589995",  # letter O
        "٠١٠٨٥٨٩٩٩٥",  # Arabic-Indic digits: \d would take them
        "3002609995",  # 30 February
        "0013609995",  # month 13
        "0001609995",  # day 0
        "3204609995",  # 32 April
        "3104609995",  # 31 April
        "2902019995",  # 29 February 2001
    ],
)
def test_bad_syntax_and_impossible_dates_are_rejected(raw: str) -> None:
    with pytest.raises(BadInputError) as caught:
        normalise_cpr(raw)
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "field": "cpr"}
    assert "is not a CPR number (expected DDMMYY-SSSS)" in caught.value.message
    assert "9995" not in caught.value.message  # the sequence is never echoed


@pytest.mark.parametrize("function", [birth_date, is_female, is_test_cpr])
def test_every_rule_rejects_bad_input(function: Callable[[str], object]) -> None:
    with pytest.raises(BadInputError):
        function("3002609995")


@pytest.mark.parametrize(
    ("cpr", "female"), [("0201609996", True), ("0201919990", True), ("0108589995", False)]
)
def test_is_female_by_last_digit(cpr: str, female: bool) -> None:
    assert is_female(cpr) is female
    assert is_female(f"{cpr[:6]}-{cpr[6:]}") is female


def test_is_test_cpr_from_sequence_9990() -> None:
    assert is_test_cpr("0201919990")
    assert not is_test_cpr(fabricate(date(1991, 1, 2), 9, "98"))


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("0108589995", "010858-****"),
        ("010858-9995", "010858-****"),
        ("nonsense", "******-****"),
        ("", "******-****"),
    ],
)
def test_mask_cpr_hides_the_sequence_and_never_raises(raw: str, masked: str) -> None:
    assert mask_cpr(raw) == masked


@st.composite
def valid_births(draw: st.DrawFn) -> tuple[date, int]:
    """A date the CPR scheme can express, with a digit 7 that gives its century."""
    born = draw(st.dates(date(1858, 1, 1), date(2057, 12, 31)))
    yy = born.year % 100
    if born.year < 1900:
        options = [5, 6, 7, 8]
    elif born.year < 2000:
        options = [0, 1, 2, 3] + ([4, 9] if yy >= 37 else [])
    else:
        options = [5, 6, 7, 8] + ([4, 9] if yy <= 36 else [])
    return born, draw(st.sampled_from(options))


@given(valid_births(), st.integers(0, 99), st.booleans())
def test_round_trip_over_valid_dates(birth: tuple[date, int], tail: int, hyphen: bool) -> None:
    born, digit7 = birth
    cpr = fabricate(born, digit7, f"{tail:02d}")
    written = f"{cpr[:6]}-{cpr[6:]}" if hyphen else cpr
    assert normalise_cpr(written) == cpr
    assert birth_date(written) == born
    assert mask_cpr(written) == f"{born:%d%m%y}-****"


@given(st.text(max_size=14))
def test_any_text_is_a_cpr_or_a_bad_input(raw: str) -> None:
    try:
        cpr = normalise_cpr(raw)
    except BadInputError:
        return
    assert len(cpr) == 10
    assert cpr.isascii()
    assert cpr.isdigit()
