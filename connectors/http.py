"""The one way connectors talk HTTP: a per-source ``Upstream`` over the app's shared session.

It owns what every protocol needs: the source's timeout, a cap on response size, and translation
of every transport failure into an ``UpstreamError`` naming the source. Protocol connectors call
``get_json``/``get_bytes`` and never see aiohttp exceptions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp

from gateway.errors import UpstreamBadResponse, UpstreamError, UpstreamTimeout, UpstreamUnavailable

Params = Mapping[str, str] | Sequence[tuple[str, str]]


class Upstream:
    """HTTP access to one source.

    Args:
        session: the application's one ``aiohttp.ClientSession``.
        source: the configured source id, named in every error.
        timeout_s: total time one call may take.
        max_bytes: responses larger than this are refused as bad responses.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        source: str,
        *,
        timeout_s: float,
        max_bytes: int = 8_000_000,
    ) -> None:
        self.session = session
        self.source = source
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.max_bytes = max_bytes

    async def get_bytes(
        self, url: str, params: Params | None = None, *, accept: str = "*/*"
    ) -> tuple[bytes, str]:
        """GET ``url``; return the body and its content type, or raise an ``UpstreamError``."""
        try:
            async with self.session.get(
                url, params=params, timeout=self.timeout, headers={"Accept": accept}
            ) as resp:
                if resp.status >= 500 or resp.status == 429:
                    raise UpstreamUnavailable(self.source, detail=f"HTTP {resp.status} from {url}")
                if resp.status != 200:
                    raise UpstreamBadResponse(self.source, detail=f"HTTP {resp.status} from {url}")
                if (resp.content_length or 0) > self.max_bytes:
                    raise UpstreamBadResponse(self.source, detail="response exceeds the size cap")
                body = bytearray()
                async for chunk in resp.content.iter_chunked(65536):
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise UpstreamBadResponse(self.source, detail="response exceeds size cap")
                return bytes(body), resp.content_type
        except UpstreamError:
            raise
        except TimeoutError as exc:
            raise UpstreamTimeout(self.source, detail=f"timeout on {url}") from exc
        except aiohttp.ClientPayloadError as exc:
            raise UpstreamBadResponse(self.source, detail=f"broken payload: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise UpstreamUnavailable(self.source, detail=f"{type(exc).__name__}: {exc}") from exc

    async def get_json(self, url: str, params: Params | None = None) -> Any:
        """GET a JSON document (FHIR or plain JSON)."""
        body, content_type = await self.get_bytes(
            url, params, accept="application/fhir+json, application/json"
        )
        if not content_type.endswith("json"):
            raise UpstreamBadResponse(self.source, detail=f"content type {content_type!r}")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise UpstreamBadResponse(self.source, detail=f"invalid JSON: {exc}") from exc

