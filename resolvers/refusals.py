"""Documents a source refused: counted in its status and named in one error per rule.

A refused document (``connectors/answer.py``) is never shown; the patient and their fuldmagt
relatives are told that the source left some out and why, so nothing disappears silently. A
clinician is not (unless overriding the patient's blocks): a refused document's owner and date
cannot be read, so it may be one a block withholds, and its count would hint at it. Nor may
whether a clinician is told depend on whether blocks exist, or a new block would show itself
by the count going quiet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from connectors.registry import SourceResult
from domain.access import Scope
from domain.errors import DocumentRefused
from domain.principals import Clinician, Principal
from resolvers.context import Context


def may_tell(principal: Principal, scope: Scope | None) -> bool:
    """Whether this viewer may hear of refused documents: never blocked, or overriding."""
    if not isinstance(principal, Clinician):
        return True
    return scope is not None and scope.override is not None


def report_refusals(info: Info[Context, None], results: Iterable[SourceResult[Any]]) -> None:
    """One ``DOCUMENT_REFUSED`` error per source and rule, on the field that asked."""
    state = info.context.state
    if not may_tell(info.context.principal, state.scope):
        return
    for r in results:
        for reason, count in sorted(Counter(x.reason for x in r.refused).items()):
            error = DocumentRefused(r.source, reason, count)
            state.report(
                (r.source, f"{error.code}:{reason}"),
                GraphQLError(error.message, path=info.path.as_list(), extensions=error.extensions),
            )


def refused_counts(
    principal: Principal, scope: Scope | None, results: Iterable[SourceResult[Any]]
) -> Counter[str]:
    """How many documents each source refused in this request (none when ``may_tell`` says no)."""
    counts: Counter[str] = Counter()
    if may_tell(principal, scope):
        for r in results:
            counts[r.source] += len(r.refused)
    return counts
