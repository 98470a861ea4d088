"""The synthetic population, pinned: a canonical dump of ``build_population`` hashes the same.

The demo, the tests and the benchmark all read this population; a refactoring of
``simulators.population`` must not change a single field, order or generated id. The digests
were taken before the population's tables moved to ``simulators/population_data.json``.
Run ``python -m tests.test_population_pinned`` to print them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime

import pytest

from domain.clock import ShiftedClock
from simulators.population import build_population

PINNED = {
    "2026-07-15T12:00": "fbfa5fd2fec715f0faa61ce2ebf54dfab0edb2c2bc8d0af6422a6f5667a4fe2d",
    "2026-12-28T12:00": "8429747bbed732f27ae45e4d7967e9570435e97803efa607f8e9a592cffda805",
    "2028-02-29T12:00": "61ea71376fefa1b4c1b92f1b0b028ef3401104aec11f38e110797ce4106bc93d",
}


def canon(value: object) -> object:
    """A JSON-ready form that keeps types (tuple or list, dict or defaultdict), field values and
    (except in sets) order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {"__type__": type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = canon(getattr(value, f.name))
        return out
    if isinstance(value, dict):
        items = [[canon(k), canon(v)] for k, v in value.items()]
        return {"__mapping__": type(value).__name__, "items": items}
    if isinstance(value, tuple):
        return {"__tuple__": [canon(v) for v in value]}
    if isinstance(value, list):
        return [canon(v) for v in value]
    if isinstance(value, set | frozenset):
        return {"__set__": sorted(canon(v) for v in value)}  # type: ignore[type-var]
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat(), "tz": str(value.tzinfo)}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    assert value is None or isinstance(value, str | int | bool), type(value)
    return value


def digest(day: str) -> str:
    pop = build_population(clock=ShiftedClock.parse(day))
    text = json.dumps(canon(pop), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(("day", "expected"), sorted(PINNED.items()))
def test_population_is_pinned(day: str, expected: str) -> None:
    assert digest(day) == expected


if __name__ == "__main__":
    for day in PINNED:
        print(day, digest(day))
