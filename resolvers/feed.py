"""The patient's appointments as an iCalendar subscription behind a secret, revocable URL.

Each owner (the patient, each fuldmagt relative) has at most one feed per patient. A feed lives
only as long as its owner keeps confirming it with a valid token (``store/feedstore.py``):
rotating it, reading ``calendarFeed`` or calling ``confirmCalendarFeed`` confirms it and binds
it to the fuldmagt as the token states it now. The patient lists every feed on her data
(``calendarFeeds``, never another owner's URL) and revokes any of them by id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.clock import local_midnight
from domain.cpr import normalise_cpr
from domain.errors import ForbiddenError
from domain.principals import Citizen, Clinician, Relative
from resolvers import attempts, calendar
from resolvers.context import Context
from resolvers.types import PatientCpr
from resolvers.vocab import Role
from store.feedstore import Feed, FeedLifetime

FEED_PATH = "/calendar/{token}.ics"


@strawberry.type(description="A secret calendar-subscription URL (iCalendar, RFC 5545).")
class CalendarFeed:
    url: str = strawberry.field(
        description="Subscribe to this URL in a calendar app. Anyone with it can read the "
        "appointments: rotate or revoke it if it leaks."
    )
    created_at: datetime = strawberry.field(description="When this URL was made.")
    confirmed_at: datetime = strawberry.field(
        description="When you last confirmed the feed (made it, rotated it, looked at it here "
        "or called `confirmCalendarFeed`)."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the URL stops working unless you confirm it again before then: a "
        "relative's feed lives a set number of days after each confirmation and never past "
        "the fuldmagt's end. Null: no end."
    )


@strawberry.type(
    description="A calendar feed on the patient's data, as the patient sees it (never its URL)."
)
class CalendarFeedEntry:
    id: strawberry.ID = strawberry.field(description="Revoke it with `revokeCalendarFeed(id:)`.")
    owner_name: str = strawberry.field(description="Whose feed it is.")
    owner_role: Role = strawberry.field(
        description="CITIZEN (the patient's own) or RELATIVE (a fuldmagt relative's)."
    )
    own: bool = strawberry.field(description="It is the patient's own feed.")
    created_at: datetime = strawberry.field(description="When its current URL was made.")
    confirmed_at: datetime = strawberry.field(description="When its owner last confirmed it.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops working unless its owner confirms it again; null: no end."
    )
    active: bool = strawberry.field(description="Whether it serves the calendar now.")


async def _owner(ctx: Context, cpr: str) -> Citizen | Relative:
    """A feed is the patient's or their fuldmagt relative's own (each has their own URL)."""
    principal = ctx.principal
    if isinstance(principal, Clinician):
        raise ForbiddenError("Only the patient or a relative with fuldmagt has a calendar feed.")
    attempts.may_view(ctx, cpr, calendar.local_date(ctx.state.now))
    return principal


def _fuldmagt_end(owner: Citizen | Relative) -> datetime | None:
    if isinstance(owner, Relative) and owner.valid_to is not None:
        # The feed ends with the fuldmagt: at the end of its last day, Danish time.
        return local_midnight(owner.valid_to + timedelta(days=1))
    return None


def _lifetime(ctx: Context) -> FeedLifetime:
    return FeedLifetime.of(ctx.services.settings.policy)


def feed_of(info: Info[Context, None], feed: Feed) -> CalendarFeed:
    request = info.context.request
    base = str(request.base_url).rstrip("/") if request is not None else ""
    return CalendarFeed(
        url=base + FEED_PATH.format(token=feed.token),
        created_at=feed.created_at,
        confirmed_at=feed.confirmed_at,
        expires_at=feed.ends_at(_lifetime(info.context)),
    )


def _log_relative(ctx: Context, cpr: str, action: str) -> None:
    # A relative's change to a feed on the patient's data is an action like any other.
    if isinstance(ctx.principal, Relative):
        ctx.state.subject(cpr, action)


async def _confirm(info: Info[Context, None], cpr: str) -> CalendarFeed | None:
    ctx = info.context
    owner = await _owner(ctx, cpr)
    feed = await ctx.services.feeds.confirm_feed(
        cpr, owner.cpr, ctx.state.now, owner_name=owner.name, expires_at=_fuldmagt_end(owner)
    )
    return None if feed is None else feed_of(info, feed)


async def resolve_calendar_feed(
    root: strawberry.Parent[object], info: Info[Context, None]
) -> CalendarFeed | None:
    # Looking at the feed with a valid token confirms it: the page that shows the URL is where
    # an owner sees it, so a feed in use stays alive without a separate step.
    cpr: str = root.cpr  # type: ignore[attr-defined]
    return await _confirm(info, cpr)


async def resolve_calendar_feeds(
    root: strawberry.Parent[object], info: Info[Context, None]
) -> list[CalendarFeedEntry] | None:
    ctx = info.context
    cpr: str = root.cpr  # type: ignore[attr-defined]
    if not isinstance(ctx.principal, Citizen):
        raise ForbiddenError("Only the patient sees every calendar feed on her data.")
    lifetime, now = _lifetime(ctx), ctx.state.now
    return [
        CalendarFeedEntry(
            id=strawberry.ID(f.id),
            owner_name=f.owner_name,
            owner_role=Role(f.owner_role),
            own=f.owner_role == "citizen" and f.owner_cpr == cpr,
            created_at=f.created_at,
            confirmed_at=f.confirmed_at,
            expires_at=f.ends_at(lifetime),
            active=f.live_at(now, lifetime),
        )
        for f in await ctx.services.feeds.feeds(cpr)
    ]


async def rotate_calendar_feed(info: Info[Context, None], cpr: PatientCpr) -> CalendarFeed:
    ctx = info.context
    cpr = normalise_cpr(cpr)
    ctx.state.claim(cpr, "feed-rotate")
    owner = await _owner(ctx, cpr)
    feed = await ctx.services.feeds.rotate_feed(
        cpr,
        owner.cpr,
        ctx.state.now,
        owner_role=owner.kind,
        owner_name=owner.name,
        expires_at=_fuldmagt_end(owner),
    )
    _log_relative(ctx, cpr, "feed-rotate")
    return feed_of(info, feed)


async def confirm_calendar_feed(info: Info[Context, None], cpr: PatientCpr) -> CalendarFeed | None:
    cpr = normalise_cpr(cpr)
    info.context.state.claim(cpr, "feed-confirm")
    confirmed = await _confirm(info, cpr)
    _log_relative(info.context, cpr, "feed-confirm")
    return confirmed


async def revoke_calendar_feed(
    info: Info[Context, None],
    cpr: PatientCpr,
    id: Annotated[
        strawberry.ID | None,
        strawberry.argument(
            description="The patient only: revoke this feed on her data (see `calendarFeeds`), "
            "whoever owns it. Without it, revoke your own feed."
        ),
    ] = None,
) -> bool:
    ctx = info.context
    cpr = normalise_cpr(cpr)
    ctx.state.claim(cpr, "feed-revoke")
    owner = await _owner(ctx, cpr)
    now = ctx.state.now
    if id:
        if not isinstance(owner, Citizen):
            raise ForbiddenError("Only the patient revokes feeds by id; revoke yours without it.")
        return await ctx.services.feeds.revoke_feed_by_id(cpr, str(id), now)
    revoked = await ctx.services.feeds.revoke_feed(cpr, owner.cpr, now)
    _log_relative(ctx, cpr, "feed-revoke")
    return revoked
