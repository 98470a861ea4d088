"""The patient's blocks (spærringer) and a clinician's override of them (værdispring)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

CREATOR_ROLES = frozenset({"citizen", "relative"})
OVERRIDE_BASES = frozenset({"consent_now", "patient_unreachable"})


class BlockKind(StrEnum):
    """What a block filters by: who views, where data came from, or when it is from."""

    PROFESSIONAL = "professional"
    TREATMENT_PLACE = "treatment_place"
    PERIOD = "period"


@dataclass(frozen=True, slots=True)
class Block:
    """A patient's block (spærring). Ended blocks are kept, with who ended them and when."""

    id: str
    patient_cpr: str
    kind: BlockKind
    valid_from: datetime
    valid_to: datetime | None
    authorisation_id: str | None
    sor: str | None
    include_subunits: bool
    period_start: datetime | None
    period_end: datetime | None
    created_at: datetime
    created_by: str
    created_by_role: str
    ended_at: datetime | None
    ended_by: str | None

    def active_at(self, at: datetime) -> bool:
        """Whether the block applies at ``at``: within its validity and not yet ended."""
        if at < self.valid_from or (self.valid_to is not None and at >= self.valid_to):
            return False
        return self.ended_at is None or at < self.ended_at


@dataclass(frozen=True, slots=True)
class Override:
    """A clinician's time-limited override (værdispring) of one patient's blocks."""

    id: str
    patient_cpr: str
    authorisation_id: str
    clinician_name: str
    sor: str | None
    basis: str
    reason: str
    granted_at: datetime
    expires_at: datetime
