"""The gateway's own tables, the async engine factory and the migration runner.

The gateway stores only what no source system owns: patients' blocks and clinicians' overrides,
self-entered stamkort fields, calendar-feed tokens and the hash-chained access log. Everything
runs on PostgreSQL in production and on one SQLite file for the demo and tests, so the schema
sticks to portable types and every datetime column goes through :class:`UTCDateTime`.

The schema itself is created by the hand-written Alembic migrations in ``store/migrations``;
``METADATA`` mirrors them (``tests/test_db.py`` checks that the two do not drift).
"""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    make_url,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).parent / "migrations"

#: Execution option that makes a SQLite transaction take the write lock at BEGIN. A deferred
#: transaction that reads first and writes later fails at once with "database is locked" when
#: another connection committed in between (busy_timeout does not help there); IMMEDIATE waits
#: for the lock instead. PostgreSQL ignores the option.
WRITE = {"spo_sqlite_begin": "IMMEDIATE"}

GENESIS_HASH = "0" * 64

# Stable constraint names, so the hand-written migrations and METADATA name things alike.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone type: SQLAlchemy stores the wall-clock digits and drops ``tzinfo``, so
    values are normalised to UTC before they are written and marked UTC again when read. A naive
    datetime is refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}; the gateway stores only aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


METADATA = MetaData(naming_convention=NAMING)

