"""What one connector call answers: its records, and the documents it refused on their own.

A source may send, among good documents, one that breaks its format's rules (an APD-DK document
without a start, of another version, with contradicting times; a FHIR resource with a status R4
does not have). That document is refused — never shown — and said so: the ``Refusal`` travels
with the records through the cache to the source's status, so nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Refusal:
    """One refused document.

    ``document`` is the source's id of it (an XDS entry id, a FHIR resource id), for our logs;
    ``reason`` names the rule it breaks in words safe to show: it never quotes the document.
    """

    document: str
    reason: str


@dataclass(frozen=True, slots=True)
class Answer(Generic[R]):
    """The records of one connector call, and the documents it refused."""

    records: list[R]
    refused: tuple[Refusal, ...] = ()
