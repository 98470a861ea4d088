"""CPR number rules. Pure: no I/O.

A CPR number is ``DDMMYY-SSSS`` (the hyphen is optional): the birth date, then a four-digit
sequence whose first digit (digit 7 of the number) fixes the century and whose last digit is even
for women. The canonical form in this code base is the ten digits without hyphen.

Modulus 11 is deliberately *not* checked: since 1 October 2007 valid numbers may fail it, and
MedCom's test numbers (``0201609995``, ``0201609996``, ``0201919990``, ``0108589995``,
``1502779995``) fail it on purpose.

Example::

    >>> normalise_cpr("010858-9995")
    '0108589995'
    >>> birth_date("0108589995")
    datetime.date(1958, 8, 1)
    >>> mask_cpr("0108589995")
    '010858-****'
"""

from __future__ import annotations

import re
from datetime import date

from domain.errors import BadInputError

# [0-9], not \d: \d also matches other scripts' digits, which int() would then happily accept.
_SYNTAX = re.compile(r"([0-9]{6})-?([0-9]{4})")
TEST_SEQUENCE_FROM = 9990


def normalise_cpr(raw: str) -> str:
    """The canonical ten-digit form of ``raw``.

    Accepts ``DDMMYY-SSSS`` or ``DDMMYYSSSS``, ignoring spaces. Raises ``BadInputError``
    (``extensions.field == "cpr"``) when the syntax is wrong or the date cannot exist.
    """
    digits, _ = _parse(raw)
    return digits


def birth_date(cpr: str) -> date:
    """The birth date encoded in ``cpr``, with the century from digit 7.

    Digit 7 in 0-3: 19YY; 4 or 9: 20YY if YY <= 36 else 19YY; 5-8: 20YY if YY <= 57 else 18YY.
    Raises ``BadInputError`` like ``normalise_cpr``.
    """
    _, born = _parse(cpr)
    return born


def is_female(cpr: str) -> bool:
    """Whether ``cpr`` is a woman's number (even last digit)."""
    digits, _ = _parse(cpr)
    return int(digits[9]) % 2 == 0


def is_test_cpr(cpr: str) -> bool:
    """Whether ``cpr`` is a test number (sequence 9990-9999, as MedCom's test numbers)."""
    digits, _ = _parse(cpr)
    return int(digits[6:]) >= TEST_SEQUENCE_FROM


def mask_cpr(cpr: str) -> str:
    """``cpr`` with its sequence hidden, for logs: ``"010858-****"``.

    Never raises, since it is called while logging: input that is not CPR-shaped is masked
    entirely.
    """
    match = _SYNTAX.fullmatch("".join(cpr.split()))
    return f"{match.group(1)}-****" if match else "******-****"


def _parse(raw: str) -> tuple[str, date]:
    text = "".join(raw.split())
    match = _SYNTAX.fullmatch(text)
    if match is None:
        raise _not_a_cpr(text)
    digits = match.group(1) + match.group(2)
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    try:
        return digits, date(_century(int(digits[6]), yy) + yy, month, day)
    except ValueError as exc:
        raise _not_a_cpr(text) from exc


def _century(digit7: int, yy: int) -> int:
    if digit7 <= 3:
        return 1900
    if digit7 in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def _not_a_cpr(text: str) -> BadInputError:
    # The message reaches the client and the logs: echo at most the date part, never a sequence.
    shown = text[:6] + "…" if len(text) > 6 else text
    return BadInputError(f"{shown!r} is not a CPR number (expected DDMMYY-SSSS)", field="cpr")
