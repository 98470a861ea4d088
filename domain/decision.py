"""The access decision over one request's plain records, made once.

The overview's pipeline (``resolvers/pipeline.py``) fetches what the query selected, then hands
the records of each part (appointments, plans, goals, the stamkort's entered values and edits)
to :func:`decide_part`; the :class:`Decision` it builds is all the guarded fields and ``notices``
read. It decides on ``Origin`` alone (``domain/access.py``), with the SOR chains the fetch stage
looked up; nothing here does I/O, and nothing decides again later.

Fail closed: a record whose unit's SOR chain is unknown while a sub-unit block is active is
withheld, and a part whose decision raises is withheld whole (and only that part).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from domain.access import Category, Scope, category_denied, decide
from domain.records import Origin

log = logging.getLogger(__name__)


class Dated(Protocol):
    """Anything the decision can look at: a record with an origin."""

    @property
    def origin(self) -> Origin: ...


R = TypeVar("R", bound=Dated)
Chains = Mapping[str, "tuple[str, ...] | None"]


@dataclass(frozen=True, slots=True)
class Verdict(Generic[R]):
    """One part's records as the viewer may see them, and whether any was withheld.

    ``failed``: the decision could not be made; the part is withheld whole.
    """

    visible: tuple[R, ...]
    withheld: bool
    failed: bool = False


def needed_sors(scope: Scope, origins: Iterable[Origin]) -> set[str]:
    """The SOR units whose ancestors the decision needs (none unless a sub-unit block is on)."""
    if scope.unrestricted or not scope.needs_sor_tree:
        return set()
    return {o.sor for o in origins if o.sor}


def decide_part(
    scope: Scope, category: Category, records: Sequence[R], chains: Chains
) -> Verdict[R]:
    """``records`` less what the scope's blocks hide in ``category``."""
    if scope.unrestricted or not scope.has_blocks:
        return Verdict(tuple(records), False)
    if category_denied(scope, category):
        return Verdict((), True)
    try:
        visible = tuple(r for r in records if _keep(scope, category, r.origin, chains))
    except Exception:
        # The viewer sees what any withheld field shows: an error that came only with certain
        # blocks would tell them apart. Logged without the records.
        log.exception("access decision failed for %s; withheld", category.value)
        return Verdict((), True, failed=True)
    return Verdict(visible, len(visible) != len(records))


def _keep(scope: Scope, category: Category, origin: Origin, chains: Chains) -> bool:
    if scope.needs_sor_tree and origin.sor:
        chain = chains.get(origin.sor)
        if chain is None:
            return False  # SOR tree unknown while a sub-unit block is active: fail closed
        return decide(scope, category, origin, chain)
    return decide(scope, category, origin)


@dataclass(slots=True)
class Decision:
    """What one request may show: each fetched part's verdict, and the denied categories."""

    scope: Scope
    verdicts: dict[str, Verdict[Dated]] = field(default_factory=dict)

    def denied(self, category: Category) -> bool:
        return category_denied(self.scope, category)

    def withheld(self, part: str) -> bool:
        verdict = self.verdicts.get(part)
        return verdict is not None and verdict.withheld

    @property
    def anything_withheld(self) -> bool:
        """For the notice: true when any part lost a record, or a category is denied."""
        if self.scope.unrestricted or not self.scope.has_blocks:
            return False
        return any(v.withheld for v in self.verdicts.values()) or any(
            self.denied(c) for c in Category
        )
