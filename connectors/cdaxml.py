"""Safe XML for the CDA reader: the one parse (``defusedxml``), the errors, element helpers.

Only ``defusedxml`` parses, with DTDs forbidden: a document type declaration is refused before any
entity is expanded or any external reference is followed, so a billion-laughs bomb or an XXE
costs microseconds and reads nothing. ``connectors/cda.py`` reads APD-DK documents with these.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element  # a type only: parsing is defusedxml's

V3 = {"v3": "urn:hl7-org:v3"}
MAX_DOCUMENT_BYTES = 2_000_000  # an APD is a few kB; anything near this is not one
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:_-]{0,39}")  # a code safe to name in a reason


class CdaError(ValueError):
    """The document is not an APD-DK appointment we can accept. The message is safe to log."""


class ApdRuleError(CdaError):
    """Well-formed XML that breaks APD-DK 2.0.1's rules: refuse this document on its own.

    The message names the rule and is safe to show to a client (it quotes no content beyond
    code tokens). ``patient_cpr`` is the CPR number the document names, when it got that far, so
    the caller can still tell another patient's document from a broken one of this patient's.
    """

    def __init__(self, message: str, patient_cpr: str | None = None) -> None:
        super().__init__(message)
        self.patient_cpr = patient_cpr


def parse_xml(data: bytes) -> Element:
    """The root element of ``data``; ``CdaError`` when it is too big, hostile or malformed."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CdaError("document exceeds the size cap")
    try:
        root: Element = SafeET.fromstring(
            data, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException as exc:
        # The class name says which defence fired; its fields would name the entity target.
        raise CdaError(f"hostile XML refused ({type(exc).__name__})") from exc
    except SafeET.ParseError as exc:
        raise CdaError(f"not well-formed XML ({exc.position[0]}:{exc.position[1]})") from exc
    return root


def find(elem: Element | None, path: str) -> Element | None:
    """``elem.find(path)`` in the v3 namespace, or ``None`` when ``elem`` is ``None``."""
    return None if elem is None else elem.find(path, V3)


def attr(elem: Element | None, name: str) -> str | None:
    """An attribute's value, stripped; ``None`` when absent or blank."""
    value = None if elem is None else elem.get(name)
    return value.strip() or None if value else None


def text(elem: Element | None) -> str | None:
    """An element's text with whitespace collapsed; ``None`` for a nullFlavor or no text."""
    if elem is None or elem.get("nullFlavor"):
        return None
    return " ".join("".join(elem.itertext()).split()) or None


def name_of(elem: Element | None) -> str | None:
    """A person name: its parts (prefix, given, family) each a word, or plain text."""
    if elem is None or elem.get("nullFlavor"):
        return None
    return " ".join(" ".join(elem.itertext()).split()) or None


def token(value: str | None) -> str | None:
    """``value`` if it is a plain code token, safe to name in a message; else ``None``."""
    return value if value is not None and _TOKEN.fullmatch(value) else None


def has_template(elem: Element, root: str, extension: str | None = None) -> bool:
    """Whether ``elem`` declares the template ``root`` (with that ``extension``, if given)."""
    return any(
        t.get("root") == root and (extension is None or t.get("extension") == extension)
        for t in elem.findall("v3:templateId", V3)
    )


def id_ext(elem: Element | None, oid: str) -> str | None:
    """The ``extension`` of ``elem``'s first ``id`` with root ``oid``."""
    if elem is None:
        return None
    for ident in elem.findall("v3:id", V3):
        if ident.get("root") == oid and ident.get("extension"):
            return attr(ident, "extension")
    return None


def service_event(root: Element, templates: frozenset[str], what: str) -> Element:
    """The one header ``documentationOf/serviceEvent`` with one of ``templates``; APD-DK
    requires exactly one of each kind (``what`` names it in the refusal)."""
    events = [
        e
        for e in root.findall("v3:documentationOf/v3:serviceEvent", V3)
        if any(t.get("root") in templates for t in e.findall("v3:templateId", V3))
    ]
    if len(events) != 1:
        raise ApdRuleError(f"{what} " + ("is missing" if not events else "is given more than once"))
    return events[0]
