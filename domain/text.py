"""One rule for the text people type and tokens carry, so that every database stores it alike.

PostgreSQL refuses a NUL in text and a value longer than its column (the whole statement fails);
SQLite stores both. Checking at the boundary — a token's claims in ``auth.py``, each text input
in its resolver or validator — makes both databases behave alike and gives the client a clear
error that names the field, instead of a database error. The rule:

- normalised: NFC, trimmed, every run of whitespace (line breaks and tabs too) made one space;
- no control characters (Unicode ``Cc``: NUL, the other C0 controls, DEL and the C1 controls) and
  no lone surrogates (``Cs``: no UTF-8 database can store them);
- no bidirectional formatting characters (the embeddings and overrides U+202A to U+202E, the
  isolates U+2066 to U+2069, the marks U+200E, U+200F and U+061C): in a name or reason shown in Min
  Log they can make it read as something it is not ("Trojan Source", CVE-2021-42574). Text in
  right-to-left scripts needs none of them to show correctly; joiners (U+200C/U+200D), which some
  scripts do need in names, are allowed;
- at most ``max_len`` characters, counted as the database counts them (code points), after
  normalising.

Example::

    reason = clean_text(raw, field="reason", label="The reason", max_len=1000)
"""

from __future__ import annotations

import re
import unicodedata

from domain.errors import BadInputError

__all__ = ["FORBIDDEN", "clean_text", "normalise", "refusal"]

#: Characters no text input may contain (see the module docstring).
FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def normalise(value: str) -> str:
    """NFC, trimmed, every run of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def refusal(text: str, max_len: int) -> str | None:
    """Why the normalised ``text`` breaks the rule (a phrase for a message), or ``None``."""
    if len(text) > max_len:
        return f"is longer than {max_len} characters"
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    # Name the character by its code point only: echoing it could be the attack.
    return f"contains a character that is not allowed (U+{ord(found.group()):04X})"


def clean_text(value: str | None, *, field: str, label: str, max_len: int, min_len: int = 1) -> str:
    """``value`` normalised, or ``BadInputError`` with ``extensions.field`` = ``field``.

    ``label`` starts the message ("The reason", "The relative's name"); ``min_len`` 0 allows an
    empty value (returned as ``""``).
    """
    text = normalise(value or "")
    if not text and min_len > 0:
        raise BadInputError(f"{label} is required.", field=field)
    if len(text) > max_len:
        raise BadInputError(f"{label} can be at most {max_len} characters long.", field=field)
    if len(text) < min_len:
        raise BadInputError(f"{label} must be at least {min_len} characters long.", field=field)
    problem = refusal(text, max_len)
    if problem is not None:
        raise BadInputError(f"{label} {problem}.", field=field)
    return text
