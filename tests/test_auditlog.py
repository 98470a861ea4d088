from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import threading
import time
from asyncio.subprocess import PIPE
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.deadline import deadline_scope
from domain.errors import AuditUnavailableError, BadInputError
from store.auditlog import AuditLog, LogPage, NewEntry, VerifyResult, entry_hash
from store.engine import make_engine
from store.tables import GENESIS_HASH, audit_head

CPR = "0201919990"
OTHER = "1502779995"
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def new_entry(n: int = 0, patient_cpr: str = CPR, **changes: object) -> NewEntry:
    entry = NewEntry(
        at=T0 + timedelta(minutes=n),
        patient_cpr=patient_cpr,
        actor_role="clinician",
        actor_id="0C1D2",
        actor_name="Læge Larsen",
        actor_org_sor="6008010",
        actor_org_name="Aarhus Universitetshospital",
        on_behalf_of=None,
        action="view",
        categories=("appointments", "plans"),
        override_id=None,
        override_reason=None,
        request_id=f"req-{n}",
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


async def test_append_chains_from_genesis(auditlog: AuditLog) -> None:
    first = await auditlog.append(new_entry(0))
    second = await auditlog.append(new_entry(1, on_behalf_of=OTHER, actor_role="relative"))
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert first.categories == ("appointments", "plans")
    assert len(first.id) == 32


async def test_hash_is_sha256_of_canonical_json(auditlog: AuditLog) -> None:
    entry = await auditlog.append(new_entry(0, override_id="o1", override_reason="Akut"))
    canonical = {
        "seq": 1,
        "id": entry.id,
        "at": "2025-06-01T12:00:00.000000Z",
        "patient_cpr": CPR,
        "actor_role": "clinician",
        "actor_id": "0C1D2",
        "actor_name": "Læge Larsen",
        "actor_org_sor": "6008010",
        "actor_org_name": "Aarhus Universitetshospital",
        "on_behalf_of": None,
        "action": "view",
        "categories": ["appointments", "plans"],
        "override_id": "o1",
        "override_reason": "Akut",
        "request_id": "req-0",
        "prev_hash": GENESIS_HASH,
    }
    data = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert entry.hash == hashlib.sha256(data.encode()).hexdigest()


async def test_page_is_newest_first_with_a_seq_cursor(auditlog: AuditLog) -> None:
    appended = [await auditlog.append(new_entry(n)) for n in range(5)]
    await auditlog.append(new_entry(9, patient_cpr=OTHER))

    page = await auditlog.page(CPR, first=2)
    assert page.entries == [appended[4], appended[3]]
    assert (page.has_older, page.has_newer, page.total) == (True, False, 5)

    page = await auditlog.page(CPR, first=2, after=page.entries[-1].seq)
    assert [e.seq for e in page.entries] == [3, 2]
    assert (page.has_older, page.has_newer, page.total) == (True, True, 5)

    page = await auditlog.page(CPR, first=2, after=2)
    assert page.entries == [appended[0]]
    assert (page.has_older, page.has_newer) == (False, True)

    assert await auditlog.page("9999999999", first=10) == LogPage([], False, False, 0)
    assert await auditlog.page(CPR, first=0) == LogPage([], True, False, 5)


async def test_a_backward_page_ends_at_its_cursor(auditlog: AuditLog) -> None:
    appended = [await auditlog.append(new_entry(n)) for n in range(5)]
    await auditlog.append(new_entry(9, patient_cpr=OTHER))
    seqs = [e.seq for e in appended]

    # The oldest two, still newest first: nothing older, newer ones follow.
    page = await auditlog.page(CPR, first=2, from_oldest=True)
    assert [e.seq for e in page.entries] == [seqs[1], seqs[0]]
    assert (page.has_older, page.has_newer) == (False, True)

    # The two just newer than the third entry: older ones (from the cursor on) and newer ones.
    page = await auditlog.page(CPR, first=2, before=seqs[1], from_oldest=True)
    assert [e.seq for e in page.entries] == [seqs[3], seqs[2]]
    assert (page.has_older, page.has_newer) == (True, True)

    # Between two cursors (exclusive), read from either end.
    newest = await auditlog.page(CPR, first=2, after=seqs[4], before=seqs[0])
    oldest = await auditlog.page(CPR, first=2, after=seqs[4], before=seqs[0], from_oldest=True)
    assert [e.seq for e in newest.entries] == [seqs[3], seqs[2]]
    assert [e.seq for e in oldest.entries] == [seqs[2], seqs[1]]


@pytest.mark.parametrize("first", [-1, 501])
async def test_page_size_is_bounded(auditlog: AuditLog, first: int) -> None:
    with pytest.raises(BadInputError):
        await auditlog.page(CPR, first=first)


async def test_naive_time_is_refused(auditlog: AuditLog) -> None:
    with pytest.raises(BadInputError):
        await auditlog.append(new_entry(0, at=datetime(2025, 6, 1)))
    assert await auditlog.verify() == VerifyResult(True, 0, None, None)


async def test_verify_an_empty_log(auditlog: AuditLog) -> None:
    assert await auditlog.verify() == VerifyResult(True, 0, None, None)


async def test_concurrent_appends_form_one_chain(auditlog: AuditLog) -> None:
    entries = await asyncio.gather(*(auditlog.append(new_entry(n)) for n in range(50)))
    assert sorted(e.seq for e in entries) == list(range(1, 51))
    by_seq = {e.seq: e for e in entries}
    assert all(by_seq[s].prev_hash == by_seq[s - 1].hash for s in range(2, 51))
    assert await auditlog.verify() == VerifyResult(True, 50, None, None)


async def test_verify_during_appends_sees_a_consistent_chain(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    appends = [auditlog.append(new_entry(n)) for n in range(20)]
    # A separate AuditLog, so verification does not wait on the appenders' in-process lock.
    verifies = [AuditLog(engine).verify() for _ in range(5)]
    results = await asyncio.gather(*appends, *verifies)
    assert all(r.ok for r in results[20:] if isinstance(r, VerifyResult))
    assert await auditlog.verify() == VerifyResult(True, 20, None, None)


async def test_concurrent_appends_from_two_processes_form_one_chain(
    engine: AsyncEngine, database_url: str
) -> None:
    script = (
        "import asyncio, sys\n"
        "from datetime import UTC, datetime\n"
        "from store.auditlog import AuditLog, NewEntry\n"
        "from store.engine import make_engine\n"
        "async def main(url, name):\n"
        "    engine = make_engine(url)\n"
        "    log = AuditLog(engine)\n"
        "    sys.stdin.readline()\n"
        "    for n in range(25):\n"
        "        await log.append(NewEntry(datetime.now(UTC), '0201919990', 'clinician', name,\n"
        "            name, None, None, None, 'view', ('appointments',), None, None, str(n)))\n"
        "    await engine.dispose()\n"
        "asyncio.run(main(sys.argv[1], sys.argv[2]))\n"
    )
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, database_url, name, cwd=ROOT, stdin=PIPE
        )
        for name in ("A", "B")
    ]
    # Both children are started and imported before either appends, so their appends overlap.
    async with asyncio.timeout(120):
        await asyncio.gather(*(p.communicate(b"go\n") for p in procs))
    assert [p.returncode for p in procs] == [0, 0]
    log = AuditLog(engine)
    assert await log.verify() == VerifyResult(True, 50, None, None)
    page = await log.page(CPR, first=50)
    entries, total = page.entries, page.total
    assert total == 50
    assert [e.seq for e in entries] == list(range(50, 0, -1))
    assert {e.actor_id for e in entries} == {"A", "B"}


