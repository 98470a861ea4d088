"""Conformance: APD-DK 2.0.1 documents read as they were written, and the rules that refuse one.

The fixtures in ``tests/fixtures/conformance/`` are the project's own (test data only); each
mirrors the shape of one published example (MedCom's APD-DK 2.0.1 test protocol, FUT's
transforms), named in its header comment. A test per shape asserts every field the parser maps;
the rule tests break one rule at a time in an otherwise valid document. The last tests run the
parser and the connector over the published examples themselves, read from ``../shared/reference``
at test time when that folder exists (they are never copied here). FHIR shapes are in
``tests/test_conformance_fhir.py``, the graph's side in ``tests/test_conformance_graph.py``.
"""

from __future__ import annotations

import base64
import fnmatch
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors.apd import ApdConnector
from connectors.cda import ApdDocument, ApdRuleError, CdaError, parse_apd, parse_ts
from connectors.http import Upstream
from domain.clock import TZ
from domain.errors import UpstreamBadResponse
from domain.records import Address, AppointmentStatus, OrgRef, Place
from domain.settings import SourceConfig

FIXTURES = Path(__file__).parent / "fixtures" / "conformance"
# The published examples beside the repository (``SPO_REFERENCE_DIR`` elsewhere), if present.
REFERENCE = Path(
    os.environ.get(
        "SPO_REFERENCE_DIR", Path(__file__).resolve().parents[2] / "shared" / "reference"
    )
)
APD_REFERENCE = REFERENCE / "apd" / "cda"
CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))
MULTI = "0108589995"
AARHUS = SourceConfig("aarhus", "Aarhus Kommune", "municipality", "751000016001")
NOW = datetime(2026, 11, 26, 12, tzinfo=TZ)
APD_FORMAT = "urn:ad:dk:medcom:apd-v2.0.1:full"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def home(address: Address | None) -> Place:
    return Place("Borgers Hjemmeadresse", None, address, None, is_home=True)


ABYHOJ = Address(("Åbyhøjvej 12, 1. th",), "8230", "Åbyhøj")


# --- one test per published shape: every mapped field --------------------------------------


def test_municipality_home_care_with_an_indicative_time() -> None:
    assert parse_apd(fixture("apd_municipality_home.xml")) == ApdDocument(
        doc_id="3f1b7a52-1c55-4c6e-9d0e-5a1f0c2b7e01",
        patient_cpr=MULTI,
        status_code="active",
        start=datetime(2026, 12, 1, 9, tzinfo=CET),
        end=datetime(2026, 12, 1, 12, tzinfo=CET),
        kind="MunicipalityAppointment",
        title=None,  # no encounter text: the connector titles it by the reason
        reason="Personlig pleje",
        place=home(ABYHOJ),  # SBJ, named the home: its phone would be the patient's own
        organization=OrgRef("751110016004", "Hjemmeplejen Åbyhøj"),  # not the REFB requester
        performer="Hjemmeplejen Åbyhøj",
        created=datetime(2026, 11, 20, 9, 30, tzinfo=CET),
        all_day=False,
        indicative_time=True,
    )


def test_region_at_a_site_with_its_sor_id() -> None:
    assert parse_apd(fixture("apd_region.xml")) == ApdDocument(
        doc_id="5b2c9e10-6f3a-4d8b-a1c7-9e0d2f4b6a22",
        patient_cpr="0201919990",
        status_code="active",
        start=datetime(2026, 12, 7, 11, 15, tzinfo=CET),
        end=datetime(2026, 12, 7, 12, 30, tzinfo=CET),
        kind="RegionalAppointment",
        title=None,
        reason="Opfølgende konsultation",
        place=Place(
            "Ambulatorium, opgang 4, rum 101",
            "265311000016006",
            Address(("Palle Juul-Jensens Boulevard 99", "Indgang J"), "8200", "Aarhus N"),
            "78450000",
        ),
        organization=OrgRef("265311000016006", "Hjertesygdomme, Aarhus Universitetshospital"),
        performer="Overlæge Lene Hjort",
        created=datetime(2026, 11, 10, 12, tzinfo=CET),
    )


