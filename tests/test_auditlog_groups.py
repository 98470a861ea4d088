"""The access log's group commit (``store/groupcommit.py``), on real SQLite and PostgreSQL.

Appends that wait together are written together, and still: one verifying chain across engines
and processes, each caller its own entry, a failed group fails every caller in it and writes
nothing, a caller that stops waiting never leaves a group half-written, and a refused attempt is
logged once however many race. "In flight" is real: another connection holds the write lock (SQLite)
or the head row (PostgreSQL) until the test lets go.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.deadline import deadline_scope
from domain.errors import AuditUnavailableError
from store.auditlog import MAX_GROUP, REFUSED, AccessLogEntry, AuditLog, VerifyResult, entry_hash
from store.engine import make_engine
from store.tables import access_log, audit_head
from tests.test_auditlog import CPR, OTHER, ROOT, new_entry


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[tuple[list[tuple[str, int]], asyncio.Event]]:
    """The SQL ``engine`` sends while the block runs, each with the number of rows it carries
    (SQLite's executemany, PostgreSQL's arrays for ``unnest``), and an event set at the first."""
    sent: list[tuple[str, int]] = []
    started = asyncio.Event()

    def record(*args: Any) -> None:
        statement, parameters, many = args[2], args[3], args[5]
        rows = len(parameters) if many else 1
        if "unnest" in statement:
            rows = len(parameters[0])
        sent.append((statement, rows))
        started.set()

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent, started
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def rows_per_insert(sent: list[tuple[str, int]]) -> list[int]:
    return [rows for statement, rows in sent if "INSERT INTO access_log" in statement]


@asynccontextmanager
async def head_held(database_url: str) -> AsyncIterator[None]:
    """Another connection holds what an append needs first: SQLite's write lock, PostgreSQL's
    head row."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        raw = sqlite3.connect(str(url.database), isolation_level=None)
        raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            raw.rollback()
            raw.close()
        return
    holder = make_engine(database_url)
    try:
        async with holder.connect() as conn:
            await conn.execute(text("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"))
            yield
            await conn.rollback()
    finally:
        await holder.dispose()


async def logged(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(access_log.c.seq, access_log.c.request_id).order_by(access_log.c.seq)
        )
        return [(r.seq, r.request_id) for r in rows]


def refused(n: int, actor_id: str = "0C1D2") -> Any:
    return new_entry(n, action=REFUSED, categories=(), actor_id=actor_id, request_id=f"ref-{n}")


def assert_one_chain(entries: list[AccessLogEntry]) -> None:
    by_seq = {e.seq: e for e in entries}
    assert sorted(by_seq) == list(range(1, len(entries) + 1))
    assert all(by_seq[s].prev_hash == by_seq[s - 1].hash for s in range(2, len(entries) + 1))


