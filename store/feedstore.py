"""Calendar-feed subscriptions: one secret token per (patient, owner), and how long each lives.

A feed must never serve more than its owner may see now, yet the feed URL is read by a calendar
app with no token. So a feed carries the bounds it was last confirmed under: the fuldmagt's end
(``expires_at``) and the time its owner last confirmed it with a valid token (``confirmed_at``).
It serves until the earlier of the fuldmagt's end and ``confirmed_at`` plus the owner role's
bound (:class:`FeedLifetime`, from ``[policy]``), and never after. Confirming (rotating it, or
reading or confirming it through the graph with a valid token) moves both bounds to what the
owner's token says now.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import RowMapping, delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.settings import Policy
from store.database import Database, bounded, insert_for, require_aware
from store.tables import calendar_feeds


@dataclass(frozen=True, slots=True)
class FeedLifetime:
    """How long a feed serves after its owner last confirmed it, per owner role.

    ``relative`` bounds every owner who is not the patient herself (an unknown role included,
    so nothing falls through); ``citizen`` bounds the patient's own feed, ``None`` for no bound.
    """

    relative: timedelta = timedelta(days=30)
    citizen: timedelta | None = None

    @classmethod
    def of(cls, policy: Policy) -> FeedLifetime:
        """The lifetimes ``[policy]`` sets (``citizen_feed_confirm_days = 0`` means no bound)."""
        citizen = policy.citizen_feed_confirm_days
        return cls(
            relative=timedelta(days=policy.feed_confirm_days),
            citizen=timedelta(days=citizen) if citizen > 0 else None,
        )

    def bound(self, owner_role: str) -> timedelta | None:
        return self.citizen if owner_role == "citizen" else self.relative


@dataclass(frozen=True, slots=True)
class Feed:
    """A calendar-feed subscription; ``token`` is the secret in the feed's URL, ``id`` is not."""

    id: str
    token: str
    patient_cpr: str
    owner_cpr: str
    created_at: datetime
    confirmed_at: datetime
    owner_role: str
    owner_name: str
    expires_at: datetime | None

    def ends_at(self, lifetime: FeedLifetime) -> datetime | None:
        """When the feed stops serving unless confirmed again; ``None`` for never."""
        bound = lifetime.bound(self.owner_role)
        ends = [self.expires_at, self.confirmed_at + bound if bound is not None else None]
        return min((e for e in ends if e is not None), default=None)

    def live_at(self, now: datetime, lifetime: FeedLifetime) -> bool:
        """Whether the feed serves at ``now`` (its end is exclusive)."""
        end = self.ends_at(lifetime)
        return end is None or now < end


def _feed(row: RowMapping) -> Feed:
    return Feed(
        row["id"],
        row["token"],
        row["patient_cpr"],
        row["owner_cpr"],
        row["created_at"],
        row["confirmed_at"],
        row["owner_role"],
        row["owner_name"],
        row["expires_at"],
    )


