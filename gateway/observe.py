"""ASGI middleware around the whole app: the request id, the request's span and its metrics.

For every HTTP request:

- **Request id**: ``X-Request-ID`` when the client sent an acceptable one (8 to 64 letters, digits
  and ``._:-``, no CPR-like digit run: ``domain/correlation.py``), else a fresh one. It is the
  current request id for everything the request does — each log line names it
  (``gateway/logs.py``), each source is sent it (``connectors/transport.py``), GraphQL's context
  and the access-log entry carry it — and every response echoes it in ``X-Request-ID``.
- **Span**: one server span, ``<METHOD> <route template>`` (never the path itself: a feed's
  path is its secret), a child of the client's W3C ``traceparent`` when it sent one (baggage is
  not taken over). Attributes: route, status, the bounded operation name, the request id.
- **Metrics**: ``spo_request_seconds{route, operation, outcome}`` (``gateway/metrics.py``).

An exception that escapes the app is logged here with the request id (redacted like every line)
and answered ``500`` with a masked JSON error, so even that response carries the id.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.correlation import accept_request_id, request_id_scope
from gateway.metrics import REQUEST_SECONDS, OperationNames
from resolvers.telemetry import OPERATION

log = logging.getLogger(__name__)
tracer = trace.get_tracer("spo.gateway")
OUTCOME = "spo.outcome"  # ASGI scope key: what the GraphQL result was (gateway/app.py sets it)
ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics", "/")
# Written as the redacting filter writes a feed path, so no scanner takes it for one.
FEED_ROUTE = "/calendar/[secret].ics"
_TRACE_CONTEXT = TraceContextTextMapPropagator()


def route_of(path: str) -> str:
    """The route template of ``path`` (``other`` for any path the gateway does not serve)."""
    if path in ROUTES:
        return path
    if path.startswith("/calendar/"):
        return FEED_ROUTE
    return "other"


def outcome_of(status: int, graphql: str | None) -> str:
    """The request's outcome label: the GraphQL result's when it ran, else by status."""
    if status >= 500:
        return "failed"
    if status >= 400 and graphql is None:
        return "rejected"
    return graphql or "ok"


class Observed:
    """Request id, span and metrics for every HTTP request (see the module docstring)."""

    def __init__(self, app: ASGIApp, operations: OperationNames) -> None:
        self.app = app
        self.operations = operations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        request_id = accept_request_id(headers.get("x-request-id"))
        route = route_of(scope["path"])
        method = scope["method"]
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        parent = _TRACE_CONTEXT.extract(headers)
        with (
            request_id_scope(request_id),
            tracer.start_as_current_span(
                f"{method} {route}",
                context=parent,
                kind=trace.SpanKind.SERVER,
                attributes={
                    "http.request.method": method,
                    "http.route": route,
                    "spo.request_id": request_id,
                },
                record_exception=False,  # its message could hold anything; the log has it
                set_status_on_exception=False,
            ) as span,
        ):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("request %s: unhandled error on %s %s", request_id, method, route)
                if status == 0:
                    await _internal_error(request_id, send_with_id)
                status = status or 500
            # Empty when no operation ran (another route, or refused before execution).
            operation = self.operations.label(scope[OPERATION]) if OPERATION in scope else ""
            outcome = outcome_of(status, scope.get(OUTCOME))
            span.set_attribute("http.response.status_code", status)
            span.set_attribute("spo.outcome", outcome)
            if operation:
                span.set_attribute("graphql.operation.name", operation)
            if status >= 500:
                span.set_status(trace.StatusCode.ERROR, outcome)
        REQUEST_SECONDS.labels(route, operation, outcome).observe(time.perf_counter() - started)


async def _internal_error(request_id: str, send: Any) -> None:
    body = orjson.dumps(
        {
            "errors": [
                {
                    "message": "Unexpected error.",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                }
            ]
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})
