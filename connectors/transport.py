"""One HTTP GET to a source, with every transport failure translated at the boundary.

aiohttp's exceptions end here: a timeout is ``UpstreamTimeout``, a refused or reset connection
``UpstreamUnavailable``, a broken or oversized body ``UpstreamBadResponse``; a 5xx or 429 comes
back as ``Refused`` for ``connectors/http.py`` to retry.

Each GET carries the request's id (``X-Request-ID``, ``domain/correlation.py``) and, when tracing
is on, the W3C ``traceparent`` of the current span, so a source's logs and traces join ours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import aiohttp
from opentelemetry import propagate

from connectors.retry import parse_retry_after
from domain.correlation import current_request_id
from domain.errors import UpstreamBadResponse, UpstreamError, UpstreamTimeout, UpstreamUnavailable

Params = Mapping[str, str] | Sequence[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Refused:
    """A 5xx or 429 answer: retryable, possibly with the server's ``Retry-After``."""

    status: int
    retry_after: float | None


async def fetch(
    session: aiohttp.ClientSession,
    source: str,
    url: str,
    params: Params | None,
    accept: str,
    limit_s: float,
    max_bytes: int,
) -> tuple[bytes, str] | Refused:
    """One GET of ``url`` within ``limit_s``: the body and its content type, or a ``Refused``
    (5xx, 429) to retry; every other failure as the ``UpstreamError`` naming ``source``."""
    headers = {"Accept": accept}
    request_id = current_request_id()
    if request_id is not None:
        headers["X-Request-ID"] = request_id
    propagate.inject(headers)  # traceparent (and tracestate) of the current span, if any
    try:
        # asyncio.timeout bounds the whole attempt, body included, whatever aiohttp rounds.
        async with (
            asyncio.timeout(limit_s),
            session.get(
                url,
                params=params,
                timeout=aiohttp.ClientTimeout(total=limit_s),
                headers=headers,
            ) as resp,
        ):
            if resp.status >= 500 or resp.status == 429:
                return Refused(resp.status, parse_retry_after(resp.headers.get("Retry-After")))
            if resp.status != 200:
                raise UpstreamBadResponse(source, detail=f"HTTP {resp.status} from {url}")
            if (resp.content_length or 0) > max_bytes:
                raise UpstreamBadResponse(source, detail="response exceeds the size cap")
            body = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                body += chunk
                if len(body) > max_bytes:
                    raise UpstreamBadResponse(source, detail="response exceeds size cap")
            return bytes(body), resp.content_type
    except UpstreamError:
        raise
    except TimeoutError as exc:
        raise UpstreamTimeout(source, detail=f"timeout on {url}") from exc
    except aiohttp.ClientPayloadError as exc:
        raise UpstreamBadResponse(source, detail=f"broken payload: {exc}") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise UpstreamUnavailable(source, detail=f"{type(exc).__name__}: {exc}") from exc
