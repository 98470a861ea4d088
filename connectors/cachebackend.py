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
# 3: a header line (the format and when the value was fetched) in front of the payload, so a
# value's age is read without decoding its records.
FORMAT = 3


@dataclass(frozen=True)
class Stored(Generic[T]):
    """One stored answer: its records, when they were fetched, what it refused."""

    records: list[T]
    fetched_at: datetime
    refused: tuple[Refusal, ...] = ()


@dataclass(frozen=True)
class Header(Generic[T]):
    """A stored value read as far as its header: its age is known, its records not yet
    decoded (``payload`` is the undecoded rest)."""

    fetched_at: datetime
    payload: str | bytes


def pack(answer: Answer[T], at: datetime) -> str:
    """The envelope of ``answer`` fetched ``at``, as text: a JSON header line, then the JSON
    payload. JSON text without indentation never holds a raw newline, so the first one ends the
    header."""
    header = {"v": FORMAT, "fetched_at": at.isoformat()}
    payload = {"records": codec.dump(answer.records), "refused": codec.dump(answer.refused)}
    return _json(header) + "\n" + _json(payload)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def read_header(text: Any) -> Header[Any]:
    """The header of the envelope in ``text``; ``ValueError`` when it is not one of ours."""
    head: str | bytes
    payload: str | bytes
    if isinstance(text, str):
        head, sep, payload = text.partition("\n")
    elif isinstance(text, bytes):
        head, bsep, payload = text.partition(b"\n")
        sep = bsep.decode()
    else:
        raise ValueError(f"cached value is a {type(text).__name__}, not text")
    if not sep:
        raise ValueError("not a cache envelope")
    data = codec.parse(head)
    if type(data) is not dict or data.keys() != {"v", "fetched_at"}:
        raise ValueError("not a cache envelope")
    if data["v"] != FORMAT or type(data["fetched_at"]) is not str:
        raise ValueError("unknown cache envelope format")
    fetched_at = datetime.fromisoformat(data["fetched_at"])
    if fetched_at.tzinfo is None:
        raise ValueError("fetched_at has no time zone")
    return Header(fetched_at, payload)


def unpack_payload(header: Header[Any], record_type: type[T]) -> Stored[T]:
    """The records behind ``header``; ``ValueError``/``TypeError`` when they do not decode."""
    data = codec.parse(header.payload)
    if type(data) is not dict or data.keys() != {"records", "refused"}:
        raise ValueError("not a cache payload")
    refused = tuple(codec.load(data["refused"], Refusal))
    return Stored(codec.load(data["records"], record_type), header.fetched_at, refused)


def unpack(text: Any, record_type: type[T]) -> Stored[T]:
    """The whole envelope in ``text``; ``ValueError``/``TypeError`` when it is not one of ours."""
    return unpack_payload(read_header(text), record_type)


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
