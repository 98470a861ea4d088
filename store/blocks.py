"""The patients' blocks (spærringer): created, listed, read where they apply, ended.

Each write is one transaction; a block is never updated in place except its end, and concurrent
enders are resolved by a conditional UPDATE, so it holds across processes and replicas.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import RowMapping, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.blocks import Block, BlockKind
from domain.errors import NotFoundError
from store.database import Database, bounded, require_aware
from store.tables import blocks


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


class BlockStore:
    """The blocks repository. One per database; safe to share between tasks."""

    def __init__(self, engine: AsyncEngine, *, timeout_s: float | None = None) -> None:
        self.db = Database(engine, timeout_s=timeout_s)

    @bounded()
    async def add(self, block: Block) -> Block:
        """Record a new block (made by :meth:`Block.new`, which holds the rules)."""
        async with self.db.writer.begin() as conn:
            await conn.execute(
                blocks.insert().values(
                    {name: getattr(block, name) for name in Block.__dataclass_fields__}
                )
            )
        return block

    @bounded()
    async def list_blocks(self, patient_cpr: str) -> list[Block]:
        """All of the patient's blocks, ended ones included, newest first."""
        query = (
            select(blocks)
            .where(blocks.c.patient_cpr == patient_cpr)
            .order_by(blocks.c.created_at.desc(), blocks.c.id.desc())
        )
        return [_block(row) for row in await self.db.rows(query)]

    @bounded()
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
        return [_block(row) for row in await self.db.rows(query)]

    @bounded()
    async def end_block(
        self, patient_cpr: str, block_id: str, *, ended_by: str, now: datetime
    ) -> Block:
        """End a block from ``now`` on. Ending an ended block changes nothing.

        Raises ``NotFoundError`` when the patient has no block with that id.
        """
        require_aware(now=now)
        match = and_(blocks.c.id == block_id, blocks.c.patient_cpr == patient_cpr)
        async with self.db.writer.begin() as conn:
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