def test_gp_known_by_ydernummer_is_owned_by_the_performing_unit() -> None:
    doc = parse_apd(fixture("apd_gp.xml"))
    assert doc == ApdDocument(
        doc_id="1d4e7a90-2b3c-4d5e-8f6a-7b8c9d0e1f23",
        patient_cpr=MULTI,
        status_code="active",
        start=datetime(2026, 12, 3, 20, tzinfo=CET),
        end=datetime(2026, 12, 3, 20, 30, tzinfo=CET),
        kind="PractitionerAppointment",
        title=None,
        reason="Kontrol af blodtryk",
        place=Place(
            "Lægehuset Åbyhøj Torv",
            "471851000016006",
            Address(("Åbyhøj Torv 1", "Lægehuset"), "8230", "Åbyhøj"),
            "86150101",
        ),
        # A SOR id anywhere beats the author's Yderregister number: blocks walk the SOR tree.
        organization=OrgRef("471851000016006", "Konsultation, Lægerne Jens Michael Larsen"),
        performer="Jens Michael Larsen",
        created=datetime(2026, 11, 25, 8, tzinfo=CET),
    )


def test_minimum_with_an_unknown_end_and_a_home_without_address() -> None:
    assert parse_apd(fixture("apd_minimum.xml")) == ApdDocument(
        doc_id="aa11bb22-cc33-4d44-8e55-ff6677889900",
        patient_cpr="1502779995",
        status_code="active",
        start=datetime(2026, 12, 31, 23, 59, tzinfo=CET),
        end=None,  # high nullFlavor="NI": unknown, not "all day", not zero-length
        kind="MunicipalityAppointment",
        title=None,
        reason="Nytårsaften: tilsyn",
        place=home(None),
        organization=OrgRef("751120016009", None),
        performer="Hjemmesygeplejen Åbyhøj",
        created=datetime(2026, 11, 30, 10, tzinfo=CET),
    )


def test_maximum_in_summer_time() -> None:
    assert parse_apd(fixture("apd_maximum.xml")) == ApdDocument(
        doc_id="77e1d2c3-b4a5-4968-8776-5a4b3c2d1e09",
        patient_cpr="0201609995",
        status_code="active",
        start=datetime(2027, 4, 1, 10, tzinfo=CEST),
        end=datetime(2027, 4, 1, 10, 30, tzinfo=CEST),
        kind="RegionalAppointment",
        title="Kontrol efter knæoperation",  # by reference into the narrative
        reason="Opfølgning efter operation",
        place=Place(
            "Ortopædkirurgisk ambulatorium",
            "265331000016005",
            Address(
                ("Palle Juul-Jensens Boulevard 99", "Indgang C", "Opgang C2", "Plan 1"),
                "8200",
                "Aarhus N",
            ),
            "78450000",
        ),
        organization=OrgRef("265331000016005", "Ortopædkirurgi, Aarhus Universitetshospital"),
        performer="Læge Karen Knæ",
        created=datetime(2027, 3, 1, 9, tzinfo=CET),
        indicative_time=True,
    )


def test_whole_day_without_a_time_is_a_day_not_midnight() -> None:
    doc = parse_apd(fixture("apd_whole_day.xml"))
    assert doc == ApdDocument(
        doc_id="c0ffee00-1d2e-4f3a-8b4c-5d6e7f8a9b01",
        patient_cpr=MULTI,
        status_code="active",
        # [first day 00:00, the day after 00:00) in Copenhagen: windows and blocks still work.
        start=datetime(2026, 12, 1, tzinfo=TZ),
        end=datetime(2026, 12, 2, tzinfo=TZ),
        kind="RegionalAppointment",
        title=None,
        reason="Blodprøve før kontrol",
        place=Place(
            "Blodprøvetagningen, indgang E",
            "265321000016001",
            Address(("Palle Juul-Jensens Boulevard 99",), "8200", "Aarhus N"),
            "78450000",
        ),
        organization=OrgRef("265321000016001", "Blodprøvetagning, Aarhus Universitetshospital"),
        performer="Blodprøvetagning, Aarhus Universitetshospital",
        created=datetime(2026, 11, 15, 8, 30, tzinfo=CET),
        all_day=True,
        indicative_time=True,
    )


WHOLE_DAY_INTERVAL = b'<low value="20261201000000+0100"/><high nullFlavor="NI"/>'


