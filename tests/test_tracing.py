"""Traces: spans per request, source fetch and store call, over real servers, recorded by the
SDK's in-memory exporter; the W3C ``traceparent`` and the request id reach the sources.

The test process gets one SDK tracer provider (OpenTelemetry allows one per process), installed
by the first test that needs it; its processor keeps spans only while a test records, so the
rest of the suite is not affected beyond the (cheap) spans being made.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from aiohttp import web
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from connectors.http import Upstream
from domain.correlation import request_id_scope
from domain.settings import ConfigError
from gateway import tracing
from tests.gatewayfixtures import Gateway
from tests.logcapture import sensitive

MULTI = "0108589995"
VIEW = """query Overview($cpr: String!) { patientOverview(cpr: $cpr) {
  patient { name } appointments(first: 50) { totalCount nodes { id title start } }
  plans { id } sources { id status } } }"""
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class Recording(SimpleSpanProcessor):
    """Exports ended spans to memory while ``on`` is set."""

    def __init__(self) -> None:
        self.memory = InMemorySpanExporter()
        self.on = False
        super().__init__(self.memory)

    def on_end(self, span: ReadableSpan) -> None:
        if self.on:
            super().on_end(span)


_RECORDING: Recording | None = None


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    global _RECORDING
    if _RECORDING is None:
        _RECORDING = Recording()
        provider = TracerProvider()
        provider.add_span_processor(_RECORDING)
        trace.set_tracer_provider(provider)
    _RECORDING.memory.clear()
    _RECORDING.on = True
    try:
        yield _RECORDING.memory
    finally:
        _RECORDING.on = False
        _RECORDING.memory.clear()


def _attribute_text(span: ReadableSpan) -> str:
    return " ".join(f"{k}={v!s}" for k, v in (span.attributes or {}).items())


async def test_one_overview_is_one_trace_of_request_source_and_store_spans(
    gateway: Gateway, spans: InMemorySpanExporter
) -> None:
    headers = {
        "Authorization": f"Bearer {gateway.token('clinician-auh')}",
        "traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01",
        "baggage": f"cpr={MULTI}",
        "X-Request-ID": "trace-test-0001",
    }
    body = {"query": VIEW, "variables": {"cpr": MULTI}}
    async with gateway.session.post(f"{gateway.url}/graphql", json=body, headers=headers) as r:
        assert r.status == 200
        answer = await r.json()
    assert "errors" not in answer, answer
    assert answer["data"]["patientOverview"]["appointments"]["totalCount"] > 10
    finished = spans.get_finished_spans()
    by_name: dict[str, list[ReadableSpan]] = {}
    for span in finished:
        by_name.setdefault(span.name, []).append(span)
    (server,) = by_name["POST /graphql"]
    assert server.kind is trace.SpanKind.SERVER
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == PARENT_ID  # the client's span
    assert (server.attributes or {})["graphql.operation.name"] == "Overview"
    assert (server.attributes or {})["spo.request_id"] == "trace-test-0001"
    assert (server.attributes or {})["http.response.status_code"] == 200
    # All of it one trace: the client's.
    assert {format(s.context.trace_id, "032x") for s in finished} == {TRACE_ID}
    # A span per source fetch, each a child within the request.
    fetched = {n.removeprefix("GET ") for n in by_name if n.startswith("GET ")}
    assert {"rm", "rn", "aarhus", "frederikshavn", "cpr"} <= fetched
    for name in (n for n in by_name if n.startswith("GET ")):
        for span in by_name[name]:
            assert span.kind is trace.SpanKind.CLIENT
            assert (span.attributes or {})["spo.outcome"] == "ok"
    # The clinician's lookup: the blocks read and the access-log entry appended, a span each.
    assert "store AuditLog.append" in by_name
    assert any(n.startswith("store BlockStore.") for n in by_name)
    # Never a span per field: only these kinds, and far fewer spans than fields answered.
    assert all(n == "POST /graphql" or n.startswith(("GET ", "store ")) for n in by_name), by_name
    assert len(finished) < 40, sorted(by_name)
    # Nothing of the patient in any span: no CPR number, no URL path or query; baggage dropped.
    for span in finished:
        text = f"{span.name} {_attribute_text(span)}"
        assert sensitive(text) is None, text
        assert "/fhir" not in text
        assert "?" not in text


@pytest.fixture
async def source() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/thing", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/thing", seen
    finally:
        await runner.cleanup()


async def test_sources_get_the_traceparent_and_the_request_id(
    source: tuple[str, list[dict[str, str]]], spans: InMemorySpanExporter
) -> None:
    url, seen = source
    tracer = trace.get_tracer("tests")
    async with aiohttp.ClientSession() as session:
        upstream = Upstream(session, "test-source", timeout_s=5)
        with request_id_scope("req-abc-12345"), tracer.start_as_current_span("request"):
            assert await upstream.get_json(url) == {"ok": True}
    (headers,) = seen
    assert headers["X-Request-ID"] == "req-abc-12345"
    (fetch,) = [s for s in spans.get_finished_spans() if s.name == "GET test-source"]
    version, trace_id, span_id, _flags = headers["traceparent"].split("-")
    assert version == "00"
    assert trace_id == format(fetch.context.trace_id, "032x")
    assert span_id == format(fetch.context.span_id, "016x")  # the fetch's own span
    assert (fetch.attributes or {})["server.address"] == "127.0.0.1"
    assert (fetch.attributes or {})["spo.attempts"] == 1


async def test_without_a_request_no_request_id_is_sent(
    source: tuple[str, list[dict[str, str]]],
) -> None:
    url, seen = source
    async with aiohttp.ClientSession() as session:
        await Upstream(session, "test-source", timeout_s=5).get_json(url)
    assert "X-Request-ID" not in seen[0]


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, []),
        ({"OTEL_TRACES_EXPORTER": "none"}, []),
        ({"OTEL_TRACES_EXPORTER": "console"}, ["console"]),
        ({"OTEL_TRACES_EXPORTER": "otlp, console"}, ["otlp", "console"]),
        ({"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}, []),
    ],
)
def test_traces_are_off_unless_an_exporter_is_named(env: dict[str, str], names: list[str]) -> None:
    assert tracing.exporter_names(env) == names


def test_off_installs_nothing_and_an_unknown_exporter_stops_start_up() -> None:
    assert tracing.configure({}) is None
    with pytest.raises(ConfigError, match="OTEL_TRACES_EXPORTER names 'nonesuch'"):
        tracing.configure({"OTEL_TRACES_EXPORTER": "nonesuch"})


def test_the_console_exporter_writes_spans_with_our_service_name() -> None:
    # In a process of its own: a tracer provider can be installed once per process.
    script = (
        "from gateway import tracing\n"
        "from opentelemetry import trace\n"
        "p = tracing.configure({'OTEL_TRACES_EXPORTER': 'console'})\n"
        "with trace.get_tracer('t').start_as_current_span('probe'): pass\n"
        "p.shutdown()\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert '"name": "probe"' in out
    assert '"service.name": "spo-gateway"' in out
