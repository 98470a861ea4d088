"""The GraphQL POST body: hostile or malformed bodies get a JSON error with a code, never a 500."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator

import pytest

from domain.errors import BadRequestError
from gateway.body import MAX_BODY, MAX_DEPTH, depth, parse_request
from tests.gatewayfixtures import Gateway

JSON = "application/json"
DEEP = b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 0),
        ("{}", 1),
        ('{"a": [[{"b": []}]]}', 5),
        ('{"a": "[[[[[[[[", "b": "}}}"}', 1),  # brackets in strings do not count
        (r'{"a": "\"[[[[", "b": "\\"}', 1),  # nor after escaped quotes
        ('{"a": "[[[[', 1),  # an unterminated string runs to the end
        ("[" * 30_000, 30_000),
    ],
)
def test_depth_counts_structure_only(text: str, expected: int) -> None:
    assert depth(text) == expected


def test_depth_is_linear_on_hostile_strings() -> None:
    # Every quote opens an unterminated, escape-laden string: a backtracking scan would take
    # quadratic time here; this one reads the 64 KiB once.
    assert depth('"\\"' * (MAX_BODY // 3) + "\\") == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"query": "{ __typename }\xff"}', 400, "not valid UTF-8"),
        (DEEP, 400, f"deeper than {MAX_DEPTH} levels"),
        (b'{"query": ', 400, "not valid JSON"),
        (b'[{"query": "{ __typename }"}]', 400, "one JSON object"),
        (b'{"query": 12}', 400, "'query' must be a string"),
        (b'{"query": "{ __typename }", "variables": []}', 400, "'variables' must be an object"),
        (b'{"query": "q", "variables": {"c": "\\udc00"}}', 400, "not valid Unicode"),
    ],
)
def test_malformed_bodies_are_refused(body: bytes, status: int, message: str) -> None:
    with pytest.raises(BadRequestError, match=message) as caught:
        parse_request(body, JSON)
    assert caught.value.status == status
    assert caught.value.extensions == {"code": "BAD_REQUEST"}


def test_a_good_body_and_its_content_type() -> None:
    body = b'{"query": "query($c: String!) { x(c: $c) }", "variables": {"c": "0108589995"}}'
    assert parse_request(body, "application/json; charset=utf-8")["variables"] == {
        "c": "0108589995"
    }
    with pytest.raises(BadRequestError) as caught:
        parse_request(body, "text/plain")
    assert caught.value.status == 415


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """``caplog``, with uvicorn's own log too (it does not propagate to the root logger)."""
    caplog.set_level(logging.DEBUG)
    uvicorn = logging.getLogger("uvicorn")
    uvicorn.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        uvicorn.removeHandler(caplog.handler)


def _headers(gw: Gateway, content_type: str = JSON) -> dict[str, str]:
    return {"Authorization": f"Bearer {gw.token('citizen-multi')}", "Content-Type": content_type}


async def _chunked(body: bytes) -> AsyncIterator[bytes]:
    # An async generator body makes aiohttp send it chunked, without a Content-Length.
    for i in range(0, len(body), 8192):
        yield body[i : i + 8192]


@pytest.mark.parametrize(
    ("name", "status"),
    [("invalid-utf8", 400), ("nested-30000", 400), ("chunked-over-cap", 413)],
)
async def test_hostile_bodies_get_a_json_error_and_no_traceback(
    gateway: Gateway, server_log: pytest.LogCaptureFixture, name: str, status: int
) -> None:
    bodies: dict[str, bytes | AsyncIterator[bytes]] = {
        "invalid-utf8": b'{"query": "{ patientOverview(cpr: \\"0108589995\\") { cpr } }\xc3("}',
        "nested-30000": DEEP,
        "chunked-over-cap": _chunked(b'{"query": "' + b" " * MAX_BODY + b'{ __typename }"}'),
    }
    data = bodies[name]
    url = f"{gateway.url}/graphql"
    async with gateway.session.post(url, data=data, headers=_headers(gateway)) as r:
        assert r.status == status
        assert r.content_type == JSON
        body = await r.json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
    assert "data" not in body
    assert not [r for r in server_log.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in server_log.text
    # The gateway is unharmed: the next request is served.
    ok = await gateway.query("citizen-multi", "{ __typename }")
    assert ok == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status"),
    [
        ("POST", "/graphql", b"{ __typename }", "text/plain", 415),
        ("POST", "/graphql", b"{}", JSON, 400),  # no query
        ("GET", "/graphql?query=mutation%7B__typename%7D", None, JSON, 405),  # queries only
        ("GET", "/graphql?query=%7B__typename%7D&variables=%5B%5D", None, JSON, 400),
    ],
)
async def test_every_http_refusal_is_a_json_error_with_a_code(
    gateway: Gateway,
    method: str,
    path: str,
    body: bytes | None,
    content_type: str,
    status: int,
) -> None:
    headers = _headers(gateway, content_type)
    async with gateway.session.request(method, gateway.url + path, data=body, headers=headers) as r:
        assert r.status == status
        payload = json.loads(await r.read())
    assert payload["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert payload["errors"][0]["message"]
