"""Fault injection shared by every simulator: ``POST <simulator>/_faults``.

Body: ``{"mode": "off" | "latency" | "error" | "reset" | "hang" | "malformed", "ms": N,
"rate": 0..1, "variant": "...", "status": N, "retry_after": S}``. ``rate`` (default 1) is the share
of requests affected, so a soak run can inject random faults. ``error`` answers ``status`` (503 by
default; 429 or any 5xx), with a ``Retry-After: S`` header when ``retry_after`` is given.
Malformed variants: ``truncated``, ``content-type``, ``utf8``, ``oversize`` (handled here, on any
response) and ``structure``, ``xml-bomb``, ``xxe`` (protocol handlers read ``request[FAULT]`` and
render a hostile body themselves).
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from typing import Any

from aiohttp import web

MODES = ("off", "latency", "error", "reset", "hang", "malformed")
VARIANTS = ("truncated", "content-type", "utf8", "oversize", "structure", "xml-bomb", "xxe")
GENERIC_VARIANTS = ("truncated", "content-type", "utf8", "oversize")
HANG_S = 60.0  # a hang still ends by itself, so nothing we start runs forever


@dataclass(frozen=True, slots=True)
class Fault:
    mode: str = "off"
    ms: int = 0
    rate: float = 1.0
    variant: str = "truncated"
    status: int = 503
    retry_after: int | None = None


FAULT_KEY = web.AppKey("fault", dict)
FAULT = web.RequestKey("spo.fault", Fault)  # the Fault in force for this request, if any


def parse_fault(raw: Any) -> Fault:
    """Validate a ``_faults`` body; raise ``ValueError`` naming what is wrong."""
    if not isinstance(raw, dict):
        raise ValueError("body must be a JSON object")
    mode = raw.get("mode", "off")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    ms, rate, variant = raw.get("ms", 0), raw.get("rate", 1.0), raw.get("variant", "truncated")
    if not isinstance(ms, int) or not 0 <= ms <= 120_000:
        raise ValueError("ms must be an integer 0..120000")
    if not isinstance(rate, int | float) or not 0 <= rate <= 1:
        raise ValueError("rate must be a number 0..1")
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}")
    status, retry_after = raw.get("status", 503), raw.get("retry_after")
    if not isinstance(status, int) or not (status == 429 or 500 <= status <= 599):
        raise ValueError("status must be 429 or 500..599")
    if retry_after is not None and (
        not isinstance(retry_after, int) or not 0 <= retry_after <= 3600
    ):
        raise ValueError("retry_after must be an integer 0..3600")
    return Fault(mode, ms, float(rate), variant, status, retry_after)


async def faults_handler(request: web.Request) -> web.Response:
    try:
        fault = parse_fault(await request.json())
    except (ValueError, json.JSONDecodeError) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    request.app[FAULT_KEY]["current"] = fault
    request.app[FAULT_KEY]["hits"] = 0
    return web.json_response(
        {
            "mode": fault.mode,
            "ms": fault.ms,
            "rate": fault.rate,
            "variant": fault.variant,
            "status": fault.status,
            "retry_after": fault.retry_after,
        }
    )


async def hits_handler(request: web.Request) -> web.Response:
    """How many requests this simulator served since the fault was last set (for retry tests)."""
    return web.json_response({"hits": request.app[FAULT_KEY]["hits"]})


def _garble(resp: web.Response, variant: str) -> web.StreamResponse:
    body = resp.body if isinstance(resp.body, bytes) else b""
    if variant == "truncated":
        return web.Response(
            body=body[: max(1, len(body) // 2)], status=resp.status, content_type=resp.content_type
        )
    if variant == "content-type":
        return web.Response(body=b"<html>Service page</html>", content_type="text/html")
    if variant == "utf8":
        return web.Response(
            body=body[:20] + b"\xff\xfe\xc3\x28" + body[20:],
            status=resp.status,
            content_type=resp.content_type,
        )
    # oversize: a valid-looking body far beyond any sane cap
    return web.Response(body=b" " * 20_000_000 + body, content_type=resp.content_type)


@web.middleware
async def fault_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    state = request.app[FAULT_KEY]
    if request.path.endswith(("/_faults", "/_hits", "/_searches")):
        return await handler(request)  # type: ignore[no-any-return]
    state["hits"] += 1
    fault: Fault = state["current"]
    if fault.mode == "off" or random.random() >= fault.rate:
        return await handler(request)  # type: ignore[no-any-return]
    if fault.mode == "latency":
        await asyncio.sleep(fault.ms / 1000)
        return await handler(request)  # type: ignore[no-any-return]
    if fault.mode == "error":
        return web.json_response(
            {
                "resourceType": "OperationOutcome",
                "issue": [
                    {"severity": "error", "code": "transient", "diagnostics": "Injected failure"}
                ],
            },
            status=fault.status,
            headers={} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)},
        )
    if fault.mode == "reset":
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never sent: the connection is already gone
    if fault.mode == "hang":
        await asyncio.sleep(HANG_S)
        return web.Response(status=504)
    request[FAULT] = fault
    resp = await handler(request)
    if fault.variant in GENERIC_VARIANTS and isinstance(resp, web.Response):
        return _garble(resp, fault.variant)
    return resp  # type: ignore[no-any-return]


def install(app: web.Application) -> None:
    """Give ``app`` its own fault state, middleware and ``/_faults`` endpoint."""
    app[FAULT_KEY] = {"current": Fault(), "hits": 0}
    app.middlewares.append(fault_middleware)
    app.router.add_post("/_faults", faults_handler)
    app.router.add_get("/_hits", hits_handler)
