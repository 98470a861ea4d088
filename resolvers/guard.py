"""The blocking directive: declared on each guarded field, enforced by its field extension.

``@guarded(category: …)`` shows in ``schema.graphql`` exactly which fields the patient's blocks
govern. Its extension runs only on those fields: it asks ``domain/access.py`` — the one decision —
about each record the field would return, drops what is hidden, reports the field's path with
``BLOCKED_BY_PATIENT``, and tells the access log which categories were returned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol, Self

import strawberry
from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location
from strawberry.types import Info

from domain.access import Category, Scope, category_denied, decide
from domain.errors import BlockedError
from domain.records import Origin
from resolvers.context import Context
from resolvers.types import DataCategory

log = logging.getLogger(__name__)
WITHHELD_MESSAGE = (
    "Some information is withheld at the patient's request. "
    "With the patient's consent, or if the patient cannot be contacted, you may override."
)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The patient's blocks (spærringer) govern this field's data category.",
)
class Guarded:
    category: DataCategory


class Restrictable(Protocol):
    """A guarded value that can drop the records a block hides."""

    def origins(self) -> Iterable[Origin]: ...

    def restrict(self, keep: Any) -> tuple[Self, bool]: ...


def _origins(value: list[Any] | Restrictable) -> Iterable[Origin]:
    if isinstance(value, list):
        return [item.origin for item in value]
    return value.origins()


def withhold(info: Info[Context, None]) -> None:
    """Report ``info``'s path as withheld (the notice says only *that*, never what)."""
    state = info.context.state
    state.withheld = True
    path = info.path.as_list()
    state.report(
        ("withheld", "/".join(map(str, path))),
        GraphQLError(
            WITHHELD_MESSAGE, path=path, extensions=BlockedError(WITHHELD_MESSAGE).extensions
        ),
    )


async def restrict(
    ctx: Context, scope: Scope, category: Category, value: list[Any] | Restrictable
) -> tuple[Any, bool]:
    """``value`` without what the scope's blocks hide in ``category``, and whether anything was.

    ``value`` is a list of items with an ``origin`` or a ``Restrictable``.
    """
    if scope.unrestricted or not scope.has_blocks:
        return value, False
    chains: dict[str, tuple[str, ...] | None] = {}
    if scope.needs_sor_tree:
        sors = {o.sor for o in _origins(value) if o.sor}
        chains = await ctx.services.sources.ancestors_of(sors)

    def keep(origin: Origin) -> bool:
        chain = chains.get(origin.sor or "", ())
        if chain is None:
            return False  # SOR tree unknown while a sub-unit block is active: fail closed
        return decide(scope, category, origin, chain)

    if isinstance(value, list):
        kept = [item for item in value if keep(item.origin)]
        return kept, len(kept) != len(value)
    return value.restrict(keep)


class GuardExtension(FieldExtension):
    """Enforces ``@guarded``. Holds only its category: per-request state lives in the context."""

    def __init__(self, category: Category) -> None:
        self.category = category

    async def resolve_async(
        self, next_: Any, source: Any, info: Info[Context, None], **kwargs: Any
    ) -> Any:
        ctx = info.context
        scope: Scope | None = ctx.state.scope
        if scope is None:
            raise RuntimeError("guarded field resolved without an access scope")
        if category_denied(scope, self.category):
            withhold(info)
            return None  # and nothing was fetched: the root resolver saw the same decision
        value = await next_(source, info, **kwargs)
        if value is None:
            return None
        try:
            value, hidden = await restrict(ctx, scope, self.category, value)
        except Exception:
            # Fail closed, for this field only: nothing of it leaves, and the viewer sees what any
            # withheld field shows (an error that only came with certain blocks would tell them
            # apart). An override still opens it: then no decision is needed.
            log.exception(
                "request %s: access decision failed; field withheld", ctx.state.request_id
            )
            withhold(info)
            return None
        if hidden:
            withhold(info)
        if ctx.state.audit is not None:
            ctx.state.audit.categories.add(self.category)
        return value


def guarded(category: Category, description: str) -> Any:
    """A field governed by the patient's blocks in ``category`` (use as a resolver decorator)."""
    return strawberry.field(
        description=description,
        directives=[Guarded(category=category)],
        extensions=[GuardExtension(category)],
    )
