"""Refused attempts in Min Log: written for the patient aimed at, if she exists, and never a hint
to the caller. The recording runs after the response; tests wait for it with ``drain()``."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from domain.principals import Citizen, Clinician, Relative
from domain.settings import ConfigError
from gateway.config import parse_settings, read_toml
from resolvers.attempts import refused_entry
from store.auditlog import REFUSED, AuditLog, NewEntry
from tests.gatewayfixtures import Gateway, GraphQLGateway
from tests.inprocess import InProcessGateway

MULTI = "0108589995"
HISTORY = "0201919990"  # citizen-history: a person in the CPR register
NOBODY = "0305709997"  # a well-formed test CPR number that belongs to no one
T0 = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # the night summer time ends
VIEW = """query($c: String!) { patientOverview(cpr: $c) {
  patient { name } appointments { totalCount } } }"""
LOG = """query($c: String!) { patientOverview(cpr: $c) { accessLog(first: 50) { totalCount
  nodes { at viewerName viewerRole authorisationId organization { sor } action refused
          categories overrideUsed overrideReason } } } }"""
CLINICIAN = Clinician("Lene Hjort", "005ML", "physician", "265311000016006", "AUH", MULTI)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def refused_in_log(gw: GraphQLGateway, cpr: str) -> list[NewEntry]:
    await gw.app.state.services.refusals.drain()
    entries = (await gw.app.state.services.access_log.page(cpr, first=100)).entries
    return [e for e in entries if e.action == REFUSED]


# -- the entry and the log ------------------------------------------------------------------


def test_a_refused_entry_says_who_and_when_and_nothing_else() -> None:
    entry = refused_entry(CLINICIAN, HISTORY, T0, "req-1")
    assert (entry.patient_cpr, entry.at, entry.action, entry.categories) == (
        HISTORY,
        T0,
        "refused",
        (),
    )
    assert (entry.actor_role, entry.actor_id, entry.actor_name, entry.actor_org_sor) == (
        "clinician",
        "005ML",
        "Lene Hjort",
        "265311000016006",
    )
    assert entry.override_id is entry.override_reason is entry.on_behalf_of is None
    relative = Relative("0201609995", "Hanne", MULTI, T0.date(), None)
    # The fuldmagt's patient appears only in her own log, never in another patient's.
    assert refused_entry(relative, MULTI, T0, "r").on_behalf_of == MULTI
    assert refused_entry(relative, HISTORY, T0, "r").on_behalf_of is None
    citizen = refused_entry(Citizen("1502779995", "Jonas"), MULTI, T0, "r")
    assert (citizen.actor_role, citizen.actor_id) == ("citizen", "1502779995")


async def test_repeated_refusals_of_one_actor_coalesce_within_the_window(
    auditlog: AuditLog,
) -> None:
    window = timedelta(minutes=60)
    first = refused_entry(CLINICIAN, HISTORY, T0, "r0")
    assert await auditlog.append_refusal(first, T0 - window) is not None
    later = replace(first, at=T0 + timedelta(minutes=59), request_id="r1")
    assert await auditlog.append_refusal(later, later.at - window) is None
    other = replace(later, actor_id="0B7TR", actor_name="Mette")
    assert await auditlog.append_refusal(other, other.at - window) is not None
    elsewhere = replace(later, patient_cpr=MULTI)
    assert await auditlog.append_refusal(elsewhere, elsewhere.at - window) is not None
    after = replace(first, at=T0 + timedelta(minutes=60), request_id="r2")
    assert await auditlog.append_refusal(after, after.at - window) is not None
    total = (await auditlog.page(HISTORY, first=10)).total
    assert total == 3
    verified = await auditlog.verify()  # a coalesced attempt left no gap in the chain
    assert verified.ok, verified
    assert verified.checked == 4


async def test_only_refusals_are_coalesced(auditlog: AuditLog) -> None:
    view = replace(refused_entry(CLINICIAN, HISTORY, T0, "r"), action="view")
    with pytest.raises(ValueError, match="refused"):
        await auditlog.append_refusal(view, T0)
    with pytest.raises(ValueError, match="refused"):
        await auditlog.append_refusal(
            replace(refused_entry(CLINICIAN, HISTORY, T0, "r"), categories=("plans",)), T0
        )


# -- end to end -------------------------------------------------------------------------------


@pytest.mark.in_process
async def test_a_clinicians_lookup_outside_her_context_is_in_that_patients_min_log(
    gateway: InProcessGateway,
) -> None:
    body = await gateway.query("clinician-auh", VIEW, {"c": HISTORY})
    assert body["data"] is None
    assert codes(body) == ["FORBIDDEN"]
    await gateway.app.state.services.refusals.drain()
    seen = await gateway.query("citizen-history", LOG, {"c": HISTORY})
    (node,) = seen["data"]["patientOverview"]["accessLog"]["nodes"]
    assert node["refused"] is True
    assert node["action"] == "REFUSED"
    assert node["categories"] == []
    assert (node["viewerName"], node["viewerRole"], node["authorisationId"]) == (
        "Lene Hjort",
        "CLINICIAN",
        "005ML",
    )
    assert node["organization"] == {"sor": "265311000016006"}
    assert (node["overrideUsed"], node["overrideReason"]) == (False, None)
    # Her own patient's log shows no refusal.
    assert await refused_in_log(gateway, MULTI) == []


@pytest.mark.in_process
async def test_the_caller_cannot_tell_whether_the_patient_exists(gateway: InProcessGateway) -> None:
    real = await gateway.query("clinician-auh", VIEW, {"c": HISTORY})
    nobody = await gateway.query("clinician-auh", VIEW, {"c": NOBODY})
    assert real == nobody
    assert codes(real) == ["FORBIDDEN"]
    assert len(await refused_in_log(gateway, HISTORY)) == 1
    assert await refused_in_log(gateway, NOBODY) == []
    total = (await gateway.app.state.services.access_log.page(NOBODY, first=1)).total
    assert total == 0


@pytest.mark.in_process
async def test_relatives_refused_lookups_are_recorded(gateway: InProcessGateway) -> None:
    expired = await gateway.query("relative-expired", VIEW, {"c": MULTI})
    assert codes(expired) == ["FORBIDDEN"]
    other = await gateway.query("relative-multi", VIEW, {"c": HISTORY})
    assert codes(other) == ["FORBIDDEN"]
    (lapsed,) = await refused_in_log(gateway, MULTI)
    assert (lapsed.actor_role, lapsed.actor_id, lapsed.actor_name, lapsed.on_behalf_of) == (
        "relative",
        "2512489996",
        "Lise Udløbet",
        MULTI,
    )
    (beyond,) = await refused_in_log(gateway, HISTORY)
    assert (beyond.actor_role, beyond.actor_name, beyond.on_behalf_of) == (
        "relative",
        "Hanne Testesen",
        None,
    )


@pytest.mark.in_process
async def test_a_citizen_probing_another_cpr_is_recorded(gateway: InProcessGateway) -> None:
    body = await gateway.query("citizen-group2", VIEW, {"c": MULTI})
    assert codes(body) == ["FORBIDDEN"]
    (entry,) = await refused_in_log(gateway, MULTI)
    assert (entry.actor_role, entry.actor_name, entry.categories) == (
        "citizen",
        "Jonas Gruppe-To",
        (),
    )


@pytest.mark.in_process
async def test_a_flood_of_attempts_is_one_entry(gateway: InProcessGateway) -> None:
    await asyncio.gather(*(gateway.query("clinician-auh", VIEW, {"c": HISTORY}) for _ in range(8)))
    await gateway.app.state.services.refusals.drain()
    for _ in range(3):
        await gateway.query("clinician-auh", VIEW, {"c": HISTORY})
    assert len(await refused_in_log(gateway, HISTORY)) == 1
    await gateway.query("clinician-gp", VIEW, {"c": HISTORY})
    assert len(await refused_in_log(gateway, HISTORY)) == 2  # another actor: its own entry


@pytest.mark.in_process
async def test_refused_mutations_are_recorded_but_not_role_refusals(
    gateway: InProcessGateway,
) -> None:
    override = """mutation($c: String!) { overrideBlocks(input: { cpr: $c, basis: CONSENT_NOW,
      reason: "Patienten giver samtykke nu" }) { id } }"""
    block = """mutation($c: String!) { createBlock(input: { cpr: $c, kind: PROFESSIONAL,
      authorisationId: "005ML" }) { id } }"""
    edit = """mutation($c: String!) { updateStamkort(input: { cpr: $c, expectedVersion: 0,
      phone: "20123456" }) { version } }"""
    feed = "mutation($c: String!) { rotateCalendarFeed(cpr: $c) { url } }"
    assert codes(await gateway.query("clinician-auh", override, {"c": HISTORY})) == ["FORBIDDEN"]
    assert codes(await gateway.query("clinician-gp", edit, {"c": HISTORY})) == ["FORBIDDEN"]
    assert codes(await gateway.query("relative-expired", block, {"c": MULTI})) == ["FORBIDDEN"]
    assert codes(await gateway.query("citizen-group2", feed, {"c": MULTI})) == ["FORBIDDEN"]
    assert sorted(e.actor_name for e in await refused_in_log(gateway, HISTORY)) == [
        "Jens Michael Larsen",
        "Lene Hjort",
    ]
    assert sorted(e.actor_name for e in await refused_in_log(gateway, MULTI)) == [
        "Jonas Gruppe-To",
        "Lise Udløbet",
    ]
    # Her own patient, refused by role (clinicians do not manage blocks): no refused attempt.
    assert codes(await gateway.query("clinician-homecare-aarhus", block, {"c": MULTI})) == [
        "FORBIDDEN"
    ]
    assert all(e.actor_name != "Mette Sørensen" for e in await refused_in_log(gateway, MULTI))


async def test_when_cpr_cannot_answer_the_attempt_is_recorded_anyway(gateway: Gateway) -> None:
    await gateway.fault("cpr", "error")
    real = await gateway.query("clinician-auh", VIEW, {"c": HISTORY})
    nobody = await gateway.query("clinician-auh", VIEW, {"c": NOBODY})
    assert real == nobody
    assert len(await refused_in_log(gateway, HISTORY)) == 1
    assert len(await refused_in_log(gateway, NOBODY)) == 1  # the documented trade-off


@pytest.mark.in_process
async def test_a_log_failure_does_not_change_the_refusal(
    gateway: InProcessGateway, caplog: pytest.LogCaptureFixture
) -> None:
    before = await gateway.query("clinician-auh", VIEW, {"c": HISTORY})
    await gateway.app.state.services.refusals.drain()
    async with gateway.app.state.engine.begin() as conn:
        await conn.execute(text("DROP TABLE access_log"))
    with caplog.at_level(logging.WARNING, logger="resolvers.attempts"):
        after = await gateway.query("clinician-gp", VIEW, {"c": HISTORY})
        await gateway.app.state.services.refusals.drain()
    assert codes(after) == codes(before) == ["FORBIDDEN"]
    assert after["errors"][0]["message"] == before["errors"][0]["message"]
    assert "could not be recorded" in caplog.text
    # No CPR number in what was logged (standing alone: a hex request id may hold ten digits).
    assert not re.search(r"(?<![0-9A-Za-z])\d{6}-?\d{4}(?![0-9A-Za-z])", caplog.text)
    assert after["errors"][0]["extensions"] == before["errors"][0]["extensions"]


async def test_the_refusal_does_not_wait_for_the_register(gateway: Gateway) -> None:
    # With CPR hanging, the caller still has her answer while the recording waits: the time a
    # refusal takes says nothing about the number asked for.
    await gateway.fault("cpr", "hang")
    body = await gateway.query("clinician-auh", VIEW, {"c": NOBODY})
    assert codes(body) == ["FORBIDDEN"]
    assert gateway.app.state.services.refusals.pending == 1
    await gateway.fault("cpr", "off")
    await gateway.app.state.services.refusals.drain()
    assert gateway.app.state.services.refusals.pending == 0


def test_the_window_comes_from_policy() -> None:
    raw = read_toml()
    assert parse_settings(raw).policy.refused_log_window_minutes == 60
    with pytest.raises(ConfigError, match=r"\[policy\]"):
        parse_settings({**raw, "policy": {**raw["policy"], "refused_log_window_minutes": -5}})