@pytest.mark.parametrize(
    ("interval", "start", "end"),
    [
        # Day precision: no time at all, one day or several (the last day included).
        (b'<low value="20261201"/>', (2026, 12, 1), (2026, 12, 2)),
        (b'<low value="20261201"/><high value="20261203"/>', (2026, 12, 1), (2026, 12, 4)),
        # Midnight to a later midnight: whole days (the end is the exclusive midnight).
        (
            b'<low value="20261201000000+0100"/><high value="20261203000000+0100"/>',
            (2026, 12, 1),
            (2026, 12, 3),
        ),
        # Midnight to 23:59: the whole of that day.
        (
            b'<low value="20261201000000+0100"/><high value="20261201235900+0100"/>',
            (2026, 12, 1),
            (2026, 12, 2),
        ),
        # Across the change to summer time: still whole local days.
        (
            b'<low value="20270327000000+0100"/><high value="20270329000000+0200"/>',
            (2027, 3, 27),
            (2027, 3, 29),
        ),
    ],
    ids=["day", "days", "midnights", "last-minute", "across-dst"],
)
def test_whole_day_shapes(
    interval: bytes, start: tuple[int, int, int], end: tuple[int, int, int]
) -> None:
    doc = parse_apd(fixture("apd_whole_day.xml").replace(WHOLE_DAY_INTERVAL, interval))
    assert doc.all_day
    assert (doc.start, doc.end) == (datetime(*start, tzinfo=TZ), datetime(*end, tzinfo=TZ))


@pytest.mark.parametrize(
    "interval",
    [
        # Midnight with an unknown end but no word that the time is open: a real 00:00.
        b'<low value="20261201000000+0100"/><high nullFlavor="NI"/>',
        b'<low value="20261201000000+0100"/><high value="20261201010000+0100"/>',
        b'<low value="20261201083000+0100"/><high nullFlavor="NI"/>',
    ],
    ids=["midnight-no-end", "midnight-to-1", "morning"],
)
def test_timed_shapes_stay_timed(interval: bytes) -> None:
    data = fixture("apd_whole_day.xml").replace(WHOLE_DAY_INTERVAL, interval)
    if interval == WHOLE_DAY_INTERVAL:  # the same, without the word that no time is set
        start = data.index(b"<precondition>")
        data = data[:start] + data[data.index(b"</precondition>") + len(b"</precondition>") :]
    doc = parse_apd(data)
    assert not doc.all_day
    assert doc.start == parse_ts(interval.split(b'"')[1].decode())


def test_days_across_the_change_to_summer_time() -> None:
    doc = parse_apd(fixture("apd_days_across_dst.xml"))
    assert doc.start == datetime(2027, 3, 12, 12, tzinfo=CET)
    assert doc.end == datetime(2027, 3, 31, 12, tzinfo=CEST)
    assert doc.start.utcoffset() == timedelta(hours=1)
    assert doc.end.utcoffset() == timedelta(hours=2)
    assert doc.end - doc.start == timedelta(days=18, hours=23)  # the lost hour is lost
    assert (doc.all_day, doc.indicative_time) == (False, False)
    assert (doc.kind, doc.reason) == ("RegionalAppointment", "Indlæggelse")
    assert doc.organization == OrgRef("446021000016001", "Kardiologi, Aalborg Universitetshospital")
    assert doc.place == Place(
        "Kardiologisk sengeafsnit, opgang 3",
        "446021000016001",
        Address(("Aalborg Universitetshospital", "Hobrovej 18-22"), "9000", "Aalborg"),
        "97660000",
    )


def test_a_meeting_place_at_the_citizens_side_is_not_the_home() -> None:
    doc = parse_apd(fixture("apd_meeting_place.xml"))
    # Typed DST, like a visit at the citizen's, but with its own name, address and phone.
    assert doc.place == Place(
        "Ved indgang C",
        None,
        Address(("Aktivitetscenter Åbyhøj", "Bakkegårdsvej 400"), "8230", "Åbyhøj"),
        "87131234",
        is_home=False,
    )
    assert (doc.start, doc.end) == (
        datetime(2026, 12, 2, 14, 15, tzinfo=CET),
        datetime(2026, 12, 2, 15, 30, tzinfo=CET),
    )
    assert (doc.reason, doc.indicative_time, doc.all_day) == ("Genoptræning: gåtur", False, False)
    assert doc.organization == OrgRef("751130016001", "Genoptræning Aarhus Vest")


def test_fut_output_in_utc_with_its_spelling_of_the_home() -> None:
    doc = parse_apd(fixture("apd_fut_utc.xml"))
    assert doc == ApdDocument(
        doc_id="fut-appointment-4711",
        patient_cpr="0201609995",
        status_code="active",
        start=datetime(2026, 2, 5, 11, 57, 31, tzinfo=UTC),
        end=datetime(2026, 2, 5, 11, 57, 31, tzinfo=UTC),  # FUT writes high = low
        kind="RegionalAppointment",
        title=None,
        reason="Videokonsultation, KOL",
        place=home(None),  # "Borgers Hjemmeaddresse", street nullFlavor
        organization=OrgRef("265321000016001", "Lungemedicin, Aarhus Universitetshospital"),
        performer="Lungemedicin, Aarhus Universitetshospital",
        created=datetime(2026, 1, 30, 10, 15, tzinfo=UTC),
    )


