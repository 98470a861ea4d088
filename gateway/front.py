"""What stands in front of every route, outermost first: CORS (only for ``[cors]
allow_origins``), the client address's rate limit, and the bound on requests in flight.

CORS is outermost so that it answers preflights and marks every answer, a 429 or 503 too, so a
page of an allowed origin can read it. The address limit comes before admission: a flood from
one address is refused without taking a slot from anybody else.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from domain.settings import Settings
from gateway.admission import Admission, Gate
from gateway.ratelimit import AddressLimit, RateLimits


def front(settings: Settings, gate: Gate, limits: RateLimits) -> list[Middleware]:
    """The middleware list for Starlette (outermost first)."""
    stack = [Middleware(AddressLimit, limits=limits), Middleware(Admission, gate=gate)]
    if settings.cors.allow_origins:
        cors = Middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors.allow_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["Retry-After"],
            allow_credentials=False,  # bearer tokens, never cookies
            max_age=settings.cors.max_age_s,
        )
        stack.insert(0, cors)
    return stack
