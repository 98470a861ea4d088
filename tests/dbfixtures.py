"""Database fixtures: every test gets its own empty database, migrated by ``engine``.

``database_url`` runs each test on a new SQLite file, and on PostgreSQL too when
``SPO_TEST_POSTGRES_URL`` names a server (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``).
PostgreSQL tests share one throw-away database per test session, created next to the one in the
URL and dropped at the end, so that several people's test runs on one server never meet; each
test starts by emptying it (``DROP SCHEMA public CASCADE``), which is much faster than a
``CREATE DATABASE`` per test.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from store.auditlog import AuditLog
from store.engine import make_engine, upgrade
from store.repositories import Repositories

POSTGRES_ENV = "SPO_TEST_POSTGRES_URL"


async def _admin(server: str, *statements: str) -> None:
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            for sql in statements:
                await conn.exec_driver_sql(sql)
    finally:
        await admin.dispose()


@dataclass
class _SessionDatabase:
    server: str | None
    url: str | None = None


@pytest.fixture(scope="session")
def _postgres_session() -> Iterator[_SessionDatabase]:
    # Created on first use by ``database_url``; dropped here, in a sync session fixture, which
    # runs outside the tests' per-function event loops.
    session = _SessionDatabase(os.environ.get(POSTGRES_ENV) or None)
    yield session
    if session.server and session.url:
        name = make_url(session.url).database
        asyncio.run(_admin(session.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _postgres_session: _SessionDatabase
) -> str:
    """The URL of an empty database (not yet migrated), on each configured backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/t.db"
    session = _postgres_session
    if session.server is None:
        pytest.skip(f"{POSTGRES_ENV} is not set")
    if session.url is None:
        name = f"spo_test_{uuid.uuid4().hex[:12]}"
        await _admin(session.server, f'CREATE DATABASE "{name}"')
        session.url = make_url(session.server).set(database=name).render_as_string(False)
    await _admin(session.url, "DROP SCHEMA public CASCADE", "CREATE SCHEMA public")
    return session.url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to head; disposed after the test."""
    await upgrade(database_url)
    eng = make_engine(database_url)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
def store(engine: AsyncEngine) -> Repositories:
    """A :class:`Store` on the migrated test database."""
    return Repositories.open(engine)


@pytest.fixture
def auditlog(engine: AsyncEngine) -> AuditLog:
    """An :class:`AuditLog` on the migrated test database."""
    return AuditLog(engine)
