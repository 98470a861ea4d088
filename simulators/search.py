"""What the simulated search servers share: the patient parameter, integer parameters and the
400 they answer for a search they refuse (``simulators/fhir.py``, ``simulators/apd.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from aiohttp import web

T = TypeVar("T", int, None)


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
