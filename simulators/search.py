"""What the simulated search servers share: the patient parameter, integer parameters, the
400 they answer for a search they refuse (``simulators/fhir.py``, ``simulators/apd.py``), and
the periods their appointment searches were asked for (``GET /<source>/_searches``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from aiohttp import web

T = TypeVar("T", int, None)
Period = tuple[datetime | None, datetime | None]
SEARCHES = web.AppKey("searches", deque)
KEPT_SEARCHES = 1000  # the latest periods asked for, per source (a soak asks for many)


def install(app: web.Application) -> None:
    """Give ``app`` its log of searched periods and ``GET /_searches`` to read it."""
    app[SEARCHES] = deque(maxlen=KEPT_SEARCHES)
    app.router.add_get("/_searches", searches_handler)


def searched(request: web.Request, ge: datetime | None, lt: datetime | None) -> None:
    """Note the period ``[ge, lt)`` an appointment search asked for (``None``: open)."""
    periods = request.app.get(SEARCHES)
    if periods is not None:
        periods.append((ge, lt))


def periods(app: web.Application) -> list[Period]:
    """The periods ``app``'s appointment searches asked for, oldest first."""
    return list(app.get(SEARCHES, ()))


async def searches_handler(request: web.Request) -> web.Response:
    """The periods asked for, as ``[[ge, lt], ...]`` (ISO 8601, null when open)."""
    return web.json_response(
        [[t.isoformat() if t else None for t in period] for period in periods(request.app)]
    )


class BadSearch(Exception):
    """A search the server refuses with 400 and an OperationOutcome."""


def patient(values: Sequence[str], param: str, system: str) -> str:
    """The CPR number of the one ``param`` value ``<system>|<cpr>``."""
    if len(values) != 1:
        raise BadSearch(f"exactly one {param} is required")
    found, sep, cpr = values[0].partition("|")
    if not sep or found != system or len(cpr) != 10 or not cpr.isdigit():
        raise BadSearch(f"{param} must be {system}|<10-digit CPR number>")
    return cpr


def int_param(request: web.Request, name: str, default: T, lo: int, hi: int) -> int | T:
    """The query parameter ``name`` clamped to ``[lo, hi]``, or ``default`` when absent."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise BadSearch(f"{name} must be a non-negative integer")
    return max(lo, min(hi, int(raw)))
