"""The access log (Min Log): append-only and hash-chained, so tampering shows.

Every entry's ``hash`` is the SHA-256 of its canonical JSON (all fields but ``hash``, including
``seq`` and ``prev_hash``), and ``prev_hash`` is the previous entry's ``hash``: editing, deleting
or inserting a row breaks the chain at that row, which :meth:`AuditLog.verify` reports.

One row, ``audit_head``, holds the last ``seq`` and ``hash``. A write locks that row with its
very first statement and releases it at commit, so appends from any number of processes form one
total order. Purging old entries moves the chain's anchor (the seq and hash verification starts
from) forward.

Appends are committed in groups (``store/groupcommit.py``): within a process they wait in a
queue, and one writer task takes all that are waiting (at most :data:`MAX_GROUP`), chains them in
order, inserts them with one statement (PostgreSQL: one round trip for the rows and the head;
SQLite: one prepared INSERT, in process), moves the head once and commits once; then each caller
has its own entry. Everything that does not depend on the head (the row, the id, the canonical
JSON around ``prev_hash`` and ``seq``) is made before the entry joins the queue, so the lock is
held only for the database round trips. A refused attempt is a group of its own: its check for
an earlier one runs under the head lock, so replicas racing on one attempt write it once.

A log entry must be written before data is returned, so every failure surfaces as
:class:`~domain.errors.AuditUnavailableError` — for every caller in the group — and the
transaction leaves nothing behind. A caller that gives up (cancelled, out of time) while its
group is being written may still find its entry logged: logged but not returned is safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, TypedDict

from sqlalchemy import (
    RowMapping,
    String,
    Text,
    TextClause,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.types import TypeEngine

from domain.actor import Actor
from domain.errors import AuditUnavailableError, BadInputError, GatewayError
from store.database import Database, bounded
from store.groupcommit import GroupCommit
from store.metrics import AUDIT_APPEND_SECONDS
from store.tables import access_log, audit_head

log = logging.getLogger(__name__)
UNAVAILABLE = "The access log is unavailable; no data was returned."
MAX_PAGE = 500
#: The action of a refused attempt: tenancy said no, so no data was shown (no categories).
REFUSED = "refused"
_VERIFY_BATCH = 1000
#: Most entries one transaction writes: bounds its statement and how long it holds the head row.
MAX_GROUP = 64


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What a caller logs; the log adds ``seq``, ``id`` and the hashes."""

    at: datetime
    patient_cpr: str
    actor_role: str
    actor_id: str
    actor_name: str
    actor_org_sor: str | None
    actor_org_name: str | None
    on_behalf_of: str | None
    action: str
    categories: tuple[str, ...]
    override_id: str | None
    override_reason: str | None
    request_id: str


@dataclass(frozen=True, slots=True)
class AccessLogEntry(NewEntry):
    """One logged access to a patient's data, as stored and chained: the caller's entry plus
    its position in the chain and the hashes."""

    seq: int
    id: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class LogPage:
    """A page of one patient's entries, newest first, and what lies beyond it either way."""

    entries: list[AccessLogEntry]
    has_older: bool
    has_newer: bool
    total: int


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of :meth:`AuditLog.verify`; ``checked`` counts entries found intact."""

    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str | None


def _iso(at: datetime) -> str:
    # A fixed format: isoformat() drops zero microseconds, which would make equal instants
    # hash differently depending on how they were built.
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ActorColumns(TypedDict):
    actor_role: str
    actor_id: str
    actor_name: str
    actor_org_sor: str | None
    actor_org_name: str | None
    on_behalf_of: str | None


def actor_columns(actor: Actor) -> ActorColumns:
    """The access log's columns of who acted (``domain/actor.py``)."""
    return ActorColumns(
        actor_role=actor.role,
        actor_id=actor.id,
        actor_name=actor.name,
        actor_org_sor=actor.org_sor,
        actor_org_name=actor.org_name,
        on_behalf_of=actor.on_behalf_of,
    )


def _canonical(fields_: Mapping[str, Any]) -> dict[str, Any]:
    canonical = {
        key: _iso(value) if isinstance(value, datetime) else value
        for key, value in fields_.items()
        if key != "hash"
    }
    canonical["categories"] = list(canonical["categories"])
    return canonical