async def test_many_concurrent_appends_are_written_in_groups_as_one_chain(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    with statements(engine) as (sent, _):
        entries = await asyncio.gather(*(auditlog.append(new_entry(n)) for n in range(200)))
    # Each caller has its own entry, at its own place in one chain.
    assert [e.request_id for e in entries] == [f"req-{n}" for n in range(200)]
    assert_one_chain(entries)
    assert await auditlog.verify() == VerifyResult(True, 200, None, None)
    # Written together: far fewer statements than entries, none larger than a group.
    per_insert = rows_per_insert(sent)
    assert sum(per_insert) == 200
    assert len(per_insert) < 200 / 10
    assert max(per_insert) <= MAX_GROUP


async def test_an_entry_hashed_before_the_lock_hashes_as_defined(auditlog: AuditLog) -> None:
    # What was hashed from pieces made before the head was known is what verify recomputes from
    # the stored row with the one definition, whatever the text holds.
    odd = [
        new_entry(0, actor_name='Læge "Q" \\ Ølund', request_id="a\nb\tc"),
        new_entry(1, actor_org_sor=None, actor_org_name=None, categories=()),
        new_entry(2, on_behalf_of=OTHER, override_id="o1", override_reason="Akut \u2028 🚑"),
        new_entry(3, actor_name='}{,:"', categories=("plans", "appointments", "æøå")),
    ]
    entries = await asyncio.gather(*(auditlog.append(e) for e in odd))
    assert all(e.hash == entry_hash(asdict(e)) for e in entries)
    assert await auditlog.verify() == VerifyResult(True, 4, None, None)
    stored = (await auditlog.page(CPR, first=10)).entries
    assert sorted(stored, key=lambda e: e.seq) == sorted(entries, key=lambda e: e.seq)


async def test_two_engines_appending_concurrently_form_one_chain(
    engine: AsyncEngine, database_url: str
) -> None:
    other = make_engine(database_url)
    try:
        logs = (AuditLog(engine), AuditLog(other))
        entries = await asyncio.gather(
            *(logs[n % 2].append(new_entry(n, actor_id=f"E{n % 2}")) for n in range(200))
        )
    finally:
        await other.dispose()
    assert [e.request_id for e in entries] == [f"req-{n}" for n in range(200)]
    assert_one_chain(entries)
    assert await AuditLog(engine).verify() == VerifyResult(True, 200, None, None)


async def test_two_processes_appending_in_groups_form_one_chain(
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
        "    written = await asyncio.gather(*(log.append(NewEntry(datetime.now(UTC),\n"
        "        '0201919990', 'clinician', name, name, None, None, None, 'view',\n"
        "        ('appointments',), None, None, f'{name}{n}')) for n in range(60)))\n"
        "    assert [e.request_id for e in written] == [f'{name}{n}' for n in range(60)]\n"
        "    await engine.dispose()\n"
        "asyncio.run(main(sys.argv[1], sys.argv[2]))\n"
    )
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, database_url, name, cwd=ROOT, stdin=PIPE
        )
        for name in ("A", "B")
    ]
    async with asyncio.timeout(120):
        await asyncio.gather(*(p.communicate(b"go\n") for p in procs))
    assert [p.returncode for p in procs] == [0, 0]
    assert await AuditLog(engine).verify() == VerifyResult(True, 120, None, None)
    written = await logged(engine)
    assert [seq for seq, _ in written] == list(range(1, 121))
    assert sorted(rid for _, rid in written) == sorted(
        f"{name}{n}" for name in ("A", "B") for n in range(60)
    )


