"""``/metrics``: the gateway's Prometheus metrics, and the request histogram's bounded labels.

Metrics are declared like loggers, once per module on prometheus_client's default registry, in
the layer that observes them: ``connectors/metrics.py`` (sources, breakers, the record cache),
``store/metrics.py`` (database calls, access-log appends), ``resolvers/telemetry.py`` (withheld
fields) and here (requests). No label ever holds patient data: labels are configured source ids,
route templates, outcome names of our own, and GraphQL operation names bounded by
``OperationNames``.

- ``spo_request_seconds{route, operation, outcome}``: one HTTP request, by route template
  (``/graphql``, ``/calendar/[secret].ics``, …, ``other``), operation (empty when none ran)
  and outcome: ``ok``; ``partial`` (data and errors); ``error`` (errors, no data); ``rejected``
  (a 4xx before or instead of execution); ``failed`` (a 5xx).
- ``spo_worker_up``: 1 per serving process (with several workers, one sample per live worker,
  labelled ``pid``: how a scrape shows it speaks for all of them).

Several workers (``spo serve --workers N``): the supervisor points ``PROMETHEUS_MULTIPROC_DIR``
at a fresh directory before it starts them (``gateway/workers.py``), so each worker writes its
values there and any worker's ``/metrics`` answers for all of them: counters and histograms are
summed over workers, breaker gauges are the maximum over live ones.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

REQUEST_SECONDS = Histogram(
    "spo_request_seconds",
    "Time of one HTTP request, by route, GraphQL operation and outcome.",
    ["route", "operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0),
)
WORKER_UP = Gauge(
    "spo_worker_up", "1 while this gateway process serves.", multiprocess_mode="liveall"
)
ANONYMOUS = "anonymous"
OTHER = "other"
# A plain GraphQL name of at most 64 characters, with no run of five digits or more: no CPR
# number, date or other identifier fits in one.
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_DIGITS = re.compile(r"[0-9]{5}")


class OperationNames:
    """The label value for an operation name, from a bounded set.

    ``known`` names are always themselves; besides them the first ``cap`` other plain names
    this process sees are; any other name is ``other``, a missing one ``anonymous``. A client
    chooses the name, so neither its text nor the number of names can grow without bound.
    """

    def __init__(self, known: Iterable[str] = (), cap: int = 50) -> None:
        self.known = frozenset(n for n in known if self._plain(n))
        self.cap = cap
        self.seen: set[str] = set()

    @staticmethod
    def _plain(name: str) -> bool:
        return bool(_PLAIN.fullmatch(name)) and not _DIGITS.search(name)

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self.known or name in self.seen:
            return name
        if len(self.seen) < self.cap and self._plain(name):
            self.seen.add(name)
            return name
        return OTHER


def registry() -> CollectorRegistry:
    """The registry to expose: every worker's values in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        return merged
    return REGISTRY


async def metrics(request: Request) -> Response:
    """Prometheus text exposition of every metric (see the module docstring)."""
    return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)
