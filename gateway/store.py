"""The gateway's own records: blocks, overrides, self-entered stamkort fields, calendar feeds.

Callers validate what users typed (CPR syntax, authorisation ids, stamkort value shapes); the
store keeps the records whole: each write is one transaction, nothing is ever updated in place
except the end of a block and the stamkort version counter, and concurrent writers are resolved by
the database (conditional UPDATEs and unique keys), so it holds across processes and replicas.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Insert, RowMapping, Table, Update, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.db import (
    WRITE,
    blocks,
    calendar_feeds,
    overrides,
    stamkort_heads,
    stamkort_values,
)
from gateway.errors import BadInputError, NotFoundError, StaleEditError

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


@dataclass(frozen=True, slots=True)
class StamkortState:
    """The current self-entered fields and the version an edit must be based on."""

    version: int
    values: dict[str, StamkortValue]


@dataclass(frozen=True, slots=True)
class Feed:
    """A live calendar-feed subscription; ``token`` is the secret in the feed's URL."""

    token: str
    patient_cpr: str
    owner_cpr: str
    created_at: datetime
    owner_role: str = "citizen"
    owner_name: str = ""
    expires_at: datetime | None = None


def _require_aware(**values: datetime | None) -> None:
    for name, value in values.items():
        if value is not None and value.utcoffset() is None:
            raise BadInputError(f"{name} must carry a timezone.")


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


def _feed(row: RowMapping) -> Feed:
    return Feed(
        row["token"],
        row["patient_cpr"],
        row["owner_cpr"],
        row["created_at"],
        row["owner_role"],
        row["owner_name"],
        row["expires_at"],
    )


def _insert(conn: AsyncConnection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can take ``ON CONFLICT`` clauses, in the dialect at hand."""
    return postgresql.insert(table) if conn.dialect.name == "postgresql" else sqlite.insert(table)


class Store:
    """Async access to the gateway's own tables. One per engine; safe to share between tasks.

    Example::

        store = Store(make_engine(settings.database_url))
        blocks = await store.active_blocks("0201919990", at=now)
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**WRITE)

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
        _require_aware(
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
        _require_aware(at=at)
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
        _require_aware(now=now)
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
        _require_aware(now=now)
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
        _require_aware(at=at)
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

    # -- stamkort -------------------------------------------------------------------------------

    async def stamkort(self, patient_cpr: str) -> StamkortState:
        """The patient's self-entered stamkort fields (version 0 and no values when none)."""
        async with self._engine.connect() as conn:
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
        _require_aware(now=now)
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
        async with self._writer.begin() as conn:
            # The version check and bump are one conditional statement, so of two racing edits
            # based on the same version exactly one matches; the loser changes nothing.
            claim: Insert | Update
            if expected_version == 0:
                claim = (
                    _insert(conn, stamkort_heads)
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

    async def stamkort_history(self, patient_cpr: str, field: str) -> list[StamkortValue]:
        """Every value ever entered for one field, clearings included, newest first."""
        query = (
            select(stamkort_values)
            .where(stamkort_values.c.patient_cpr == patient_cpr, stamkort_values.c.field == field)
            .order_by(stamkort_values.c.version.desc())
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_stamkort_value(row) for row in rows]

    # -- calendar feeds -------------------------------------------------------------------------

    async def feed(self, patient_cpr: str, owner_cpr: str) -> Feed | None:
        """The owner's live calendar feed of the patient's appointments, if any."""
        query = select(calendar_feeds).where(
            calendar_feeds.c.patient_cpr == patient_cpr, calendar_feeds.c.owner_cpr == owner_cpr
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _feed(row)

    async def rotate_feed(
        self,
        patient_cpr: str,
        owner_cpr: str,
        now: datetime,
        *,
        owner_role: str = "citizen",
        owner_name: str = "",
        expires_at: datetime | None = None,
    ) -> Feed:
        """Issue a new feed token; the previous one (if any) stops working at once."""
        _require_aware(now=now, expires_at=expires_at)
        feed = Feed(
            secrets.token_urlsafe(32),
            patient_cpr,
            owner_cpr,
            now,
            owner_role,
            owner_name,
            expires_at,
        )
        async with self._writer.begin() as conn:
            upsert = _insert(conn, calendar_feeds).values(
                patient_cpr=patient_cpr,
                owner_cpr=owner_cpr,
                token=feed.token,
                created_at=now,
                owner_role=owner_role,
                owner_name=owner_name,
                expires_at=expires_at,
            )
            changed = ("token", "created_at", "owner_role", "owner_name", "expires_at")
            await conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["patient_cpr", "owner_cpr"],
                    set_={c: getattr(upsert.excluded, c) for c in changed},
                )
            )
        return feed

    async def revoke_feed(self, patient_cpr: str, owner_cpr: str, now: datetime) -> bool:
        """Stop the owner's live feed; ``False`` when there was none.

        ``now`` is accepted for symmetry with :meth:`rotate_feed`; a revoked token is deleted.
        """
        _require_aware(now=now)
        async with self._writer.begin() as conn:
            result = await conn.execute(
                delete(calendar_feeds).where(
                    calendar_feeds.c.patient_cpr == patient_cpr,
                    calendar_feeds.c.owner_cpr == owner_cpr,
                )
            )
        return result.rowcount > 0

    async def feed_by_token(self, token: str, now: datetime | None = None) -> Feed | None:
        """The live feed a token belongs to; ``None`` for unknown, replaced, revoked or (at
        ``now``) expired tokens."""
        query = select(calendar_feeds).where(calendar_feeds.c.token == token)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        feed = None if row is None else _feed(row)
        if feed and now and feed.expires_at and feed.expires_at <= now:
            return None
        return feed
