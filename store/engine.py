"""The async engine factory (SQLite in WAL mode, PostgreSQL with statement timeouts) and the
migration runner (Alembic, ``store/migrations``)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    event,
    make_url,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS = Path(__file__).parent / "migrations"

#: Execution option that makes a SQLite transaction take the write lock at BEGIN. A deferred
#: transaction that reads first and writes later fails at once with "database is locked" when
#: another connection committed in between (busy_timeout does not help there); IMMEDIATE waits
#: for the lock instead. PostgreSQL ignores the option.
WRITE = {"spo_sqlite_begin": "IMMEDIATE"}


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
