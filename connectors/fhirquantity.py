"""FHIR R4 ``Quantity`` and ``Range`` read strictly and written out as a person reads them:
``< 53 mmol/mol``, ``4-7 mmol/L`` (written with an en dash), ``≥ 150 min``.
"""

from __future__ import annotations

import math

from connectors.fhirjson import FhirFormatError, Json, opt_str
from domain.records import Quantity

COMPARATORS = frozenset({"<", "<=", ">=", ">"})


def read_quantity(q: Json | None, where: str) -> Quantity | None:
    """An R4 ``Quantity``; ``None`` when absent or empty."""
    if q is None:
        return None
    value = q.get("value")
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
    ):
        raise FhirFormatError(f"{where}.value must be a decimal")
    comparator = opt_str(q, "comparator", where)
    if comparator is not None and comparator not in COMPARATORS:
        raise FhirFormatError(f"{where}.comparator must be one of <, <=, >=, >")
    unit, code = opt_str(q, "unit", where), opt_str(q, "code", where)
    if value is None and unit is None and code is None:
        return None
    return Quantity(
        value=None if value is None else _number(float(value)),
        comparator=comparator,
        unit=unit,
        code=code,
        system=opt_str(q, "system", where),
    )


_SIGN = {"<": "<", "<=": "≤", ">=": "≥", ">": ">"}
_DASH = "\u2013"  # an en dash, as a range is written


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def quantity_text(q: Quantity) -> str:
    parts = [_SIGN[q.comparator]] if q.comparator else []
    if q.value is not None:
        parts.append(q.value)
    if q.unit or q.code:
        parts.append(q.unit or q.code or "")
    return " ".join(parts)


def range_text(low: Quantity | None, high: Quantity | None) -> str:
    """R4 ``Range``: both ends inclusive, either may be missing (``≥ low``, ``≤ high``)."""
    if low is not None and high is not None:
        if (low.unit or low.code) == (high.unit or high.code) and low.value is not None:
            return f"{low.value}{_DASH}{quantity_text(high)}"
        return f"{quantity_text(low)} {_DASH} {quantity_text(high)}"
    if low is not None:
        return f"≥ {quantity_text(low)}"
    assert high is not None
    return f"≤ {quantity_text(high)}"