def test_fut_2023_output_types_the_home_as_a_site() -> None:
    data = (
        fixture("apd_fut_utc.xml")
        .replace(b'typeCode="DST"', b'typeCode="LOC"')
        .replace(b'root="1.2.208.184.10.1.11"', b'root="1.2.208.184.200.1.11"')
        .replace(b'root="1.2.208.184.10.1.10"', b'root="1.2.208.184.200.1.10"')
        .replace(b'root="1.2.208.184.100.10"', b'root="1.2.208.184.100.3"')
    )
    assert parse_apd(data).place == home(None)  # the name says it is the home


@pytest.mark.parametrize(
    ("participant", "is_home"),
    [
        # The name identifies the home, whatever the type and however FUT spells it.
        ('<participant typeCode="SBJ"><participantRole classCode="SDLOC">'
         "<playingEntity><name>Borgers Hjemmeadresse</name></playingEntity>", True),
        ('<participant typeCode="LOC"><participantRole classCode="SDLOC">'
         "<playingEntity><name>borgers hjemmeaddresse</name></playingEntity>", True),
        # The patient's own address identifies it too, whatever it is called.
        ('<participant typeCode="DST"><participantRole classCode="SDLOC">'
         "<addr><streetAddressLine>Åbyhøjvej  12, 1. th</streetAddressLine>"
         "<postalCode>8230</postalCode></addr>"
         "<playingEntity><name>Hjemme hos Poul Erik</name></playingEntity>", True),
        # Typed at the citizen's with nothing of its own: the home.
        ('<participant typeCode="SBJ"><participantRole classCode="SDLOC">'
         '<addr nullFlavor="NI"/><playingEntity><name nullFlavor="NI"/></playingEntity>', True),
        # Its own name or its own address: a meeting place, not the home.
        ('<participant typeCode="SBJ"><participantRole classCode="SDLOC">'
         "<playingEntity><name>Datterens adresse</name></playingEntity>", False),
        ('<participant typeCode="DST"><participantRole classCode="SDLOC">'
         "<addr><streetAddressLine>Bakkegårdsvej 400</streetAddressLine></addr>"
         "<playingEntity><name nullFlavor=\"NI\"/></playingEntity>", False),
    ],
    ids=["named-sbj", "fut-spelling-loc", "own-address", "bare-sbj", "other-name", "other-address"],
)  # fmt: skip
def test_which_places_are_the_home(participant: str, is_home: bool) -> None:
    data = fixture("apd_meeting_place.xml")
    start = data.index(b'<participant typeCode="DST">')
    end = data.index(b"</playingEntity>", start) + len(b"</playingEntity>")
    doc = parse_apd(data[:start] + participant.encode() + data[end:])
    assert doc.place is not None
    assert doc.place.is_home is is_home
    if is_home:
        assert (doc.place.name, doc.place.phone, doc.place.sor) == (
            "Borgers Hjemmeadresse",
            None,
            None,
        )
    else:
        assert doc.place.name != "Borgers Hjemmeadresse"


# --- the rules: one broken at a time ---------------------------------------------------------


def _edit(name: str, *pairs: tuple[bytes, bytes]) -> bytes:
    data = fixture(name)
    for old, new in pairs:
        assert old in data, old
        data = data.replace(old, new)
    return data


HOME = "apd_municipality_home.xml"
BODY_LOW = b'<low value="20261201090000+0100"/>\n                <high'
HEADER_LOW = b'<low value="20261201090000+0100"/>\n        <high'
HEADER_HIGH = b'<high value="20261201120000+0100"/>\n      </effectiveTime>'
VERSION = b'extension="apd-v2.0.1"'
ENCOUNTER = b'<templateId root="1.2.208.184.14.11.2" extension="2019-09-10"/>'
PARTICIPANT_START = b'<participant typeCode="SBJ">'

