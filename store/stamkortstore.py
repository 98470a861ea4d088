"""Self-entered stamkort fields: every value kept with its provenance, edits versioned."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, RowMapping, Update, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.entered import Provenance, StamkortState, StamkortValue
from domain.errors import BadInputError, StaleEditError
from store.database import Database, bounded, insert_for, require_aware
from store.tables import stamkort_heads, stamkort_values


def _stamkort_value(row: RowMapping) -> StamkortValue:
    return StamkortValue(
        field=row["field"],
        value=json.loads(row["value"]),
        version=row["version"],
        entered_at=row["entered_at"],
        provenance=Provenance(
            id=row["entered_by_id"],
            name=row["entered_by_name"],
            role=row["entered_by_role"],
            org_sor=row["entered_by_org_sor"],
            org_name=row["entered_by_org_name"],
        ),
    )


class StamkortStore:
    """The patient's self-entered stamkort fields (a repository)."""

    def __init__(self, engine: AsyncEngine, *, timeout_s: float | None = None) -> None:
        self.db = Database(engine, timeout_s=timeout_s)

    @bounded()
    async def stamkort(self, patient_cpr: str) -> StamkortState:
        """The patient's self-entered stamkort fields (version 0 and no values when none)."""
        async with self.db.engine.connect() as conn:
            return await self._stamkort(conn, patient_cpr)

    async def _stamkort(self, conn: AsyncConnection, patient_cpr: str) -> StamkortState:
        version = await conn.scalar(
            select(stamkort_heads.c.version).where(stamkort_heads.c.patient_cpr == patient_cpr)
        )
        latest = (
            select(stamkort_values.c.field, func.max(stamkort_values.c.version).label("version"))
            .where(stamkort_values.c.patient_cpr == patient_cpr)
            .group_by(stamkort_values.c.field)
            .subquery()
        )
        query = select(stamkort_values).join(
            latest,
            and_(
                stamkort_values.c.patient_cpr == patient_cpr,
                stamkort_values.c.field == latest.c.field,
                stamkort_values.c.version == latest.c.version,
            ),
        )
        rows = (await conn.execute(query)).mappings().all()
        values = {v.field: v for v in map(_stamkort_value, rows) if v.value is not None}
        return StamkortState(version=version or 0, values=dict(sorted(values.items())))

    @bounded()
    async def update_stamkort(
        self,
        patient_cpr: str,
        *,
        expected_version: int,
        changes: dict[str, Any],
        provenance: Provenance,
        now: datetime,
    ) -> StamkortState:
        """Apply ``changes`` (field -> JSON value; ``None`` clears) if nobody edited in between.

        Raises ``StaleEditError`` (with ``current_version``) when the stamkort is no longer at
        ``expected_version``; nothing is written then.
        """
        require_aware(now=now)
        if not changes:
            raise BadInputError("Nothing to change.")
        try:
            encoded = {
                name: json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)
                for name, value in changes.items()
            }
        except (TypeError, ValueError) as exc:
            raise BadInputError("A stamkort value must be plain JSON data.") from exc
        new_version = expected_version + 1
        async with self.db.writer.begin() as conn:
            # The version check and bump are one conditional statement, so of two racing edits
            # based on the same version exactly one matches; the loser changes nothing.
            claim: Insert | Update
            if expected_version == 0:
                claim = (
                    insert_for(conn, stamkort_heads)
                    .values(patient_cpr=patient_cpr, version=1)
                    .on_conflict_do_nothing(index_elements=["patient_cpr"])
                )
            else:
                claim = (
                    update(stamkort_heads)
                    .where(
                        stamkort_heads.c.patient_cpr == patient_cpr,
                        stamkort_heads.c.version == expected_version,
                    )
                    .values(version=new_version)
                )
            if (await conn.execute(claim)).rowcount != 1:
                current = await conn.scalar(
                    select(stamkort_heads.c.version).where(
                        stamkort_heads.c.patient_cpr == patient_cpr
                    )
                )
                raise StaleEditError(
                    f"The stamkort was changed by someone else since version {expected_version};"
                    " reload and try again.",
                    current_version=current or 0,
                )
            await conn.execute(
                stamkort_values.insert(),
                [
                    {
                        "patient_cpr": patient_cpr,
                        "field": name,
                        "value": value,
                        "version": new_version,
                        "entered_at": now,
                        "entered_by_id": provenance.id,
                        "entered_by_name": provenance.name,
                        "entered_by_role": provenance.role,
                        "entered_by_org_sor": provenance.org_sor,
                        "entered_by_org_name": provenance.org_name,
                    }
                    for name, value in encoded.items()
                ],
            )
            return await self._stamkort(conn, patient_cpr)

    @bounded()
    async def stamkort_entries(self, patient_cpr: str) -> list[StamkortValue]:
        """Every value ever entered in any field, oldest version first (who made each edit)."""
        query = (
            select(stamkort_values)
            .where(stamkort_values.c.patient_cpr == patient_cpr)
            .order_by(stamkort_values.c.version, stamkort_values.c.field)
        )
        return [_stamkort_value(row) for row in await self.db.rows(query)]

    @bounded()
    async def stamkort_history(self, patient_cpr: str, field: str) -> list[StamkortValue]:
        """Every value ever entered for one field, clearings included, newest first."""
        query = (
            select(stamkort_values)
            .where(stamkort_values.c.patient_cpr == patient_cpr, stamkort_values.c.field == field)
            .order_by(stamkort_values.c.version.desc())
        )
        return [_stamkort_value(row) for row in await self.db.rows(query)]
