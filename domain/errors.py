"""The gateway's one exception tree. Only ``GatewayError`` messages reach clients.

::

    GatewayError                      code
    ├── BadRequestError               BAD_REQUEST          (HTTP 400/413/415, before GraphQL runs:
    │                                                       not UTF-8/JSON, too deep, too large)
    ├── AuthError                     UNAUTHENTICATED      (HTTP 401, before GraphQL runs)
    ├── RetryLaterError                                    (refused with Retry-After, before
    │   │                                                   GraphQL runs)
    │   ├── OverloadedError           OVERLOADED           (HTTP 503: the replica has as many
    │   │                                                   requests in flight as it takes)
    │   └── RateLimitedError          RATE_LIMITED         (HTTP 429: too many requests from one
    │                                                       principal or client address)
    ├── ForbiddenError                FORBIDDEN            (not your patient, fuldmagt expired, ...)
    ├── BadInputError                 BAD_USER_INPUT       (bad CPR syntax, invalid stamkort value,
    │                                                       a variable of the wrong type)
    │   └── StaleEditError            STALE_EDIT           (edit based on an outdated version)
    ├── NotFoundError                 NOT_FOUND
    ├── BlockedError                  BLOCKED_BY_PATIENT   (a guarded field withheld by a block)
    ├── AuditUnavailableError         AUDIT_UNAVAILABLE    (the access log cannot be written)
    ├── StoreUnavailableError         STORE_UNAVAILABLE    (the gateway's database failed/timed out)
    ├── DocumentRefused               DOCUMENT_REFUSED     (reported, never raised: a source's
    │                                                       documents that break their format's
    │                                                       rules; its other data is shown)
    └── UpstreamError                 UPSTREAM_ERROR       (always names the source)
        ├── UpstreamTimeout           UPSTREAM_TIMEOUT
        ├── UpstreamUnavailable       UPSTREAM_UNAVAILABLE (connection refused/reset, 5xx, 429)
        │   └── CircuitOpen           CIRCUIT_OPEN
        ├── UpstreamBadResponse       UPSTREAM_BAD_RESPONSE (garbage, hostile XML, too large)
        └── UpstreamNotConsented      NOT_CONSENTED        (the source shares only with consent)

Anything else is masked as "Unexpected error." and logged with the request's correlation id.
"""

from __future__ import annotations

import enum
import re
from typing import Any, ClassVar

_CPR = re.compile(r"(?<!\d)(\d{6})-?\d{4}(?!\d)")


class SourceStatus(enum.StrEnum):
    """How a source answered in one request (``NOT_REQUESTED``: the query asked nothing of it)."""

    OK = "OK"
    STALE = "STALE"
    TIMEOUT = "TIMEOUT"
    UNAVAILABLE = "UNAVAILABLE"
    BAD_RESPONSE = "BAD_RESPONSE"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    NOT_CONSENTED = "NOT_CONSENTED"
    NOT_REQUESTED = "NOT_REQUESTED"

    @property
    def answered(self) -> bool:
        """The source's data is there: fresh, or older but within the stale limit."""
        return self in (SourceStatus.OK, SourceStatus.STALE)


def redact_cpr(text: str) -> str:
    """``text`` with anything shaped like a CPR number cut to its birth date (``010858-****``)."""
    return _CPR.sub(r"\1-****", text)


class GatewayError(Exception):
    """Root of every error whose message may be shown to a client."""

    code: ClassVar[str] = "GATEWAY_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadRequestError(GatewayError):
    """The HTTP request is not one well-formed GraphQL request; ``status`` is its HTTP status."""

    code = "BAD_REQUEST"

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class AuthError(GatewayError):
    """Missing, malformed, forged or expired credentials."""

    code = "UNAUTHENTICATED"


class RetryLaterError(GatewayError):
    """Refused at the HTTP edge before anything runs; ``retry_after_s`` is the Retry-After."""

    status: ClassVar[int] = 503

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class OverloadedError(RetryLaterError):
    """The replica has its bound of requests in flight: refused at once, so admitted ones keep
    their deadline."""

    code = "OVERLOADED"


class RateLimitedError(RetryLaterError):
    """One principal or client address asked more often than its rate limit allows."""

    code = "RATE_LIMITED"
    status = 429


class ForbiddenError(GatewayError):
    """An authenticated principal asked for something it may not have."""

    code = "FORBIDDEN"


class BadInputError(GatewayError):
    """The request's arguments are invalid."""

    code = "BAD_USER_INPUT"


class StaleEditError(BadInputError):
    """An edit was based on a version that is no longer current."""

    code = "STALE_EDIT"


class NotFoundError(GatewayError):
    """The thing asked for does not exist (or is not the caller's to know of)."""

    code = "NOT_FOUND"


class BlockedError(GatewayError):
    """Some information on this path is withheld by the patient's block."""

    code = "BLOCKED_BY_PATIENT"


class AuditUnavailableError(GatewayError):
    """The access log could not be written, so no patient data may leave."""

    code = "AUDIT_UNAVAILABLE"


class StoreUnavailableError(GatewayError):
    """The gateway's own database cannot be read, so access cannot be decided: fail closed."""

    code = "STORE_UNAVAILABLE"


class DocumentRefused(GatewayError):
    """Documents of one source broke their format's rules and were left out (one rule each).

    Reported beside the data, never raised: the source's other records are shown.
    """

    code = "DOCUMENT_REFUSED"

    def __init__(self, source: str, reason: str, count: int) -> None:
        noun = "document" if count == 1 else "documents"
        super().__init__(
            f"Source {source!r} sent {count} {noun} that could not be read as written "
            f"and {'is' if count == 1 else 'are'} not shown: {redact_cpr(reason)}.",
            source=source,
            refused=count,
        )


class UpstreamError(GatewayError):
    """A source system failed. ``source`` is the configured source id."""

    code = "UPSTREAM_ERROR"
    status: ClassVar[SourceStatus] = SourceStatus.UNAVAILABLE

    def __init__(self, source: str, message: str | None = None, *, detail: str = "") -> None:
        super().__init__(message or f"Source {source!r} failed.", source=source)
        self.source = source
        # Upstream detail is for our logs only, never for clients; and even our logs get no
        # CPR numbers (register URLs carry them in the path).
        self.detail = redact_cpr(detail)


class UpstreamTimeout(UpstreamError):
    """The source did not answer within its timeout."""

    code = "UPSTREAM_TIMEOUT"
    status = SourceStatus.TIMEOUT


class UpstreamUnavailable(UpstreamError):
    """The source refused, reset, or answered 5xx/429."""

    code = "UPSTREAM_UNAVAILABLE"
    status = SourceStatus.UNAVAILABLE


class CircuitOpen(UpstreamUnavailable):
    """The source's circuit breaker is open: it was not called."""

    code = "CIRCUIT_OPEN"
    status = SourceStatus.CIRCUIT_OPEN


class UpstreamBadResponse(UpstreamError):
    """The source answered something we cannot accept (malformed, hostile, too large)."""

    code = "UPSTREAM_BAD_RESPONSE"
    status = SourceStatus.BAD_RESPONSE


class UpstreamNotConsented(UpstreamError):
    """The source shares this patient's data only with consent, and there is none."""

    code = "NOT_CONSENTED"
    status = SourceStatus.NOT_CONSENTED
