"""Rate limits per principal and per client address: 429 with ``Retry-After`` past them.

``[ratelimit] per_address`` counts every request from one client address, before its token is
even read (so a flood of garbage costs little); ``per_principal`` counts one person's verified
requests, whichever address they come from (``gateway/app.py`` asks after the token). Both are
sliding-window counters of the ``limits`` library, kept in Redis when ``cache_url`` is
``redis://`` (shared by every replica) and in memory otherwise (per process). Keys are digests,
so no CPR number or address is stored as a key.

The limits are protection, not correctness: when Redis does not answer within
:data:`STORE_TIMEOUT_S`, requests are let through, and one warning says so (and one line when
the limits are enforced again). The client address is what uvicorn reports: behind a proxy, set
uvicorn's ``--forwarded-allow-ips`` so ``X-Forwarded-For`` is believed from it alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import RateLimitedError
from domain.principals import Clinician, Principal
from domain.settings import RateLimitSettings
from gateway.admission import EXEMPT
from gateway.edge import refuse

log = logging.getLogger(__name__)
STORE_TIMEOUT_S = 0.25
KEY_PREFIX = "spo-ratelimit"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def principal_key(principal: Principal) -> str:
    """Who the principal is, as a digest: a clinician by authorisation id, else by CPR."""
    who = principal.authorisation_id if isinstance(principal, Clinician) else principal.cpr
    return _digest(f"{principal.kind}:{who}")


class RateLimits:
    """The two limits and their store; ``open``/``close`` in the app's lifespan."""

    def __init__(self, settings: RateLimitSettings, cache_url: str) -> None:
        self.per_principal = _items(settings.per_principal)
        self.per_address = _items(settings.per_address)
        self.cache_url = cache_url
        self._storage: Storage | None = None
        self._limiter: SlidingWindowCounterRateLimiter | None = None
        self._store_down = False

    def open(self) -> None:
        if self.cache_url.startswith(("redis://", "rediss://")):
            self._storage = RedisStorage(
                f"async+{self.cache_url}",
                implementation="redispy",
                key_prefix=KEY_PREFIX,
                wrap_exceptions=True,
                socket_timeout=STORE_TIMEOUT_S,
                socket_connect_timeout=STORE_TIMEOUT_S,
            )
        else:
            self._storage = MemoryStorage(wrap_exceptions=True)
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)

    async def close(self) -> None:
        storage, self._storage, self._limiter = self._storage, None, None
        # The memory store expires keys in a task of its own; it must not outlive the loop.
        timer = getattr(storage, "timer", None)
        if isinstance(timer, asyncio.Task):
            timer.cancel()
        client = getattr(getattr(storage, "bridge", None), "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()

    async def check_principal(self, principal: Principal) -> None:
        """Raise ``RateLimitedError`` when ``principal`` is past its limit (this one counts)."""
        await self._check(self.per_principal, "p:" + principal_key(principal))

    async def check_address(self, scope: Scope) -> None:
        """Raise ``RateLimitedError`` when the client address is past its limit."""
        client = scope.get("client")
        await self._check(self.per_address, "a:" + _digest(client[0] if client else "-"))

    async def _check(self, items: tuple[RateLimitItem, ...], key: str) -> None:
        limiter = self._limiter
        if not items or limiter is None:
            return
        try:
            async with asyncio.timeout(STORE_TIMEOUT_S):
                for item in items:
                    if not await limiter.hit(item, key):
                        stats = await limiter.get_window_stats(item, key)
                        self._store_up()
                        wait = max(1, math.ceil(stats.reset_time - time.time()))
                        raise RateLimitedError("Too many requests; slow down.", wait)
        except (StorageError, TimeoutError) as exc:
            self._store_failed(exc)
            return
        self._store_up()

    def _store_failed(self, exc: BaseException) -> None:
        if not self._store_down:
            self._store_down = True
            # The exception's type only: its text could name the store's address.
            log.warning("rate limits not enforced: their store fails (%s)", type(exc).__name__)

    def _store_up(self) -> None:
        if self._store_down:
            self._store_down = False
            log.warning("rate limits enforced again: their store answers")


def _items(notation: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(notation)) if notation else ()


class AddressLimit:
    """ASGI middleware: each HTTP request (but the probes) counts against its address."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in EXEMPT:
            try:
                await self.limits.check_address(scope)
            except RateLimitedError as exc:
                await refuse(exc, scope)(scope, receive, send)
                return
        await self.app(scope, receive, send)