RULES: list[tuple[str, bytes, str]] = [
    ("apd-v1.1", fixture("apd_v1_1.xml"), "unsupported APD-DK version (apd-v1.1)"),
    (
        "apd-1.0",
        _edit(
            "apd_v1_1.xml",
            (b'root="1.2.208.184.14.1" extension="2019-09-10"', b'root="1.2.208.184.14.1"'),
        ),
        "unsupported APD-DK version (document template no release)",
    ),
    (
        "apd-2.0-template-2017",
        _edit(HOME, (b'root="1.2.208.184.14.1" extension="2019-09-10"',
                     b'root="1.2.208.184.14.1" extension="2017-03-10"')),
        "unsupported APD-DK version (document template 2017-03-10)",
    ),
    ("version-3", _edit(HOME, (VERSION, b'extension="apd-v3.0"')), "(apd-v3.0)"),
    ("no-version", _edit(HOME, (b'root="1.2.208.184.10.1.10"', b'root="1.2.208.184.10.1.99"')),
     "profile version (documentationOf/serviceEvent 1.2.208.184.10.1.10) is missing"),
    ("pdc-not-apd", _edit(HOME, (b'root="1.2.208.184.14.1"', b'root="1.2.208.184.16.1"')),
     "not an APD-DK document"),
    ("not-a-clinical-document",
     _edit(HOME, (b"<ClinicalDocument", b"<Appointment"),
           (b"</ClinicalDocument", b"</Appointment")),
     "root element is not an HL7 v3 ClinicalDocument"),
    ("no-document-id", _edit(HOME, (b'extension="3f1b7a52-1c55-4c6e-9d0e-5a1f0c2b7e01" ', b"")),
     "ClinicalDocument/id has no extension"),
    ("no-cpr", _edit(HOME, (b'extension="0108589995" assigningAuthorityName="CPR"', b"")),
     "no patient CPR number"),
    ("no-encounter", _edit(HOME, (b'moodCode="APT"', b'moodCode="EVN"')), "no encounter"),
    ("two-encounters",
     _edit(HOME, (b"</encounter>\n          </entry>",
                  b"</encounter>\n          </entry><entry>"
                  b'<encounter classCode="ENC" moodCode="APT"/></entry>')),
     "more than one appointment encounter"),
    ("encounter-template-2017",
     _edit(HOME, (ENCOUNTER, b'<templateId root="1.2.208.184.14.11.2" extension="2017-03-10"/>')),
     "encounter template 1.2.208.184.14.11.2 (2019-09-10) missing"),
    ("snomed-kind",
     _edit(HOME, (b'code="MunicipalityAppointment" codeSystem="1.2.208.184.100.1"',
                  b'code="185353001" codeSystem="2.16.840.1.113883.6.96"')),
     "appointment kind is not one of"),
    ("no-low", _edit(HOME, (BODY_LOW, b"<high")), "encounter effectiveTime has no low value"),
    ("bad-timestamp", _edit(HOME, (BODY_LOW, b'<low value="i morgen kl. 9"/><high')),
     "encounter effectiveTime: timestamp is not an HL7 TS"),
    ("ends-before-start",
     _edit(HOME, (b'<high value="20261201120000+0100"/>', b'<high value="20261201080000+0100"/>')),
     "encounter effectiveTime ends before it starts"),
    ("no-header-interval",
     _edit(HOME, (b'root="1.2.208.184.10.1.11"', b'root="1.2.208.184.10.1.98"')),
     "the header interval (documentationOf/serviceEvent 1.2.208.184.10.1.11) is missing"),
    ("header-two-lows",  # MedCom's test-data variant 105_..._1_1 has this defect
     _edit(HOME, (HEADER_LOW, b'<low value="20261201090000+0100"/>'
                              b'<low value="20261201100000+0100"/>\n        <high')),
     "header effectiveTime has more than one low"),
    ("header-a-day-off",  # MedCom's example 1_4 has this inconsistency
     _edit(HOME, (HEADER_LOW, b'<low value="20261130090000+0100"/>\n        <high')),
     "the header and the encounter give different times"),
    ("header-end-unknown",
     _edit(HOME, (HEADER_HIGH, b'<high nullFlavor="NI"/>\n      </effectiveTime>')),
     "the header and the encounter give different times"),
    ("no-meeting-place",
     _edit(HOME, (PARTICIPANT_START, b'<participant typeCode="PRF">')),
     "no meeting place (participant LOC, SBJ or DST with an SDLOC role)"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "reason"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_a_document_that_breaks_a_rule_is_refused_naming_it(data: bytes, reason: str) -> None:
    with pytest.raises(ApdRuleError) as caught:
        parse_apd(data)
    assert reason in str(caught.value)
    assert MULTI not in str(caught.value)  # a reason never quotes the document


def test_the_same_instant_in_another_offset_agrees() -> None:
    # The header in UTC, the encounter in Copenhagen time: one instant, no contradiction.
    data = _edit(HOME, (HEADER_LOW, b'<low value="20261201080000+0000"/>\n        <high'))
    assert parse_apd(data).start == datetime(2026, 12, 1, 8, tzinfo=UTC)


def test_a_refusal_still_names_the_documents_patient() -> None:
    with pytest.raises(ApdRuleError) as caught:
        parse_apd(fixture("apd_v1_1.xml"))
    assert caught.value.patient_cpr == MULTI


def test_bytes_that_are_no_document_are_no_rule_breach() -> None:
    with pytest.raises(CdaError) as caught:
        parse_apd(fixture(HOME)[:400])
    assert not isinstance(caught.value, ApdRuleError)


# --- the connector: refused on its own, the rest served, and said so --------------------------


@dataclass
class Crafted:
    """An XDS-style registry on an ephemeral port answering whatever the test puts in it."""

    base: str
    session: aiohttp.ClientSession
    bundle: dict[str, Any]

    def connector(self) -> ApdConnector:
        upstream = Upstream(self.session, "aarhus", timeout_s=5.0)
        return ApdConnector(upstream, f"{self.base}/xds", AARHUS, clock=lambda: NOW)

    def serve(self, *resources: dict[str, Any]) -> None:
        self.bundle = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources],
        }