#: What ``json.dumps(value, separators=(",", ":"), ensure_ascii=False)`` makes, without building
#: an encoder for every value.
_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def entry_hash(fields_: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of an entry's fields, ``hash`` itself excluded."""
    data = json.dumps(
        _canonical(fields_), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


#: The fields only the head decides, in the canonical JSON's (sorted) key order.
_CHAINED = ("prev_hash", "seq")


def _pieces(own: Mapping[str, Any]) -> tuple[bytes, ...]:
    """The canonical JSON of an entry with the values of :data:`_CHAINED` left out: the text
    before, between and after them, so that ``pieces[0] + json(prev_hash) + pieces[1] +
    json(seq) + pieces[2]`` is byte for byte what :func:`entry_hash` hashes.

    Built as ``json.dumps(sort_keys=True)`` builds an object, key by key in sorted order with
    the same separators; ``tests/test_auditlog_groups.py`` checks both agree.
    """
    canonical = _canonical(own)
    pieces: list[bytes] = []
    text: list[str] = []
    for key, name in _keys(tuple(canonical)):
        text.append(name)
        if key in _CHAINED:
            pieces.append("".join(text).encode("utf-8"))
            text = []
        else:
            text.append(_json(canonical[key]))
    text.append("}")
    pieces.append("".join(text).encode("utf-8"))
    return tuple(pieces)


@functools.cache
def _keys(own: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    # Every entry has the same keys: their order and JSON text are worked out once.
    ordered = sorted([*own, *_CHAINED])
    return tuple((key, ("," if n else "{") + _json(key) + ":") for n, key in enumerate(ordered))


class _Pending:
    """An entry waiting in the queue, with all the work that needs no head done already."""

    __slots__ = ("fields", "pieces", "refused_since", "row")

    def __init__(self, entry: NewEntry, refused_since: datetime | None) -> None:
        own: dict[str, Any] = {f.name: getattr(entry, f.name) for f in fields(NewEntry)}
        own["at"] = entry.at.astimezone(UTC)
        own["categories"] = tuple(entry.categories)
        own["id"] = uuid.uuid4().hex
        self.fields = own
        self.pieces = _pieces(own)
        self.row = {**own, "categories": json.dumps(list(own["categories"]))}
        self.refused_since = refused_since

    def chained(self, seq: int, prev_hash: str) -> tuple[dict[str, Any], AccessLogEntry]:
        """The row to insert and the entry to return at ``seq`` after ``prev_hash``."""
        head, middle, end = self.pieces
        digest = hashlib.sha256(head)
        digest.update(_json(prev_hash).encode("ascii"))
        digest.update(middle)
        digest.update(str(seq).encode("ascii"))
        digest.update(end)
        chain: dict[str, Any] = {"seq": seq, "prev_hash": prev_hash, "hash": digest.hexdigest()}
        return {**self.row, **chain}, AccessLogEntry(**self.fields, **chain)


def _unnest_rows() -> TextClause:
    """PostgreSQL: a group's rows as one array per column, inserted by ``unnest``, and the head's
    new hash (``head``) set in the same statement — one round trip, and one statement whatever
    the group's size, so it is prepared and cached once (a ``VALUES`` list per size would keep
    a cached statement for every size)."""
    columns = list(access_log.c)
    names = ", ".join(c.name for c in columns)
    arrays = ", ".join(f":{c.name}" for c in columns)
    # Made of the tables' own names only; every value is a bound parameter.
    sql = (
        f"WITH written AS (INSERT INTO {access_log.name} ({names}) "  # noqa: S608
        f"SELECT * FROM unnest({arrays})) "
        f"UPDATE {audit_head.name} SET hash = :head WHERE id = 1"
    )
    return text(sql).bindparams(
        *(bindparam(c.name, type_=postgresql.ARRAY(_unbounded(c.type))) for c in columns),
        bindparam("head", type_=audit_head.c.hash.type),
    )


def _unbounded(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    # Cast to text[], not varchar(n)[]: an explicit cast to varchar(n) cuts a longer value
    # silently (and the stored row would no longer match its hash); assigning text to the
    # column refuses it instead, as a plain INSERT does.
    return Text() if isinstance(type_, String) else type_


_UNNEST_ROWS = _unnest_rows()


class _Coalesced(Exception):
    """A refused attempt already logged within the window: roll back, write nothing."""


async def _has_refusal(conn: AsyncConnection, entry: Mapping[str, Any], since: datetime) -> bool:
    found = await conn.scalar(
        select(access_log.c.seq)
        .where(
            access_log.c.patient_cpr == entry["patient_cpr"],
            access_log.c.action == REFUSED,
            access_log.c.actor_role == entry["actor_role"],
            access_log.c.actor_id == entry["actor_id"],
            access_log.c.at > since,
        )
        .limit(1)
    )
    return found is not None


def _unavailable() -> GatewayError:
    return AuditUnavailableError(UNAVAILABLE)


def _entry(row: RowMapping) -> AccessLogEntry:
    data = {f.name: row[f.name] for f in fields(AccessLogEntry)}
    data["categories"] = tuple(json.loads(row["categories"]))
    return AccessLogEntry(**data)


class AuditLog:
    """The hash-chained access log on ``engine``. One per engine; safe to share between tasks.

    Each call is bounded by ``timeout_s`` and the request's deadline (``store/database.py``);
    the gateway passes ``limits.database_timeout_s``.

    Example::

        log = AuditLog(Database(engine))
        entry = await log.append(NewEntry(at=now, patient_cpr=cpr, ..., request_id=rid))
        entries, has_next, total = await log.page(cpr, first=20, after=None)
    """

    def __init__(self, engine: AsyncEngine, *, timeout_s: float | None = None) -> None:
        self.db = Database(engine, timeout_s=timeout_s)
        self._groups: GroupCommit[_Pending, AccessLogEntry | None] = GroupCommit(
            self._insert,
            what="access log",
            failed=_unavailable,
            timeout_s=timeout_s,
            max_group=MAX_GROUP,
            # A refused attempt's check must see every entry before it.
            alone=lambda pending: pending.refused_since is not None,
        )

    @asynccontextmanager
    async def _guard(self) -> AsyncIterator[None]:
        try:
            yield
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            log.error("access log: the database failed: %s: %s", type(exc).__name__, exc)
            raise AuditUnavailableError(UNAVAILABLE) from exc

    @bounded(unavailable=_unavailable, queued=True, timer=AUDIT_APPEND_SECONDS)
    async def append(self, entry: NewEntry) -> AccessLogEntry:
        """Write one entry and commit it before returning.

        Raises ``AuditUnavailableError`` if it cannot be written; then nothing was written —
        unless the call ran out of time while its group was being written, which may still
        commit it (logged but not returned).
        """
        written = await self._append(entry, refused_since=None)
        assert written is not None  # only a refusal can be coalesced away
        return written

    @bounded(unavailable=_unavailable, queued=True, timer=AUDIT_APPEND_SECONDS)
    async def append_refusal(self, entry: NewEntry, since: datetime) -> AccessLogEntry | None:
        """Write a refused attempt unless the same actor already has one in the patient's log
        after ``since``; ``None`` when it was coalesced into that one.

        The check runs under the head lock, so replicas racing on one attempt write it once.
        """
        if entry.action != REFUSED or entry.categories:
            raise ValueError("a refused attempt has action 'refused' and no categories")
        if since.utcoffset() is None:
            raise BadInputError("since must carry a timezone.")
        return await self._append(entry, refused_since=since)

    async def _append(
        self, entry: NewEntry, *, refused_since: datetime | None
    ) -> AccessLogEntry | None:
        if entry.at.utcoffset() is None:
            raise BadInputError("An access log entry's time must carry a timezone.")
        return await self._groups.submit(_Pending(entry, refused_since))

    async def _insert(self, group: list[_Pending]) -> list[AccessLogEntry | None]:
        try:
            async with self.db.writer.begin() as conn:
                # Lock the head before reading anything, so no other writer can slip in between
                # reading the previous hash and writing the next entries; take their seqs at once.
                head = (
                    await conn.execute(
                        update(audit_head)
                        .where(audit_head.c.id == 1)
                        .values(seq=audit_head.c.seq + len(group))
                        .returning(audit_head.c.seq, audit_head.c.hash)
                    )
                ).one()
                since = group[0].refused_since
                if since is not None and await _has_refusal(conn, group[0].fields, since):
                    raise _Coalesced  # rolls the head back with the transaction
                seq, prev = head.seq - len(group), head.hash
                rows, entries = [], []
                for pending in group:
                    seq += 1
                    row, entry = pending.chained(seq, prev)
                    rows.append(row)
                    entries.append(entry)
                    prev = entry.hash
                if conn.dialect.name == "postgresql":
                    arrays = {c.name: [row[c.name] for row in rows] for c in access_log.c}
                    await conn.execute(_UNNEST_ROWS, {**arrays, "head": prev})
                else:
                    # In-process: one prepared INSERT stepped once a row, in one call.
                    await conn.execute(access_log.insert(), rows)
                    await conn.execute(
                        update(audit_head).where(audit_head.c.id == 1).values(hash=prev)
                    )
        except _Coalesced:
            return [None]
        written: list[AccessLogEntry | None] = list(entries)
        return written

    @bounded(unavailable=_unavailable)
    async def page(
        self,
        patient_cpr: str,
        *,
        first: int,
        after: int | None = None,
        before: int | None = None,
        from_oldest: bool = False,
    ) -> LogPage:
        """The patient's entries, newest first, between seqs ``after`` and ``before`` (both
        exclusive; ``after`` is the older bound, since the log reads newest first).

        ``first`` entries from the newest end of that range, or with ``from_oldest`` from its
        oldest end (a backward page: ``last``). ``total`` counts all the patient's entries.
        """
        if not 0 <= first <= MAX_PAGE:
            raise BadInputError(f"first must be between 0 and {MAX_PAGE}.")
        seq = access_log.c.seq
        mine = access_log.c.patient_cpr == patient_cpr
        query = select(access_log).where(mine)
        if after is not None:
            query = query.where(seq < after)
        if before is not None:
            query = query.where(seq > before)
        query = query.order_by(seq.asc() if from_oldest else seq.desc()).limit(first + 1)
        count = select(func.count()).where(mine)
        async with self._guard(), self.db.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            total = await conn.scalar(count)
            page = [_entry(row) for row in rows[:first]]
            if from_oldest:
                page.reverse()
            more = len(rows) > first  # beyond the page, in the direction it was read
            # Beyond the page the other way: anything past the bound the page started from.
            bound = before if from_oldest else after
            other = bound is not None and (
                await conn.scalar(
                    select(seq).where(mine, seq <= bound if from_oldest else seq >= bound).limit(1)
                )
                is not None
            )
        older, newer = (other, more) if from_oldest else (more, other)
        return LogPage(page, has_older=older, has_newer=newer, total=total or 0)

    @bounded(unavailable=_unavailable)
    async def verify(self) -> VerifyResult:
        """Recompute the chain from the anchor and compare it with the stored hashes and head."""
        async with self._guard(), self.db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One snapshot for the head and all rows, so concurrent appends do not look
                # like a broken chain.
                await conn.execution_options(isolation_level="REPEATABLE READ")
            return await self._verify(conn)

    async def _verify(self, conn: AsyncConnection) -> VerifyResult:
        head = (await conn.execute(select(audit_head).where(audit_head.c.id == 1))).one()
        expected_seq, expected_prev = head.anchor_seq + 1, head.anchor_hash
        checked = 0
        while True:
            rows = (
                (
                    await conn.execute(
                        select(access_log)
                        .where(access_log.c.seq >= expected_seq)
                        .order_by(access_log.c.seq)
                        .limit(_VERIFY_BATCH)
                    )
                )
                .mappings()
                .all()
            )
            for row in rows:
                entry = _entry(row)
                if entry.seq != expected_seq:
                    return VerifyResult(
                        False, checked, expected_seq, f"entry {expected_seq} is missing"
                    )
                if entry.prev_hash != expected_prev:
                    return VerifyResult(
                        False, checked, entry.seq, "prev_hash does not match the previous entry"
                    )
                if entry_hash(asdict(entry)) != entry.hash:
                    return VerifyResult(False, checked, entry.seq, "entry does not match its hash")
                checked += 1
                expected_seq, expected_prev = entry.seq + 1, entry.hash
            if len(rows) < _VERIFY_BATCH:
                break
        last_seq = expected_seq - 1
        stray = await conn.scalar(select(func.count()).where(access_log.c.seq <= head.anchor_seq))
        if stray:
            return VerifyResult(
                False, checked, head.anchor_seq, "entries remain at or before the purge anchor"
            )
        if head.seq != last_seq:
            return VerifyResult(
                False,
                checked,
                min(head.seq, last_seq) + 1,
                f"the head is at {head.seq} but the last entry is {last_seq}",
            )
        if head.hash != expected_prev:
            return VerifyResult(False, checked, head.seq, "the head hash does not match")
        return VerifyResult(True, checked, None, None)

    @bounded(unavailable=_unavailable)
    async def purge(self, before: datetime) -> int:
        """Delete entries older than ``before``, keeping what is left verifiable.

        Only a prefix of the chain is removed: it stops at the first entry at or after
        ``before``, so an older entry logged after a newer one waits for a later purge.
        Returns the number of entries deleted.
        """
        if before.utcoffset() is None:
            raise BadInputError("before must carry a timezone.")
        async with self._guard(), self.db.writer.begin() as conn:
            # A no-op write that takes the head lock, so no append interleaves with the purge.
            head = (
                await conn.execute(
                    update(audit_head)
                    .where(audit_head.c.id == 1)
                    .values(seq=audit_head.c.seq)
                    .returning(audit_head.c.seq, audit_head.c.anchor_seq)
                )
            ).one()
            first_kept = await conn.scalar(
                select(func.min(access_log.c.seq)).where(
                    access_log.c.seq > head.anchor_seq, access_log.c.at >= before
                )
            )
            cut = head.seq if first_kept is None else first_kept - 1
            if cut <= head.anchor_seq:
                return 0
            anchor_hash = await conn.scalar(
                select(access_log.c.hash).where(access_log.c.seq == cut)
            )
            if anchor_hash is None:
                raise AuditUnavailableError(UNAVAILABLE)
            deleted = await conn.execute(delete(access_log).where(access_log.c.seq <= cut))
            await conn.execute(
                update(audit_head)
                .where(audit_head.c.id == 1)
                .values(anchor_seq=cut, anchor_hash=anchor_hash)
            )
            return deleted.rowcount
