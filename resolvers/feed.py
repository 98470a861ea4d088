"""The patient's appointments as an iCalendar subscription behind a secret, revocable URL."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import strawberry
from strawberry.types import Info

from gateway.access import may_view
from gateway.auth import Citizen, Clinician, Relative
from gateway.context import Context
from gateway.cpr import normalise_cpr
from gateway.errors import ForbiddenError
from gateway.store import Feed
from resolvers import calendar

FEED_PATH = "/calendar/{token}.ics"


@strawberry.type(description="A secret calendar-subscription URL (iCalendar, RFC 5545).")
class CalendarFeed:
    url: str = strawberry.field(
        description="Subscribe to this URL in a calendar app. Anyone with it can read the "
        "appointments: rotate or revoke it if it leaks."
    )
    created_at: datetime = strawberry.field(description="When this URL was made.")


def _owner(ctx: Context, cpr: str) -> Citizen | Relative:
    """A feed is the patient's or their fuldmagt relative's own (each has their own URL)."""
    principal = ctx.principal
    if isinstance(principal, Clinician):
        raise ForbiddenError("Only the patient or a relative with fuldmagt has a calendar feed.")
    may_view(principal, cpr, calendar.local_date(ctx.state.now))
    return principal


def feed_of(info: Info[Context, None], feed: Feed) -> CalendarFeed:
    request = info.context.request
    base = str(request.base_url).rstrip("/") if request is not None else ""
    return CalendarFeed(url=base + FEED_PATH.format(token=feed.token), created_at=feed.created_at)


async def resolve_calendar_feed(
    root: strawberry.Parent[object], info: Info[Context, None]
) -> CalendarFeed | None:
    ctx = info.context
    cpr: str = root.cpr  # type: ignore[attr-defined]
    owner = _owner(ctx, cpr)
    feed = await ctx.services.store.feed(cpr, owner.cpr)
    return None if feed is None else feed_of(info, feed)


async def rotate_calendar_feed(info: Info[Context, None], cpr: str) -> CalendarFeed:
    ctx = info.context
    cpr = normalise_cpr(cpr)
    owner = _owner(ctx, cpr)
    expires_at = None
    if isinstance(owner, Relative) and owner.valid_to is not None:
        # The feed ends with the fuldmagt: at the end of its last day, Danish time.
        expires_at = datetime.combine(owner.valid_to + timedelta(days=1), time(), calendar.TZ)
    feed = await ctx.services.store.rotate_feed(
        cpr,
        owner.cpr,
        ctx.state.now,
        owner_role=owner.kind,
        owner_name=owner.name,
        expires_at=expires_at,
    )
    return feed_of(info, feed)


async def revoke_calendar_feed(info: Info[Context, None], cpr: str) -> bool:
    ctx = info.context
    cpr = normalise_cpr(cpr)
    owner = _owner(ctx, cpr)
    return await ctx.services.store.revoke_feed(cpr, owner.cpr, ctx.state.now)