@pytest.fixture
async def crafted() -> AsyncIterator[Crafted]:
    world = Crafted("", None, {})  # type: ignore[arg-type]

    async def search(request: web.Request) -> web.Response:
        return web.json_response(world.bundle, content_type="application/fhir+json")

    app = web.Application()
    app.router.add_get("/xds/DocumentReference", search)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    async with aiohttp.ClientSession() as session:
        world.base, world.session = f"http://127.0.0.1:{runner.addresses[0][1]}", session
        yield world
    await runner.cleanup()


def docref(
    entry_id: str,
    xml: bytes,
    *,
    status: str = "current",
    fmt: str = APD_FORMAT,
    replaces: str | None = None,
    date: str = "2026-11-20T08:30:00Z",
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": entry_id,
        "status": status,
        "date": date,
        "type": {"coding": [{"system": "http://loinc.org", "code": "56446-8"}]},
        "content": [
            {
                "attachment": {
                    "contentType": "application/xml",
                    "data": base64.b64encode(xml).decode(),
                },
                "format": {"system": "urn:oid:1.2.208.184.100.10", "code": fmt},
            }
        ],
    }
    if replaces:
        resource["relatesTo"] = [
            {"code": "replaces", "target": {"reference": f"DocumentReference/{replaces}"}}
        ]
    return resource


async def test_the_connector_maps_every_field_of_a_record(crafted: Crafted) -> None:
    crafted.serve(docref("e1", fixture("apd_municipality_home.xml")))
    answer = await crafted.connector().search_appointments(MULTI, None, None)
    assert answer.refused == ()
    [record] = answer.records
    assert record.source == "aarhus"
    assert record.id == "3f1b7a52-1c55-4c6e-9d0e-5a1f0c2b7e01"  # the ClinicalDocument id
    assert record.status is AppointmentStatus.BOOKED  # active and ahead of the clock
    assert (record.start, record.end) == (
        datetime(2026, 12, 1, 9, tzinfo=CET),
        datetime(2026, 12, 1, 12, tzinfo=CET),
    )
    assert record.title == "Personlig pleje"  # no encounter text: the reason
    assert record.reason == "Personlig pleje"
    assert record.kind == "MunicipalityAppointment"
    assert record.place == home(ABYHOJ)
    assert record.organization == OrgRef("751110016004", "Hjemmeplejen Åbyhøj")
    assert record.performer == "Hjemmeplejen Åbyhøj"
    assert (record.version, record.superseded) == ("1", False)
    assert record.updated == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)  # the entry's date
    assert (record.all_day, record.indicative_time) == (False, True)


