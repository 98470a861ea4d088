"""``RecordCache``: upstream records cached per (source, patient, window), shared by replicas.

Built on aiocache from a URL: ``memory://`` (one process) or ``redis://host:port/db`` (``rediss://``
for TLS), shared by every replica. Values are JSON data (``connectors/codec.py``; the envelope
and the backends are ``connectors/cachebackend.py``), never pickles.

``fetch`` gives a fresh value from the cache, or calls ``load`` (identical concurrent fetches in
this process share one call) and, when ``load`` fails with an ``UpstreamError``, falls back to a
stored value younger than ``stale_s`` (stale-if-error). What ``load`` answered — the records and,
when it is an ``Answer``, the documents the source refused, so a cached answer still says so — is
returned at once and stored for ``ttl_s + stale_s`` by a write in the background (the response
does not wait for the cache). Ages use the wall clock, since a value may have been written by
another replica.

What a fetch costs is decoding, not reading, so: a stored value's age is read from its header
(``connectors/cachebackend.py``) and its records are decoded only when they are served (fresh,
or stale after a failure), never just to find out they are too old; and each process keeps the
values it decoded or loaded, so a fresh one is answered from memory, without a backend read or a
task.

The cache is an optimisation, never a dependency: a broken or unreachable cache, or a value that
does not decode, is treated as a miss. The cache has its own circuit breaker
(``connectors/breaker.py``): after ``breaker_failures`` consecutive failed operations it is not
asked at all (every lookup is a miss, nothing is written) until, ``breaker_reset_s`` later, one
operation probes it. Each change of that state is logged once (a warning when it opens, with the
error; an info line when it closes), each failure only at debug, and ``available`` tells
readiness (``gateway/app.py`` ``/readyz``). Lookups are counted by kind and result, failures and
skipped operations too, and the breaker's state is a gauge (``connectors/metrics.py``).

Access decisions run after the cache, so cached records are the same for every principal; what
one may see is decided per request.

Keys are built by the caller and must identify everything the records depend on: at least the
source, the kind of record, the patient and the window: ``"rm:appointments:<cpr>:<from>:<to>"``.
They are hashed before they reach the backend, so CPR numbers never show up in Redis key names.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from connectors.answer import Answer, Refusal
from connectors.breaker import CircuitBreaker
from connectors.cachebackend import (
    Header,
    Stored,
    backend,
    backend_key,
    pack,
    read_header,
    unpack_payload,
)
from connectors.metrics import CACHE_CIRCUIT_OPEN, CACHE_ERRORS, CACHE_LOOKUPS, key_kind
from domain.errors import UpstreamError

T = TypeVar("T")
log = logging.getLogger(__name__)
DECODED_MAX = 512  # decoded values kept per process (a few per patient in flight)
CLOSE_DRAIN_S = 2.0  # how long close() waits for background writes before cancelling them
_BROKEN = object()  # what ``_read`` answers when the backend failed (not: holds nothing)
PROBE_KEY = "spo-readiness-probe"


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
    # The stored value this came from: the same object on every hit of one value in this
    # process, so a caller may keep what it derives from ``records`` under it (compared by
    # identity, never by value). None when nothing here stands for it (served stale).
    origin: object | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _Local:
    """A value this process decoded or loaded: immutable records, shared by every hit."""

    record_type: type[Any]
    records: tuple[Any, ...]
    fetched_at: datetime
    refused: tuple[Refusal, ...]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RecordCache:
    """A cache of upstream records with request coalescing and stale-if-error.

    Args:
        url: ``memory://`` or ``redis://host:port/db`` (``rediss://`` for TLS).
        namespace: prefix of every backend key, so several deployments can share one Redis.
        op_timeout_s: the longest one cache operation may take before it counts as a miss.
        clock: the current UTC time; injectable for tests.
        breaker_failures: consecutive failed operations that open the cache's breaker.
        breaker_reset_s: how long it stays open before one operation probes the cache.
    """

    def __init__(
        self,
        url: str,
        *,
        namespace: str = "spo",
        op_timeout_s: float = 0.25,
        clock: Callable[[], datetime] = _utcnow,
        breaker_failures: int = 3,
        breaker_reset_s: float = 5.0,
    ) -> None:
        self._namespace = namespace
        self._clock = clock
        self._backend: Any = backend(url, namespace, op_timeout_s)
        self.breaker = CircuitBreaker(breaker_failures, breaker_reset_s)
        self._open = False
        CACHE_CIRCUIT_OPEN.set(0)
        self._inflight: dict[str, asyncio.Task[Cached[Any]]] = {}
        self._writes: dict[str, asyncio.Task[None]] = {}  # the background write per key
        # Decoded values by key, least recently used first. The records are immutable and
        # decoding (not reading) is what a hit costs, so each stored value is decoded once.
        self._local: OrderedDict[str, _Local] = OrderedDict()

    async def close(self) -> None:
        """Cancel fetches still in flight, let the background writes finish (for a bounded
        time, then cancel them) and release the backend's connections."""
        tasks = list(self._inflight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.flush(CLOSE_DRAIN_S)
        writes = list(self._writes.values())
        for write in writes:
            write.cancel()
        await asyncio.gather(*writes, return_exceptions=True)
        client = getattr(self._backend, "client", None)
        if client is not None:
            # aiocache's RedisCache.close() calls redis' deprecated close(); aclose() is the
            # supported spelling and keeps shutdown free of DeprecationWarnings.
            await client.aclose()
        else:
            # Clearing the memory backend also cancels its pending expiry timers.
            await self._backend.clear(namespace=self._namespace)

    async def flush(self, timeout_s: float | None = None) -> None:
        """Wait until the background writes started so far are done (or ``timeout_s`` passed)."""
        writes = list(self._writes.values())
        if writes:
            await asyncio.wait(writes, timeout=timeout_s)

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
        A fresh value this process holds is answered at once. Otherwise concurrent fetches of
        the same key in this process share one cache read and one ``load``; the shared work runs
        in its own task under the first caller's context (and so its deadline), and a caller
        giving up does not cancel it for the others.
        """
        hit = self.held(key, record_type, ttl_s)
        if hit is not None:
            return hit
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.create_task(self._fetch(key, record_type, ttl_s, stale_s, load))
            self._inflight[key] = task
            task.add_done_callback(lambda t: self._finished(key, t))
        return await asyncio.shield(task)

    def held(self, key: str, record_type: type[T], ttl_s: float) -> Cached[T] | None:
        """The fresh value under ``key`` this process holds, if it does (what ``fetch`` answers
        without awaiting anything); else None."""
        local = self._local.get(key)
        if (
            local is None
            or local.record_type is not record_type
            or self._age(local.fetched_at) >= ttl_s
        ):
            return None
        self._local.move_to_end(key)
        CACHE_LOOKUPS.labels(key_kind(key), "hit").inc()
        return Cached(
            list(local.records), local.fetched_at, False, None, local.refused, origin=local
        )

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
        header = await self._read(key)
        working = header is not _BROKEN
        found = header if isinstance(header, Header) else None
        if found is not None and self._age(found.fetched_at) < ttl_s:
            stored = self._decode(key, found, record_type)
            if stored is not None:
                CACHE_LOOKUPS.labels(key_kind(key), "hit").inc()
                return Cached(
                    stored.records,
                    stored.fetched_at,
                    False,
                    None,
                    stored.refused,
                    origin=self._origin(key, stored.fetched_at),
                )
        try:
            loaded = await load()
        except UpstreamError as exc:
            if found is not None and self._age(found.fetched_at) < stale_s:
                # The one case an expired value is decoded: it is served.
                stored = self._decode(key, found, record_type)
                if stored is not None:
                    CACHE_LOOKUPS.labels(key_kind(key), "stale").inc()
                    return Cached(stored.records, stored.fetched_at, True, exc, stored.refused)
            raise
        CACHE_LOOKUPS.labels(key_kind(key), "miss").inc()
        answer = loaded if isinstance(loaded, Answer) else Answer(loaded)
        fetched_at = self._clock()
        expiry_s = ttl_s + stale_s
        if expiry_s > 0:
            # Only while the backend answers: a broken cache is a miss, here as on replicas.
            if working:
                self._remember(key, record_type, answer.records, fetched_at, answer.refused)
            self._write_behind(key, answer, fetched_at, expiry_s)
        origin = self._origin(key, fetched_at)
        return Cached(list(answer.records), fetched_at, False, None, answer.refused, origin=origin)

    def _origin(self, key: str, fetched_at: datetime) -> _Local | None:
        local = self._local.get(key)
        return local if local is not None and local.fetched_at == fetched_at else None

    def _age(self, fetched_at: datetime) -> float:
        return (self._clock() - fetched_at).total_seconds()

    async def _read(self, key: str) -> Header[Any] | object | None:
        """The stored value's header (its records not decoded), ``None`` when there is none or
        it is not ours, ``_BROKEN`` when the backend failed."""
        if not self._allow():
            CACHE_ERRORS.labels("skipped").inc()
            return _BROKEN
        try:
            text = await self._backend.get(backend_key(key))
        except asyncio.CancelledError:
            self._verdict(None)
            raise
        except Exception as exc:  # the cache must never fail a request
            CACHE_ERRORS.labels("read").inc()
            self._verdict(exc)
            return _BROKEN
        self._verdict(True)
        if text is None:
            return None
        try:
            return read_header(text)
        except ValueError as exc:
            log.warning("cached value rejected: %s", exc)
            return None

    def _decode(self, key: str, header: Header[Any], record_type: type[T]) -> Stored[T] | None:
        local = self._local.get(key)
        if (
            local is not None
            and local.record_type is record_type
            and local.fetched_at == header.fetched_at
        ):
            # The value this process already holds (another replica's would differ in time).
            return Stored(list(local.records), local.fetched_at, local.refused)
        try:
            stored = unpack_payload(header, record_type)
        except (ValueError, TypeError) as exc:
            log.warning("cached value for a %s key rejected: %s", record_type.__name__, exc)
            return None
        self._remember(key, record_type, stored.records, stored.fetched_at, stored.refused)
        return stored

    def _remember(
        self,
        key: str,
        record_type: type[Any],
        records: list[Any],
        fetched_at: datetime,
        refused: tuple[Refusal, ...],
    ) -> None:
        self._local[key] = _Local(record_type, tuple(records), fetched_at, refused)
        self._local.move_to_end(key)
        while len(self._local) > DECODED_MAX:
            self._local.popitem(last=False)

    def _write_behind(self, key: str, answer: Answer[T], at: datetime, expiry_s: float) -> None:
        earlier = self._writes.get(key)
        if earlier is not None:
            earlier.cancel()  # superseded: the newer answer is the one to keep
        write = asyncio.create_task(self._write(key, answer, at, expiry_s))
        self._writes[key] = write
        write.add_done_callback(lambda t: self._written(key, t))

    def _written(self, key: str, write: asyncio.Task[None]) -> None:
        if self._writes.get(key) is write:
            del self._writes[key]

    async def _write(self, key: str, answer: Answer[T], at: datetime, expiry_s: float) -> None:
        try:
            text = pack(answer, at)
        except Exception:  # a record that does not encode is our bug, not the cache's
            log.warning("cache value could not be encoded; the records stay uncached")
            self._forget(key, at)
            return
        if not self._allow():
            CACHE_ERRORS.labels("skipped").inc()
            self._forget(key, at)
            return
        try:
            await self._backend.set(backend_key(key), text, ttl=float(expiry_s))
        except asyncio.CancelledError:
            self._verdict(None)
            raise
        except Exception as exc:  # the cache must never fail a request
            CACHE_ERRORS.labels("write").inc()
            self._verdict(exc)
            self._forget(key, at)
        else:
            self._verdict(True)

    def _forget(self, key: str, at: datetime) -> None:
        local = self._local.get(key)
        if local is not None and local.fetched_at == at:
            del self._local[key]  # a miss next time, as on every other replica

    @property
    def available(self) -> bool:
        """Whether the cache is in use: its breaker (if it has one) is closed."""
        return self.breaker.state == "closed"

    async def check(self) -> bool:
        """``available``, after probing the cache when its breaker allows a probe now (so
        readiness finds the cache back even while no request uses it)."""
        if self.breaker.state == "closed":
            return True
        if self.breaker.allow():
            try:
                await self._backend.exists(PROBE_KEY)
            except asyncio.CancelledError:
                self._verdict(None)
                raise
            except Exception as exc:  # a probe reports, it does not raise
                self._verdict(exc)
            else:
                self._verdict(True)
        return self.available

    def _allow(self) -> bool:
        return self.breaker.allow()

    def _verdict(self, outcome: bool | BaseException | None) -> None:
        """Tell the breaker how an operation went (``None``: no verdict); log a change of state
        once, and a failure only at debug."""
        breaker = self.breaker
        if outcome is None:
            breaker.release()
            return
        if outcome is True:
            breaker.record_success()
        else:
            log.debug("cache operation failed: %s", type(outcome).__name__)
            breaker.record_failure()
        is_open = breaker.state != "closed"
        if is_open == self._open:
            return
        self._open = is_open
        CACHE_CIRCUIT_OPEN.set(int(is_open))
        if is_open:
            log.warning(
                "cache unavailable (%s: %s); serving without it, probing every %.0f s",
                type(outcome).__name__,
                outcome,
                breaker.reset_s,
            )
        else:
            log.info("cache available again")
