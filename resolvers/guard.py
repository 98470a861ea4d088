"""The blocking directive: declared on each guarded field, enforced by its field extension.

``@guarded(category: …)`` shows in ``schema.graphql`` exactly which fields the patient's blocks
govern. The decision itself was made once, over plain records, by the overview's pipeline
(``resolvers/pipeline.py`` → ``domain/decision.py``); the guard only reads it. Before the field
resolves, :func:`check` — synchronous, pure, no I/O — withholds the whole field when its category
is denied or its part's decision failed, and reports the field's path with ``BLOCKED_BY_PATIENT``
when its part lost a record; the field itself then shows only the visible records. The guard
also tells the access log which categories were returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location
from strawberry.types import Info

from domain.access import Category
from domain.decision import Decision
from domain.errors import BlockedError
from resolvers.context import Context, RequestState
from resolvers.types import DataCategory

WITHHELD_MESSAGE = (
    "Some information is withheld at the patient's request. "
    "With the patient's consent, or if the patient cannot be contacted, you may override."
)
# Which decided part a guarded field shows: a fixed name, or one made from its arguments.
PartOf = Callable[[dict[str, Any]], str]


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    # Strawberry does not carry descriptions of a schema directive's arguments: said here.
    description="The patient's blocks (spærringer) govern this field: `category` is the data "
    "category a block withholds.",
)
class Guarded:
    category: DataCategory


def withhold(state: RequestState, path: list[str | int]) -> None:
    """Report ``path`` as withheld (the notice says only *that*, never what)."""
    state.withheld = True
    state.report(
        ("withheld", "/".join(map(str, path))),
        GraphQLError(
            WITHHELD_MESSAGE, path=path, extensions=BlockedError(WITHHELD_MESSAGE).extensions
        ),
    )


def check(
    state: RequestState,
    category: Category,
    part: str,
    path: list[str | int],
    decision: Decision | None = None,
) -> bool:
    """Whether the field may resolve at all; reports its path when anything of it is withheld.
    ``decision``: the one of the overview the field belongs to (else the request's)."""
    decision = decision or state.decision
    if decision is None:
        raise RuntimeError("guarded field resolved without an access decision")
    verdict = decision.verdicts.get(part)
    if decision.denied(category) or (verdict is not None and verdict.failed):
        withhold(state, path)
        return False  # and nothing of it was fetched (denied) or is shown (failed)
    if verdict is not None and verdict.withheld:
        withhold(state, path)
    if state.audit is not None:
        state.audit.categories.add(category)
    return True


class GuardExtension(FieldExtension):
    """Enforces ``@guarded``. Holds only its category and part: per-request state lives in the
    context."""

    def __init__(self, category: Category, part: str | PartOf) -> None:
        self.category = category
        self.part = part

    async def resolve_async(
        self, next_: Any, source: Any, info: Info[Context, None], **kwargs: Any
    ) -> Any:
        part = self.part if isinstance(self.part, str) else self.part(kwargs)
        # A query may select several overviews, which run at once: each field reads its own
        # overview's decision, not whichever was made last for the request.
        own = getattr(source, "decision", None)
        own = own if isinstance(own, Decision) else None
        if not check(info.context.state, self.category, part, info.path.as_list(), own):
            return None
        return await next_(source, info, **kwargs)


def guarded(category: Category, description: str, *, part: str | PartOf) -> Any:
    """A field governed by the patient's blocks in ``category``, showing the decided ``part``
    (use as a resolver decorator)."""
    return strawberry.field(
        description=description,
        directives=[Guarded(category=category)],
        extensions=[GuardExtension(category, part)],
    )
