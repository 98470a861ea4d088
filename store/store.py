"""The gateway's own records: blocks, overrides, self-entered stamkort fields, calendar feeds.

Callers validate what users typed (CPR syntax, authorisation ids, stamkort value shapes); the
store keeps the records whole: each write is one transaction, nothing is ever updated in place
except the end of a block and the stamkort version counter, and concurrent writers are resolved by
the database (conditional UPDATEs and unique keys), so it holds across processes and replicas.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, and_, or_, select, update

from domain.blocks import CREATOR_ROLES, OVERRIDE_BASES, Block, BlockKind, Override
from domain.errors import BadInputError, NotFoundError
from store.db import blocks, overrides
from store.feedstore import FeedStore
from store.stamkortstore import StamkortStore
from store.storebase import require_aware


def _block(row: RowMapping) -> Block:
    return Block(
        id=row["id"],
        patient_cpr=row["patient_cpr"],
        kind=BlockKind(row["kind"]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        authorisation_id=row["authorisation_id"],
        sor=row["sor"],
        include_subunits=bool(row["include_subunits"]),
        period_start=row["period_start"],
        period_end=row["period_end"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        created_by_role=row["created_by_role"],
        ended_at=row["ended_at"],
        ended_by=row["ended_by"],
    )


def _override(row: RowMapping) -> Override:
    return Override(**{name: row[name] for name in Override.__dataclass_fields__})


class Store(StamkortStore, FeedStore):
    """Async access to the gateway's own tables. One per engine; safe to share between tasks.

    Example::

        store = Store(make_engine(settings.database_url))
        blocks = await store.active_blocks("0201919990", at=now)
    """

    # -- blocks ---------------------------------------------------------------------------------

    async def create_block(
        self,
        *,
        patient_cpr: str,
        kind: BlockKind,
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
        """Record a new block. Raises ``BadInputError`` when the block is incoherent."""
        kind = BlockKind(kind)
        require_aware(
            valid_from=valid_from,
            valid_to=valid_to,
            period_start=period_start,
            period_end=period_end,
            now=now,
        )
        if valid_to is not None and valid_to <= valid_from:
            raise BadInputError("A block must end after it starts.")
        if created_by_role not in CREATOR_ROLES:
            raise BadInputError("Only the patient or a relative with fuldmagt can create a block.")
        # A block missing the one thing it filters by would silently block nothing.
        if kind is BlockKind.PROFESSIONAL and not authorisation_id:
            raise BadInputError("A professional block needs an authorisation id.")
        if kind is BlockKind.TREATMENT_PLACE and not sor:
            raise BadInputError("A treatment-place block needs a SOR code.")
        if kind is BlockKind.PERIOD and (
            period_start is None or period_end is None or period_end <= period_start
        ):
            raise BadInputError("A period block needs a period that ends after it starts.")
        block = Block(
            id=uuid.uuid4().hex,
            patient_cpr=patient_cpr,
            kind=kind,
            valid_from=valid_from,
            valid_to=valid_to,
            authorisation_id=authorisation_id if kind is BlockKind.PROFESSIONAL else None,
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
        async with self._writer.begin() as conn:
            await conn.execute(
                blocks.insert().values(
                    {name: getattr(block, name) for name in Block.__dataclass_fields__}
                )
            )
        return block

    async def list_blocks(self, patient_cpr: str) -> list[Block]:
        """All of the patient's blocks, ended ones included, newest first."""
        query = (
            select(blocks)
            .where(blocks.c.patient_cpr == patient_cpr)
            .order_by(blocks.c.created_at.desc(), blocks.c.id.desc())
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_block(row) for row in rows]

    async def active_blocks(self, patient_cpr: str, at: datetime) -> list[Block]:
        """The patient's blocks that apply at ``at`` (see :meth:`Block.active_at`)."""
        require_aware(at=at)
        query = (
            select(blocks)
            .where(
                blocks.c.patient_cpr == patient_cpr,
                blocks.c.valid_from <= at,
                or_(blocks.c.valid_to.is_(None), blocks.c.valid_to > at),
                or_(blocks.c.ended_at.is_(None), blocks.c.ended_at > at),
            )
            .order_by(blocks.c.created_at.desc(), blocks.c.id.desc())
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_block(row) for row in rows]

    async def end_block(
        self, patient_cpr: str, block_id: str, *, ended_by: str, now: datetime
    ) -> Block:
        """End a block from ``now`` on. Ending an ended block changes nothing.

        Raises ``NotFoundError`` when the patient has no block with that id.
        """
        require_aware(now=now)
        match = and_(blocks.c.id == block_id, blocks.c.patient_cpr == patient_cpr)
        async with self._writer.begin() as conn:
            # Conditional on ended_at IS NULL so a second (or racing) end keeps the first one.
            await conn.execute(
                update(blocks)
                .where(match, blocks.c.ended_at.is_(None))
                .values(ended_at=now, ended_by=ended_by)
            )
            row = (await conn.execute(select(blocks).where(match))).mappings().first()
        if row is None:
            raise NotFoundError("No such block.")
        return _block(row)

    # -- overrides ------------------------------------------------------------------------------

    async def create_override(
        self,
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
        """Grant one clinician an override of one patient's blocks until ``now + window``."""
        require_aware(now=now)
        if basis not in OVERRIDE_BASES:
            raise BadInputError(f"An override's basis must be one of {sorted(OVERRIDE_BASES)}.")
        if not reason.strip():
            raise BadInputError("An override needs a reason.")
        if window <= timedelta(0):
            raise BadInputError("An override's window must be positive.")
        override = Override(
            id=uuid.uuid4().hex,
            patient_cpr=patient_cpr,
            authorisation_id=authorisation_id,
            clinician_name=clinician_name,
            sor=sor,
            basis=basis,
            reason=reason.strip(),
            granted_at=now,
            expires_at=now + window,
        )
        async with self._writer.begin() as conn:
            await conn.execute(
                overrides.insert().values(
                    {name: getattr(override, name) for name in Override.__dataclass_fields__}
                )
            )
        return override

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
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _override(row)
