"""Who may see what: tenancy and the patient's blocks, as pure functions.

``may_view`` is the tenancy rule (which patient a principal may look at at all). ``decide`` is the
one decision for a record: given the viewer, the patient's active blocks and override, a data
category and the record's origin (owning SOR unit with its SOR ancestors, and when it is dated),
is the record visible? The blocking directive's field extension (``resolvers/guard.py``) calls it on
each guarded field; nothing else decides.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from domain.blocks import Block, BlockKind, Override
from domain.errors import ForbiddenError
from domain.principals import Citizen, Clinician, Principal, Relative
from domain.records import Origin


class Category(enum.StrEnum):
    """The data categories a block and the access log speak of."""

    APPOINTMENTS = "appointments"
    STAMKORT = "stamkort"
    PLANS = "plans"


def may_view(principal: Principal, cpr: str, today: date) -> None:
    """Raise ``ForbiddenError`` unless ``principal`` may look at patient ``cpr`` at all."""
    if isinstance(principal, Citizen):
        if principal.cpr != cpr:
            raise ForbiddenError("Citizens can only see their own overview.")
    elif isinstance(principal, Relative):
        if principal.patient_cpr != cpr:
            raise ForbiddenError("Your power of attorney (fuldmagt) does not cover this patient.")
        if not principal.fuldmagt_valid(today):
            raise ForbiddenError("Your power of attorney (fuldmagt) is not valid today.")
    elif principal.patient_cpr != cpr:
        raise ForbiddenError(
            "This patient is not in your treatment context; open the patient from your EPJ."
        )


def may_manage(principal: Principal, cpr: str, today: date) -> Citizen | Relative:
    """Blocks are the patient's (or their fuldmagt relative's) to create and end."""
    if isinstance(principal, Clinician):
        raise ForbiddenError("Only the patient or a relative with fuldmagt can manage blocks.")
    may_view(principal, cpr, today)
    return principal


@dataclass(frozen=True, slots=True)
class Scope:
    """Everything ``decide`` needs about one request for one patient."""

    principal: Principal
    blocks: tuple[Block, ...]
    override: Override | None
    now: datetime

    @property
    def unrestricted(self) -> bool:
        """Patients and relatives are never blocked; an override lifts every block."""
        return not isinstance(self.principal, Clinician) or self.override is not None

    @property
    def has_blocks(self) -> bool:
        return any(b.active_at(self.now) for b in self.blocks)

    @property
    def may_hide_stamkort_edits(self) -> bool:
        """Only a treatment-place block hides single stamkort edits from this viewer (a period
        block spares the stamkort, a professional block withholds all of it)."""
        return not self.unrestricted and any(
            b.kind is BlockKind.TREATMENT_PLACE and b.active_at(self.now) for b in self.blocks
        )

    @property
    def needs_sor_tree(self) -> bool:
        """Only sub-unit blocks need the SOR ancestors of each record's organisation."""
        return any(
            b.kind is BlockKind.TREATMENT_PLACE and b.include_subunits and b.active_at(self.now)
            for b in self.blocks
        )


def category_denied(scope: Scope, category: Category) -> bool:
    """A health-professional block withholds every category from that professional."""
    if scope.unrestricted:
        return False
    viewer = scope.principal
    assert isinstance(viewer, Clinician)
    return any(
        b.kind is BlockKind.PROFESSIONAL
        and b.authorisation_id == viewer.authorisation_id
        and b.active_at(scope.now)
        for b in scope.blocks
    )


def _in_period(block: Block, origin: Origin) -> bool:
    # Overlap, not containment, of half-open spans: a stay that reaches into the blocked period
    # is dated in it; one that ends as the period begins is not.
    return block.period_start is not None and origin.dated_in(block.period_start, block.period_end)


def _at_place(block: Block, chain: Iterable[str]) -> bool:
    chain = tuple(chain)
    if not chain or block.sor is None:
        return False
    if block.include_subunits:
        return block.sor in chain
    return chain[0] == block.sor


def decide(
    scope: Scope, category: Category, origin: Origin, ancestors: tuple[str, ...] = ()
) -> bool:
    """Is a record of ``category`` from ``origin`` visible to the scope's viewer?

    ``ancestors`` are the SOR units above ``origin.sor``, nearest first (needed only when a
    sub-unit block is active). Period blocks apply to appointments and plans, not to the stamkort.
    """
    if scope.unrestricted:
        return True
    if category_denied(scope, category):
        return False
    chain = (origin.sor, *ancestors) if origin.sor else ()
    for block in scope.blocks:
        if not block.active_at(scope.now):
            continue
        if block.kind is BlockKind.TREATMENT_PLACE and _at_place(block, chain):
            return False
        if (
            block.kind is BlockKind.PERIOD
            and category is not Category.STAMKORT
            and _in_period(block, origin)
        ):
            return False
    return True
