"""GraphQL over HTTP: which media type a response is written in, and its status code.

The GraphQL-over-HTTP spec defines two response media types:

- ``application/graphql-response+json`` (the spec's own): a request that never reached
  execution (a syntax error, a validation error, a variable that does not fit its type) is
  **400** and has no ``data`` entry; a response with a ``data`` entry is 200.
- ``application/json`` (kept for older clients): every GraphQL result is 200, as before.

The client chooses with ``Accept`` (q-values honoured). ``application/graphql-response+json``
wins when the client rates it at least as high as ``application/json``; no ``Accept``,
``*/*``, or only types we cannot write get ``application/json``. Refusals made before GraphQL
runs (400/401/405/413/415/429/503) use the same media type and the same body shape.

One more status is ours: when the access log cannot be written, no data leaves
(``resolvers/audit.py``), and under ``application/graphql-response+json`` that response is a
503, since the request itself was fine.
"""

from __future__ import annotations

from typing import Any

from domain.errors import AuditUnavailableError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# Codes of a response without data that are the gateway's fault, not the request's.
_UNAVAILABLE = frozenset({AuditUnavailableError.code})


def media_type(accept: str | None) -> str:
    """The response media type for an ``Accept`` header (``None``: there was none).

    >>> media_type("application/graphql-response+json, application/json;q=0.9")
    'application/graphql-response+json'
    >>> media_type("*/*")
    'application/json'
    """
    if not accept:
        return JSON
    rated = {GRAPHQL_RESPONSE: 0.0, JSON: 0.0}
    for item in accept.split(","):
        kind, *params = item.split(";")
        kind = kind.strip().lower()
        if kind in rated:
            rated[kind] = max(rated[kind], _quality(params))
    if rated[GRAPHQL_RESPONSE] > 0 and rated[GRAPHQL_RESPONSE] >= rated[JSON]:
        return GRAPHQL_RESPONSE
    return JSON


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return 0.0  # a malformed rating rates nothing
    return 1.0


def shaped(data: dict[str, Any], media: str) -> tuple[int, dict[str, Any]]:
    """The status and body of a GraphQL result ``data`` written as ``media``."""
    if media != GRAPHQL_RESPONSE or not executed_nothing(data):
        return 200, data
    body = {k: v for k, v in data.items() if k != "data"}
    codes = {(e.get("extensions") or {}).get("code") for e in data.get("errors") or ()}
    return (503 if codes & _UNAVAILABLE else 400), body


def executed_nothing(data: dict[str, Any]) -> bool:
    """The result holds only request errors: no data, and no error has a path.

    Execution gives every field error a path; an error without one is about the request (it
    was refused before or instead of execution). ``data`` null with a pathed error is a failed
    non-null root field: that request did run, and stays 200 with ``data: null``.
    """
    errors = data.get("errors") or []
    return (
        data.get("data") is None
        and bool(errors)
        and all(isinstance(e, dict) and e.get("path") is None for e in errors)
    )
