"""The APD simulator and connector over real HTTP, plus the pure CDA parser on hand-written CDA."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors import cda
from connectors.apd import PARSE_ON_LOOP, ApdConnector
from connectors.apdcache import DocumentCache
from connectors.cda import CdaError, appointment_status, parse_apd, parse_ts
from connectors.http import Upstream
from domain.clock import TZ
from domain.errors import UpstreamBadResponse, UpstreamNotConsented
from domain.records import AppointmentRecord, AppointmentStatus, OrgRef
from domain.settings import SourceConfig
from simulators import apd, faults
from simulators import cda as simcda
from simulators.cdadoc import render_cda
from simulators.population import GP_SHARED_SINCE, Population, build_population

ANCHOR = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 12, tzinfo=TZ)
MULTI = "0108589995"  # citizen-multi: moved, cancelled, home visits, one without end
HISTORY = "0201919990"  # citizen-history: 1,200 Aarhus documents over 11 years
NO_GP_CONSENT = "1502779995"  # citizen-group2: never consented to GP sharing
SOURCES = {
    "aarhus": SourceConfig("aarhus", "Aarhus Kommune", "municipality", "751000016001"),
    "frederikshavn": SourceConfig(
        "frederikshavn", "Frederikshavn Kommune", "municipality", "813000016001"
    ),
    "gp-jml": SourceConfig(
        "gp-jml",
        "Lægerne Jens Michael Larsen, Åbyhøj",
        "gp",
        "471841000016002",
        requires_consent=True,
        shared_since=GP_SHARED_SINCE,
    ),
}
# Mount point → (source, inline data?). "aarhus-retrieve" serves Aarhus without inline CDA.
MOUNTS = {
    "aarhus": ("aarhus", True),
    "aarhus-retrieve": ("aarhus", False),
    "frederikshavn": ("frederikshavn", True),
    "gp-jml": ("gp-jml", True),
}
PASSWD_MARKERS = ("root:", "/bin/", "nologin")

# faults.py stores the fault under a plain string request key, which aiohttp 3.14 warns about;
# the warning is the simulator's, not the connector's business.
NOT_APP_KEY = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")


# --- hand-written CDA ---

DOC = "6c0f3e52-4d0b-4b7e-9a53-0d3c2a1b9e77"
SOR_AUTHOR = (
    '<author><time value="20261120100000+0100"/><assignedAuthor>'
    '<id root="1.2.208.176.1.1" extension="751130016001"/>'
    "<representedOrganization><name>Genoptræning Aarhus Vest</name></representedOrganization>"
    "</assignedAuthor></author>"
)
YDER_AUTHOR = (
    '<author><time value="20261120100000+0100"/><assignedAuthor>'
    '<id root="1.2.208.176.1.4" extension="012345"/>'
    "<representedOrganization><name>Lægerne Jens Michael Larsen</name></representedOrganization>"
    "</assignedAuthor></author>"
)
REQUESTER_AUTHOR = (
    '<author><time value="20261119100000+0100"/><assignedAuthor>'
    '<id root="1.2.208.176.1.1" extension="265311000016006"/>'
    '<code code="REFB" codeSystem="2.16.840.1.113883.5.90"/>'
    "</assignedAuthor></author>"
)
CUSTODIAN = (
    "<custodian><assignedCustodian><representedCustodianOrganization>"
    '<id root="1.2.208.176.1.1" extension="751100016007"/><name>Sundhed og Omsorg</name>'
    "</representedCustodianOrganization></assignedCustodian></custodian>"
)
SITE = (
    '<participant typeCode="LOC"><participantRole classCode="SDLOC">'
    '<id root="1.2.208.176.1.1" extension="751130016001"/>'
    "<addr><streetAddressLine>Hasle Ringvej 122</streetAddressLine><postalCode>8200</postalCode>"
    '<city>Aarhus N</city></addr><telecom value="tel:+4587135200"/>'
    "<playingEntity><name>Træningssal 2</name></playingEntity></participantRole></participant>"
)
FUT_HOME = (
    '<participant typeCode="DST"><participantRole classCode="SDLOC">'
    '<addr><streetAddressLine nullFlavor="NI"/></addr>'
    "<playingEntity><name>Borgers Hjemmeaddresse</name></playingEntity>"
    "</participantRole></participant>"
)


def make_cda(
    *,
    low: str | None = "20261201090000+0100",
    high: str = '<high value="20261201100000+0100"/>',
    status: str = "active",
    authors: str = SOR_AUTHOR,
    custodian: str = CUSTODIAN,
    performer_id: str = '<id root="1.2.208.176.1.1" extension="751130016001"/>',
    place: str = SITE,
    cpr: str = MULTI,
    text: str = "<text>Genoptræning efter udskrivelse</text>",
    narrative: str = "",
) -> bytes:
    low_xml = f'<low value="{low}"/>' if low else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ClinicalDocument xmlns="urn:hl7-org:v3">'
        '<templateId root="1.2.208.184.14.1" extension="2019-09-10"/>'
        f'<id root="1.2.208.184" extension="{DOC}"/>'
        '<effectiveTime value="20261120100000+0100"/>'
        f'<recordTarget><patientRole><id root="1.2.208.176.1.2" extension="{cpr}"/>'
        "</patientRole></recordTarget>"
        f"{authors}{custodian}"
        # The header interval and profile version APD-DK requires (a document without them is
        # refused); the interval repeats the encounter's, as the standard says it must.
        '<documentationOf><serviceEvent><templateId root="1.2.208.184.10.1.11"/>'
        f"<effectiveTime>{low_xml}{high}</effectiveTime></serviceEvent></documentationOf>"
        '<documentationOf><serviceEvent><templateId root="1.2.208.184.10.1.10"/>'
        '<id root="1.2.208.184.100.10" extension="apd-v2.0.1"/></serviceEvent></documentationOf>'
        "<component><structuredBody><component><section>"
        f"<text>{narrative}</text><entry>"
        '<encounter classCode="ENC" moodCode="APT">'
        '<templateId root="1.2.208.184.14.11.2" extension="2019-09-10"/>'
        '<code code="MunicipalityAppointment" codeSystem="1.2.208.184.100.1"/>'
        f'{text}<statusCode code="{status}"/>'
        f"<effectiveTime>{low_xml}{high}</effectiveTime>"
        f"<performer><assignedEntity>{performer_id}<assignedPerson><name><given>Lise</given>"
        "<family>Fys</family></name></assignedPerson></assignedEntity></performer>"
        f"{place}"
        '<entryRelationship typeCode="RSON"><observation classCode="OBS" moodCode="EVN">'
        '<code code="NI" displayName="Genoptræningsplan"/></observation></entryRelationship>'
        "</encounter></entry></section></component></structuredBody></component>"
        "</ClinicalDocument>"
    ).encode()


@pytest.fixture(scope="module")
def pop() -> Population:
    return build_population(ANCHOR)


@dataclass
class World:
    """The APD simulators on an ephemeral port, a crafted-answer endpoint and one session."""

    base: str
    session: aiohttp.ClientSession
    crafted: dict[str, Any]

    def connector(
        self, mount: str = "aarhus", *, source: str | None = None, consent: bool | None = None
    ) -> ApdConnector:
        config = SOURCES[source or MOUNTS.get(mount, (mount, True))[0]]
        if consent is not None:
            config = replace(config, requires_consent=consent)
        upstream = Upstream(self.session, config.id, timeout_s=5.0)
        return ApdConnector(upstream, f"{self.base}/{mount}/xds", config, clock=lambda: NOW)

    async def fault(self, mount: str, variant: str) -> None:
        body = {"mode": "malformed", "variant": variant}
        async with self.session.post(f"{self.base}/{mount}/_faults", json=body) as resp:
            assert resp.status == 200

    async def hits(self, mount: str) -> int:
        async with self.session.get(f"{self.base}/{mount}/_hits") as resp:
            return int((await resp.json())["hits"])

    async def search(self, mount: str, cpr: str, **params: str) -> tuple[int, Any]:
        query = {"patient.identifier": f"urn:oid:1.2.208.176.1.2|{cpr}", **params}
        async with self.session.get(
            f"{self.base}/{mount}/xds/DocumentReference", params=query
        ) as r:
            return r.status, await r.json()


@pytest.fixture
async def world(pop: Population) -> AsyncIterator[World]:
    root = web.Application()
    for mount, (source, inline) in MOUNTS.items():
        sub = web.Application()
        faults.install(sub)
        apd.add_routes(sub, pop, source, inline=inline)
        root.add_subapp(f"/{mount}/", sub)
    crafted: dict[str, Any] = {"bundle": {"resourceType": "Bundle", "entry": []}, "requests": 0}

    async def crafted_search(request: web.Request) -> web.Response:
        crafted["requests"] += 1
        return web.json_response(crafted["bundle"], content_type="application/fhir+json")

    root.router.add_get("/crafted/xds/DocumentReference", crafted_search)
    crafted.update(paged=[], style="offset", paged_requests=[], barrier=None)

    async def paged_search(request: web.Request) -> web.Response:
        # crafted["paged"] in pages of _count, linked by _offset (as the simulator) or by an
        # opaque token; with a barrier, every page after the first waits until that many are
        # in flight at once, which only a connector fetching them concurrently gets past.
        crafted["paged_requests"].append(str(request.url))
        matches, count = crafted["paged"], int(request.query.get("_count", "1000"))
        offset = int(request.query.get("_offset", request.query.get("_page", "0")))
        if offset and crafted["barrier"] is not None:
            await asyncio.wait_for(crafted["barrier"].wait(), 10)
        bundle = _bundle(*matches[offset : offset + count])
        bundle["total"] = crafted.get("total", len(matches))
        if offset + count < len(matches):
            key = "_offset" if crafted["style"] == "offset" else "_page"
            query = [(k, v) for k, v in request.query.items() if k not in ("_offset", "_page")]
            bundle["link"] = [
                {
                    "relation": "next",
                    "url": str(request.url.with_query([*query, (key, str(offset + count))])),
                }
            ]
        return web.json_response(bundle, content_type="application/fhir+json")

    root.router.add_get("/paged/xds/DocumentReference", paged_search)
    runner = web.AppRunner(root, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield World(f"http://127.0.0.1:{port}", session, crafted)
    await runner.cleanup()


def current(records: list[AppointmentRecord]) -> list[AppointmentRecord]:
    return [r for r in records if not r.superseded]


def by_id(records: list[AppointmentRecord], doc_id: str) -> list[AppointmentRecord]:
    return sorted((r for r in records if r.id == doc_id), key=lambda r: int(r.version or 0))


# --- simulator + connector over HTTP ---


async def test_moved_appointment_is_one_superseded_and_one_current_version(
    world: World, pop: Population
) -> None:
    moved = next(
        a
        for a in pop.appointments_for("aarhus", MULTI)
        if len(a.versions) == 2 and a.current.status != "cancelled"
    )
    records = await world.connector().appointments(MULTI, None, None)
    old, new = by_id(records, moved.id)
    assert (old.superseded, new.superseded) == (True, False)
    assert (old.version, new.version) == ("1", "2")
    assert old.updated is not None
    assert new.updated is not None
    assert old.updated < new.updated
    assert old.start == moved.versions[0].start
    assert new.start == moved.current.start
    assert new.start is not None
    assert new.start.astimezone(TZ).hour == 14
    assert new.status is AppointmentStatus.BOOKED


async def test_cancelled_appointments_are_one_current_cancelled_record(
    world: World, pop: Population
) -> None:
    records = await world.connector().appointments(MULTI, None, None)
    cancelled = [
        a for a in pop.appointments_for("aarhus", MULTI) if a.current.status == "cancelled"
    ]
    assert cancelled
    for appt in cancelled:
        [record] = current(by_id(records, appt.id))
        assert record.status is AppointmentStatus.CANCELLED


async def test_both_cancellation_styles_are_served_and_read(world: World, pop: Population) -> None:
    appts = pop.appointments_for("aarhus", HISTORY)
    cancelled = [a for a in appts if a.current.status == "cancelled"]
    withdrawn = {a.id for a in cancelled if simcda.withdrawn(a)}
    assert withdrawn
    assert len(withdrawn) < len(cancelled)
    status, bundle = await world.search("aarhus", HISTORY)
    assert status == 200
    resources = [e["resource"] for e in bundle["entry"]]
    replaced = {
        rel["target"]["reference"].split("/")[1]
        for r in resources
        for rel in r.get("relatesTo", [])
    }
    last: dict[str, dict[str, Any]] = {r["identifier"][0]["value"]: r for r in resources}
    deprecated = {
        d for d, r in last.items() if r["status"] == "superseded" and r["id"] not in replaced
    }
    said = {
        d
        for d, r in last.items()
        if b'<statusCode code="cancelled"/>'
        in base64.b64decode(r["content"][0]["attachment"]["data"])
    }
    assert deprecated == withdrawn
    assert said == {a.id for a in cancelled} - withdrawn
    records = await world.connector().appointments(HISTORY, None, None)
    for appt in cancelled:
        [record] = current(by_id(records, appt.id))
        assert record.status is AppointmentStatus.CANCELLED


async def test_home_visits_sites_and_an_unknown_end(world: World, pop: Population) -> None:
    records = await world.connector().appointments(MULTI, None, None)
    person = pop.people[MULTI]
    home = [r for r in current(records) if r.place is not None and r.place.is_home]
    assert home
    for r in home:
        assert r.place is not None
        assert r.place.name == "Borgers Hjemmeadresse"
        assert r.place.sor is None
        assert r.place.address is not None
        assert r.place.address.lines == person.address.lines
    rehab = next(r for r in records if r.title == "Genoptræning efter udskrivelse")
    assert rehab.place is not None
    assert rehab.place.sor == "751130016001"
    assert rehab.place.address is not None
    assert rehab.place.address.city == "Aarhus N"
    [open_ended] = [a for a in pop.appointments_for("aarhus", MULTI) if a.current.end is None]
    [record] = by_id(records, open_ended.id)
    assert record.end is None
    assert record.start == open_ended.current.start
    assert record.organization == OrgRef("751130016001", "Genoptræning Aarhus Vest")
    assert record.kind == "MunicipalityAppointment"
    assert record.reason == "Genoptræningsplan"


async def test_every_version_comes_back_exactly(world: World, pop: Population) -> None:
    records = await world.connector("frederikshavn").appointments(MULTI, None, None)
    sim = {a.id: a for a in pop.appointments_for("frederikshavn", MULTI)}
    assert {r.id for r in records} == set(sim)
    for r in records:
        v = sim[r.id].current
        assert (r.start, r.end, r.title, r.reason) == (v.start, v.end, v.title, v.reason)
        assert r.start is not None
        assert r.start.utcoffset() == v.start.utcoffset()


async def test_citizen_history_1200_documents_without_retrieves(
    world: World, pop: Population
) -> None:
    started = time.perf_counter()
    records = await world.connector().appointments(HISTORY, None, None)
    elapsed = time.perf_counter() - started
    assert len(current(records)) == len(pop.appointments_for("aarhus", HISTORY)) == 1200
    pages = -(-len(records) // 250)  # ceil: the connector asks for 250 entries a page
    assert await world.hits("aarhus") == pages  # inline data: no retrieves
    assert elapsed < 5.0


async def test_period_filter_is_half_open_on_start(world: World, pop: Population) -> None:
    start = datetime(2026, 11, 29, 0, tzinfo=TZ)
    end = datetime(2026, 12, 3, 0, tzinfo=TZ)
    records = await world.connector().appointments(MULTI, start, end)
    expected = {
        a.id for a in pop.appointments_for("aarhus", MULTI) if start <= a.current.start < end
    }
    assert {r.id for r in records} == expected
    assert all(r.start is not None and start <= r.start < end for r in current(records))
    # The moved appointment (its old version in the window too) comes with its whole chain.
    assert any(r.superseded for r in records)


async def test_simulator_pages_only_when_asked(world: World) -> None:
    _, whole = await world.search("aarhus", MULTI, inline="0")
    _, first = await world.search("aarhus", MULTI, inline="0", _count="10")
    assert first["total"] == whole["total"] == len(whole["entry"]) > 10
    assert [e["resource"]["id"] for e in first["entry"]] == [
        e["resource"]["id"] for e in whole["entry"][:10]
    ]
    [next_link] = [link["url"] for link in first["link"] if link["relation"] == "next"]
    assert next_link.startswith(world.base)
    assert "_offset=10" in next_link
    assert all("data" not in e["resource"]["content"][0]["attachment"] for e in whole["entry"])


async def test_paged_answers_give_the_same_records(world: World) -> None:
    whole = await world.connector().appointments(MULTI, None, None)
    connector = world.connector()
    connector.page_size = 7
    assert await connector.appointments(MULTI, None, None) == whole


async def test_retrieve_path_gives_the_same_records(world: World, pop: Population) -> None:
    inline = await world.connector().appointments(MULTI, None, None)
    retrieved = await world.connector("aarhus-retrieve").appointments(MULTI, None, None)
    assert retrieved == inline
    assert await world.hits("aarhus-retrieve") == 1 + len(inline)


async def test_gp_without_consent_is_not_consented(world: World) -> None:
    with pytest.raises(UpstreamNotConsented) as caught:
        await world.connector("gp-jml").appointments(NO_GP_CONSENT, None, None)
    assert caught.value.source == "gp-jml"
    status, outcome = await world.search("gp-jml", NO_GP_CONSENT)
    assert status == 403
    assert outcome["issue"][0]["code"] == "forbidden"
    assert outcome["issue"][0]["details"]["text"] == "consent"


async def test_a_403_from_a_source_without_consent_rules_stays_a_bad_response(world: World) -> None:
    with pytest.raises(UpstreamBadResponse):
        await world.connector("gp-jml", consent=False).appointments(NO_GP_CONSENT, None, None)


async def test_gp_shares_nothing_from_before_2021_10_01(world: World, pop: Population) -> None:
    sim = pop.appointments_for("gp-jml", MULTI)
    early = [a for a in sim if a.current.start.date() < GP_SHARED_SINCE]
    assert early  # the population has one, so the rule is really exercised
    records = await world.connector("gp-jml").appointments(MULTI, None, None)
    assert {r.id for r in records} == {a.id for a in sim} - {a.id for a in early}
    # The GP publishes its practice by ydernummer; the performing unit's SOR id owns the record.
    assert {r.organization for r in records} == {
        OrgRef("471851000016006", "Konsultation, Lægerne Jens Michael Larsen")
    }
    assert {r.kind for r in records} == {"PractitionerAppointment"}


@NOT_APP_KEY
@pytest.mark.parametrize("mount", ["aarhus", "aarhus-retrieve"])
@pytest.mark.parametrize("variant", ["xml-bomb", "xxe", "structure", "truncated"])
async def test_hostile_documents_are_bad_responses_quickly(
    world: World, mount: str, variant: str
) -> None:
    await world.fault(mount, variant)
    started = time.perf_counter()
    with pytest.raises(UpstreamBadResponse) as caught:
        async with asyncio.timeout(5):
            await world.connector(mount).appointments(MULTI, None, None)
    assert time.perf_counter() - started < 2.0
    said = f"{caught.value} {caught.value.detail} {caught.value!r} {caught.value.__cause__!r}"
    assert not any(marker in said for marker in PASSWD_MARKERS)
    assert caught.value.source == "aarhus"


# --- the connector on crafted answers ---


def _docref(entry_id: str, xml: bytes | None, **extra: Any) -> dict[str, Any]:
    attachment: dict[str, Any] = {"contentType": "application/xml"}
    if xml is not None:
        attachment["data"] = base64.b64encode(xml).decode()
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": entry_id,
        "status": "current",
        "type": {"coding": [{"system": "http://loinc.org", "code": "39289-4"}]},
        "content": [
            {
                "attachment": attachment,
                "format": {"system": "urn:oid:1.2.208.184.100.10", "code": apd.FORMAT_CODE},
            }
        ],
    }
    for key, value in extra.items():
        if key == "url":
            attachment["url"] = value
        elif key == "format":
            resource["content"][0]["format"]["code"] = value
        elif key == "type":
            resource["type"]["coding"][0]["code"] = value
        else:
            resource[key] = value
    return resource


def _replaces(entry_id: str) -> list[dict[str, Any]]:
    return [{"code": "replaces", "target": {"reference": f"DocumentReference/{entry_id}"}}]


def _bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }


async def test_chain_order_not_answer_order_decides_versions(world: World) -> None:
    v1 = _docref("e1", make_cda(low="20261201090000+0100", high=""), status="superseded")
    v2 = _docref(
        "e2",
        make_cda(low="20261201100000+0100", high=""),
        status="superseded",
        relatesTo=_replaces("e1"),
    )
    v3 = _docref("e3", make_cda(low="20261201110000+0100", high=""), relatesTo=_replaces("e2"))
    world.crafted["bundle"] = _bundle(v3, v1, v2)
    records = await world.connector("crafted", source="aarhus").appointments(MULTI, None, None)
    assert [
        (r.version, r.superseded, r.start.hour if r.start else None) for r in by_id(records, DOC)
    ] == [
        ("1", True, 9),
        ("2", True, 10),
        ("3", False, 11),
    ]


@pytest.mark.parametrize(
    "link",
    [
        "http://example.invalid/crafted/xds/DocumentReference?page=2",
        "{base}/crafted/xds/DocumentReference",
    ],
    ids=["foreign", "repeated"],
)
async def test_bad_next_links_are_bad_responses(world: World, link: str) -> None:
    bundle = _bundle(_docref("e1", make_cda()))
    bundle["link"] = [{"relation": "next", "url": link.format(base=world.base)}]
    world.crafted["bundle"] = bundle
    with pytest.raises(UpstreamBadResponse):
        await world.connector("crafted", source="aarhus").appointments(MULTI, None, None)
    assert world.crafted["requests"] == 1


async def test_withdrawn_single_entry_is_a_cancelled_current_record(world: World) -> None:
    world.crafted["bundle"] = _bundle(_docref("e1", make_cda(), status="superseded"))
    [record] = await world.connector("crafted", source="aarhus").appointments(MULTI, None, None)
    assert (record.status, record.superseded) == (AppointmentStatus.CANCELLED, False)


async def test_other_formats_and_types_are_skipped(world: World) -> None:
    world.crafted["bundle"] = _bundle(
        _docref("old", make_cda(), format="urn:ad:dk:medcom:appointment"),
        _docref("pdc", make_cda(), type="11488-4"),
        _docref("ok", make_cda(), type="56446-8"),
    )
    records = await world.connector("crafted", source="aarhus").appointments(MULTI, None, None)
    assert len(records) == 1


@pytest.mark.parametrize(
    "resource",
    [
        _docref("e1", None, url="http://example.invalid/xds/Binary/e1"),
        _docref("e1", None, url="http://127.0.0.1:1/xds/Binary/e1"),
        _docref("e1", None),
        {
            **_docref("e1", None),
            "content": [
                {"attachment": {"data": "not base64!"}, "format": {"code": apd.FORMAT_CODE}}
            ],
        },
        _docref("e1", make_cda(cpr="0201609995")),
        _docref("e1", make_cda(), status="withdrawn"),
    ],
    ids=["foreign-host", "foreign-port", "no-content", "bad-base64", "other-patient", "bad-status"],
)
async def test_unacceptable_entries_are_bad_responses(
    world: World, resource: dict[str, Any]
) -> None:
    world.crafted["bundle"] = _bundle(resource)
    with pytest.raises(UpstreamBadResponse):
        await world.connector("crafted", source="aarhus").appointments(MULTI, None, None)
    assert world.crafted["requests"] == 1  # no retrieve left the origin


# --- the simulator's documents, parsed ---


def test_every_simulated_document_parses_back_to_its_version(pop: Population) -> None:
    for source in ("aarhus", "frederikshavn", "gp-jml"):
        for appts in pop.appointments.get(source, {}).values():
            for appt in appts:
                for entry in simcda.publish(source, appt):
                    doc = parse_apd(render_cda(pop, source, entry).encode())
                    v = entry.version
                    assert (doc.doc_id, doc.patient_cpr, doc.kind) == (
                        appt.id,
                        appt.patient_cpr,
                        appt.kind,
                    )
                    assert (doc.start, doc.end, doc.title, doc.reason) == (
                        v.start,
                        v.end,
                        v.title,
                        v.reason,
                    )
                    assert doc.status_code == entry.cda_status
                    assert doc.place is not None
                    assert doc.place.is_home == v.place.is_home


# --- the pure parser on hand-written CDA ---


def test_parses_a_site_appointment() -> None:
    doc = parse_apd(make_cda())
    assert doc.doc_id == DOC
    assert doc.patient_cpr == MULTI
    assert doc.kind == "MunicipalityAppointment"
    assert doc.status_code == "active"
    assert doc.title == "Genoptræning efter udskrivelse"
    assert doc.reason == "Genoptræningsplan"
    assert doc.performer == "Lise Fys"
    assert doc.organization == OrgRef("751130016001", "Genoptræning Aarhus Vest")
    assert doc.place is not None
    assert (doc.place.name, doc.place.sor, doc.place.phone) == (
        "Træningssal 2",
        "751130016001",
        "+4587135200",
    )
    assert doc.place.address is not None
    assert doc.place.address.lines == ("Hasle Ringvej 122",)
    assert doc.created == datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_one_interval_may_mix_winter_and_summer_offsets() -> None:
    doc = parse_apd(make_cda(low="20210312120000+0100", high='<high value="20210331120000+0200"/>'))
    assert doc.start.utcoffset() == timedelta(hours=1)
    assert doc.end is not None
    assert doc.end.utcoffset() == timedelta(hours=2)
    assert doc.end - doc.start == timedelta(days=18, hours=23)


def test_null_flavor_high_is_an_unknown_end() -> None:
    assert parse_apd(make_cda(high='<high nullFlavor="NI"/>')).end is None
    assert parse_apd(make_cda(high="")).end is None


def test_yderregister_author_is_kept_when_nobody_has_a_sor_id() -> None:
    doc = parse_apd(make_cda(authors=YDER_AUTHOR, custodian="", performer_id=""))
    assert doc.organization == OrgRef("012345", "Lægerne Jens Michael Larsen")
    # With a SOR id anywhere, the SOR id wins: blocks walk the SOR tree.
    doc = parse_apd(make_cda(authors=YDER_AUTHOR))
    assert doc.organization == OrgRef("751130016001", None)


def test_a_requester_author_does_not_own_the_appointment() -> None:
    doc = parse_apd(make_cda(authors=REQUESTER_AUTHOR + SOR_AUTHOR))
    assert doc.organization == OrgRef("751130016001", "Genoptræning Aarhus Vest")


def test_fut_home_address_participant() -> None:
    doc = parse_apd(make_cda(place=FUT_HOME))
    assert doc.place is not None
    assert (doc.place.name, doc.place.is_home, doc.place.address) == (
        "Borgers Hjemmeadresse",
        True,
        None,
    )


def test_title_may_reference_the_narrative() -> None:
    doc = parse_apd(
        make_cda(
            text='<text><reference value="#a1"/></text>',
            narrative='<table><tr><td ID="a1">Hjemmepleje:  morgenbesøg</td></tr></table>',
        )
    )
    assert doc.title == "Hjemmepleje: morgenbesøg"


@pytest.mark.parametrize(
    ("code", "start", "expected"),
    [
        ("nullified", NOW + timedelta(days=1), AppointmentStatus.CANCELLED),
        ("cancelled", NOW + timedelta(days=1), AppointmentStatus.CANCELLED),
        ("aborted", NOW - timedelta(days=1), AppointmentStatus.CANCELLED),
        ("completed", NOW - timedelta(days=1), AppointmentStatus.FULFILLED),
        ("active", NOW + timedelta(days=1), AppointmentStatus.BOOKED),
        ("active", NOW - timedelta(days=1), AppointmentStatus.FULFILLED),
        ("new", NOW + timedelta(days=1), AppointmentStatus.BOOKED),
    ],
)
def test_status_mapping(code: str, start: datetime, expected: AppointmentStatus) -> None:
    assert appointment_status(code, start, None, NOW) is expected


def test_nullified_document_reads_as_cancelled() -> None:
    doc = parse_apd(make_cda(status="nullified"))
    assert (
        appointment_status(doc.status_code, doc.start, doc.end, NOW) is AppointmentStatus.CANCELLED
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20261201090000+0100", datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("20260701090000+0200", datetime(2026, 7, 1, 7, tzinfo=UTC)),
        ("20250205115731+0000", datetime(2025, 2, 5, 11, 57, 31, tzinfo=UTC)),
        ("202612010900-0130", datetime(2026, 12, 1, 10, 30, tzinfo=UTC)),
        ("20260701090000", datetime(2026, 7, 1, 7, tzinfo=UTC)),  # no offset: Copenhagen
        ("20261201", datetime(2026, 11, 30, 23, tzinfo=UTC)),
    ],
)
def test_parse_ts(value: str, expected: datetime) -> None:
    assert parse_ts(value) == expected


@pytest.mark.parametrize(
    "value", ["", "2026-12-01T09:00", "20261301090000+0100", "20261201090000+2500"]
)
def test_parse_ts_rejects(value: str) -> None:
    with pytest.raises(CdaError):
        parse_ts(value)


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&c;</title></ClinicalDocument>'
)
XXE = (
    make_cda()
    .replace(
        b"\n<ClinicalDocument",
        b'\n<!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<ClinicalDocument',
    )
    .replace(b"<text>Genopt", b"<text>&x;Genopt")
)


@pytest.mark.parametrize(
    "data",
    [
        make_cda(low=None),
        make_cda().replace(b"ClinicalDocument", b"Appointment"),
        make_cda().replace(b'root="1.2.208.184.14.1"', b'root="1.2.208.184.16.1"'),
        make_cda(cpr=""),
        make_cda(high='<high value="20261201080000+0100"/>'),
        make_cda(low="i morgen"),
        make_cda().replace(b'moodCode="APT"', b'moodCode="EVN"'),
        b"Dokumentet er midlertidigt utilg\xc3\xa6ngeligt",
        make_cda()[:300],
        BOMB,
        XXE,
        b"<" * 3_000_000,
    ],
    ids=[
        "no-low", "wrong-root", "not-apd", "no-cpr", "ends-before-start", "bad-ts", "no-apt",
        "not-xml", "truncated", "bomb", "xxe", "oversize",
    ],
)  # fmt: skip
def test_unacceptable_documents(data: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(CdaError) as caught:
        parse_apd(data)
    assert time.perf_counter() - started < 0.5
    assert not any(marker in str(caught.value) for marker in PASSWD_MARKERS)


def test_module_constants_match_the_simulator() -> None:
    assert cda.CPR_OID == simcda.CPR_OID
    assert cda.SOR_OID == simcda.SOR_OID
    assert cda.YDER_OID == simcda.YDER_OID


# --- the document cache: a version read once is not parsed (or retrieved) again ---


async def test_a_second_search_parses_nothing_again(world: World) -> None:
    connector = world.connector()
    first = await connector.appointments(MULTI, None, None)
    parsed = connector.parses
    assert parsed == len(first) > 0
    assert await connector.appointments(MULTI, None, None) == first
    assert connector.parses == parsed
    assert connector.documents.hits == len(first)


async def test_cached_retrieves_are_not_retrieved_again(world: World) -> None:
    connector = world.connector("aarhus-retrieve")
    first = await connector.appointments(MULTI, None, None)
    assert await world.hits("aarhus-retrieve") == 1 + len(first)
    assert await connector.appointments(MULTI, None, None) == first
    assert await world.hits("aarhus-retrieve") == 2 + len(first)  # the search only
    assert connector.parses == len(first)


async def test_a_retrieve_without_a_version_identity_is_not_cached(world: World) -> None:
    _, whole = await world.search("aarhus-retrieve", MULTI, inline="0")
    resources = [e["resource"] for e in whole["entry"]]
    for r in resources:
        del r["masterIdentifier"]  # nothing then says which bytes the url serves
    world.crafted["bundle"] = _bundle(*resources)
    connector = world.connector("crafted", source="aarhus")
    first = await connector.appointments(MULTI, None, None)
    assert await connector.appointments(MULTI, None, None) == first
    assert await world.hits("aarhus-retrieve") == 2 * len(resources) + 1
    assert connector.parses == 2 * len(resources)


async def test_a_refused_document_is_cached_as_refused(world: World) -> None:
    world.crafted["bundle"] = _bundle(_docref("e1", make_cda(low=None)), _docref("e2", make_cda()))
    connector = world.connector("crafted", source="aarhus")
    first = await connector.search_appointments(MULTI, None, None)
    again = await connector.search_appointments(MULTI, None, None)
    assert again == first
    assert [r.document for r in again.refused] == ["e1"]
    assert len(again.records) == 1
    assert connector.parses == 2


async def test_a_cached_document_is_never_another_patients(world: World) -> None:
    other = "0201609995"
    world.crafted["bundle"] = _bundle(_docref("e1", make_cda(cpr=MULTI)))
    connector = world.connector("crafted", source="aarhus")
    [record] = await connector.appointments(MULTI, None, None)
    # The same bytes answered for another patient: refused, cached or not.
    for _ in range(2):
        with pytest.raises(UpstreamBadResponse) as caught:
            await connector.appointments(other, None, None)
        assert "is for" in str(caught.value.detail)
    # And another patient's refused document is still another patient's.
    world.crafted["bundle"] = _bundle(_docref("e2", make_cda(cpr=other, low=None)))
    for _ in range(2):
        with pytest.raises(UpstreamBadResponse) as caught:
            await connector.appointments(MULTI, None, None)
        assert "is for" in str(caught.value.detail)
    assert connector.parses == 3  # e1 for each patient, e2 once: the second times were cached
    world.crafted["bundle"] = _bundle(_docref("e1", make_cda(cpr=MULTI)))
    assert await connector.appointments(MULTI, None, None) == [record]


async def test_the_cache_is_bounded() -> None:
    cache = DocumentCache(2)
    doc = parse_apd(make_cda())
    for n in range(3):
        cache.put(("aarhus", MULTI, str(n)), doc)
    assert len(cache) == 2
    assert cache.get(("aarhus", MULTI, "0")) is None
    assert cache.get(("aarhus", MULTI, "2")) is doc


# --- pages fetched together ---


def _paged(n: int) -> list[dict[str, Any]]:
    return [
        _docref(
            f"e{i}",
            make_cda(low=f"202612{1 + i % 28:02d}090000+0100", high="").replace(
                DOC.encode(), f"doc-{i}".encode()
            ),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("style", ["offset", "opaque"])
async def test_concurrent_pages_give_the_records_of_sequential_pages(
    world: World, style: str
) -> None:
    world.crafted["paged"] = _paged(23)
    whole = await world.connector("paged", source="aarhus").appointments(MULTI, None, None)
    assert len(whole) == 23
    world.crafted["paged_requests"].clear()
    world.crafted["style"] = style
    if style == "offset":
        world.crafted["barrier"] = asyncio.Barrier(4)  # pages 2-5 at once, or never
    connector = world.connector("paged", source="aarhus")
    connector.page_size = 5
    assert await connector.appointments(MULTI, None, None) == whole
    assert len(world.crafted["paged_requests"]) == 5


@pytest.mark.parametrize("total", [30, 10**15])
async def test_the_page_guard_holds_before_the_fan_out(world: World, total: int) -> None:
    world.crafted["paged"] = _paged(30)
    world.crafted["total"] = total
    connector = world.connector("paged", source="aarhus")
    connector.page_size, connector.max_pages = 5, 4
    with pytest.raises(UpstreamBadResponse) as caught:
        await connector.appointments(MULTI, None, None)
    assert "more than 4 search pages" in str(caught.value.detail)
    assert len(world.crafted["paged_requests"]) == 1


@pytest.mark.parametrize(("total", "requests"), [(8, 3), (4, 3), (0, 3)])
async def test_matches_beyond_the_total_are_followed(
    world: World, total: int, requests: int
) -> None:
    world.crafted["paged"] = _paged(12)
    world.crafted["total"] = total  # outdated by the time the rest come (or simply wrong)
    connector = world.connector("paged", source="aarhus")
    connector.page_size = 4
    records = await connector.appointments(MULTI, None, None)
    assert sorted(r.id for r in records) == sorted(f"doc-{i}" for i in range(12))
    assert len(world.crafted["paged_requests"]) == requests


async def test_a_large_batch_parsed_off_the_loop_keeps_every_rule(world: World) -> None:
    resources = _paged(60)
    assert len(resources) > PARSE_ON_LOOP  # so parsed in a worker thread
    resources[57] = _docref("bad", make_cda(low=None))
    world.crafted["bundle"] = _bundle(*resources)
    connector = world.connector("crafted", source="aarhus")
    answer = await connector.search_appointments(MULTI, None, None)
    assert (len(answer.records), [r.document for r in answer.refused]) == (59, ["bad"])
    resources[58] = _docref("theirs", make_cda(cpr="0201609995"))
    resources[59] = _docref("hostile", XXE)
    world.crafted["bundle"] = _bundle(*resources)
    with pytest.raises(UpstreamBadResponse) as caught:
        await connector.search_appointments(MULTI, None, None)
    assert not any(marker in str(caught.value.detail) for marker in PASSWD_MARKERS)