async def test_the_connector_carries_all_day_and_a_meeting_place(crafted: Crafted) -> None:
    crafted.serve(
        docref("e1", fixture("apd_whole_day.xml")), docref("e2", fixture("apd_meeting_place.xml"))
    )
    day, walk = sorted(
        (await crafted.connector().search_appointments(MULTI, None, None)).records,
        key=lambda r: r.start or NOW,
    )
    assert (day.all_day, day.indicative_time) == (True, True)
    assert (day.start, day.end) == (
        datetime(2026, 12, 1, tzinfo=TZ),
        datetime(2026, 12, 2, tzinfo=TZ),
    )
    assert walk.place is not None
    assert (walk.place.is_home, walk.place.name) == (False, "Ved indgang C")


async def test_a_refused_document_is_refused_alone_and_said(
    crafted: Crafted, caplog: pytest.LogCaptureFixture
) -> None:
    crafted.serve(
        docref("good", fixture("apd_municipality_home.xml")),
        docref("v11", fixture("apd_v1_1.xml")),
        docref("apd10", fixture("apd_gp.xml"), fmt="urn:ad:dk:medcom:appointment"),
        docref("pdc", fixture("apd_gp.xml"), fmt="urn:ad:dk:medcom:pdc-v3.0:full")
        | {"type": {"coding": [{"system": "http://loinc.org", "code": "11488-4"}]}},
    )
    answer = await crafted.connector().search_appointments(MULTI, None, None)
    assert [r.id for r in answer.records] == ["3f1b7a52-1c55-4c6e-9d0e-5a1f0c2b7e01"]
    assert {(r.document, r.reason) for r in answer.refused} == {
        ("v11", "unsupported APD-DK version (apd-v1.1)"),
        ("apd10", "unsupported appointment document format (urn:ad:dk:medcom:appointment)"),
    }  # a PDC is no appointment document: skipped, not refused
    logged = caplog.text
    assert "v11" in logged
    assert MULTI not in logged


async def test_when_the_newest_version_is_refused_no_version_is_shown(crafted: Crafted) -> None:
    old = fixture("apd_municipality_home.xml")
    broken = old.replace(
        b'<high value="20261201120000+0100"/>', b'<high value="20261201080000+0100"/>'
    )
    crafted.serve(
        docref("v1", old, status="superseded"),
        docref("v2", broken, replaces="v1", date="2026-11-21T08:30:00Z"),
    )
    answer = await crafted.connector().search_appointments(MULTI, None, None)
    # Showing v1 as current would be out of date; showing it withdrawn would be wrong.
    assert answer.records == []
    assert [r.document for r in answer.refused] == ["v2"]


async def test_a_refused_older_version_leaves_the_current_one(crafted: Crafted) -> None:
    new = fixture("apd_municipality_home.xml")
    crafted.serve(
        docref("v1", fixture("apd_v1_1.xml"), status="superseded"),
        docref("v2", new, replaces="v1", date="2026-11-21T08:30:00Z"),
    )
    answer = await crafted.connector().search_appointments(MULTI, None, None)
    [record] = answer.records
    assert (record.superseded, record.status) == (False, AppointmentStatus.BOOKED)
    assert [r.document for r in answer.refused] == ["v1"]


async def test_another_patients_broken_document_still_fails_the_answer(crafted: Crafted) -> None:
    crafted.serve(
        docref("good", fixture("apd_municipality_home.xml")),
        docref("other", fixture("apd_v1_1.xml").replace(MULTI.encode(), b"0201609995")),
    )
    with pytest.raises(UpstreamBadResponse):
        await crafted.connector().search_appointments(MULTI, None, None)


# --- the published examples themselves (read at test time, never copied) ---------------------

needs_reference = pytest.mark.skipif(
    not APD_REFERENCE.is_dir(), reason="../shared/reference is not on this machine"
)

