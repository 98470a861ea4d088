"""``spo serve --workers N``: N gateway processes behind one listening socket.

A real ``python -m gateway.cli serve --workers 2`` on an ephemeral port of 127.0.0.1, configured
only through the environment, over simulators started here and a SQLite file both workers share.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from prometheus_client.parser import text_string_to_metric_families

from bench.configfile import public_pem, write_config
from bench.servers import Server, children
from gateway.config import load_settings
from gateway.demo import claims_for
from gateway.tokens import mint_token
from simulators import server
from simulators.population import build_population
from store.auditlog import AuditLog
from store.engine import make_engine, upgrade

VIEW = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  patient { name } appointments(first: 5) { totalCount } sources { id status }
} }"""


def _commands(pids: list[int]) -> list[bytes]:
    return [Path(f"/proc/{p}/cmdline").read_bytes() for p in pids]


@pytest.fixture
async def workers(tmp_path: Path) -> AsyncIterator[tuple[Server, str, str]]:
    pop = build_population()
    sims = await server.start(pop, "127.0.0.1", 0)
    key = ec.generate_private_key(ec.SECP256R1())
    config = write_config(tmp_path, public_pem(key))
    database_url = f"sqlite+aiosqlite:///{tmp_path}/spo.db"
    await upgrade(database_url)
    env = {
        "SPO_CONFIG": str(config),
        "SPO_DATABASE_URL": database_url,
        "SPO_UPSTREAM_BASE": sims.base_url,
        "SPO_CACHE_URL": "memory://",
    }
    auth = load_settings({"SPO_CONFIG": str(config)}).auth
    persona = pop.persona("clinician-auh")
    token = mint_token(key, auth, claims_for(persona), kid="workers-test")
    gateway = await Server.launch(
        "gateway", ["-m", "gateway.cli", "serve", "--workers", "2"], env, tmp_path
    )
    try:
        yield gateway, token, persona.cpr
    finally:
        await gateway.stop()
        await sims.close()
    # Both workers and the supervisor stopped on SIGTERM, and cleanly.
    assert gateway.proc.returncode == 0, gateway.tail()
    engine = make_engine(database_url)
    try:
        verified = await AuditLog(engine).verify()
    finally:
        await engine.dispose()
    assert verified.ok, verified
    assert verified.checked == 20  # one entry per clinician lookup, from both workers, one chain


async def test_two_workers_serve_one_port_and_log_one_chain(
    workers: tuple[Server, str, str],
) -> None:
    gateway, token, cpr = workers
    # The supervisor's children: the two workers (and multiprocessing's resource tracker).
    commands = _commands(children(gateway.proc.pid))
    assert sum(b"spawn_main" in c for c in commands) == 2, commands

    async with aiohttp.ClientSession() as session:

        async def view() -> dict[str, object]:
            async with session.post(
                f"{gateway.url}/graphql",
                json={"query": VIEW, "variables": {"cpr": cpr}},
                headers={"Authorization": f"Bearer {token}"},
            ) as resp:
                assert resp.status == 200
                body: dict[str, object] = await resp.json()
                return body

        answers = await asyncio.gather(*(view() for _ in range(20)))
    for body in answers:
        assert "errors" not in body, body
        overview = body["data"]["patientOverview"]  # type: ignore[index]
        assert overview["patient"]["name"] == "Poul Erik Testesen"
        assert overview["appointments"]["totalCount"] > 0
        assert {s["status"] for s in overview["sources"]} == {"OK"}
    # Metrics run in multiprocess mode: whichever worker a scrape reaches (a new connection
    # each time) speaks for both, so every scrape counts all 20 views, and shows two workers.
    for _ in range(4):
        async with (
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as one,
            one.get(f"{gateway.url}/metrics") as resp,
        ):
            assert resp.status == 200
            samples = [
                s
                for family in text_string_to_metric_families(await resp.text())
                for s in family.samples
            ]
        views = sum(
            s.value
            for s in samples
            if s.name == "spo_request_seconds_count" and s.labels["route"] == "/graphql"
        )
        assert views == 20
        assert len({s.labels["pid"] for s in samples if s.name == "spo_worker_up"}) == 2
        circuit = [s for s in samples if s.name == "spo_upstream_circuit_open"]
        assert {s.labels["source"] for s in circuit} >= {"rm", "cpr"}
        assert all(s.value == 0 and "pid" not in s.labels for s in circuit)


async def test_workers_that_cannot_start_stop_the_supervisor(tmp_path: Path) -> None:
    """A port another process holds (without SO_REUSEPORT): every worker fails to bind, and
    after a few quick exits the supervisor gives up with status 1 instead of looping."""
    key = ec.generate_private_key(ec.SECP256R1())
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen(1)
    try:
        env = {
            **os.environ,
            "SPO_CONFIG": str(write_config(tmp_path, public_pem(key))),
            "SPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/spo.db",
            "SPO_HOST": "127.0.0.1",
            "SPO_PORT": str(held.getsockname()[1]),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--workers",
            "2",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    finally:
        held.close()
    assert proc.returncode == 1, output
    assert b"workers keep exiting right after they start" in output


def test_the_metrics_directory_is_made_fresh_or_emptied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway.workers import MULTIPROC, metrics_directory

    given = tmp_path / "metrics"
    monkeypatch.setenv(MULTIPROC, str(given))
    assert metrics_directory() is None
    assert given.is_dir()  # made when it was not there
    (given / "counter_123.db").write_bytes(b"old")
    (given / "keep.txt").write_text("not ours")
    assert metrics_directory() is None
    assert sorted(p.name for p in given.iterdir()) == ["keep.txt"]  # last run's values gone
    monkeypatch.delenv(MULTIPROC)
    made = metrics_directory()
    assert made is not None
    try:
        assert os.environ[MULTIPROC] == str(made)
        assert made.is_dir()
        assert not any(made.iterdir())
    finally:
        os.environ.pop(MULTIPROC)  # set by metrics_directory itself, not through monkeypatch
        made.rmdir()
