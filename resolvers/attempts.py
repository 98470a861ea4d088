"""Refused attempts in Min Log: a lookup that tenancy refused is shown to the patient it aimed at.

When a clinician asks for a patient outside their EPJ context, a relative for a patient their
fuldmagt does not cover (or no longer covers), or a citizen for someone else's CPR number, the
caller gets ``FORBIDDEN`` and the patient gets an entry in her Min Log: who, when, action
``refused``, no categories (nothing was shown).

The caller must not learn whether the number is a person's. So the refusal the caller sees is
decided and sent first, the same for every number; the recording runs afterwards in a task of its
own (not in the request's deadline, not on its response time): it asks the CPR register whether
the person exists and writes the entry only then. When the register cannot answer, the entry is
written anyway: a patient missing a true entry is worse than an entry no one can ever read (a
number that belongs to nobody has no one to log in and read it; retention purges it).

Flooding: one actor probing one patient again and again gives one entry per
``policy.refused_log_window_minutes`` (checked under the log's head lock, so replicas agree), and
at most ``MAX_PENDING`` recordings wait at once per process (``CONCURRENT`` of them running);
past that they are dropped and counted in a warning (with no CPR number).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from domain import access
from domain.actor import Actor
from domain.errors import ForbiddenError
from domain.principals import Citizen, Principal, Relative
from store.auditlog import REFUSED, AuditLog, NewEntry, actor_columns

if TYPE_CHECKING:
    from connectors.registry import Sources
    from resolvers.context import Context

log = logging.getLogger(__name__)
MAX_PENDING = 1000
CONCURRENT = 4
RECORD_TIMEOUT_S = 10.0


def refused_entry(principal: Principal, cpr: str, at: datetime, request_id: str) -> NewEntry:
    """The Min Log entry of ``principal``'s refused attempt on patient ``cpr``."""
    return NewEntry(
        at=at,
        patient_cpr=cpr,
        **actor_columns(Actor.of(principal).toward(cpr)),
        action=REFUSED,
        categories=(),
        override_id=None,
        override_reason=None,
        request_id=request_id,
    )


class RefusalRecorder:
    """Writes refused attempts to Min Log off the request path; one per app (lifespan-held).

    Example::

        recorder = RefusalRecorder(sources, auditlog, window=timedelta(minutes=60))
        recorder.submit(refused_entry(principal, cpr, now, request_id))
        await recorder.drain()  # tests: wait for what was submitted
        await recorder.close()  # lifespan: finish (bounded) before the engine closes
    """

    def __init__(self, sources: Sources, auditlog: AuditLog, window: timedelta) -> None:
        self._sources = sources
        self._auditlog = auditlog
        self._window = window
        self._tasks: set[asyncio.Task[bool]] = set()
        self._pending: set[tuple[str, str, str]] = set()
        # A few at a time: a burst of refusals must not crowd out the lookups' own log writes.
        self._slots = asyncio.Semaphore(CONCURRENT)
        self.dropped = 0

    @property
    def pending(self) -> int:
        """Recordings submitted and not yet finished."""
        return len(self._tasks)

    def submit(self, entry: NewEntry) -> None:
        """Record ``entry`` soon; returns at once. A burst of one actor on one patient is one."""
        key = (entry.patient_cpr, entry.actor_role, entry.actor_id)
        if key in self._pending:
            return
        if len(self._tasks) >= MAX_PENDING:
            self.dropped += 1
            log.warning("refused attempts: %d not recorded (too many pending)", self.dropped)
            return
        self._pending.add(key)
        # A fresh context: the request's deadline must not cut the recording short.
        task = asyncio.get_running_loop().create_task(
            self._run(entry, key), context=contextvars.Context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, entry: NewEntry, key: tuple[str, str, str]) -> bool:
        try:
            async with self._slots, asyncio.timeout(RECORD_TIMEOUT_S):
                return await self.record(entry)
        except Exception as exc:  # a recording failure must not surface anywhere but our log
            log.warning("a refused attempt could not be recorded: %s", type(exc).__name__)
            return False
        finally:
            self._pending.discard(key)

    async def record(self, entry: NewEntry) -> bool:
        """Write ``entry`` if the patient exists (or CPR cannot tell) and the same actor has
        no refused attempt on her within the window; ``True`` when it was written."""
        person = await self._sources.person(entry.patient_cpr)
        # The register answered (a person, or "no such person").
        if person.status.answered and not person.records:
            return False  # no such person: nobody's log to write to
        since = entry.at - self._window
        return await self._auditlog.append_refusal(entry, since) is not None

    async def drain(self) -> None:
        """Wait until every recording submitted so far has finished."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self, timeout_s: float = 5.0) -> None:
        """Finish pending recordings within ``timeout_s``, then cancel what is left."""
        try:
            async with asyncio.timeout(timeout_s):
                await self.drain()
        except TimeoutError:
            for task in tuple(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)


def _submit(ctx: Context, cpr: str) -> None:
    entry = refused_entry(ctx.principal, cpr, ctx.state.now, ctx.state.request_id)
    ctx.services.refusals.submit(entry)


def may_view(ctx: Context, cpr: str, today: date) -> None:
    """:func:`domain.access.may_view`, recording a refusal in the patient's Min Log."""
    try:
        access.may_view(ctx.principal, cpr, today)
    except ForbiddenError:
        _submit(ctx, cpr)
        raise


def may_manage(ctx: Context, cpr: str, today: date) -> Citizen | Relative:
    """:func:`domain.access.may_manage`, recording a refusal in the patient's Min Log when it is
    tenancy that refuses. A clinician with the patient in context is refused by role, which is
    not an attempt on a patient outside their reach, and is not recorded."""
    try:
        return access.may_manage(ctx.principal, cpr, today)
    except ForbiddenError:
        try:
            access.may_view(ctx.principal, cpr, today)
        except ForbiddenError:
            _submit(ctx, cpr)
        raise
