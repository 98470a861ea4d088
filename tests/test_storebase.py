"""Every store and access-log call is bounded in time, fails as *_UNAVAILABLE and recovers.

"Hung" is real here: another connection holds the locks the call needs (on SQLite and on
PostgreSQL), or a TCP proxy between the gateway and PostgreSQL stops forwarding (``TcpProxy``).
Without the bounds each call would wait 5 s (SQLite's busy timeout), a lock's holder (PostgreSQL)
or forever (a silent network); ``HANG_S`` ends any such test as a failure instead. Elapsed times
are asserted as bounds with a generous margin, not measured.
"""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.blocks import Block, BlockKind, Override
from domain.deadline import deadline_scope
from domain.errors import AuditUnavailableError, BadInputError, GatewayError, StoreUnavailableError
from store.auditlog import AuditLog, NewEntry
from store.blocks import BlockStore
from store.database import BOUNDED, settle
from store.engine import make_engine, upgrade
from store.feedstore import FeedStore
from store.overrides import OverrideStore
from store.repositories import Repositories
from store.stamkortstore import StamkortStore
from tests.tcpproxy import TcpProxy

CPR = "0108589995"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TIMEOUT_S = 0.3
MARGIN_S = 1.5
HANG_S = 30.0


def entry(n: int = 0) -> NewEntry:
    return NewEntry(
        at=NOW + timedelta(seconds=n),
        patient_cpr=CPR,
        actor_role="clinician",
        actor_id="005ML",
        actor_name="Mette Lund",
        actor_org_sor="320161000016009",
        actor_org_name="Hjertesygdomme, AUH",
        on_behalf_of=None,
        action="view",
        categories=("appointments",),
        override_id=None,
        override_reason=None,
        request_id=f"r{n}",
    )


def new_block(store: Repositories) -> Awaitable[Any]:
    return store.blocks.add(
        Block.new(
            patient_cpr=CPR,
            kind=BlockKind.PROFESSIONAL,
            valid_from=NOW,
            valid_to=None,
            authorisation_id="005ML",
            sor=None,
            include_subunits=False,
            period_start=None,
            period_end=None,
            created_by=CPR,
            created_by_role="citizen",
            now=NOW,
        )
    )


async def fails_within(
    call: Awaitable[Any], error: type[GatewayError], bound_s: float
) -> GatewayError:
    started = time.monotonic()
    async with asyncio.timeout(HANG_S):
        with pytest.raises(error) as caught:
            await call
    assert time.monotonic() - started < bound_s + MARGIN_S
    return caught.value


@asynccontextmanager
async def locks_held(database_url: str) -> AsyncIterator[None]:
    """Another connection holds the write lock (SQLite) or the tables' locks (PostgreSQL)."""
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
            await conn.execute(
                text("LOCK TABLE blocks, audit_head, access_log IN ACCESS EXCLUSIVE MODE")
            )
            yield
            await conn.rollback()
    finally:
        await holder.dispose()


