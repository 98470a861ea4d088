"""The patient's blocks (spærringer) and a clinician's override of them (værdispring)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.errors import BadInputError
from domain.principals import AUTH_ID, SOR_ID
from domain.text import normalise, refusal

CREATOR_ROLES = frozenset({"citizen", "relative"})
OVERRIDE_BASES = frozenset({"consent_now", "patient_unreachable"})
REASON_MIN, REASON_MAX = 10, 1000  # the reason is shown to the patient in Min Log


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

    @classmethod
    def new(
        cls,
        *,
        patient_cpr: str,
        kind: BlockKind | str,
        valid_from: datetime,
        valid_to: datetime | None,
        authorisation_id: str | None,
        sor: str | None,
        include_subunits: bool,
        period_start: datetime | None,
        period_end: datetime | None,
        created_by: str,
        created_by_role: str,
        now: datetime,
    ) -> Block:
        """A new block, or ``BadInputError`` naming the input (as the graph spells it) that
        makes it incoherent. Every block rule is here; the store persists what this made.

        A block missing the one thing it filters by would silently block nothing, so each kind
        needs its own: an authorisation id, a SOR id, or a period with both ends (``[start,
        end)``; a period that never ends would be a block on all future data, which a
        professional or treatment-place block says more honestly).
        """
        kind = BlockKind(kind)
        for name, moment in (
            ("validFrom", valid_from),
            ("validTo", valid_to),
            ("periodStart", period_start),
            ("periodEnd", period_end),
            ("now", now),
        ):
            if moment is not None and moment.utcoffset() is None:
                raise BadInputError(f"'{name}' needs a UTC offset (a timezone).", field=name)
        if valid_to is not None and valid_to <= valid_from:
            raise BadInputError("A block must end after it starts.", field="validTo")
        if created_by_role not in CREATOR_ROLES:
            raise BadInputError("Only the patient or a relative with fuldmagt can create a block.")
        auth = authorisation_id.upper() if authorisation_id else None
        if kind is BlockKind.PROFESSIONAL and (auth is None or not AUTH_ID.fullmatch(auth)):
            raise BadInputError(
                "'authorisationId' must be an authorisation id: 5 characters, digits and "
                "consonants (e.g. 005ML).",
                field="authorisationId",
            )
        if kind is BlockKind.TREATMENT_PLACE and (not sor or not SOR_ID.fullmatch(sor)):
            raise BadInputError("'sor' must be a SOR id (11 to 18 digits).", field="sor")
        if kind is BlockKind.PERIOD:
            if period_start is None:
                raise BadInputError("A period block needs 'periodStart'.", field="periodStart")
            if period_end is None:
                raise BadInputError("A period block needs 'periodEnd'.", field="periodEnd")
            if period_end <= period_start:
                raise BadInputError("'periodEnd' must be after 'periodStart'.", field="periodEnd")
        return cls(
            id=uuid.uuid4().hex,
            patient_cpr=patient_cpr,
            kind=kind,
            valid_from=valid_from,
            valid_to=valid_to,
            authorisation_id=auth if kind is BlockKind.PROFESSIONAL else None,
            sor=sor if kind is BlockKind.TREATMENT_PLACE else None,
            include_subunits=include_subunits and kind is BlockKind.TREATMENT_PLACE,
            period_start=period_start if kind is BlockKind.PERIOD else None,
            period_end=period_end if kind is BlockKind.PERIOD else None,
            created_at=now,
            created_by=created_by,
            created_by_role=created_by_role,
            ended_at=None,
            ended_by=None,
        )

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

    @classmethod
    def new(
        cls,
        *,
        patient_cpr: str,
        authorisation_id: str,
        clinician_name: str,
        sor: str | None,
        basis: str,
        reason: str,
        now: datetime,
        window: timedelta,
    ) -> Override:
        """A new override until ``now + window``, or ``BadInputError``: a known basis, a
        positive window, and a reason of REASON_MIN..REASON_MAX characters that passes the one
        text rule (``domain/text.py``), since the patient reads it."""
        if now.utcoffset() is None:
            raise BadInputError("'now' needs a UTC offset (a timezone).")
        if basis not in OVERRIDE_BASES:
            raise BadInputError(
                f"An override's basis must be one of {sorted(OVERRIDE_BASES)}.", field="basis"
            )
        if window <= timedelta(0):
            raise BadInputError("An override's window must be positive.")
        reason = normalise(reason)
        if not REASON_MIN <= len(reason) <= REASON_MAX:
            raise BadInputError(
                f"A reason of {REASON_MIN} to {REASON_MAX} characters is required.", field="reason"
            )
        problem = refusal(reason, REASON_MAX)
        if problem is not None:
            raise BadInputError(f"The reason {problem}.", field="reason")
        return cls(
            id=uuid.uuid4().hex,
            patient_cpr=patient_cpr,
            authorisation_id=authorisation_id,
            clinician_name=clinician_name,
            sor=sor,
            basis=basis,
            reason=reason,
            granted_at=now,
            expires_at=now + window,
        )
