"""Calendar-feed subscriptions: one secret token per (patient, owner)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, delete, select

from gateway.db import calendar_feeds
from gateway.storebase import StoreBase, insert_for, require_aware


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


class FeedStore(StoreBase):
    """The calendar-feed part of ``Store``."""

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
        require_aware(now=now, expires_at=expires_at)
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
            upsert = insert_for(conn, calendar_feeds).values(
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
        require_aware(now=now)
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
