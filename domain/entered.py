"""Self-entered stamkort values with their provenance (who entered each, in which role, when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.records import Origin


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who entered a stamkort value: ``id`` is a CPR or a clinician's authorisation id."""

    id: str
    name: str
    role: str
    org_sor: str | None = None
    org_name: str | None = None


@dataclass(frozen=True, slots=True)
class StamkortValue:
    """One entered value of a self-entered stamkort field (``None`` = the field was cleared)."""

    field: str
    value: Any
    version: int
    entered_at: datetime
    provenance: Provenance

    @property
    def origin(self) -> Origin:
        """Only values entered by a clinician belong to a treatment place; dated when entered."""
        p = self.provenance
        return Origin(
            p.org_sor if p.role == "clinician" else None, self.entered_at, self.entered_at
        )


@dataclass(frozen=True, slots=True)
class StamkortState:
    """The current self-entered fields and the version an edit must be based on."""

    version: int
    values: dict[str, StamkortValue]
