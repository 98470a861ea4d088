"""Admission: a bounded number of requests in flight per replica; past it, 503 at once.

A request that waits behind hundreds of others misses its deadline anyway, and takes the
others' with it (one replica at 200 concurrent answered everything, at p99 21 s). So at most
``[limits] max_in_flight`` requests run at once; one more may wait for a slot for at most
``[limits] queue_timeout_s`` (and no more of them wait than there are slots), and otherwise gets
**503** with ``Retry-After`` and ``extensions.code = "OVERLOADED"`` without anything being read,
verified or fetched. An admitted request keeps its whole deadline. ``/readyz`` says
``saturated`` (503) while every slot is taken, so a load balancer sends new work elsewhere; the
probes and ``/metrics`` are never held back. ``max_in_flight = 0`` admits everything.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import OverloadedError
from gateway.edge import refuse

# Probes and metrics answer whatever the load: they are how operators see it.
EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
RETRY_AFTER_S = 1


class Gate:
    """The replica's slots: ``in_flight`` of ``capacity`` taken, ``waiting`` queued for one."""

    def __init__(self, capacity: int, queue_timeout_s: float) -> None:
        self.capacity = capacity
        self.queue_timeout_s = queue_timeout_s
        self.in_flight = 0
        self.waiting = 0
        self._slots = asyncio.Semaphore(max(capacity, 1))

    @property
    def saturated(self) -> bool:
        """Every slot is taken (never, without a bound)."""
        return self.capacity > 0 and self.in_flight >= self.capacity

    async def enter(self) -> bool:
        """Take a slot, waiting a short while at most; False when none came free."""
        if self._slots.locked():
            if self.queue_timeout_s <= 0 or self.waiting >= self.capacity:
                return False
            self.waiting += 1
            try:
                async with asyncio.timeout(self.queue_timeout_s):
                    await self._slots.acquire()
            except TimeoutError:
                return False
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()  # free: returns at once
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1
        self._slots.release()


class Admission:
    """ASGI middleware: each HTTP request (but the probes) holds one of ``gate``'s slots."""

    def __init__(self, app: ASGIApp, gate: Gate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.gate.capacity <= 0 or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if not await self.gate.enter():
            busy = OverloadedError("The gateway is busy; try again shortly.", RETRY_AFTER_S)
            await refuse(busy, scope)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.gate.leave()
