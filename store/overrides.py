"""Clinicians' time-limited overrides (værdispring) of a patient's blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.blocks import Override
from store.database import Database, bounded, require_aware
from store.tables import overrides


def _override(row: RowMapping) -> Override:
    return Override(**{name: row[name] for name in Override.__dataclass_fields__})


class OverrideStore:
    """The overrides repository. One per database; safe to share between tasks."""

    def __init__(self, engine: AsyncEngine, *, timeout_s: float | None = None) -> None:
        self.db = Database(engine, timeout_s=timeout_s)

    @bounded()
    async def add(self, override: Override) -> Override:
        """Record a granted override (made by :meth:`Override.new`, which holds the rules)."""
        async with self.db.writer.begin() as conn:
            await conn.execute(
                overrides.insert().values(
                    {name: getattr(override, name) for name in Override.__dataclass_fields__}
                )
            )
        return override

    @bounded()
    async def active_override(
        self, patient_cpr: str, authorisation_id: str, at: datetime
    ) -> Override | None:
        """The clinician's latest override for the patient that is in force at ``at``, if any."""
        require_aware(at=at)
        query = (
            select(overrides)
            .where(
                overrides.c.patient_cpr == patient_cpr,
                overrides.c.authorisation_id == authorisation_id,
                overrides.c.granted_at <= at,
                overrides.c.expires_at > at,
            )
            .order_by(overrides.c.granted_at.desc(), overrides.c.expires_at.desc())
            .limit(1)
        )
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _override(row)
