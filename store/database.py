"""What every repository has (not is): the :class:`Database` — its engine, the write-transaction
options and the time limit of each call — and :func:`bounded`, which each repository's public
coroutine methods wear (``tests/test_storebase.py`` checks that none forgets it):

- it runs within ``timeout_s`` and what is left of the request's deadline
  (``domain/deadline.py``), whichever ends first — without a deadline and without
  ``timeout_s`` (the CLI, migrations) it runs as it is;
- a call that runs out of time is *abandoned*, not awaited: its task is cancelled and finishes
  closing its connection in the background. A connection stuck on a hung server can take
  seconds more to close; the request does not wait for that;
- any failure of the database itself — a driver error, a lost or refused connection, a timeout —
  leaves the call as the class's "unavailable" error (``STORE_UNAVAILABLE``; the access log's is
  ``AUDIT_UNAVAILABLE``), and is logged (the engine hides parameter values, so no CPR number);
  the gateway's own errors (bad input, not found, stale edit) pass as they are;
- it is one span (``store <Class>.<method>``, no statement or parameter in it) and is timed
  (``store/metrics.py``; the access log's appends also on their own histogram).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

from opentelemetry import trace
from prometheus_client import Histogram
from sqlalchemy import RowMapping, Select, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.deadline import remaining
from domain.errors import (
    AuditUnavailableError,
    BadInputError,
    GatewayError,
    StoreUnavailableError,
)
from store.engine import WRITE
from store.metrics import STORE_SECONDS

log = logging.getLogger(__name__)
tracer = trace.get_tracer("spo.store")
_T = TypeVar("_T")
_M = TypeVar("_M", bound=Callable[..., Any])

STORE_UNAVAILABLE = "The gateway's own database is unavailable right now; try again shortly."
#: What a database failure looks like from here: the driver's errors (wrapped by SQLAlchemy),
#: socket errors, and running out of time.
DATABASE_FAILURES = (SQLAlchemyError, OSError, TimeoutError)

# Abandoned calls still closing their connections; held so they are not garbage-collected early.
_abandoned: set[asyncio.Task[Any]] = set()


class Database:
    """The gateway's database as the repositories use it; one per engine, shared by all.

    ``writer`` begins transactions that take the write lock at once; ``timeout_s`` bounds each
    call (see the module docstring; the gateway passes ``limits.database_timeout_s``).
    """

    def __init__(self, engine: AsyncEngine, *, timeout_s: float | None = None) -> None:
        self.engine = engine
        self.writer = engine.execution_options(**WRITE)
        self.timeout_s = timeout_s

    async def rows(self, query: Select[Any]) -> Sequence[RowMapping]:
        """The rows of one read-only ``query``, on a connection of its own."""
        async with self.engine.connect() as conn:
            result = await conn.execute(query)
            rows: Sequence[RowMapping] = result.mappings().all()
            return rows

    def limit(self) -> float | None:
        """Seconds a call may take: ``timeout_s`` or what is left of the deadline, if less."""
        left = remaining()
        if self.timeout_s is None:
            return left
        return self.timeout_s if left is None else min(self.timeout_s, left)


BOUNDED = "_spo_bounded"


def bounded(
    *,
    unavailable: Callable[[], GatewayError] = lambda: StoreUnavailableError(STORE_UNAVAILABLE),
    queued: bool = False,
    timer: Histogram | None = None,
) -> Callable[[_M], _M]:
    """Wrap a repository's coroutine method: time limit, abandonment, error translation.

    ``unavailable`` makes the error a database failure leaves as. A ``queued`` method only
    waits for work the repository does on its own, each transaction bounded there by
    ``timeout_s`` (the access log's group commit): the call is bounded by the request's deadline
    alone, so queueing never uses up a call's own time. ``timer``: a histogram (labelled by
    outcome) that times this method's calls besides ``spo_store_call_seconds``.
    """

    def wrap(method: _M) -> _M:
        @functools.wraps(method)
        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            db: Database = self.db
            name = f"{type(self).__name__}.{method.__name__}"
            started = time.perf_counter()
            outcome = "cancelled"
            with tracer.start_as_current_span(
                f"store {name}",
                kind=trace.SpanKind.CLIENT,
                attributes={"db.system": db.engine.dialect.name, "spo.call": name},
                record_exception=False,  # a message may hold a value; the outcome says enough
                set_status_on_exception=False,
            ) as span:
                try:
                    limit = remaining() if queued else db.limit()
                    result = await _within(method(self, *args, **kwargs), limit)
                    outcome = "ok"
                    return result
                except DATABASE_FAILURES as exc:
                    outcome = "unavailable"
                    span.set_status(trace.StatusCode.ERROR, outcome)
                    log.error("%s: the database failed: %s: %s", name, type(exc).__name__, exc)
                    raise unavailable() from exc
                except GatewayError as exc:
                    gone = isinstance(exc, StoreUnavailableError | AuditUnavailableError)
                    outcome = "unavailable" if gone else "refused"
                    raise
                except Exception:
                    outcome = "error"
                    span.set_status(trace.StatusCode.ERROR, outcome)
                    raise
                finally:
                    span.set_attribute("spo.outcome", outcome)
                    elapsed = time.perf_counter() - started
                    STORE_SECONDS.labels(name, outcome).observe(elapsed)
                    if timer is not None:
                        timer.labels(outcome).observe(elapsed)

        setattr(call, BOUNDED, True)
        return call  # type: ignore[return-value]

    return wrap


async def _within(coro: Coroutine[Any, Any, _T], limit: float | None) -> _T:
    if limit is None:
        return await coro
    task = asyncio.ensure_future(coro)
    try:
        done, _ = await asyncio.wait((task,), timeout=limit)
    except asyncio.CancelledError:
        abandon(task)
        raise
    if not done:
        abandon(task)
        raise TimeoutError(f"no answer within {limit:.3f} s")
    return task.result()


def abandon(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` and let it finish closing its connection in the background; :func:`settle`
    waits for it."""
    task.cancel()
    _abandoned.add(task)
    task.add_done_callback(_forget)


def _forget(task: asyncio.Task[Any]) -> None:
    _abandoned.discard(task)
    if not task.cancelled():
        task.exception()  # already reported as the timeout; retrieved so asyncio does not warn


async def settle(timeout_s: float = 10.0) -> None:
    """Wait (at most ``timeout_s``) for abandoned calls to close their connections.

    The app's lifespan calls it before disposing of the engine, so none is left half-closed.
    """
    pending = [t for t in _abandoned if not t.done()]
    if pending:
        await asyncio.wait(pending, timeout=timeout_s)


def require_aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and value.utcoffset() is None:
            raise BadInputError(f"{name} must carry a timezone.")


def insert_for(conn: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take ``ON CONFLICT`` clauses, in the dialect at hand."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)
