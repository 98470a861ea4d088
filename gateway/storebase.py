"""What every part of the store shares: the engine, the write-transaction options, helpers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.db import WRITE
from gateway.errors import BadInputError


class StoreBase:
    """Holds the engine; ``_writer`` begins transactions that take the write lock at once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**WRITE)


def require_aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and value.utcoffset() is None:
            raise BadInputError(f"{name} must carry a timezone.")


def insert_for(conn: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take ``ON CONFLICT`` clauses, in the dialect at hand."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
