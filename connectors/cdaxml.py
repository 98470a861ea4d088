"""Safe XML for the CDA reader: the one parse (``lxml``), the errors, element helpers.

libxml2 through ``lxml`` parses (a 4 kB APD in ~35 µs, ten times faster than ``defusedxml``),
with a document type declaration refused *before* the parser sees the bytes: libxml2 opens an
external DTD or parameter entity named in a DOCTYPE even with ``load_dtd=False`` (it reads no
content into the tree, but a path such as ``/dev/stdin`` would still be opened), so no DOCTYPE
may reach it. The bytes are decoded as UTF-8 whatever the XML declaration says (APD-DK
documents are UTF-8), so the byte search for ``<!DOCTYPE`` cannot be dodged with another
encoding; entities are never resolved, nothing is fetched, trees are capped
(``huge_tree=False``). A billion-laughs bomb or an XXE costs microseconds and reads nothing.
``connectors/cda.py`` reads APD-DK documents with these.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from lxml import etree

if TYPE_CHECKING:
    from lxml.etree import _Element as Element

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


_DOCTYPE = b"<!DOCTYPE"
_local = threading.local()  # one parser per thread: lxml parsers are best not shared


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            encoding="utf-8",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            # Comments and processing instructions are not content: dropping them keeps text
            # and children as ``xml.etree`` gave them.
            remove_comments=True,
            remove_pis=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes) -> Element:
    """The root element of ``data``; ``CdaError`` when it is too big, hostile or malformed."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CdaError("document exceeds the size cap")
    if _DOCTYPE in data:
        # Also inside a comment or CDATA: refusing those too costs nothing real.
        raise CdaError("hostile XML refused (a document type declaration)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise CdaError(f"not well-formed XML ({line}:{column})") from exc
    if root.getroottree().docinfo.internalDTD is not None:  # never reached: belt and braces
        raise CdaError("hostile XML refused (a document type declaration)")
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
    return " ".join("".join(_texts(elem)).split()) or None


def name_of(elem: Element | None) -> str | None:
    """A person name: its parts (prefix, given, family) each a word, or plain text."""
    if elem is None or elem.get("nullFlavor"):
        return None
    return " ".join(" ".join(_texts(elem)).split()) or None


def _texts(elem: Element) -> Iterator[str]:
    # The stubs allow bytes; a tree parsed from bytes with an encoding yields str only.
    return cast("Iterator[str]", elem.itertext())


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