async def test_a_failing_group_fails_all_its_callers_and_writes_nothing(
    auditlog: AuditLog, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    await auditlog.append(new_entry(0))
    # The database rejects one row of the group.
    async with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            await conn.execute(
                text(
                    "CREATE TRIGGER reject BEFORE INSERT ON access_log "
                    "WHEN NEW.request_id = 'poison' BEGIN SELECT RAISE(ABORT, 'rejected'); END"
                )
            )
        else:
            await conn.execute(
                text(
                    "CREATE FUNCTION reject() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "IF NEW.request_id = 'poison' THEN RAISE EXCEPTION 'rejected'; END IF; "
                    "RETURN NEW; END $$"
                )
            )
            await conn.execute(
                text(
                    "CREATE TRIGGER reject BEFORE INSERT ON access_log "
                    "FOR EACH ROW EXECUTE FUNCTION reject()"
                )
            )
    group = [new_entry(n) for n in range(1, 11)]
    group[4] = replace(group[4], request_id="poison")
    outcomes = await asyncio.gather(*(auditlog.append(e) for e in group), return_exceptions=True)
    assert all(isinstance(o, AuditUnavailableError) for o in outcomes), outcomes
    assert len({id(o) for o in outcomes}) == len(outcomes)  # an error of each caller's own
    assert await logged(engine) == [(1, "req-0")]
    async with engine.connect() as conn:
        assert await conn.scalar(select(audit_head.c.seq)) == 1
    assert "access log: the database failed" in caplog.text
    assert CPR not in caplog.text
    assert CPR[6:] not in caplog.text
    # The next group is not held back by the one that failed.
    assert (await auditlog.append(new_entry(11))).seq == 2
    assert await auditlog.verify() == VerifyResult(True, 2, None, None)


async def test_a_caller_cancelled_while_its_group_is_written_leaves_the_group_whole(
    auditlog: AuditLog, engine: AsyncEngine, database_url: str
) -> None:
    with statements(engine) as (_, started):
        async with head_held(database_url):
            tasks = [asyncio.create_task(auditlog.append(new_entry(n))) for n in range(3)]
            await started.wait()  # the group of all three waits for the lock
            tasks[1].cancel()
        first, _, third = await asyncio.gather(*tasks, return_exceptions=True)
    assert tasks[1].cancelled()
    assert isinstance(first, AccessLogEntry)
    assert isinstance(third, AccessLogEntry)
    assert (first.seq, third.seq) == (1, 3)
    # Logged but not returned: the cancelled caller's entry is in its place in the chain.
    assert await logged(engine) == [(1, "req-0"), (2, "req-1"), (3, "req-2")]
    assert await auditlog.verify() == VerifyResult(True, 3, None, None)


async def test_a_caller_cancelled_before_its_group_is_taken_is_left_out(
    auditlog: AuditLog, engine: AsyncEngine, database_url: str
) -> None:
    with statements(engine) as (_, started):
        async with head_held(database_url):
            first = asyncio.create_task(auditlog.append(new_entry(0)))
            await started.wait()  # the first group is in flight; the next ones queue
            queued = [asyncio.create_task(auditlog.append(new_entry(n))) for n in (1, 2)]
            await asyncio.sleep(0)  # both are in the queue
            queued[0].cancel()
        results = await asyncio.gather(first, *queued, return_exceptions=True)
    assert queued[0].cancelled()
    assert [r.seq for r in results if isinstance(r, AccessLogEntry)] == [1, 2]
    assert await logged(engine) == [(1, "req-0"), (2, "req-2")]
    assert await auditlog.verify() == VerifyResult(True, 2, None, None)


async def test_a_callers_deadline_ends_its_wait_not_a_group_with_time_left(
    auditlog: AuditLog, engine: AsyncEngine, database_url: str
) -> None:
    with statements(engine) as (_, started):
        async with head_held(database_url):

            async def hurried() -> AccessLogEntry:
                with deadline_scope(0.2):
                    return await auditlog.append(new_entry(0))

            short = asyncio.create_task(hurried())
            patient = asyncio.create_task(auditlog.append(new_entry(1)))
            await started.wait()
            with pytest.raises(AuditUnavailableError):
                await short  # its deadline ended while the group waited for the lock
        # The other caller in the group had time left: the group went on (alone, the short one's
        # would have been abandoned unwritten), and both are logged.
        assert (await patient).request_id == "req-1"
    assert sorted(rid for _, rid in await logged(engine)) == ["req-0", "req-1"]
    assert await auditlog.verify() == VerifyResult(True, 2, None, None)


async def test_racing_refusals_of_one_actor_are_logged_once(
    engine: AsyncEngine, database_url: str
) -> None:
    other = make_engine(database_url)
    window = timedelta(minutes=60)
    try:
        logs = (AuditLog(engine), AuditLog(other))
        calls = []
        for n in range(40):
            log = logs[n % 2]
            if n % 4 < 2:
                entry = refused(n)
                calls.append(log.append_refusal(entry, entry.at - window))
            else:
                calls.append(log.append(new_entry(n)))
        outcomes = await asyncio.gather(*calls)
    finally:
        await other.dispose()
    written = [o for o in outcomes if o is not None and o.action == REFUSED]
    assert len(written) == 1
    assert sum(o is None for o in outcomes) == 19
    async with engine.connect() as conn:
        count = await conn.scalar(select(func.count()).where(access_log.c.action == REFUSED))
    assert count == 1
    # A coalesced attempt took no seq: the chain has no gap.
    assert await AuditLog(engine).verify() == VerifyResult(True, 21, None, None)


async def test_an_over_long_value_is_refused_never_cut(
    auditlog: AuditLog, engine: AsyncEngine
) -> None:
    long_name = "L" * 201  # the column holds 200
    if engine.dialect.name == "postgresql":
        with pytest.raises(AuditUnavailableError):
            await auditlog.append(new_entry(0, actor_name=long_name))
        assert await logged(engine) == []
    else:  # SQLite does not enforce lengths: the whole value is kept
        await auditlog.append(new_entry(0, actor_name=long_name))
        stored = (await auditlog.page(CPR, first=1)).entries
        assert stored[0].actor_name == long_name
    assert (await auditlog.verify()).ok
