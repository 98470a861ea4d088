"""What the connectors count and time, as Prometheus metrics (``gateway/metrics.py`` serves them).

Metrics are declared here once, like loggers: module-level objects on prometheus_client's default
registry, touched by ``connectors/http.py`` and ``connectors/cache.py``. Labels are only ever
configured source ids, outcome names of our own and the fixed kinds of cache key — never a
patient, a URL or a query.

- ``spo_source_request_seconds{source}``: one source fetch, retries and backoff included.
- ``spo_source_requests_total{source, outcome}``: fetches by outcome (``ok``, ``timeout``,
  ``unavailable``, ``bad_response``, ``circuit_open``, ``not_consented``).
- ``spo_source_attempts_total{source}``: HTTP attempts (a retried fetch makes several).
- ``spo_upstream_circuit_open{source}``: 1 while the source's breaker is not closed (with several
  workers: in any live worker).
- ``spo_cache_lookups_total{kind, result}``: record-cache lookups, ``hit``, ``miss`` (the source
  was asked) or ``stale`` (it failed and an older value was served), by the kind of record.
- ``spo_cache_errors_total{op}``: cache reads and writes that failed (or were skipped while
  the cache's breaker is open: ``op="skipped"``).
- ``spo_cache_circuit_open``: 1 while the cache's own breaker is not closed.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# From a warm cache hit's upstream-free path to a slow source's whole timeout.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

SOURCE_SECONDS = Histogram(
    "spo_source_request_seconds",
    "Time of one fetch from a source, retries and backoff included.",
    ["source"],
    buckets=LATENCY_BUCKETS,
)
SOURCE_REQUESTS = Counter(
    "spo_source_requests", "Fetches from a source by outcome.", ["source", "outcome"]
)
SOURCE_ATTEMPTS = Counter(
    "spo_source_attempts", "HTTP attempts to a source (retries included).", ["source"]
)
CIRCUIT_OPEN = Gauge(
    "spo_upstream_circuit_open",
    "1 while the source's circuit breaker is open or half-open.",
    ["source"],
    multiprocess_mode="livemax",
)
CACHE_LOOKUPS = Counter(
    "spo_cache_lookups", "Record-cache lookups by kind of record and result.", ["kind", "result"]
)
CACHE_ERRORS = Counter(
    "spo_cache_errors", "Record-cache operations that failed or were skipped.", ["op"]
)
CACHE_CIRCUIT_OPEN = Gauge(
    "spo_cache_circuit_open",
    "1 while the record cache's circuit breaker is open or half-open.",
    multiprocess_mode="livemax",
)


def key_kind(key: str) -> str:
    """The kind of record a cache key is for: its first segment (``appointments``, ``cpr``, …),
    which the callers in ``connectors/registry.py`` fix; never the patient in it."""
    return key.partition(":")[0]
