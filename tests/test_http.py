from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from connectors.breaker import CircuitBreaker
from connectors.http import RetryBudget, Upstream
from domain.deadline import DEADLINE, deadline_scope, remaining
from domain.errors import CircuitOpen, UpstreamBadResponse, UpstreamTimeout, UpstreamUnavailable
from domain.settings import Resilience

Responder = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FakeUpstream:
    """A real HTTP server on 127.0.0.1 answering with a script; the last answer repeats."""

    def __init__(self, *script: Responder) -> None:
        self.script = list(script)
        self.requests = 0
        self.release = asyncio.Event()
        self.server = TestServer(web.Application(), host="127.0.0.1")
        self.server.app.router.add_get("/r", self._handle)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        responder = self.script[min(self.requests, len(self.script) - 1)]
        self.requests += 1
        return await responder(request)

    @property
    def url(self) -> str:
        return str(self.server.make_url("/r"))

    async def hang(self, request: web.Request) -> web.StreamResponse:
        await self.release.wait()
        return web.Response(text="too late")


ServeFactory = Callable[..., Awaitable[FakeUpstream]]


@pytest.fixture
async def serve() -> AsyncIterator[ServeFactory]:
    started: list[FakeUpstream] = []

    async def factory(*script: Responder) -> FakeUpstream:
        upstream = FakeUpstream(*script)
        await upstream.server.start_server()
        started.append(upstream)
        return upstream

    yield factory
    for upstream in started:
        upstream.release.set()
        await upstream.server.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def status(code: int, headers: dict[str, str] | None = None) -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, headers=headers, text="nope")

    return respond


def body(data: bytes, content_type: str = "application/json") -> Responder:
    async def respond(request: web.Request) -> web.StreamResponse:
        return web.Response(body=data, content_type=content_type)

    return respond


def streamed(data: bytes) -> Responder:
    """A chunked answer with no Content-Length, so only the streaming cap can catch it."""

    async def respond(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        for i in range(0, len(data), 1000):
            await resp.write(data[i : i + 1000])
        await resp.write_eof()
        return resp

    return respond


OK = body(b'{"ok": true}')


def upstream(
    session: aiohttp.ClientSession,
    *,
    timeout_s: float = 2.0,
    max_bytes: int = 8_000_000,
    retries: int = 0,
    retry_after_cap_s: float = 1.0,
    breaker: CircuitBreaker | None = None,
    retry_budget: RetryBudget | None = None,
) -> Upstream:
    return Upstream(
        session,
        "rm",
        timeout_s=timeout_s,
        max_bytes=max_bytes,
        retries=retries,
        backoff_s=0.01,
        retry_after_cap_s=retry_after_cap_s,
        breaker=breaker,
        retry_budget=retry_budget,
    )


async def test_plain_get_json(serve: ServeFactory, session: aiohttp.ClientSession) -> None:
    up = await serve(OK)
    assert await Upstream(session, "rm", timeout_s=1.0).get_json(up.url) == {"ok": True}


async def test_5xx_then_success_is_retried(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(500), status(503), OK)
    assert await upstream(session, retries=2).get_json(up.url) == {"ok": True}
    assert up.requests == 3


async def test_retries_are_bounded(serve: ServeFactory, session: aiohttp.ClientSession) -> None:
    up = await serve(status(502))
    with pytest.raises(UpstreamUnavailable) as info:
        await upstream(session, retries=2).get_json(up.url)
    assert type(info.value) is UpstreamUnavailable
    assert info.value.source == "rm"
    assert up.requests == 3


async def test_no_retries_by_default(serve: ServeFactory, session: aiohttp.ClientSession) -> None:
    up = await serve(status(500), OK)
    with pytest.raises(UpstreamUnavailable):
        await Upstream(session, "rm", timeout_s=1.0).get_json(up.url)
    assert up.requests == 1


async def test_client_errors_are_bad_responses_and_not_retried(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(404), OK)
    with pytest.raises(UpstreamBadResponse):
        await upstream(session, retries=2).get_json(up.url)
    assert up.requests == 1


async def test_429_retry_after_is_honoured(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(429, {"Retry-After": "1"}), OK)
    started = time.monotonic()
    assert await upstream(session, retries=1, retry_after_cap_s=2.0).get_json(up.url)
    assert time.monotonic() - started >= 0.9
    assert up.requests == 2


async def test_retry_after_beyond_the_cap_ends_the_call(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(503, {"Retry-After": "30"}), OK)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable):
        await upstream(session, retries=3, retry_after_cap_s=1.0).get_json(up.url)
    assert time.monotonic() - started < 0.5
    assert up.requests == 1


