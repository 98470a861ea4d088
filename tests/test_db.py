from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.settings import ConfigError
from gateway.config import parse_settings, read_toml
from store.engine import alembic_config, make_engine, upgrade
from store.tables import GENESIS_HASH, METADATA, audit_head, blocks

TABLES = {
    "alembic_version",
    "access_log",
    "audit_head",
    "blocks",
    "calendar_feeds",
    "overrides",
    "stamkort_heads",
    "stamkort_values",
}


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _diff(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), METADATA))


async def test_upgrade_from_empty_creates_every_table_and_the_genesis_head(
    database_url: str,
) -> None:
    await upgrade(database_url)
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == TABLES
            head_revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
            assert head_revision == "0003"
            assert (
                await conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision
            )
            head = (await conn.execute(select(audit_head))).one()
            assert tuple(head) == (1, 0, GENESIS_HASH, 0, GENESIS_HASH)
    finally:
        await engine.dispose()


async def test_second_upgrade_is_a_no_op(engine: AsyncEngine, database_url: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE audit_head SET seq = 7, hash = :h WHERE id = 1"), {"h": "a" * 64}
        )
    await upgrade(database_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_tables) == TABLES
        assert await conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
        assert tuple((await conn.execute(select(audit_head.c.seq, audit_head.c.hash))).one()) == (
            7,
            "a" * 64,
        )


async def test_concurrent_upgrades_migrate_once(database_url: str) -> None:
    await asyncio.gather(upgrade(database_url), upgrade(database_url), upgrade(database_url))
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == TABLES
            assert await conn.scalar(select(func.count()).select_from(audit_head)) == 1
    finally:
        await engine.dispose()


async def test_migrations_match_the_metadata(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_downgrade_to_base_and_up_again(engine: AsyncEngine, database_url: str) -> None:
    def downgrade(conn: Connection) -> None:
        command.downgrade(alembic_config(conn), "base")

    async with engine.begin() as conn:
        await conn.run_sync(downgrade)
    async with engine.connect() as conn:
        assert await conn.run_sync(_tables) == {"alembic_version"}
    await upgrade(database_url)
    async with engine.connect() as conn:
        assert await conn.run_sync(_tables) == TABLES


async def test_datetimes_come_back_aware_utc(engine: AsyncEngine) -> None:
    cet = timezone(timedelta(hours=1))
    when = datetime(2025, 3, 30, 2, 30, 15, 123456, tzinfo=cet)
    row = {
        "id": "b1",
        "patient_cpr": "0201919990",
        "kind": "period",
        "valid_from": when,
        "include_subunits": False,
        "created_at": when,
        "created_by": "0201919990",
        "created_by_role": "citizen",
    }
    async with engine.begin() as conn:
        await conn.execute(blocks.insert().values(row))
    async with engine.connect() as conn:
        stored = await conn.scalar(select(blocks.c.valid_from))
        found = await conn.scalar(select(blocks.c.id).where(blocks.c.valid_from == when))
    assert stored == when
    assert stored.tzinfo == UTC
    assert found == "b1"


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        with pytest.raises(StatementError, match="naive datetime"):
            await conn.execute(select(blocks).where(blocks.c.valid_from < datetime(2025, 1, 1)))


async def test_sqlite_engine_creates_its_folder_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "spo.db"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as conn:
            assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
            assert await conn.scalar(text("PRAGMA busy_timeout")) == 5000
            assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await engine.dispose()
    assert path.exists()


async def test_database_errors_never_carry_parameter_values(engine: AsyncEngine) -> None:
    # What a failing statement's error says is logged; its parameters are CPR numbers and names.
    with pytest.raises(DBAPIError) as caught:
        async with engine.connect() as conn:
            await conn.execute(
                text("SELECT * FROM no_such_table WHERE patient_cpr = :cpr"), {"cpr": "0108589995"}
            )
    assert "no_such_table" in str(caught.value)
    assert "8589995" not in str(caught.value)


async def test_the_gateways_engine_bounds_waiting_on_the_database(database_url: str) -> None:
    engine = make_engine(database_url, timeout_s=0.25)
    try:
        assert engine.pool.timeout() == 0.25  # type: ignore[attr-defined]
        if engine.dialect.name == "postgresql":
            async with engine.connect() as conn:
                for setting, value in (
                    ("statement_timeout", "250ms"),
                    ("lock_timeout", "250ms"),
                    ("idle_in_transaction_session_timeout", "2500ms"),
                ):
                    assert await conn.scalar(text(f"SHOW {setting}")) == value
    finally:
        await engine.dispose()
    plain = make_engine(database_url)  # the CLI's and the migrations': no statement limits
    try:
        if plain.dialect.name == "postgresql":
            async with plain.connect() as conn:
                assert await conn.scalar(text("SHOW statement_timeout")) == "0"
    finally:
        await plain.dispose()


def _with_limits(**limits: Any) -> dict[str, Any]:
    raw = read_toml()
    raw["limits"] = {**raw["limits"], **limits}
    return raw


def test_the_database_timeout_is_a_limit_with_a_default() -> None:
    assert parse_settings(read_toml()).limits.database_timeout_s == 1.0
    assert parse_settings(_with_limits(database_timeout_s=0.5)).limits.database_timeout_s == 0.5


@pytest.mark.parametrize(
    ("bad", "says"), [(0, "database_timeout_s"), (-1.0, "database_timeout_s"), ("soon", "limits")]
)
def test_a_database_timeout_that_is_not_positive_stops_start_up(bad: Any, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_settings(_with_limits(database_timeout_s=bad))
