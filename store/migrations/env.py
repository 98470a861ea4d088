"""Alembic environment: migrations run on a connection handed over by ``store.engine.upgrade``.

The gateway's engines are async, so ``upgrade`` opens the connection itself, takes the locks it
needs and calls Alembic through ``run_sync``; this file only picks that connection up from
``config.attributes``. There is no ``alembic.ini``: run migrations with ``spo db upgrade`` or
``await store.engine.upgrade(url)``.
"""

from __future__ import annotations

from alembic import context

from store.tables import METADATA

connection = context.config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise SystemExit("run migrations through store.engine.upgrade(url), e.g. `spo db upgrade`")

context.configure(connection=connection, target_metadata=METADATA)
with context.begin_transaction():
    context.run_migrations()
