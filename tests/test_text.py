"""The one text rule: normalised, no control or direction-control characters, bounded length."""

from __future__ import annotations

import pytest

from domain.errors import BadInputError
from domain.text import clean_text, normalise, refusal

ARABIC = "\u0645\u062d\u0645\u062f \u0627\u0644\u0623\u062d\u0645\u062f"  # a name
PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Ellen   Lauridsen ", "Ellen Lauridsen"),
        ("Akut\nindlagt,\tbevidstløs", "Akut indlagt, bevidstløs"),
        ("Søren", "Søren"),
        ("Ame\u0301lie", "Amélie"),  # NFD to NFC
        (ARABIC, ARABIC),  # right-to-left text needs no control characters
        (PERSIAN, PERSIAN),  # the zero-width non-joiner: Persian needs it
    ],
)
def test_good_text_is_normalised(raw: str, clean: str) -> None:
    assert clean_text(raw, field="name", label="The name", max_len=200) == clean


@pytest.mark.parametrize(
    "bad",
    [
        "Ellen\x00Lauridsen",  # NUL: PostgreSQL refuses it, SQLite stores it
        "Ellen\x07",  # other C0 control
        "Ellen\x7f",  # DEL
        "Ellen\x9b",  # C1 control (CSI)
        "Ellen\ud800",  # lone surrogate
        "Dr. \u202eneslruaL",  # right-to-left override: shows as "Dr. Laurslen"
        "\u202bArabic embedding\u202c",
        "\u2067isolate\u2069",
        "mark\u200f",
        "mark\u200e",
        "mark\u061c",
    ],
)
def test_control_and_direction_characters_are_refused(bad: str) -> None:
    with pytest.raises(BadInputError, match="not allowed") as caught:
        clean_text(bad, field="relatives.name", label="The relative's name", max_len=200)
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "field": "relatives.name"}
    # The message names the code point, never echoes the character itself.
    assert not any(ch in caught.value.message for ch in bad if not ch.isascii())


def test_length_is_counted_after_normalising_in_code_points() -> None:
    assert clean_text("æ" * 200, field="n", label="N", max_len=200) == "æ" * 200
    assert clean_text("e\u0301" * 200, field="n", label="N", max_len=200) == "é" * 200
    with pytest.raises(BadInputError, match="at most 200"):
        clean_text("x" * 201, field="n", label="N", max_len=200)
    with pytest.raises(BadInputError, match="is required"):
        clean_text(" \n ", field="n", label="N", max_len=200)
    assert clean_text("", field="n", label="N", max_len=5, min_len=0) == ""


def test_refusal_names_the_problem() -> None:
    assert refusal(normalise(" ok "), 10) is None
    assert refusal("x" * 11, 10) == "is longer than 10 characters"
    assert refusal("a\x00b", 10) == "contains a character that is not allowed (U+0000)"
