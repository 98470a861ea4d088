"""Group commit: callers queue items, and one writer task commits all that are waiting together.

While a transaction is in flight, new items wait in the queue; the next transaction takes them
all (at most ``max_group``, in order), so a busy writer pays one transaction for many callers
instead of one each. Each caller gets its own result — or, when the transaction failed, an error
of its own (``failed()``, caused by what went wrong): nobody's work is half done.

Time: a caller waits no longer than its request's deadline (``domain/deadline.py``; the caller
bounds its wait, see ``bounded(queued=True)`` in ``store/database.py``). A transaction runs
within ``timeout_s`` and the last of its callers' deadlines — once all of them have stopped
waiting nobody needs it — and is then abandoned like any call (``store/database.py``); the next
one starts only when it has really let go of the database.

A caller that stops waiting before its group is taken is skipped; one that stops while its group
is in flight changes nothing: the group is written or not as a whole.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from domain.deadline import remaining
from store.database import DATABASE_FAILURES, abandon

log = logging.getLogger(__name__)
_I = TypeVar("_I")
_R = TypeVar("_R")


class _Waiting(Generic[_I, _R]):
    __slots__ = ("future", "item", "until")

    def __init__(self, item: _I, loop: asyncio.AbstractEventLoop) -> None:
        self.item = item
        self.future: asyncio.Future[_R] = loop.create_future()
        left = remaining()
        #: When the caller stops waiting (loop time), or ``None`` without a deadline.
        self.until = None if left is None else loop.time() + left

    def fail(self, cause: BaseException, failed: Callable[[], BaseException]) -> None:
        # Each caller raises an error of its own (one exception raised in many tasks would
        # gather all their tracebacks), caused by what failed the group.
        if not self.future.done():
            error = failed()
            error.__cause__ = cause
            self.future.set_exception(error)


class GroupCommit(Generic[_I, _R]):
    """A queue in front of ``commit``, which writes a group of items in one transaction and
    returns one result per item, in order. One per repository; items of one event loop.

    ``alone(item)`` marks an item that must be a group of its own (it checks what every item
    before it wrote); ``what`` names the writer in the log.
    """

    def __init__(
        self,
        commit: Callable[[list[_I]], Awaitable[list[_R]]],
        *,
        what: str,
        failed: Callable[[], BaseException],
        timeout_s: float | None,
        max_group: int,
        alone: Callable[[_I], bool] = lambda _: False,
    ) -> None:
        self._commit = commit
        self._what = what
        self._failed = failed
        self._timeout_s = timeout_s
        self._max_group = max_group
        self._alone = alone
        self._queue: deque[_Waiting[_I, _R]] = deque()
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: _I) -> _R:
        """Queue ``item`` and wait until the transaction that took it has committed."""
        loop = asyncio.get_running_loop()
        waiting: _Waiting[_I, _R] = _Waiting(item, loop)
        writer = self._writer
        if writer is None or writer.done() or writer.get_loop() is not loop:
            # Started outside the caller's context, so no request's deadline is the writer's.
            self._queue.clear()  # what a writer on another (closed) loop left: nobody waits
            self._writer = loop.create_task(self._write(), context=contextvars.Context())
        self._queue.append(waiting)
        # Being cancelled here cancels only the future, which the writer then leaves alone.
        return await waiting.future

    async def _write(self) -> None:
        group: list[_Waiting[_I, _R]] = []
        try:
            while group := self._next_group():
                await self._run(group)
        except BaseException as exc:
            # Cancelled with the loop (or a bug): nobody may be left waiting for an answer.
            for waiting in (*group, *self._queue):
                waiting.fail(exc, self._failed)
            self._queue.clear()
            raise

    def _next_group(self) -> list[_Waiting[_I, _R]]:
        group: list[_Waiting[_I, _R]] = []
        while self._queue and len(group) < self._max_group:
            waiting = self._queue[0]
            if waiting.future.done():  # its caller stopped waiting before it was written
                self._queue.popleft()
                continue
            alone = self._alone(waiting.item)
            if alone and group:
                break
            group.append(self._queue.popleft())
            if alone:
                break
        return group

    async def _run(self, group: list[_Waiting[_I, _R]]) -> None:
        task = asyncio.ensure_future(self._commit([w.item for w in group]))
        try:
            done, _ = await asyncio.wait((task,), timeout=self._limit(group))
        except asyncio.CancelledError:
            abandon(task)
            raise
        if not done:
            abandon(task)
            log.error("%s: the database failed: no answer in time", self._what)
            for waiting in group:
                waiting.fail(TimeoutError("no answer in time"), self._failed)
            await asyncio.wait((task,))
            return
        exc = task.exception()
        if exc is not None:
            if isinstance(exc, DATABASE_FAILURES):
                log.error("%s: the database failed: %s: %s", self._what, type(exc).__name__, exc)
            else:
                log.error("%s: a group of %d failed", self._what, len(group), exc_info=exc)
            for waiting in group:
                waiting.fail(exc, self._failed)
            return
        for waiting, result in zip(group, task.result(), strict=True):
            if not waiting.future.done():
                waiting.future.set_result(result)

    def _limit(self, group: list[_Waiting[_I, _R]]) -> float | None:
        untils = [w.until for w in group]
        left: float | None = None
        if None not in untils:
            last = max(u for u in untils if u is not None)
            left = max(0.0, last - asyncio.get_running_loop().time())
        if self._timeout_s is None or left is None:
            return left if self._timeout_s is None else self._timeout_s
        return min(self._timeout_s, left)
