"""Replicas are stateless: two gateway processes sharing one PostgreSQL and one Redis.

Each replica is a real OS process (``bench.soak.GatewayProcess``: ``create_app(load_settings())``
under uvicorn) configured only through ``SPO_CONFIG`` (a TOML trusting this test's key),
``SPO_DATABASE_URL``, ``SPO_CACHE_URL`` and ``SPO_UPSTREAM_BASE``. The simulators run in the test.
Needs ``SPO_TEST_POSTGRES_URL`` and ``SPO_TEST_REDIS_URL``; skipped without them.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from bench.configfile import public_pem, write_config
from bench.replica import GatewayProcess
from domain.clock import Clock
from domain.settings import Settings
from gateway.auth import mint_token
from gateway.config import load_settings
from gateway.demo import claims_for
from simulators import server
from simulators.population import Population, build_population
from store.auditlog import AuditLog
from store.engine import make_engine, upgrade

REDIS_URL = os.environ.get("SPO_TEST_REDIS_URL")
MULTI = "0108589995"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="SPO_TEST_REDIS_URL is not set"),
    # PostgreSQL only (the fixture skips without SPO_TEST_POSTGRES_URL): SQLite is one machine's.
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]
VIEW = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  appointments(first: 500) { totalCount nodes { id } }
  notices { code }
} }"""
CREATE = "mutation($i: CreateBlockInput!) { createBlock(input: $i) { id active } }"
END = "mutation($cpr: String!, $id: ID!) { endBlock(cpr: $cpr, id: $id) { active } }"
OVERRIDE = "mutation($i: OverrideInput!) { overrideBlocks(input: $i) { expiresAt } }"
LOG = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  accessLog(first: 100) { totalCount nodes { viewerName action overrideUsed overrideReason } }
} }"""


@dataclass
class Replicas:
    a: GatewayProcess
    b: GatewayProcess
    settings: Settings
    pop: Population
    key: ec.EllipticCurvePrivateKey
    sim_url: str
    database_url: str
    env: dict[str, str]
    session: aiohttp.ClientSession

    async def query(
        self, replica: GatewayProcess, persona: str, query: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        claims = claims_for(self.pop.persona(persona))
        token = mint_token(self.key, self.settings.auth, claims, kid="replica-test")
        async with self.session.post(
            f"{replica.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        ) as resp:
            body: dict[str, Any] = await resp.json()
            assert resp.status == 200, body
            return body

    async def hits(self, source: str) -> int:
        async with self.session.get(f"{self.sim_url}/{source}/_hits") as resp:
            return int((await resp.json())["hits"])

    async def reset_hits(self, source: str) -> None:
        async with self.session.post(f"{self.sim_url}/{source}/_faults", json={"mode": "off"}):
            pass


@pytest.fixture
async def replicas(tmp_path: Path, database_url: str, clock: Clock) -> AsyncIterator[Replicas]:
    assert REDIS_URL is not None
    pop = build_population(clock=clock)
    sims = await server.start(pop)
    started: list[GatewayProcess] = []
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    try:
        key = ec.generate_private_key(ec.SECP256R1())
        env = {
            "SPO_CONFIG": str(write_config(tmp_path, public_pem(key))),
            "SPO_DATABASE_URL": database_url,
            "SPO_CACHE_URL": REDIS_URL,
            "SPO_UPSTREAM_BASE": sims.base_url,
            "SPO_DEV_MODE": "0",
        }
        await upgrade(database_url)
        a, b = await asyncio.gather(
            GatewayProcess.start(env, tmp_path / "replica-a.log"),
            GatewayProcess.start(env, tmp_path / "replica-b.log"),
        )
        started += [a, b]
        assert a.proc.pid != b.proc.pid
        yield Replicas(
            a, b, load_settings(env), pop, key, sims.base_url, database_url, env, session
        )
    finally:
        for replica in started:
            await replica.stop()
        await session.close()
        await sims.close()


def codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}


async def test_a_block_made_on_one_replica_hides_data_on_the_other(replicas: Replicas) -> None:
    r = replicas
    before = await r.query(r.b, "clinician-auh", VIEW, {"cpr": MULTI})
    assert before["data"]["patientOverview"]["appointments"]["totalCount"] > 0
    # The record cache is shared: replica A answers from what B fetched, calling no source.
    await r.reset_hits("rm")
    again = await r.query(r.a, "clinician-auh", VIEW, {"cpr": MULTI})
    assert again["data"] == before["data"]
    assert await r.hits("rm") == 0

    made = await r.query(
        r.a,
        "citizen-multi",
        CREATE,
        {"i": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}},
    )
    assert made["data"]["createBlock"]["active"] is True
    # The very next request on the other replica honours it, cached upstream data or not.
    blocked = await r.query(r.b, "clinician-auh", VIEW, {"cpr": MULTI})
    assert blocked["data"]["patientOverview"]["appointments"] is None
    assert codes(blocked) == {"BLOCKED_BY_PATIENT"}
    assert [n["code"] for n in blocked["data"]["patientOverview"]["notices"]] == [
        "BLOCKED_BY_PATIENT"
    ]
    # Ended on B, lifted on A.
    ended = await r.query(
        r.b, "citizen-multi", END, {"cpr": MULTI, "id": made["data"]["createBlock"]["id"]}
    )
    assert ended["data"]["endBlock"]["active"] is False
    lifted = await r.query(r.a, "clinician-auh", VIEW, {"cpr": MULTI})
    assert lifted["data"] == before["data"]


async def test_an_override_granted_on_one_replica_is_honoured_and_logged_on_the_other(
    replicas: Replicas,
) -> None:
    r = replicas
    await r.query(
        r.a,
        "citizen-multi",
        CREATE,
        {"i": {"cpr": MULTI, "kind": "PROFESSIONAL", "authorisationId": "005ML"}},
    )
    assert (await r.query(r.b, "clinician-auh", VIEW, {"cpr": MULTI}))["data"]["patientOverview"][
        "appointments"
    ] is None
    reason = "Akut indlagt, bevidstløs"
    granted = await r.query(
        r.a,
        "clinician-auh",
        OVERRIDE,
        {"i": {"cpr": MULTI, "basis": "PATIENT_UNREACHABLE", "reason": reason}},
    )
    assert "errors" not in granted, granted
    seen = await r.query(r.b, "clinician-auh", VIEW, {"cpr": MULTI})
    assert "errors" not in seen, seen
    assert seen["data"]["patientOverview"]["appointments"]["totalCount"] > 0
    # The patient reads the log on the replica that granted the override: B's view is in it.
    log = await r.query(r.a, "citizen-multi", LOG, {"cpr": MULTI})
    nodes = log["data"]["patientOverview"]["accessLog"]["nodes"]
    entries = [
        (n["viewerName"], n["action"], n["overrideUsed"], n["overrideReason"]) for n in nodes
    ]
    assert ("Lene Hjort", "OVERRIDE", True, reason) in entries
    assert ("Lene Hjort", "VIEW", True, reason) in entries
    # The view before the override was logged without one.
    assert ("Lene Hjort", "VIEW", False, None) in entries


async def test_log_entries_written_concurrently_by_both_replicas_form_one_chain(
    replicas: Replicas,
) -> None:
    r = replicas
    clinicians = ("clinician-auh", "clinician-gp", "clinician-homecare-aarhus")
    jobs = [r.query((r.a, r.b)[n % 2], clinicians[n % 3], VIEW, {"cpr": MULTI}) for n in range(40)]
    bodies = await asyncio.gather(*jobs)
    assert all("errors" not in b for b in bodies)
    engine = make_engine(r.database_url)
    try:
        verified = await AuditLog(engine).verify()
    finally:
        await engine.dispose()
    assert verified.ok, verified
    assert verified.checked == 40
    # And as an operator would check it, from a third process.
    cli = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "gateway.cli", "audit", "verify"],
        env={**os.environ, **r.env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "40 entries verified" in cli.stdout
