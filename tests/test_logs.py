"""No CPR number, token or feed secret in a log line: at the source, and behind the filter.

The source tests run the real gateway with the paths that leaked (failed operations with a CPR
number in the query, a database error, an unexpected error) and read every record as it was
created (``tests/logcapture.py``); nothing redacts those records. The filter tests prove the
second line on what we do not control, uvicorn's access log above all, with the logging
configuration the CLI installs.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import logging.config
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import uvicorn
from graphql import GraphQLError
from sqlalchemy import text
from uvicorn.logging import AccessFormatter

from domain.correlation import request_id_scope
from domain.redact import redact
from gateway.app import create_app
from gateway.cli import server_config
from gateway.logs import RedactingFilter, logging_config
from resolvers.reporting import classify
from tests.gatewayfixtures import Gateway
from tests.logcapture import LogScan, sensitive

MULTI = "0108589995"
SECRET = "q3W_rT9-kLmN0pQrStUvWxYz0123456789AbCdEfGhI"  # the shape of a feed token
JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjaXRpemVuIn0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("lookup 0108589995 failed", "lookup [cpr] failed"),
        ("lookup 010858-9995 failed", "lookup [cpr] failed"),
        ('{"cpr":"1502779995"}', '{"cpr":"[cpr]"}'),
        ("cpr=0201609996&x=1", "cpr=[cpr]&x=1"),
        ("quoted %220201919990%22", "quoted %22[cpr]%22"),
        ("Authorization: Bearer abc.def-ghi_jkl", "Authorization: Bearer [token]"),
        (f"token {JWT} rejected", "token [token] rejected"),
        (f'"GET /calendar/{SECRET}.ics HTTP/1.1" 200', '"GET /calendar/[secret] HTTP/1.1" 200'),
        (f"/calendar/{SECRET}", "/calendar/[secret]"),
        (f"feed {SECRET} revoked", "feed [secret] revoked"),
        (
            "test_no_data_leaves_when_blocks_cannot_be_r",
            "test_no_data_leaves_when_blocks_cannot_be_r",
        ),
        ("GET /graphql?query=%7Bx%7D HTTP/1.1", "GET /graphql?[query] HTTP/1.1"),
        # Not CPR numbers: SOR codes, hex request ids, timestamps, day 32, ports.
        ("unit 320161000016009", "unit 320161000016009"),
        ("request 9f0a0108589995ffc2", "request 9f0a0108589995ffc2"),
        ("at 1764000000 (epoch)", "at 1764000000 (epoch)"),
        ("3213999999", "3213999999"),
        ("http://127.0.0.1:8100/rm", "http://127.0.0.1:8100/rm"),
        ("Did you mean 'first'?", "Did you mean 'first'?"),
    ],
)
def test_redact(raw: str, clean: str) -> None:
    assert redact(raw) == clean


def _record(msg: Any, *args: Any, exc: BaseException | None = None) -> logging.LogRecord:
    # Built directly, not through the record factory: these records are the filter's input.
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, msg, args, exc_info)


def _formatted(record: logging.LogRecord, formatter: logging.Formatter | None = None) -> str:
    assert RedactingFilter().filter(record)
    return (formatter or logging.Formatter("%(message)s")).format(record)


def test_the_filter_redacts_the_final_message_exception_and_stack() -> None:
    try:
        raise KeyError(MULTI)
    except KeyError as exc:
        record = _record(
            "request %s: %s for %r", "r1", GraphQLError(f"cpr {MULTI}"), SECRET, exc=exc
        )
    record.stack_info = f"Stack: /calendar/{SECRET}.ics"
    line = _formatted(record)
    assert sensitive(line) is None, line
    assert line.startswith("request r1: cpr [cpr] for '")
    assert "KeyError: '[cpr]'" in line
    assert "/calendar/[secret]" in line


def test_the_filter_keeps_uvicorns_access_line() -> None:
    record = _record(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/calendar/{SECRET}.ics", "1.1", 200
    )
    record.__dict__["color_message"] = record.msg
    line = _formatted(
        record, AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s')
    )
    assert line == '127.0.0.1:5000 - "GET /calendar/[secret] HTTP/1.1" 200 OK'


def test_a_broken_log_call_does_not_print_its_arguments() -> None:
    line = _formatted(_record("%d", MULTI))
    assert MULTI not in line


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put back what ``dictConfig`` changes: the root's and uvicorn's handlers and levels."""
    names = ["", "uvicorn", "uvicorn.error", "uvicorn.access", "alembic", "aiosqlite"]
    saved = {
        n: (list(lg.handlers), lg.level, lg.propagate, lg.disabled)
        for n in names
        for lg in [logging.getLogger(n)]
    }
    yield
    for n, (handlers, level, propagate, disabled) in saved.items():
        lg = logging.getLogger(n)
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate, lg.disabled = propagate, disabled