class FeedStore:
    """Calendar feeds (a repository)."""

    def __init__(self, engine: AsyncEngine, *, timeout_s: float | None = None) -> None:
        self.db = Database(engine, timeout_s=timeout_s)

    @bounded()
    async def feed(self, patient_cpr: str, owner_cpr: str) -> Feed | None:
        """The owner's calendar feed of the patient's appointments, live or lapsed, if any."""
        query = select(calendar_feeds).where(
            calendar_feeds.c.patient_cpr == patient_cpr, calendar_feeds.c.owner_cpr == owner_cpr
        )
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _feed(row)

    @bounded()
    async def feeds(self, patient_cpr: str) -> list[Feed]:
        """Every feed on the patient's data, hers and her relatives', oldest first."""
        query = (
            select(calendar_feeds)
            .where(calendar_feeds.c.patient_cpr == patient_cpr)
            .order_by(calendar_feeds.c.created_at, calendar_feeds.c.id)
        )
        return [_feed(row) for row in await self.db.rows(query)]

    @bounded()
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
        """Issue a new feed token, confirmed ``now``; the previous one stops working at once.

        The feed keeps its ``id`` across rotations, so the patient's list stays stable.
        """
        require_aware(now=now, expires_at=expires_at)
        async with self.db.writer.begin() as conn:
            upsert = insert_for(conn, calendar_feeds).values(
                patient_cpr=patient_cpr,
                owner_cpr=owner_cpr,
                id=uuid.uuid4().hex,
                token=secrets.token_urlsafe(32),
                created_at=now,
                confirmed_at=now,
                owner_role=owner_role,
                owner_name=owner_name,
                expires_at=expires_at,
            )
            changed = (
                "token",
                "created_at",
                "confirmed_at",
                "owner_role",
                "owner_name",
                "expires_at",
            )
            row = (
                (
                    await conn.execute(
                        upsert.on_conflict_do_update(
                            index_elements=["patient_cpr", "owner_cpr"],
                            set_={c: getattr(upsert.excluded, c) for c in changed},
                        ).returning(calendar_feeds)
                    )
                )
                .mappings()
                .one()
            )
        return _feed(row)

    @bounded()
    async def confirm_feed(
        self,
        patient_cpr: str,
        owner_cpr: str,
        now: datetime,
        *,
        owner_name: str,
        expires_at: datetime | None,
    ) -> Feed | None:
        """Record that the owner confirmed the feed ``now`` with a token that says the owner is
        ``owner_name`` and (for a relative) that the fuldmagt ends at ``expires_at``.

        The token is unchanged, so a subscribed calendar keeps working (or works again, if the
        feed had lapsed). Returns ``None`` when the owner has no feed.
        """
        require_aware(now=now, expires_at=expires_at)
        async with self.db.writer.begin() as conn:
            row = (
                (
                    await conn.execute(
                        update(calendar_feeds)
                        .where(
                            calendar_feeds.c.patient_cpr == patient_cpr,
                            calendar_feeds.c.owner_cpr == owner_cpr,
                        )
                        .values(confirmed_at=now, owner_name=owner_name, expires_at=expires_at)
                        .returning(calendar_feeds)
                    )
                )
                .mappings()
                .first()
            )
        return None if row is None else _feed(row)

    @bounded()
    async def revoke_feed(self, patient_cpr: str, owner_cpr: str, now: datetime) -> bool:
        """Stop the owner's feed; ``False`` when there was none.

        ``now`` is accepted for symmetry with :meth:`rotate_feed`; a revoked token is deleted.
        """
        require_aware(now=now)
        async with self.db.writer.begin() as conn:
            result = await conn.execute(
                delete(calendar_feeds).where(
                    calendar_feeds.c.patient_cpr == patient_cpr,
                    calendar_feeds.c.owner_cpr == owner_cpr,
                )
            )
        return result.rowcount > 0

    @bounded()
    async def revoke_feed_by_id(self, patient_cpr: str, feed_id: str, now: datetime) -> bool:
        """Stop the feed ``feed_id`` on the patient's data, whoever owns it; ``False`` when the
        patient has no such feed."""
        require_aware(now=now)
        async with self.db.writer.begin() as conn:
            result = await conn.execute(
                delete(calendar_feeds).where(
                    calendar_feeds.c.patient_cpr == patient_cpr, calendar_feeds.c.id == feed_id
                )
            )
        return result.rowcount > 0

    @bounded()
    async def feed_by_token(
        self, token: str, now: datetime | None = None, lifetime: FeedLifetime | None = None
    ) -> Feed | None:
        """The feed a token belongs to, if it serves at ``now`` (default: the current time)
        under ``lifetime`` (default: :class:`FeedLifetime`'s defaults).

        ``None`` for unknown, replaced and revoked tokens, and for feeds past the fuldmagt's end
        or not confirmed recently enough: the caller cannot tell these apart.
        """
        now = now or datetime.now(UTC)
        require_aware(now=now)
        query = select(calendar_feeds).where(calendar_feeds.c.token == token)
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            return None
        feed = _feed(row)
        return feed if feed.live_at(now, lifetime or FeedLifetime()) else None