async def test_timeout_is_not_retried_and_bounded(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve()
    up.script.append(up.hang)
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout):
        await upstream(session, timeout_s=0.3, retries=3).get_json(up.url)
    assert time.monotonic() - started < 0.3 + 0.5
    assert up.requests == 1


async def test_deadline_bounds_a_hanging_call(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve()
    up.script.append(up.hang)
    started = time.monotonic()
    with deadline_scope(0.3), pytest.raises(UpstreamTimeout):
        await upstream(session, timeout_s=5.0, retries=3).get_json(up.url)
    assert time.monotonic() - started < 0.3 + 0.5
    assert up.requests == 1


async def test_no_time_left_means_no_call(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(OK)
    with deadline_scope(0.0), pytest.raises(UpstreamTimeout):
        await upstream(session).get_json(up.url)
    assert up.requests == 0


async def test_backoff_never_sleeps_past_the_deadline(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(503, {"Retry-After": "2"}), OK)
    started = time.monotonic()
    with deadline_scope(0.5), pytest.raises(UpstreamUnavailable):
        await upstream(session, retries=3, retry_after_cap_s=5.0).get_json(up.url)
    assert time.monotonic() - started < 0.4
    assert up.requests == 1


async def test_exhausted_budget_stops_retries(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(500))
    client = upstream(session, retries=5, retry_budget=RetryBudget(ratio=0.0, cap=1.0))
    with pytest.raises(UpstreamUnavailable):
        await client.get_json(up.url)
    assert up.requests == 2  # the first attempt and the one retry the budget held
    with pytest.raises(UpstreamUnavailable):
        await client.get_json(up.url)
    assert up.requests == 3  # no tokens left: first attempt only


def test_budget_refills_from_first_attempts_up_to_its_cap() -> None:
    budget = RetryBudget(ratio=0.5, cap=2.0)
    assert budget.try_spend()
    assert budget.try_spend()
    assert not budget.try_spend()
    budget.deposit()
    assert not budget.try_spend()
    budget.deposit()
    assert budget.try_spend()
    for _ in range(100):
        budget.deposit()
    assert budget.tokens == 2.0


@pytest.mark.parametrize("responder", [body(b"x" * 5000), streamed(b"x" * 5000)])
async def test_size_cap(
    serve: ServeFactory, session: aiohttp.ClientSession, responder: Responder
) -> None:
    up = await serve(responder)
    with pytest.raises(UpstreamBadResponse):
        await upstream(session, max_bytes=1000).get_json(up.url)


@pytest.mark.parametrize(
    "responder",
    [
        body(b'{"unclosed": '),
        body(b'{"ok": true}', content_type="text/html"),
        body(b'{"name": "\xff\xfe"}'),
        body(b"[" * 100_000 + b"]" * 100_000),
    ],
    ids=["invalid-json", "wrong-content-type", "invalid-utf8", "absurd-nesting"],
)
async def test_garbage_is_a_bad_response(
    serve: ServeFactory, session: aiohttp.ClientSession, responder: Responder
) -> None:
    up = await serve(responder)
    with pytest.raises(UpstreamBadResponse):
        await upstream(session, retries=2).get_json(up.url)
    assert up.requests == 1


async def test_connection_refused_is_unavailable(session: aiohttp.ClientSession) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UpstreamUnavailable) as info:
        await upstream(session, retries=1).get_json(f"http://127.0.0.1:{port}/r")
    assert type(info.value) is UpstreamUnavailable


async def test_open_breaker_rejects_without_calling(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(500))
    breaker = CircuitBreaker(failures=2, reset_s=60.0)
    client = upstream(session, breaker=breaker)
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await client.get_json(up.url)
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen):
        await client.get_json(up.url)
    assert up.requests == 2