@pytest.mark.usefixtures("restored_logging")
def test_serve_puts_the_filter_on_every_handler() -> None:
    logging.config.dictConfig(logging_config())
    for name in ("", "uvicorn", "uvicorn.access"):
        handlers = logging.getLogger(name).handlers
        assert handlers, name
        for handler in handlers:
            assert any(isinstance(f, RedactingFilter) for f in handler.filters), name
    # strawberry.execution and our own loggers reach the root's handler.
    assert logging.getLogger("strawberry.execution").propagate
    assert not logging.getLogger("uvicorn.access").propagate


FAILED = [
    # (query, variables, persona): each fails, each with a CPR number in what the client sent.
    ('{ patientOverview(cpr: "0108589995") { patient { name } }', {}, "citizen-multi"),
    ('{ patientOverview(cpr: "0108589995") { nonsense } }', {}, "citizen-multi"),
    ("{ patientOverview(cpr: 1502779995) { patient { name } } }", {}, "citizen-group2"),
    ('{ patientOverview(cpr: "0201609996") { patient { name } } }', {}, "citizen-multi"),
    ('{ patientOverview(cpr: "010858-99951") { patient { name } } }', {}, "citizen-multi"),
    (
        '{ patientOverview(cpr: "0108589995") { appointments(first: 0) { totalCount } } }',
        {},
        "citizen-multi",
    ),
    (
        "query($c: String!) { patientOverview(cpr: $c) { patient { name } } }",
        {"c": 1502779995},
        "citizen-group2",
    ),
    (
        "query($c: String!) { patientOverview(cpr: $c) { patient { name } } }",
        {"c": "0201919990"},
        "citizen-multi",
    ),
    (
        "query($c: String!) { patientOverview(cpr: $c) { patient { name } } }",
        {"c": "0201919990"},
        "relative-expired",
    ),
]


async def test_failed_operations_log_no_query_text(
    gateway: Gateway, log_scan: LogScan, caplog: pytest.LogCaptureFixture
) -> None:
    for query, variables, persona in FAILED:
        status, body = await gateway.post(
            {"query": query, "variables": variables}, gateway.token(persona)
        )
        assert status == 200, body
        assert body.get("errors"), (query, body)
    assert not log_scan.flagged, log_scan.flagged[0][2]
    # Each failure was logged: its request id and codes, and nothing from Strawberry's own log.
    lines = [r.getMessage() for r in caplog.records if r.name == "resolvers.reporting"]
    assert len(lines) >= len(FAILED) - 1  # a syntax error never reaches the extensions
    assert any("FORBIDDEN" in line for line in lines)
    assert not [r for r in caplog.records if r.name.startswith("strawberry")]


