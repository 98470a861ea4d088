"""Documents a source refused: counted in its status and named in one error per rule.

A refused document (``connectors/answer.py``) is never shown; the viewer is told that the source
left some out and why, so nothing disappears silently. Except under a block: a clinician whose
view a patient's block restricts is told nothing of refused documents, since one of them may be
a record the block withholds, and its count or its error would hint at it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from connectors.registry import SourceResult
from gateway.access import Scope
from gateway.context import Context
from gateway.errors import DocumentRefused


def may_tell(scope: Scope | None) -> bool:
    """Whether this viewer may hear of refused documents (no block restricts their view)."""
    return scope is None or scope.unrestricted or not scope.has_blocks


def report_refusals(info: Info[Context, None], results: Iterable[SourceResult[Any]]) -> None:
    """One ``DOCUMENT_REFUSED`` error per source and rule, on the field that asked."""
    state = info.context.state
    if not may_tell(state.scope):
        return
    for r in results:
        for reason, count in sorted(Counter(x.reason for x in r.refused).items()):
            error = DocumentRefused(r.source, reason, count)
            state.report(
                (r.source, f"{error.code}:{reason}"),
                GraphQLError(error.message, path=info.path.as_list(), extensions=error.extensions),
            )


def refused_counts(scope: Scope | None, results: Iterable[SourceResult[Any]]) -> Counter[str]:
    """How many documents each source refused in this request (empty when ``may_tell`` says no)."""
    counts: Counter[str] = Counter()
    if may_tell(scope):
        for r in results:
            counts[r.source] += len(r.refused)
    return counts
