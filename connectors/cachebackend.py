"""What ``RecordCache`` (``connectors/cache.py``) stores and where: the JSON envelope of one
answer, the hashed backend key, and the aiocache backend a cache URL names.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from aiocache import Cache
from aiocache.serializers import StringSerializer

from connectors import codec
from connectors.answer import Answer, Refusal

T = TypeVar("T")
FORMAT = 2  # 2: the envelope carries the refused documents too


@dataclass(frozen=True)
class Stored(Generic[T]):
    """One stored answer: its records, when they were fetched, what it refused."""

    records: list[T]
    fetched_at: datetime
    refused: tuple[Refusal, ...] = ()


def pack(answer: Answer[T], at: datetime) -> str:
    """The envelope of ``answer`` fetched ``at``, as JSON text."""
    envelope = {
        "v": FORMAT,
        "fetched_at": at.isoformat(),
        "records": codec.dump(answer.records),
        "refused": codec.dump(answer.refused),
    }
    return json.dumps(envelope, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def unpack(text: Any, record_type: type[T]) -> Stored[T]:
    """The envelope in ``text``; ``ValueError``/``TypeError`` when it is not one of ours."""
    if not isinstance(text, str | bytes):
        raise ValueError(f"cached value is a {type(text).__name__}, not text")
    data = codec.parse(text)
    if type(data) is not dict or data.keys() != {"v", "fetched_at", "records", "refused"}:
        raise ValueError("not a cache envelope")
    if data["v"] != FORMAT or type(data["fetched_at"]) is not str:
        raise ValueError("unknown cache envelope format")
    fetched_at = datetime.fromisoformat(data["fetched_at"])
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at has no time zone")
    refused = tuple(codec.load(data["refused"], Refusal))
    return Stored(codec.load(data["records"], record_type), fetched_at, refused)


def backend_key(key: str) -> str:
    """The backend's name for ``key``: a digest, so no CPR number shows in Redis key names."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def backend(url: str, namespace: str, op_timeout_s: float) -> Any:
    """The aiocache backend for ``memory://`` or ``redis://host:port/db`` (``rediss://``)."""
    parsed = urllib.parse.urlparse(url)
    # Both backends hold JSON text: the memory cache then behaves exactly like Redis, and no
    # caller can mutate a cached record list by mutating what it was handed.
    serializer = StringSerializer()
    if parsed.scheme == "memory":
        return Cache(Cache.MEMORY, namespace=namespace, serializer=serializer, timeout=op_timeout_s)
    if parsed.scheme in ("redis", "rediss"):
        db = parsed.path.strip("/") or "0"
        if not db.isdigit():
            raise ValueError(f"cache URL has a malformed database number: {db!r}")
        return Cache(
            Cache.REDIS,
            endpoint=parsed.hostname or "127.0.0.1",
            port=parsed.port or 6379,
            db=int(db),
            password=urllib.parse.unquote(parsed.password) if parsed.password else None,
            ssl=parsed.scheme == "rediss",
            namespace=namespace,
            serializer=serializer,
            timeout=op_timeout_s,
            create_connection_timeout=op_timeout_s,
            connection_pool_kwargs={"username": parsed.username} if parsed.username else None,
        )
    raise ValueError(f"cache URL must be memory:// or redis://host:port/db, not {url!r}")
