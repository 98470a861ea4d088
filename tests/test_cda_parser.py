"""The lxml parse of APD CDA (``connectors/cdaxml.py``): it reads every document as the former
``defusedxml``/``xml.etree`` path did, and refuses what that path refused without libxml2 ever
seeing a document type declaration."""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree as SafeET
from lxml import etree

from connectors import cdaxml
from connectors.cda import ApdDocument, ApdRuleError, CdaError, parse_apd, read_apd
from simulators import cda as simcda
from simulators.cdadoc import render_cda
from simulators.population import build_population
from tests.test_apd import BOMB, XXE, make_cda

FIXTURES = Path(__file__).parent / "fixtures" / "conformance"
REFERENCE = Path(
    os.environ.get(
        "SPO_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared" / "reference"
    )
)
APD_REFERENCE = REFERENCE / "apd" / "cda"


def reading(read: Any) -> ApdDocument | tuple[str, str | None]:
    """What a reader makes of a document: the document, or the rule it breaks and its patient."""
    try:
        doc: ApdDocument = read()
    except ApdRuleError as exc:
        return (str(exc), exc.patient_cpr)
    return doc


def by_etree(data: bytes) -> ApdDocument | tuple[str, str | None]:
    """The former parse: defusedxml over xml.etree, the same reader over its tree."""
    root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    return reading(lambda: read_apd(root))


def by_lxml(data: bytes) -> ApdDocument | tuple[str, str | None]:
    return reading(lambda: parse_apd(data))


def documents() -> list[tuple[str, bytes]]:
    found = [(f"fixture/{p.name}", p.read_bytes()) for p in sorted(FIXTURES.glob("*.xml"))]
    if APD_REFERENCE.is_dir():
        found += [
            (f"reference/{p.relative_to(APD_REFERENCE)}", p.read_bytes())
            for p in sorted(APD_REFERENCE.rglob("*.xml"))
        ]
    # Text split by comments and processing instructions, CDATA, a UTF-8 BOM, character
    # references: the places where two parsers' trees could differ.
    found += [
        ("comment-in-text", make_cda(text="<text>Genopt<!-- x -->ræning<?pi y?> i dag</text>")),
        ("cdata-title", make_cda(text="<text><![CDATA[Genoptræning & <mere>]]></text>")),
        ("char-refs", make_cda(text="<text>Gen&#248;ptr&#xE6;ning &amp; &lt;x&gt;</text>")),
        ("bom", b"\xef\xbb\xbf" + make_cda()),
        (
            "narrative-ref",
            make_cda(
                text='<text><reference value="#a1"/></text>',
                narrative='<paragraph ID="a1">Kontrol <!-- c --><content>af knæ</content>'
                "</paragraph>",
            ),
        ),
        ("refused", make_cda(low=None)),
    ]
    return found


DOCUMENTS = documents()


@pytest.mark.parametrize(("name", "data"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_lxml_reads_every_document_as_etree_did(name: str, data: bytes) -> None:
    assert by_lxml(data) == by_etree(data)


def test_the_published_examples_are_among_them() -> None:
    if not APD_REFERENCE.is_dir():
        pytest.skip("../shared/reference is not on this machine")
    assert sum(n.startswith("reference/") for n, _ in DOCUMENTS) >= 10


def test_lxml_reads_every_simulated_document_as_etree_did() -> None:
    pop = build_population(date(2026, 11, 26))
    read = 0
    for source in ("aarhus", "frederikshavn", "gp-jml"):
        for appts in pop.appointments.get(source, {}).values():
            for appt in appts[:40]:
                for entry in simcda.publish(source, appt):
                    data = render_cda(pop, source, entry).encode()
                    assert by_lxml(data) == by_etree(data)
                    read += 1
    assert read > 100


HOSTILE = {
    "bomb": BOMB,
    "xxe": XXE,
    "bare-doctype": make_cda().replace(
        b"\n<ClinicalDocument", b"\n<!DOCTYPE ClinicalDocument>\n<ClinicalDocument"
    ),
    # libxml2 opens an external DTD even with load_dtd=False: it must never see one.
    "external-dtd": make_cda().replace(
        b"\n<ClinicalDocument",
        b'\n<!DOCTYPE ClinicalDocument SYSTEM "file:///etc/passwd">\n<ClinicalDocument',
    ),
    "network-dtd": make_cda().replace(
        b"\n<ClinicalDocument",
        b'\n<!DOCTYPE ClinicalDocument SYSTEM "http://127.0.0.1:9/x.dtd">\n<ClinicalDocument',
    ),
    "parameter-entity": make_cda().replace(
        b"\n<ClinicalDocument",
        b'\n<!DOCTYPE ClinicalDocument [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
        b"\n<ClinicalDocument",
    ),
}


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_doctype_never_reaches_libxml2(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    calls: list[bytes] = []
    real = etree.fromstring

    def spy(text: Any, parser: Any = None) -> Any:
        calls.append(text)
        return real(text, parser)

    monkeypatch.setattr(etree, "fromstring", spy)
    with pytest.raises(CdaError, match="hostile XML refused") as caught:
        parse_apd(data)
    assert not isinstance(caught.value, ApdRuleError)  # the whole answer fails, not one doc
    assert calls == []
    parse_apd(make_cda())  # the spy is in the path: a good document does reach the parser
    assert len(calls) == 1


@pytest.mark.parametrize(
    "data",
    [
        # UTF-16: the byte search for "<!DOCTYPE" would miss it; read as UTF-8 it is no XML.
        XXE.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
        # UTF-7 would spell "<!DOCTYPE" as "+ADw-!DOCTYPE"; read as UTF-8 it is no XML.
        XXE.replace(b'encoding="UTF-8"', b'encoding="UTF-7"').replace(
            b"<!DOCTYPE", b"+ADw-!DOCTYPE"
        ),
        make_cda().replace(b"<text>Genopt", b"<text>&x;Genopt"),  # an undeclared entity
    ],
    ids=["utf-16", "utf-7", "undeclared-entity"],
)
def test_another_encoding_cannot_smuggle_a_doctype(data: bytes) -> None:
    with pytest.raises(CdaError) as caught:
        parse_apd(data)
    assert not isinstance(caught.value, ApdRuleError)
    assert "root:" not in str(caught.value)


def test_parsers_are_per_thread() -> None:
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(cdaxml._parser()))
    thread.start()
    thread.join()
    assert seen[0] is not cdaxml._parser()
    assert cdaxml._parser() is cdaxml._parser()
