"""The request's deadline, carried to every upstream call without threading it through signatures.

``DEADLINE`` holds an absolute time on the running loop's clock (``loop.time()``), or ``None`` for
no deadline. The request pipeline opens a ``deadline_scope`` once; ``connectors/http.py`` reads
``remaining()`` before each attempt so no call, retry or backoff outlives the request. Tasks
started inside the scope inherit it (asyncio copies the context), so fan-out needs no extra work.

Example::

    with deadline_scope(settings.limits.request_deadline_s):
        overview = await resolve(...)
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

DEADLINE: ContextVar[float | None] = ContextVar("spo_deadline", default=None)


@contextmanager
def deadline_scope(seconds: float) -> Iterator[float]:
    """Set the deadline to ``seconds`` from now for the enclosed block; yield the absolute time.

    A nested scope can only shorten the deadline, never extend it: an inner step must not buy
    itself more time than the request it serves has left. Must be entered inside a running loop.
    """
    at = asyncio.get_running_loop().time() + seconds
    outer = DEADLINE.get()
    if outer is not None:
        at = min(at, outer)
    token = DEADLINE.set(at)
    try:
        yield at
    finally:
        DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (never negative), or ``None`` when there is none."""
    at = DEADLINE.get()
    if at is None:
        return None
    return max(0.0, at - asyncio.get_running_loop().time())