async def test_verify_detects_an_edited_entry(auditlog: AuditLog, engine: AsyncEngine) -> None:
    for n in range(5):
        await auditlog.append(new_entry(n))
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE access_log SET actor_name = 'Ingen' WHERE seq = 3"))
    result = await auditlog.verify()
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 3, 2)
    assert result.reason == "entry does not match its hash"


async def test_verify_detects_an_edit_with_a_recomputed_hash(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    for n in range(5):
        await auditlog.append(new_entry(n))
    forged = replace((await auditlog.page(CPR, first=1, after=4)).entries[0], actor_name="Ingen")
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE access_log SET actor_name = 'Ingen', hash = :h WHERE seq = 3"),
            {"h": entry_hash(asdict(forged))},
        )
    result = await auditlog.verify()
    assert (result.ok, result.first_broken_seq) == (False, 4)


async def test_verify_detects_a_deleted_middle_entry(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    for n in range(5):
        await auditlog.append(new_entry(n))
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM access_log WHERE seq = 3"))
    result = await auditlog.verify()
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 3, 2)
    assert result.reason == "entry 3 is missing"


async def test_verify_detects_a_deleted_last_entry(auditlog: AuditLog, engine: AsyncEngine) -> None:
    for n in range(3):
        await auditlog.append(new_entry(n))
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM access_log WHERE seq = 3"))
    result = await auditlog.verify()
    assert (result.ok, result.first_broken_seq, result.checked) == (False, 3, 2)


