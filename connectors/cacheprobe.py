"""Whether the record cache's Redis answers: asked once at start-up.

The cache is optional for correctness (a miss goes upstream), so a Redis that does not answer
does not stop start-up: the gateway warns, naming the setting, and ``/readyz`` says degraded
(the cache's own breaker, connectors/cache.py) until it answers. ``memory://`` always
answers. Only this module sees redis' exceptions.
"""

from __future__ import annotations

import urllib.parse

import redis.asyncio
from redis.exceptions import RedisError


class CacheProbe:
    """A PING on its own small connection, never the cache's: a probe must not queue behind
    (or disturb) the cache's traffic."""

    def __init__(self, url: str, timeout_s: float = 1.0) -> None:
        self.remote = urllib.parse.urlparse(url).scheme in ("redis", "rediss")
        self._client: redis.asyncio.Redis | None = (
            redis.asyncio.Redis.from_url(
                url,
                socket_timeout=timeout_s,
                socket_connect_timeout=timeout_s,
                max_connections=2,
            )
            if self.remote
            else None
        )

    async def answers(self) -> bool:
        """True when the cache answers a PING within the timeout."""
        if self._client is None:
            return True
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
