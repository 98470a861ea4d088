"""``RecordCache``: upstream records cached per (source, patient, window), shared by replicas.

Built on aiocache from a URL: ``memory://`` (one process) or ``redis://host:port/db`` (``rediss://``
for TLS), shared by every replica. Values are JSON data (``connectors/codec.py``; the envelope
and the backends are ``connectors/cachebackend.py``), never pickles.

``fetch`` gives a fresh value from the cache, or calls ``load`` (identical concurrent fetches in
this process share one call), stores the result — the records and, when ``load`` answers an
``Answer``, the documents the source's answer refused, so a cached answer still says so — for
``ttl_s + stale_s`` and, when ``load`` fails
with an ``UpstreamError``, falls back to a stored value younger than ``stale_s`` (stale-if-error).
Ages use the wall clock, since a value may have been written by another replica.

The cache is an optimisation, never a dependency: a broken or unreachable cache, or a value that
does not decode, is logged and treated as a miss. Access decisions run after the cache, so cached
records are the same for every principal; what one may see is decided per request.

Keys are built by the caller and must identify everything the records depend on: at least the
source, the kind of record, the patient and the window: ``"rm:appointments:<cpr>:<from>:<to>"``.
They are hashed before they reach the backend, so CPR numbers never show up in Redis key names.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from connectors.answer import Answer, Refusal
from connectors.cachebackend import Stored, backend, backend_key, pack, unpack
from domain.errors import UpstreamError

T = TypeVar("T")
log = logging.getLogger(__name__)
DECODED_MAX = 512  # decoded values kept per process (a few per patient in flight)


@dataclass(frozen=True)
class Cached(Generic[T]):
    """What ``RecordCache.fetch`` returns.

    ``stale`` is true when ``load`` failed and an older stored value is served instead; ``error``
    is then the failure, so the caller can report the source's status alongside the data.
    ``refused`` are the documents the answer that gave ``records`` refused.
    """

    records: list[T]
    fetched_at: datetime
    stale: bool
    error: UpstreamError | None
    refused: tuple[Refusal, ...] = ()


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RecordCache:
    """A cache of upstream records with request coalescing and stale-if-error.

    Args:
        url: ``memory://`` or ``redis://host:port/db`` (``rediss://`` for TLS).
        namespace: prefix of every backend key, so several deployments can share one Redis.
        op_timeout_s: the longest one cache operation may take before it counts as a miss.
        clock: the current UTC time; injectable for tests.
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "spo",
        op_timeout_s: float = 0.25,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._namespace = namespace
        self._clock = clock
        self._backend: Any = backend(url, namespace, op_timeout_s)
        self._inflight: dict[str, asyncio.Task[Cached[Any]]] = {}
        # Decoded values by the digest of their stored text: the records are immutable, and
        # decoding (not reading) is what a hit costs, so each stored value is decoded once.
        self._decoded: OrderedDict[tuple[bytes, type[Any]], Stored[Any]] = OrderedDict()

    async def close(self) -> None:
        """Cancel fetches still in flight and release the backend's connections."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        client = getattr(self._backend, "client", None)
        if client is not None:
            # aiocache's RedisCache.close() calls redis' deprecated close(); aclose() is the
            # supported spelling and keeps shutdown free of DeprecationWarnings.
            await client.aclose()
        else:
            # Clearing the memory backend also cancels its pending expiry timers.
            await self._backend.clear(namespace=self._namespace)

    async def fetch(
        self,
        key: str,
        record_type: type[T],
        ttl_s: float,
        stale_s: float,
        load: Callable[[], Awaitable[list[T] | Answer[T]]],
    ) -> Cached[T]:
        """The records under ``key``: fresh from the cache, else from ``load``, else stale.

        Raises what ``load`` raised when there is nothing young enough to fall back on.
        Concurrent fetches of the same key in this process share one cache read and one
        ``load``; the shared work runs in its own task under the first caller's context (and
        so its deadline), and a caller giving up does not cancel it for the others.
        """
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._fetch(key, record_type, ttl_s, stale_s, load))
            self._inflight[key] = task
            task.add_done_callback(lambda t: self._finished(key, t))
        return await asyncio.shield(task)

    def _finished(self, key: str, task: asyncio.Task[Cached[Any]]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        # Mark the outcome as seen even if every waiter gave up. asyncio.shield does so today for
        # cancelled waiters; not relying on that keeps "exception was never retrieved" away.
        if not task.cancelled():
            task.exception()

    async def _fetch(
        self,
        key: str,
        record_type: type[T],
        ttl_s: float,
        stale_s: float,
        load: Callable[[], Awaitable[list[T] | Answer[T]]],
    ) -> Cached[T]:
        stored = await self._read(key, record_type)
        if stored is not None and self._age(stored) < ttl_s:
            return Cached(stored.records, stored.fetched_at, False, None, stored.refused)
        try:
            loaded = await load()
        except UpstreamError as exc:
            if stored is not None and self._age(stored) < stale_s:
                return Cached(stored.records, stored.fetched_at, True, exc, stored.refused)
            raise
        answer = loaded if isinstance(loaded, Answer) else Answer(loaded)
        fetched_at = self._clock()
        await self._write(key, answer, fetched_at, ttl_s + stale_s)
        return Cached(answer.records, fetched_at, False, None, answer.refused)

    def _age(self, stored: Stored[T]) -> float:
        return (self._clock() - stored.fetched_at).total_seconds()

    async def _read(self, key: str, record_type: type[T]) -> Stored[T] | None:
        try:
            text = await self._backend.get(backend_key(key))
        except Exception:  # the cache must never fail a request
            log.warning("cache read failed; treating as a miss", exc_info=True)
            return None
        if text is None:
            return None
        memo = None
        if isinstance(text, str | bytes):
            raw = text.encode("utf-8") if isinstance(text, str) else text
            memo = (hashlib.blake2b(raw, digest_size=16).digest(), record_type)
        if memo is not None and memo in self._decoded:
            self._decoded.move_to_end(memo)
            hit: Stored[T] = self._decoded[memo]
            return Stored(list(hit.records), hit.fetched_at, hit.refused)
        try:
            stored = unpack(text, record_type)
        except (ValueError, TypeError) as exc:
            log.warning("cached value for a %s key rejected: %s", record_type.__name__, exc)
            return None
        if memo is not None:
            self._decoded[memo] = Stored(list(stored.records), stored.fetched_at, stored.refused)
            while len(self._decoded) > DECODED_MAX:
                self._decoded.popitem(last=False)
        return stored

    async def _write(self, key: str, answer: Answer[T], at: datetime, expiry_s: float) -> None:
        if expiry_s <= 0:
            return
        try:
            text = pack(answer, at)
            await self._backend.set(backend_key(key), text, ttl=float(expiry_s))
        except Exception:  # the cache must never fail a request
            log.warning("cache write failed; the records are served uncached", exc_info=True)