async def test_breaker_opening_mid_call_reports_the_real_failure(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(500))
    client = upstream(session, retries=5, breaker=CircuitBreaker(failures=2, reset_s=60.0))
    with pytest.raises(UpstreamUnavailable) as info:
        await client.get_json(up.url)
    assert type(info.value) is UpstreamUnavailable
    assert up.requests == 2


async def test_half_open_probe_success_closes(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(500), OK)
    now = [0.0]
    breaker = CircuitBreaker(failures=1, reset_s=5.0, clock=lambda: now[0])
    client = upstream(session, breaker=breaker)
    with pytest.raises(UpstreamUnavailable):
        await client.get_json(up.url)
    now[0] = 5.0
    assert await client.get_json(up.url) == {"ok": True}
    assert breaker.state == "closed"


async def test_bad_responses_do_not_trip_the_breaker(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(404))
    breaker = CircuitBreaker(failures=1, reset_s=60.0)
    client = upstream(session, breaker=breaker)
    for _ in range(3):
        with pytest.raises(UpstreamBadResponse):
            await client.get_json(up.url)
    assert breaker.state == "closed"
    assert up.requests == 3


async def test_own_timeout_trips_the_breaker(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve()
    up.script.append(up.hang)
    breaker = CircuitBreaker(failures=1, reset_s=60.0)
    with pytest.raises(UpstreamTimeout):
        await upstream(session, timeout_s=0.2, breaker=breaker).get_json(up.url)
    assert breaker.state == "open"


async def test_deadline_cut_timeout_does_not_trip_the_breaker(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve()
    up.script.append(up.hang)
    breaker = CircuitBreaker(failures=1, reset_s=60.0)
    with deadline_scope(0.2), pytest.raises(UpstreamTimeout):
        await upstream(session, timeout_s=5.0, breaker=breaker).get_json(up.url)
    assert breaker.state == "closed"


async def test_configured_wires_resilience(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    up = await serve(status(500), OK)
    resilience = Resilience(retry_attempts=1, retry_backoff_s=0.01, breaker_failures=3)
    client = Upstream.configured(session, "rm", timeout_s=1.0, resilience=resilience)
    assert await client.get_json(up.url) == {"ok": True}
    assert client.breaker is not None
    assert client.breaker.failures == 3
    assert client.retry_budget is not None


async def test_params_and_accept_reach_the_source(
    serve: ServeFactory, session: aiohttp.ClientSession
) -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        seen = {"q": dict(request.query), "accept": request.headers["Accept"]}
        return web.Response(text=json.dumps(seen), content_type="application/json")

    up = await serve(echo)
    got = await upstream(session).get_json(up.url, {"patient": "0201609996"})
    assert got == {
        "q": {"patient": "0201609996"},
        "accept": "application/fhir+json, application/json",
    }


async def test_deadline_scopes_nest_by_shortening_only() -> None:
    assert remaining() is None
    with deadline_scope(10.0) as outer:
        with deadline_scope(60.0) as inner:
            assert inner == outer
        with deadline_scope(1.0):
            left = remaining()
            assert left is not None
            assert left <= 1.0
        assert DEADLINE.get() == outer
    assert DEADLINE.get() is None


async def test_deadline_is_inherited_by_tasks() -> None:
    with deadline_scope(5.0) as at:
        seen = await asyncio.create_task(asyncio.sleep(0, DEADLINE.get()))
    assert seen == at
