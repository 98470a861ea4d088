"""What the store times, as Prometheus metrics (``gateway/metrics.py`` serves them).

Declared once here, like loggers, and observed by ``store/database.py`` ``bounded``, which every
repository call wears. Labels are the repository method's name and an outcome of our own.

- ``spo_store_call_seconds{call, outcome}``: one repository call (``call`` is e.g.
  ``BlockStore.blocks_for``; ``outcome`` ``ok``, ``unavailable`` — the database failed or ran
  out of time — or ``refused``, the gateway's own error such as bad input).
- ``spo_audit_append_seconds{outcome}``: one access-log append (a view or a refused attempt),
  queueing for its group commit included: what every response waits for before it leaves.
"""

from __future__ import annotations

from prometheus_client import Histogram

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

STORE_SECONDS = Histogram(
    "spo_store_call_seconds",
    "Time of one call to the gateway's own database, by repository method and outcome.",
    ["call", "outcome"],
    buckets=BUCKETS,
)
AUDIT_APPEND_SECONDS = Histogram(
    "spo_audit_append_seconds",
    "Time of one access-log append, group-commit queueing included, by outcome.",
    ["outcome"],
    buckets=BUCKETS,
)
