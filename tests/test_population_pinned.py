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
    "2026-07-15T12:00": "9b57463a43ed4043da58620963b333c3558d4a6535674f067ccdbf15979fd2a3",
    "2026-12-28T12:00": "6cc1c4dc8011ec297e5efb4d91b44b940359892d6cff92e03fb87d9b5ffb4770",
    "2028-02-29T12:00": "8914c1c43522393cff145aaf30c625aef69dc3684dc40bfb5ec57f1732ee63d9",
}


def canon(value: object) -> object:
    """A JSON-ready form that keeps types, field values and (except in sets) order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {"__type__": type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = canon(getattr(value, f.name))
        return out
    if isinstance(value, dict):
        return {"__dict__": [[canon(k), canon(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
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
