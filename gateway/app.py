"""The Starlette application: ``create_app(settings)``.

The lifespan opens the one ``aiohttp.ClientSession``, the record cache, the database engine and
the token verifier, and closes them. Routes: ``/graphql`` (GraphiQL in a browser; bearer token
required for operations), ``/healthz`` (alive), ``/readyz`` (database answers, not saturated;
the cache's state), ``/metrics`` (Prometheus text, ``gateway/metrics.py``),
``/calendar/<secret>.ics`` (a patient's iCalendar feed), the reference page at ``/``
(``gateway/web.py``). In front of them all: the request id, the request's span and its metrics
(``gateway/observe.py``), then CORS, rate limits and a bound
on requests in flight (``gateway/front.py``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from cross_web import HTTPException
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from connectors.cache import RecordCache
from connectors.cacheprobe import CacheProbe
from connectors.registry import Sources
from domain.clock import SYSTEM_CLOCK, Clock
from domain.correlation import current_request_id, new_request_id
from domain.deadline import deadline_scope
from domain.errors import (
    AuditUnavailableError,
    AuthError,
    BadRequestError,
    RateLimitedError,
    SourceStatus,
    StoreUnavailableError,
)
from domain.principals import Principal
from domain.settings import Settings
from gateway import allocator, web
from gateway.admission import Gate
from gateway.auth import TokenVerifier
from gateway.body import (
    check_length,
    parse_params,
    parse_request,
    query_string,
    read_body,
    replay,
)
from gateway.config import warnings_for
from gateway.edge import refuse
from gateway.front import front
from gateway.graphqlhttp import media_type, shaped
from gateway.ical import render_calendar
from gateway.metrics import WORKER_UP, OperationNames, metrics
from gateway.observe import OUTCOME, Observed
from gateway.ratelimit import RateLimits
from gateway.trusted import TrustedDocuments, load_trusted
from resolvers.attempts import RefusalRecorder
from resolvers.audit import entry_for
from resolvers.context import Context, RequestState, Services, services_of
from resolvers.feedview import feed_appointments, feed_context
from resolvers.reporting import classify
from resolvers.schema import build_schema
from store.database import settle
from store.engine import make_engine
from store.feedstore import FeedLifetime
from store.repositories import Repositories

log = logging.getLogger(__name__)
PRINCIPAL = "spo.principal"
MEDIA_TYPE = "spo.media_type"  # the response's, from Accept (gateway/graphqlhttp.py)
STATUS = "spo.status"  # the response's, when the result sets it
FEED_SERVABLE = frozenset({SourceStatus.OK, SourceStatus.STALE, SourceStatus.NOT_CONSENTED})
FEED_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32), as feeds are made


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context; authentication happens before it (see below)."""

    def encode_json(self, data: object) -> bytes:
        """The response as orjson writes it: compact UTF-8, non-ASCII as it is, never NaN.

        What orjson refuses and ``json`` would write (an integer past 64 bits, a key that is
        not a string; neither is in a GraphQL result) is written by ``json``, likewise.
        """
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            return json.dumps(
                data, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            ).encode()

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = response_data(result, request.app.state.services)
        # The final result (the access log may have replaced it), for the request's metrics.
        if not result.errors:
            request.scope[OUTCOME] = "ok"
        else:
            request.scope[OUTCOME] = "partial" if result.data else "error"
        status, body = shaped(dict(data), request.scope[MEDIA_TYPE])
        request.scope[STATUS] = status
        return body  # type: ignore[return-value]  # the same keys, "data" perhaps left out

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Strawberry's, but a mutation sent with GET is 405 (the spec's), not 400."""
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise HTTPException(405, "Send mutations with POST.") from exc
            raise

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Strawberry's app, in the negotiated media type; its HTTP refusals are JSON errors
        with a code, like ours."""
        media = scope.setdefault(MEDIA_TYPE, media_type(Headers(scope=scope).get("accept")))
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            # 405: a mutation sent with GET (POST it), or a method GraphQL has no use for.
            methods = "POST" if request.method == "GET" else "GET, POST"
            allow = {"Allow": methods} if exc.status_code == 405 else {}
            response = _error(exc.status_code, exc.reason, BadRequestError.code, media, **allow)
        else:
            if response.headers.get("content-type") == "application/json":
                response.headers["content-type"] = media
                response.status_code = scope.pop(STATUS, response.status_code)
        await response(scope, receive, send)

    async def get_context(self, request: Any, response: Any = None) -> Context:
        return new_context(request.scope[PRINCIPAL], request.app.state.services, request)


