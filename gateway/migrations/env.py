"""Alembic environment: migrations run on a connection handed over by ``gateway.db.upgrade``.

The gateway's engines are async, so ``upgrade`` opens the connection itself and calls Alembic
through ``run_sync``; this file only takes that connection from ``config.attributes``. Running the
``alembic`` command line with ``-x url=...`` works too, for a one-off by hand.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from gateway.db import METADATA, WRITE, make_engine


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(**WRITE)
            await conn.run_sync(_run)
            await conn.commit()
    finally:
        await engine.dispose()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("run migrations through gateway.db.upgrade(url), or pass -x url=...")
    asyncio.run(_run_from_url(url))


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; use gateway.db.upgrade")
run()
