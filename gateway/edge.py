"""The answer of a request refused at the HTTP edge, before anything runs (overload, rate
limits): a GraphQL-shaped error in the negotiated media type, with ``Retry-After``."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Scope

from domain.errors import RetryLaterError
from gateway.graphqlhttp import media_type


def refuse(error: RetryLaterError, scope: Scope) -> JSONResponse:
    """``error`` as its status, ``{"errors": [{message, extensions: {code}}]}``, Retry-After."""
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": {"code": error.code}}]},
        status_code=error.status,
        headers={"Retry-After": str(error.retry_after_s), "Cache-Control": "no-store"},
        media_type=media_type(Headers(scope=scope).get("accept")),
    )