def new_context(principal: Principal, services: Services, request: Any) -> Context:
    """The context of one GraphQL request (the tests' in-process gateway builds it here too)."""
    return Context(
        principal=principal,
        services=services,
        state=RequestState(
            request_id=current_request_id() or new_request_id(), now=services.clock.now()
        ),
        request=request,
    )


def response_data(result: ExecutionResult, services: Services) -> GraphQLHTTPResponse:
    """What the response says: the result, every error with a code."""
    # A syntax error raised inside the parser cache skips the extensions' after-hooks, so
    # errors that reach this point without a code are classified here.
    if result.errors:
        suggestions = services.settings.graphql.suggestions
        result.errors = [
            e if (e.extensions or {}).get("code") else classify(e, "-", suggestions=suggestions)
            for e in result.errors
        ]
    return process_result(result)


def _error(
    status: int, message: str, code: str, media: str = "application/json", **headers: str
) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers, media_type=media)


def _unauthorised(message: str, media: str) -> JSONResponse:
    return _error(401, message, AuthError.code, media, **{"WWW-Authenticate": 'Bearer realm="spo"'})


class Authenticated:
    """ASGI wrapper: a bearer token must verify before any operation runs (401 otherwise).

    A plain browser GET (no query) gets GraphiQL without a token when ``[graphql] graphiql`` is
    on; it can do nothing by itself.
    """

    def __init__(
        self, app: GraphQLApp, ide: Callable[[], Response], trusted: TrustedDocuments
    ) -> None:
        self.app = app
        self.ide = ide
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        wants_ide = (
            self.app.graphql_ide is not None
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )
        if wants_ide:
            # Served here, so the GraphQL app only ever runs with a verified principal.
            await self.ide()(scope, receive, send)
            return
        media = scope[MEDIA_TYPE] = media_type(request.headers.get("accept"))
        length = request.headers.get("content-length")
        try:
            check_length(length)  # before the token: refusing costs nothing then
        except BadRequestError as exc:
            await _error(exc.status, exc.message, exc.code, media)(scope, receive, send)
            return
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await _unauthorised("A bearer token is required.", media)(scope, receive, send)
            return
        services: Services = request.app.state.services
        # The request's deadline, for everything it does from here on: each upstream call and
        # each database call gets at most what is left of it (see domain/deadline.py).
        with deadline_scope(services.settings.limits.request_deadline_s):
            verifier: TokenVerifier = request.app.state.verifier
            try:
                scope[PRINCIPAL] = await verifier.verify(token.strip())
                limits: RateLimits = request.app.state.rate_limits
                await limits.check_principal(scope[PRINCIPAL])
                if request.method == "POST":
                    # Read and checked here, so Strawberry only ever parses a body that is
                    # small, UTF-8, shallow JSON and one request.
                    raw = await read_body(receive, length)
                    data = parse_request(raw, request.headers.get("content-type", ""))
                    run = self.trusted.resolve(data)  # a trusted document's text, by its id
                    receive = replay(raw if run is data else orjson.dumps(run), receive)
                else:
                    # A GET asks a query (never a mutation: 405) in its query string, checked
                    # like a body; it has no body, so no form can make one.
                    data = parse_params(request.query_params, scope.get("query_string", b""))
                    run = self.trusted.resolve(data)
                    if run is not data:
                        scope["query_string"] = query_string(run)
            except AuthError as exc:
                await _unauthorised(exc.message, media)(scope, receive, send)
                return
            except BadRequestError as exc:
                await _error(exc.status, exc.message, exc.code, media)(scope, receive, send)
                return
            except RateLimitedError as exc:
                await refuse(exc, scope)(scope, receive, send)
                return
            except ClientDisconnect:
                return  # nobody is left to answer
            await self.app(scope, receive, send)