@pytest.fixture
async def bounded_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine as the gateway makes it (with its timeouts), on a migrated database."""
    await upgrade(database_url)
    engine = make_engine(database_url, timeout_s=TIMEOUT_S)
    try:
        yield engine
    finally:
        # As the app's lifespan does: abandoned calls finish closing their connections before
        # the engine goes. Left closing when the test's loop ends, one could wait forever.
        await settle()
        await engine.dispose()


async def test_a_call_waiting_on_a_lock_is_cut_at_its_timeout(
    bounded_engine: AsyncEngine, database_url: str
) -> None:
    store = Repositories.open(bounded_engine, timeout_s=TIMEOUT_S)
    log = AuditLog(bounded_engine, timeout_s=TIMEOUT_S)
    async with locks_held(database_url):
        err = await fails_within(new_block(store), StoreUnavailableError, TIMEOUT_S)
        assert err.extensions == {"code": "STORE_UNAVAILABLE"}
        err = await fails_within(log.append(entry(1)), AuditUnavailableError, TIMEOUT_S)
        assert err.extensions == {"code": "AUDIT_UNAVAILABLE"}
    # The locks are gone: the same objects work again, nothing half-written is left behind.
    assert (await log.append(entry(2))).seq >= 1
    assert (await new_block(store)).patient_cpr == CPR
    assert (await log.verify()).ok


async def test_what_is_left_of_the_request_deadline_bounds_a_call_too(
    bounded_engine: AsyncEngine, database_url: str
) -> None:
    # No timeout of its own: only the deadline (as for a request with little time left).
    log = AuditLog(bounded_engine)
    async with locks_held(database_url):
        with deadline_scope(0.2):
            await fails_within(log.append(entry(1)), AuditUnavailableError, 0.2)
        with deadline_scope(0.0):  # the deadline has passed: the call does not even start
            await fails_within(log.append(entry(2)), AuditUnavailableError, 0.0)
    with deadline_scope(5.0):
        assert (await log.append(entry(3))).seq >= 1


async def test_the_gateways_own_errors_pass_unchanged(bounded_engine: AsyncEngine) -> None:
    store = Repositories.open(bounded_engine, timeout_s=TIMEOUT_S)
    with pytest.raises(BadInputError):
        await store.overrides.add(
            Override.new(
                patient_cpr=CPR,
                authorisation_id="005ML",
                clinician_name="Mette Lund",
                sor=None,
                basis="because",
                reason="Akut indlagt",
                now=NOW,
                window=timedelta(hours=2),
            )
        )


async def test_a_failing_database_is_store_unavailable_and_logged_without_values(
    bounded_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    store = Repositories.open(bounded_engine, timeout_s=TIMEOUT_S)
    async with bounded_engine.begin() as conn:
        await conn.execute(text("DROP TABLE stamkort_values"))
    with pytest.raises(StoreUnavailableError):
        await store.stamkort.stamkort(CPR)
    assert "Store.stamkort: the database failed" in caplog.text
    assert "stamkort_values" in caplog.text  # what failed is logged ...
    assert "8589995" not in caplog.text  # ... but not with the CPR number it was asked for


# --- PostgreSQL behind a proxy that hangs or goes down ---


@pytest.fixture
async def proxied(database_url: str) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy to the test's PostgreSQL and the database URL through it (migrated)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a network between the gateway and its database is PostgreSQL's")
    await upgrade(database_url)
    proxy = await TcpProxy.start(url.host or "127.0.0.1", url.port or 5432)
    try:
        through = url.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        yield proxy, through
    finally:
        await proxy.close()


async def test_a_hung_database_is_unavailable_in_time_and_recovers(
    proxied: tuple[TcpProxy, str],
) -> None:
    proxy, url = proxied
    engine = make_engine(url, timeout_s=TIMEOUT_S)
    store = Repositories.open(engine, timeout_s=TIMEOUT_S)
    log = AuditLog(engine, timeout_s=TIMEOUT_S)
    try:
        assert await store.blocks.active_blocks(CPR, NOW) == []  # a pooled connection, warm
        proxy.stall()
        for _ in range(3):  # pooled, then new connections: each is cut at the timeout
            await fails_within(
                store.blocks.active_blocks(CPR, NOW), StoreUnavailableError, TIMEOUT_S
            )
            await fails_within(log.append(entry()), AuditUnavailableError, TIMEOUT_S)
            await fails_within(store.stamkort.stamkort(CPR), StoreUnavailableError, TIMEOUT_S)
        proxy.forward()
        # The very first calls after the stall succeed: no restart, no failed request.
        assert await store.blocks.active_blocks(CPR, NOW) == []
        assert (await log.append(entry(1))).patient_cpr == CPR
        proxy.down()
        await fails_within(store.blocks.active_blocks(CPR, NOW), StoreUnavailableError, TIMEOUT_S)
        await fails_within(log.append(entry(2)), AuditUnavailableError, TIMEOUT_S)
        proxy.forward()
        assert await store.blocks.active_blocks(CPR, NOW) == []
        assert (await log.append(entry(3))).patient_cpr == CPR
        assert (await log.verify()).ok
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "repository", [BlockStore, OverrideStore, StamkortStore, FeedStore, AuditLog]
)
def test_every_public_call_of_a_repository_is_bounded(repository: type) -> None:
    """No repository inherits the bounds: each public coroutine method wears ``@bounded``."""
    public = [
        (name, value)
        for name, value in vars(repository).items()
        if not name.startswith("_") and inspect.iscoroutinefunction(value)
    ]
    assert public
    assert [name for name, value in public if not getattr(value, BOUNDED, False)] == []
