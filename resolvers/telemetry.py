"""What a GraphQL operation tells the request's telemetry: its name and what it withheld.

``ReportErrors`` (``resolvers/reporting.py``) calls ``note_operation`` once per operation. The
name goes into the ASGI scope for the gateway's request metrics and span
(``gateway/observe.py`` bounds it before it becomes a label); withheld fields are counted —
how many paths, never which patient or which block.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter

from resolvers.context import RequestState

OPERATION = "spo.operation"  # ASGI scope key: the operation's name (None when anonymous)
WITHHELD_FIELDS = Counter(
    "spo_withheld_fields",
    "Field paths reported BLOCKED_BY_PATIENT (the patient's blocks withheld some or all of it).",
)
WITHHELD_REQUESTS = Counter(
    "spo_withheld_requests", "GraphQL operations in which anything was withheld."
)


def note_operation(request: Any, name: str | None, state: RequestState) -> None:
    """Record the operation's name on ``request``'s scope and count what it withheld."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict):
        scope[OPERATION] = name
    if state.withheld:
        WITHHELD_REQUESTS.inc()
        WITHHELD_FIELDS.inc(sum(1 for kind, _ in state.reported if kind == "withheld"))