class NoStore:
    """ASGI wrapper: ``Cache-Control: no-store`` on every response of the wrapped app.

    Any ``/graphql`` response may hold patient data, and even an error says something about a
    patient; no browser, proxy or app cache may keep one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message)["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_no_store)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """503 while saturated or the database does not answer; 200 otherwise, ``degraded`` while
    the cache is out of use (its breaker open): the cache is optional, every request is still
    answered (from the sources), and a shared Redis going down must not take every replica out
    of service."""
    if request.app.state.gate.saturated:
        # Every slot is taken: new work is better sent to another replica (gateway/admission.py).
        return JSONResponse({"status": "saturated"}, status_code=503)
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # readiness reports, it does not raise
        log.warning("not ready: %s", exc)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    services: Services = request.app.state.services
    if not await services.sources.cache.check():
        return JSONResponse({"status": "degraded", "database": "ok", "cache": "unavailable"})
    return JSONResponse({"status": "ok"})


def _retry_later(message: str) -> Response:
    return Response(
        f"{message}\n", status_code=503, media_type="text/plain", headers={"Retry-After": "300"}
    )


async def calendar_feed(request: Request) -> Response:
    """The patient's appointments as iCalendar, for whoever holds the secret URL."""
    services: Services = request.app.state.services
    now = services.clock.now()
    lifetime = FeedLifetime.of(services.settings.policy)
    token = request.path_params["token"]
    try:
        # Unknown, revoked, past the fuldmagt or not confirmed recently: one answer for all; a
        # token we could never have made does not even reach the database.
        feed = (
            await services.feeds.feed_by_token(token, now, lifetime)
            if FEED_TOKEN.fullmatch(token)
            else None
        )
    except StoreUnavailableError:
        return _retry_later("The calendar cannot be read right now; try again later.")
    if feed is None:
        return Response("Not found.\n", status_code=404, media_type="text/plain")
    ctx = feed_context(services, feed, now)
    results, records = await feed_appointments(ctx, feed.patient_cpr)
    if any(r.status not in FEED_SERVABLE for r in results):
        # A calendar app deletes the events a feed leaves out: rather than drop a failing
        # source's appointments, ask it to keep what it has and come back.
        return _retry_later("A source is unavailable; try again later.")
    entry = entry_for(ctx)
    if entry is not None:
        try:
            await services.access_log.append(entry)
        except AuditUnavailableError:
            return _retry_later("The access log is unavailable; try again later.")
    body = render_calendar(records, calendar_name="Mine aftaler", now=now)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store"},
    )


def create_app(
    settings: Settings, clock: Clock = SYSTEM_CLOCK, web_dist: Path = web.DIST
) -> Starlette:
    """The gateway as an ASGI app; nothing is opened until the lifespan starts.

    ``clock`` is what "now" and so "today" are for every request (tests move it to other days);
    ``web_dist`` is the reference page's build (``make web``).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        allocator.tune()  # before the threads and buffers it is about (gateway/allocator.py)
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, limit_per_host=50),
            raise_for_status=False,
        )
        for warning in warnings_for(settings):
            log.warning(warning)
        cache = RecordCache(settings.cache_url, clock=clock.now)
        probe = CacheProbe(settings.cache_url)
        try:
            if probe.remote and not await probe.answers():
                log.warning(
                    "setting cache_url: the Redis cache does not answer at start-up; serving "
                    "without it (readiness says degraded until it answers)"
                )
                cache.unreachable()
        finally:
            await probe.close()
        db_timeout = settings.limits.database_timeout_s
        engine = make_engine(settings.database_url, timeout_s=db_timeout)
        app.state.engine = engine
        rate_limits.open()
        try:
            app.state.verifier = await TokenVerifier.create(
                settings.auth, dev_mode=settings.dev_mode, session=session
            )
            sources = Sources(settings, session, cache, clock)
            repositories = Repositories.open(engine, timeout_s=db_timeout)
            window = timedelta(minutes=settings.policy.refused_log_window_minutes)
            refusals = RefusalRecorder(sources, repositories.access_log, window)
            app.state.services = services_of(settings, sources, repositories, refusals, clock)
            WORKER_UP.set(1)
            try:
                yield
            finally:
                await refusals.close()  # while the session and the engine are still open
        finally:
            await rate_limits.close()
            await cache.close()
            await session.close()
            await settle()  # calls abandoned on a hung database finish closing first
            await engine.dispose()

    schema = build_schema(settings.limits, settings.graphql)
    graphql = GraphQLApp(
        schema,
        graphql_ide="graphiql" if settings.graphql.graphiql else None,
        allow_queries_via_get=True,  # queries only; a GET mutation is 405
        multipart_uploads_enabled=False,
    )
    page = web.WebPage(web_dist, dev_mode=settings.dev_mode)
    trusted = load_trusted(settings.graphql, schema._schema, web_dist / web.MANIFEST)
    gate = Gate(settings.limits.max_in_flight, settings.limits.queue_timeout_s)
    rate_limits = RateLimits(settings.ratelimit, settings.cache_url)
    app = Starlette(
        routes=[
            *page.routes(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/calendar/{token}.ics", calendar_feed),
            Route(
                "/graphql",
                NoStore(Authenticated(graphql, page.graphiql, trusted)),
                methods=["GET", "POST"],
            ),
        ],
        lifespan=lifespan,
        # Observed outermost: a request refused by the front (429, 503) has its id and metrics.
        middleware=[
            Middleware(Observed, operations=_operation_names(settings)),
            *front(settings, gate, rate_limits),
        ],
    )
    app.state.gate = gate
    app.state.rate_limits = rate_limits
    return app


def _operation_names(settings: Settings) -> OperationNames:
    telemetry = settings.telemetry
    return OperationNames(telemetry.operation_names, telemetry.operation_name_cap)