async def test_verify_detects_a_head_that_does_not_match(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    for n in range(3):
        await auditlog.append(new_entry(n))
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": "f" * 64})
    result = await auditlog.verify()
    assert (result.ok, result.first_broken_seq) == (False, 3)


async def test_purge_keeps_the_rest_verifiable(auditlog: AuditLog, engine: AsyncEngine) -> None:
    appended = [await auditlog.append(new_entry(n)) for n in range(6)]
    assert await auditlog.purge(T0 + timedelta(minutes=4)) == 4
    assert await auditlog.verify() == VerifyResult(True, 2, None, None)
    page = await auditlog.page(CPR, first=10)
    entries, has_next, total = page.entries, page.has_older, page.total
    assert entries == appended[:3:-1]
    assert (has_next, total) == (False, 2)
    async with engine.connect() as conn:
        head = (await conn.execute(select(audit_head))).one()
    assert (head.anchor_seq, head.anchor_hash) == (4, appended[3].hash)

    assert await auditlog.purge(T0) == 0
    later = await auditlog.append(new_entry(10))
    assert (later.seq, later.prev_hash) == (7, appended[5].hash)
    assert await auditlog.purge(T0 + timedelta(days=1)) == 3
    assert await auditlog.verify() == VerifyResult(True, 0, None, None)
    assert (await auditlog.append(new_entry(11))).seq == 8
    assert await auditlog.verify() == VerifyResult(True, 1, None, None)


async def test_purge_removes_only_a_prefix(auditlog: AuditLog) -> None:
    # Entry 2 is stamped earlier than entry 1 (its request started first but logged later).
    await auditlog.append(new_entry(10))
    await auditlog.append(new_entry(1))
    await auditlog.append(new_entry(2))
    assert await auditlog.purge(T0 + timedelta(minutes=5)) == 0
    assert await auditlog.purge(T0 + timedelta(minutes=11)) == 3
    assert await auditlog.verify() == VerifyResult(True, 0, None, None)


async def test_verify_detects_entries_left_behind_a_purge_anchor(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    for n in range(3):
        await auditlog.append(new_entry(n))
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE audit_head SET anchor_seq = 1"))
    result = await auditlog.verify()
    assert (result.ok, result.first_broken_seq) == (False, 2)


async def test_failed_append_writes_nothing(auditlog: AuditLog, engine: AsyncEngine) -> None:
    await auditlog.append(new_entry(0))
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE access_log RENAME TO access_log_away"))
    try:
        with pytest.raises(AuditUnavailableError, match="no data was returned"):
            await auditlog.append(new_entry(1))
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE access_log_away RENAME TO access_log"))
    async with engine.connect() as conn:
        assert await conn.scalar(select(audit_head.c.seq)) == 1
    assert (await auditlog.append(new_entry(2))).seq == 2
    assert await auditlog.verify() == VerifyResult(True, 2, None, None)


@pytest.mark.parametrize("where", ["postgres-port-1", "sqlite-on-a-folder"])
async def test_unreachable_database_is_audit_unavailable(where: str, tmp_path: Path) -> None:
    url = (
        "postgresql+asyncpg://postgres@127.0.0.1:1/none"
        if where == "postgres-port-1"
        else f"sqlite+aiosqlite:///{tmp_path}"
    )
    threads_before = set(threading.enumerate())
    engine = make_engine(url)
    log = AuditLog(engine)
    started = time.monotonic()
    try:
        async with asyncio.timeout(10):
            with pytest.raises(AuditUnavailableError, match="no data was returned") as caught:
                await log.append(new_entry(0))
            assert caught.value.extensions == {"code": "AUDIT_UNAVAILABLE"}
            with pytest.raises(AuditUnavailableError):
                await log.page(CPR, first=10, after=None)
            with pytest.raises(AuditUnavailableError):
                await log.verify()
            with pytest.raises(AuditUnavailableError):
                await log.purge(T0)
    finally:
        await engine.dispose()
        # aiosqlite stops the worker thread of a failed connect without awaiting it; let those
        # threads finish while this test's event loop is still open, or they report into a
        # closed loop during a later test.
        for thread in set(threading.enumerate()) - threads_before:
            await asyncio.to_thread(thread.join, 5)
    assert time.monotonic() - started < 10


async def test_queueing_for_the_log_does_not_use_up_an_appends_own_time(
    engine: AsyncEngine,
) -> None:
    # Each append may take timeout_s in the database; waiting for the appends before it in this
    # process is bounded by the request's deadline only (far more than 300 appends' worth).
    log = AuditLog(engine, timeout_s=1.0)
    with deadline_scope(60.0):
        written = await asyncio.gather(*(log.append(new_entry(n)) for n in range(300)))
    assert len({e.seq for e in written}) == 300
    assert (await log.verify()).ok
