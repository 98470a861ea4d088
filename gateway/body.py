"""The body of a GraphQL POST, read and checked before Strawberry sees it.

A client that sends something other than one GraphQL request gets a JSON error with
``extensions.code`` = ``BAD_REQUEST`` and nothing runs:

==========================================================  ======
the body is larger than :data:`MAX_BODY` (with or without    413
a ``Content-Length``: a chunked body is counted as it comes)
``Content-Type`` is not ``application/json`` (so no form     415
or ``text/plain`` post, which a browser sends cross-site)
not UTF-8; not JSON; nested deeper than :data:`MAX_DEPTH`;    400
not one request object (``query``, ``operationName`` and
``documentId`` strings, ``variables`` and ``extensions``
objects)
a GET's query string longer than :data:`MAX_BODY`             414
==========================================================  ======

A GET (queries only: ``gateway/app.py`` answers a mutation with 405) carries the request in its
query string, ``variables`` and ``extensions`` as JSON text; they are checked as a body is.

The depth is measured by a linear scan before parsing, so hostile nesting is refused without
recursing into it (``json.loads`` would raise ``RecursionError`` somewhere around 1,000 levels;
variables of real requests nest a handful of levels).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive

from domain.errors import BadRequestError

MAX_BODY = 64 * 1024
MAX_DEPTH = 32

# A JSON string (possibly unterminated: it then runs to the end, which is what a parser would
# read too), or one bracket. The unrolled string loop never backtracks, so the scan is linear.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_length(declared: str | None) -> None:
    """Refuse a ``Content-Length`` (if there is one) over :data:`MAX_BODY` before reading."""
    if declared is None:
        return
    if not declared.isdigit():
        raise BadRequestError("The Content-Length header is not a number.")
    if int(declared) > MAX_BODY:
        raise _too_large()


async def read_body(receive: Receive, declared: str | None) -> bytes:
    """The whole request body, refusing one larger than :data:`MAX_BODY` as soon as it is.

    ``declared`` is the ``Content-Length`` header, if any; a body without one (chunked) is
    counted as it arrives. Raises ``ClientDisconnect`` when the client goes away first.
    """
    check_length(declared)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over ``body`` (already read) once, then the client's messages."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_again


def parse_request(body: bytes, content_type: str) -> dict[str, Any]:
    """The GraphQL request in ``body``, or ``BadRequestError`` saying what is wrong with it."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise BadRequestError(
            "Send the GraphQL request as JSON (Content-Type: application/json).", status=415
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequestError("The request body is not valid UTF-8.") from exc
    data = _json(text, "The request body")
    if not isinstance(data, dict):
        raise BadRequestError("The request body must be one JSON object (no batching).")
    return _checked(data)


def parse_params(params: Mapping[str, str], raw_query: bytes) -> dict[str, Any]:
    """The GraphQL request in a GET's query string (``variables`` and ``extensions`` as JSON
    text), checked like a POST's body; ``raw_query`` is the query string as it came."""
    if len(raw_query) > MAX_BODY:
        raise BadRequestError(
            f"The query string is longer than {MAX_BODY // 1024} KiB: send a POST.", status=414
        )
    data: dict[str, Any] = {
        k: params[k] for k in ("query", "operationName", "documentId") if k in params
    }
    for key in ("variables", "extensions"):
        if params.get(key):
            data[key] = _json(params[key], f"The {key!r} parameter")
    return _checked(data)


def query_string(request: Mapping[str, Any]) -> bytes:
    """``request`` as a GET's query string, ``variables`` and ``extensions`` as JSON text."""
    params = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in request.items()
        if value is not None
    }
    return urlencode(params).encode("ascii")


def _json(text: str, what: str) -> Any:
    if depth(text) > MAX_DEPTH:
        raise BadRequestError(f"{what} nests deeper than {MAX_DEPTH} levels.")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadRequestError(f"{what} is not valid JSON.") from exc


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    for key, kind, name in (
        ("query", str, "a string"),
        ("operationName", str, "a string"),
        ("documentId", str, "a string"),
        ("variables", dict, "an object"),
        ("extensions", dict, "an object"),
    ):
        if data.get(key) is not None and not isinstance(data[key], kind):
            raise BadRequestError(f"The request's {key!r} must be {name}.")
    if any(_SURROGATE.search(s) for s in _strings(data)):
        # JSON escapes can spell lone surrogates; no database, log or UTF-8 encoder takes them.
        raise BadRequestError("The request body holds text that is not valid Unicode.")
    return data


def depth(text: str) -> int:
    """How deep the arrays and objects in JSON ``text`` nest (brackets in strings do not count)."""
    deepest = level = 0
    for token in _TOKEN.finditer(text):
        char = text[token.start()]
        if char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


def _strings(value: Any) -> Iterator[str]:
    # Recursion is bounded: the body was refused above if it nested deeper than MAX_DEPTH.
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _too_large() -> BadRequestError:
    return BadRequestError(f"The request body is larger than {MAX_BODY // 1024} KiB.", status=413)