blocks = Table(
    "blocks",
    METADATA,
    Column("id", String(32), primary_key=True),
    Column("patient_cpr", String(10), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_to", UTCDateTime),
    Column("authorisation_id", String(64)),
    Column("sor", String(64)),
    Column("include_subunits", Boolean, nullable=False),
    Column("period_start", UTCDateTime),
    Column("period_end", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(10), nullable=False),
    Column("created_by_role", String(20), nullable=False),
    Column("ended_at", UTCDateTime),
    Column("ended_by", String(64)),
    CheckConstraint("kind IN ('professional', 'treatment_place', 'period')", name="kind"),
    Index(None, "patient_cpr", "created_at"),
)

overrides = Table(
    "overrides",
    METADATA,
    Column("id", String(32), primary_key=True),
    Column("patient_cpr", String(10), nullable=False),
    Column("authorisation_id", String(64), nullable=False),
    Column("clinician_name", String(200), nullable=False),
    Column("sor", String(64)),
    Column("basis", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    CheckConstraint("basis IN ('consent_now', 'patient_unreachable')", name="basis"),
    Index(None, "patient_cpr", "authorisation_id", "expires_at"),
)

# One row per patient: the optimistic-concurrency version of the whole stamkort.
stamkort_heads = Table(
    "stamkort_heads",
    METADATA,
    Column("patient_cpr", String(10), primary_key=True),
    Column("version", Integer, nullable=False),
)

# Append-only: every value ever entered, with who entered it. The current value of a field is its
# row with the highest version; a JSON ``null`` value means the field was cleared.
stamkort_values = Table(
    "stamkort_values",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("patient_cpr", String(10), nullable=False),
    Column("field", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("entered_at", UTCDateTime, nullable=False),
    Column("entered_by_id", String(64), nullable=False),
    Column("entered_by_name", String(200), nullable=False),
    Column("entered_by_role", String(20), nullable=False),
    Column("entered_by_org_sor", String(64)),
    Column("entered_by_org_name", String(200)),
    UniqueConstraint("patient_cpr", "field", "version"),
)

# One row per (patient, owner): rotating overwrites the token in one upsert, so racing rotations
# cannot leave two live tokens, and a replaced or revoked token is gone.
calendar_feeds = Table(
    "calendar_feeds",
    METADATA,
    Column("patient_cpr", String(10), primary_key=True),
    Column("owner_cpr", String(10), primary_key=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("owner_role", String(20), nullable=False, server_default="citizen"),
    Column("owner_name", String(200), nullable=False, server_default=""),
    # A relative's feed ends with the fuldmagt; a citizen's has no end.
    Column("expires_at", UTCDateTime, nullable=True),
    # The id the patient lists and revokes the feed by (never the secret token).
    Column("id", String(32), nullable=False, unique=True),
    # When the owner last confirmed the feed with a valid token; the feed lapses a policy-set
    # number of days later (see store/feedstore.py).
    Column("confirmed_at", UTCDateTime, nullable=False),
)

# Append-only. ``seq`` is handed out by ``audit_head``, never by the database's own sequence, so
# that the number and the chain position are decided under the same lock.
access_log = Table(
    "access_log",
    METADATA,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(32), nullable=False, unique=True),
    Column("at", UTCDateTime, nullable=False),
    Column("patient_cpr", String(10), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("actor_org_sor", String(64)),
    Column("actor_org_name", String(200)),
    Column("on_behalf_of", String(10)),
    Column("action", String(32), nullable=False),
    Column("categories", Text, nullable=False),
    Column("override_id", String(32)),
    Column("override_reason", Text),
    Column("request_id", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index(None, "patient_cpr", "seq"),
    Index(None, "at"),
)

# Exactly one row (id = 1): the last appended entry and the anchor left by purging. Appends lock it
# first, which makes it the single point that orders the chain across processes.
audit_head = Table(
    "audit_head",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("anchor_seq", BigInteger, nullable=False),
    Column("anchor_hash", String(64), nullable=False),
    CheckConstraint("id = 1", name="single_row"),
)


def make_engine(url: str, *, timeout_s: float | None = None, **kwargs: Any) -> AsyncEngine:
    """Create the async engine for ``url`` (``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``).

    For a SQLite file the parent folder is created, and every connection runs in WAL mode with a
    5 s busy timeout and foreign keys on; SQLAlchemy (not the sqlite3 module) emits BEGIN, so reads
    are real transactions, and a connection with the :data:`WRITE` execution option begins
    ``IMMEDIATE``. Extra ``kwargs`` go to :func:`create_async_engine`.

    Errors never carry parameter values (``hide_parameters``): they are CPR numbers and names.

    ``timeout_s`` (the gateway passes ``limits.database_timeout_s``; the CLI and migrations pass
    none) bounds waiting on the database where the driver and the server can: the pool wait, and
    on PostgreSQL the connect, each command (asyncpg ``command_timeout``) and, on the server,
    ``statement_timeout`` and ``lock_timeout``, with ``idle_in_transaction_session_timeout`` ending
    a transaction whose client went silent, so it cannot hold the access log's head row locked.
    These are backstops: the store bounds each call as a whole (``store/database.py``).

    Example::

        engine = make_engine("sqlite+aiosqlite:///var/spo.db")
        await upgrade("sqlite+aiosqlite:///var/spo.db")
    """
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    in_memory = parsed.database in (None, "", ":memory:")  # one static connection, no pool wait
    if timeout_s is not None and not (parsed.get_backend_name() == "sqlite" and in_memory):
        kwargs.setdefault("pool_timeout", timeout_s)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, **kwargs)
    if parsed.get_driver_name() == "asyncpg":
        # asyncpg waits 60 s for a connection by default; an unreachable database must fail fast
        # so the access log reports itself unavailable within the request's deadline.
        connect_args: dict[str, Any] = {"timeout": timeout_s or 5.0}
        if timeout_s is not None:
            ms = str(int(timeout_s * 1000))
            connect_args["command_timeout"] = timeout_s
            connect_args["server_settings"] = {
                "statement_timeout": ms,
                "lock_timeout": ms,
                "idle_in_transaction_session_timeout": str(int(timeout_s * 10_000)),
            }
        connect_args.update(kwargs.pop("connect_args", {}))
        # A connection the pool kept from before a database restart is tested before use, so
        # the first request after an outage does not fail on it.
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, connect_args=connect_args, **kwargs)
    return create_async_engine(url, **kwargs)


def _sqlite_engine(url: str, database: str | None, **kwargs: Any) -> AsyncEngine:
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        _switch_to_wal(path)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Take BEGIN away from the sqlite3 module, which would skip it before SELECTs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # busy_timeout first: switching a new file to WAL needs a lock another connection may hold.
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("spo_sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def _switch_to_wal(path: Path) -> None:
    """Put a SQLite file in WAL mode once, before any pooled connection holds a transaction.

    WAL is a property of the file. Left to the connect event alone, several connections to a
    brand-new file would race to switch it, and one holding a read lock while waiting for the
    switch can deadlock with one that is writing until the busy timeout ends both.
    """
    # A file that cannot be opened is left for first use to report, where callers translate
    # the error (the access log into AuditUnavailableError).
    with (
        contextlib.suppress(sqlite3.Error),
        contextlib.closing(sqlite3.connect(path, timeout=5.0)) as conn,
    ):
        conn.execute("PRAGMA journal_mode=WAL")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` built in code: no ``alembic.ini`` is needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # Replicas starting together must not migrate twice; the lock ends with the transaction.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7265746)")
    command.upgrade(alembic_config(connection), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations in ``store/migrations`` to the database at ``url``.

    Safe to run on every start: an up-to-date database is left as it is.
    """
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            async with conn.begin():
                await conn.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()