async def test_a_database_error_is_logged_without_its_parameters(
    gateway: Gateway, log_scan: LogScan, caplog: pytest.LogCaptureFixture
) -> None:
    async with gateway.app.state.engine.begin() as conn:
        await conn.execute(text("DROP TABLE blocks"))
    body = await gateway.query(
        "clinician-auh",
        "query($c: String!) { patientOverview(cpr: $c) { plans { id } } }",
        {"c": MULTI},
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["STORE_UNAVAILABLE"]
    assert any("no such table: blocks" in r.getMessage() for r in caplog.records)
    assert not log_scan.flagged, log_scan.flagged[0][2]


def test_an_unexpected_error_is_logged_with_its_request_id_and_no_data(
    log_scan: LogScan, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise KeyError(MULTI)
    except KeyError as exc:
        error = GraphQLError("x", path=["patientOverview", "plans"], original_error=exc)
    masked = classify(error, "req-1")
    assert masked.message == "Unexpected error."
    assert masked.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
    (line,) = [r.getMessage() for r in caplog.records if r.name == "resolvers.reporting"]
    assert line.startswith("request req-1: unexpected KeyError at ['patientOverview', 'plans']")
    assert "KeyError: '[cpr]'" in line
    assert not log_scan.flagged, log_scan.flagged[0][2]


async def _serve_with_cli_logging(
    gw: Gateway, fmt: str = "json"
) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    telemetry = replace(gw.settings.telemetry, log_format=fmt)
    settings = replace(gw.settings, port=0, telemetry=telemetry)
    server = uvicorn.Server(server_config(create_app(settings), settings))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, task, f"http://127.0.0.1:{port}"


@pytest.mark.usefixtures("restored_logging")
@pytest.mark.parametrize("fmt", ["json", "plain"])
async def test_the_access_log_holds_no_feed_secret_query_or_token(
    gateway: Gateway, log_scan: LogScan, fmt: str
) -> None:
    # uvicorn itself puts the path in its access record; only the filter can take it out.
    log_scan.allow()
    rotated = await gateway.query(
        "citizen-multi",
        "mutation($c: String!) { rotateCalendarFeed(cpr: $c) { url } }",
        {"c": MULTI},
    )
    path = rotated["data"]["rotateCalendarFeed"]["url"].removeprefix(gateway.url)
    server, task, url = await _serve_with_cli_logging(gateway, fmt)
    ids = []
    out = io.StringIO()
    for handler in (
        h for n in ("", "uvicorn", "uvicorn.access") for h in logging.getLogger(n).handlers
    ):
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(out)
    try:
        async with gateway.session.get(f"{url}{path}") as r:
            assert r.status == 200
            ids.append(r.headers["X-Request-ID"])
        token = gateway.token("citizen-multi")
        query = '{ patientOverview(cpr: "0108589995") { patient { name } } }'
        async with gateway.session.get(
            f"{url}/graphql", params={"query": query}, headers={"Authorization": f"Bearer {token}"}
        ) as r:
            assert r.status == 200  # a GET query is answered; its query string never logged
            ids.append(r.headers["X-Request-ID"])
    finally:
        server.should_exit = True
        await task
    logged = out.getvalue()
    if fmt == "json":
        lines = [json.loads(line) for line in logged.splitlines()]
        access = [line for line in lines if line["logger"] == "uvicorn.access"]
        # Each access line names the request it is about: the id its response carried.
        assert [line["request_id"] for line in access] == ids
        logged = "\n".join(line["event"] for line in lines)
    else:
        assert all(f"[{i}]" not in logged for i in ids)  # uvicorn's access format has no id
    assert '"GET /calendar/[secret] HTTP/1.1" 200' in logged, logged
    assert '"GET /graphql?[query] HTTP/1.1"' in logged, logged
    assert sensitive(logged) is None, logged
    # Not luck: the records uvicorn made held the secret and the CPR number.
    raw = [t for r, _, t in log_scan.flagged if r.name == "uvicorn.access"]
    assert any(path in t for t in raw)
    assert any(MULTI in t for t in raw)


@pytest.mark.usefixtures("restored_logging")
def test_json_lines_name_the_request_and_hold_only_redacted_text(log_scan: LogScan) -> None:
    log_scan.allow()  # the records hold a CPR number and a token on purpose
    logging.config.dictConfig(logging_config(fmt="json"))
    out = io.StringIO()
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(out)
    log = logging.getLogger("tests.json")
    with request_id_scope("req-json-0001"):
        log.warning("lookup %s failed", MULTI)
        try:
            raise ValueError(f"no person {MULTI} for Bearer {JWT}")
        except ValueError:
            log.exception("unexpected")
    log.info("outside any request")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(x["level"], x["event"], x["request_id"]) for x in lines] == [
        ("warning", "lookup [cpr] failed", "req-json-0001"),
        ("error", "unexpected", "req-json-0001"),
        ("info", "outside any request", "-"),
    ]
    assert lines[1]["exception"].startswith("Traceback")
    assert "ValueError: no person [cpr] for Bearer [token]" in lines[1]["exception"]
    assert all(x["logger"] == "tests.json" and x["timestamp"].endswith("Z") for x in lines)
    assert sensitive(out.getvalue()) is None


def test_an_unknown_log_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log format"):
        logging_config(fmt="xml")