# What each published APD example is, as the gateway reads it: accepted with the facts that make
# its shape, or refused with the rule it breaks.
PUBLISHED: dict[str, dict[str, Any] | str] = {
    "medcom-apd-2.0.1/DK-APD_Example_1_1_apd_minimum.xml": {
        "start": datetime(2020, 12, 31, 23, 59, tzinfo=CET), "end": None, "home": True,
    },
    # MedCom's test-data variant, named after its test person's number (a glob keeps it out).
    "medcom-apd-2.0.1/105_*_DK-APD_Example_1_1_apd_minimum.xml":
        "header effectiveTime has more than one low",
    "medcom-apd-2.0.1/DK-APD_Example_1_4_apd_municipality_a.xml":
        "the header and the encounter give different times",
    "medcom-apd-2.0.1/DK-APD_Example_1_5_apd_region.xml": {
        "kind": "RegionalAppointment", "home": False, "sor": "325441000016006",
    },
    "medcom-apd-2.0.1/DK-APD_Example_1_7_apd_region_all_day.xml": {
        "all_day": True, "indicative": True,
        "start": datetime(2020, 12, 1, tzinfo=TZ), "end": datetime(2020, 12, 2, tzinfo=TZ),
    },
    "medcom-apd-2.0.1/DK-APD_Example_1_10_apd_municipality_morning_sbj.xml": {
        "home": True, "indicative": True, "all_day": False,
    },
    "medcom-apd-2.0.1/DK-APD_Example_1_12_apd_region_days.xml": {
        "start": datetime(2021, 3, 12, 12, tzinfo=CET),
        "end": datetime(2021, 3, 31, 12, tzinfo=CEST),
    },
    "medcom-apd-2.0.1-current/DK-APD_Example_1_2_apd_maximum.xml": {
        "start": datetime(2026, 4, 1, 10, tzinfo=CEST), "indicative": True, "home": False,
    },
    "medcom-apd-2.0.1-current/DK-APD_Example_1_6_apd_gp.xml": {
        "kind": "PractitionerAppointment", "sor": "393421000016009",
    },
    "apd-1.0/DK-APD_Example_1.xml": "unsupported APD-DK version",
    "fut-generated/transform-to-APD.response.2025-02.decoded.xml": {"home": True},
    "fut-generated/transform-to-APD.response.2023-10.decoded.xml": {"home": True},
    "fut-generated/transform-from-APD.input.decoded.xml": {"kind": "MunicipalityAppointment"},
}  # fmt: skip


@needs_reference
@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_the_published_examples_read_as_written(name: str) -> None:
    path = _published(name)
    if path is None:
        pytest.skip(f"{name} is not in this copy of the reference")
    expected = PUBLISHED[name]
    if isinstance(expected, str):
        with pytest.raises(ApdRuleError) as caught:
            parse_apd(path.read_bytes())
        assert expected in str(caught.value)
        return
    doc = parse_apd(path.read_bytes())
    facts = {
        "start": doc.start,
        "end": doc.end,
        "kind": doc.kind,
        "all_day": doc.all_day,
        "indicative": doc.indicative_time,
        "home": doc.place.is_home if doc.place else None,
        "sor": doc.place.sor if doc.place else None,
    }
    assert {k: facts[k] for k in expected} == expected


@needs_reference
def test_every_published_apd_example_is_accounted_for() -> None:
    found = {str(p.relative_to(APD_REFERENCE)) for p in APD_REFERENCE.rglob("*.xml")}
    unknown = [f for f in found if not any(fnmatch.fnmatch(f, k) for k in PUBLISHED)]
    assert not unknown, sorted(unknown)


@needs_reference
async def test_the_connector_serves_the_published_examples_and_counts_the_rest(
    crafted: Crafted,
) -> None:
    # Each example re-addressed to our test patient, as one source's answer.
    resources = []
    for n, name in enumerate(sorted(PUBLISHED)):
        path = _published(name)
        if path is None:
            continue
        data = path.read_bytes()
        doc_cpr = _cpr_of(data)
        if doc_cpr is not None:
            data = data.replace(doc_cpr.encode(), MULTI.encode())
        resources.append(docref(f"e{n}", data))
    crafted.serve(*resources)
    answer = await crafted.connector().search_appointments(MULTI, None, None)
    refused = [k for k, v in PUBLISHED.items() if isinstance(v, str) and _published(k)]
    assert len(answer.refused) == len(refused)
    assert len(answer.records) == len(resources) - len(refused)


def _published(name: str) -> Path | None:
    """The published example ``name`` (a path, or a glob of one) in the reference, if there."""
    return next(iter(sorted(APD_REFERENCE.glob(name))), None)


def _cpr_of(data: bytes) -> str | None:
    marker = b'root="1.2.208.176.1.2"'
    for chunk in data.split(b"<id ")[1:]:
        head = chunk.split(b">", 1)[0]
        if marker in head and b'extension="' in head:
            return head.split(b'extension="', 1)[1].split(b'"', 1)[0].decode()
    return None


def test_fixture_documents_are_our_own() -> None:
    # The conformance fixtures mirror the published shapes; they are never copies of them.
    if not APD_REFERENCE.is_dir():
        pytest.skip("../shared/reference is not on this machine")
    published = {p.read_bytes() for p in REFERENCE.rglob("*") if p.is_file()}
    assert not any(p.read_bytes() in published for p in FIXTURES.iterdir())
