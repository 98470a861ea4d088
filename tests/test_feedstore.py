"""Calendar-feed lifetimes in the store, on every backend: a feed serves only within the fuldmagt
and within the confirmation bound of its owner's role; time passes through ``now`` arguments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Connection, text

from domain.settings import ConfigError, Policy
from gateway.config import parse_settings, read_toml
from store.engine import alembic_config, make_engine, upgrade
from store.feedstore import FeedLifetime
from store.repositories import Repositories

CPR = "0108589995"
RELATIVE = "0201609995"
OTHER = "1502779995"
T0 = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night summer time starts: days still count
DAY = timedelta(days=1)
LIFETIME = FeedLifetime()  # the defaults: 30 days for relatives, no bound for citizens


async def relative_feed(store: Repositories, expires_at: datetime | None = None) -> str:
    feed = await store.feeds.rotate_feed(
        CPR, RELATIVE, T0, owner_role="relative", owner_name="Hanne", expires_at=expires_at
    )
    return feed.token


async def test_a_relatives_feed_without_an_end_lapses_days_after_its_last_confirmation(
    store: Repositories,
) -> None:
    token = await relative_feed(store)  # the fuldmagt had no end date when the feed was made
    assert await store.feeds.feed_by_token(token, T0 + 30 * DAY - timedelta(seconds=1), LIFETIME)
    assert await store.feeds.feed_by_token(token, T0 + 30 * DAY, LIFETIME) is None
    assert await store.feeds.feed_by_token(token, T0 + 400 * DAY, LIFETIME) is None


async def test_confirming_keeps_the_url_and_restarts_the_bound(store: Repositories) -> None:
    token = await relative_feed(store)
    confirmed = await store.feeds.confirm_feed(
        CPR, RELATIVE, T0 + 20 * DAY, owner_name="Hanne", expires_at=None
    )
    assert confirmed is not None
    assert confirmed.token == token
    assert confirmed.confirmed_at == T0 + 20 * DAY
    assert confirmed.created_at == T0
    assert await store.feeds.feed_by_token(token, T0 + 49 * DAY, LIFETIME) == confirmed
    assert await store.feeds.feed_by_token(token, T0 + 50 * DAY, LIFETIME) is None
    # A lapsed feed confirmed again by its owner (with a valid token) serves again.
    await store.feeds.confirm_feed(
        CPR, RELATIVE, T0 + 60 * DAY, owner_name="Hanne", expires_at=None
    )
    assert await store.feeds.feed_by_token(token, T0 + 61 * DAY, LIFETIME) is not None


async def test_confirming_binds_the_feed_to_the_fuldmagt_as_it_is_now(store: Repositories) -> None:
    token = await relative_feed(store)
    end = T0 + 5 * DAY  # the fuldmagt got an end date after the feed was made
    await store.feeds.confirm_feed(CPR, RELATIVE, T0 + DAY, owner_name="Hanne", expires_at=end)
    assert await store.feeds.feed_by_token(token, end - timedelta(seconds=1), LIFETIME) is not None
    assert await store.feeds.feed_by_token(token, end, LIFETIME) is None


async def test_a_feed_never_outlives_the_fuldmagt_end_it_was_made_with(store: Repositories) -> None:
    token = await relative_feed(store, expires_at=T0 + 3 * DAY)
    feed = await store.feeds.feed(CPR, RELATIVE)
    assert feed is not None
    assert feed.ends_at(LIFETIME) == T0 + 3 * DAY
    assert await store.feeds.feed_by_token(token, T0 + 3 * DAY, LIFETIME) is None
    long = FeedLifetime(relative=timedelta(days=365))
    assert await store.feeds.feed_by_token(token, T0 + 3 * DAY, long) is None


async def test_a_citizens_own_feed_has_no_confirmation_bound_unless_configured(
    store: Repositories,
) -> None:
    own = await store.feeds.rotate_feed(CPR, CPR, T0)
    assert own.ends_at(LIFETIME) is None
    assert await store.feeds.feed_by_token(own.token, T0 + 1000 * DAY, LIFETIME) == own
    bounded = FeedLifetime(citizen=timedelta(days=90))
    assert await store.feeds.feed_by_token(own.token, T0 + 89 * DAY, bounded) == own
    assert await store.feeds.feed_by_token(own.token, T0 + 90 * DAY, bounded) is None


async def test_an_owner_of_unknown_role_gets_the_relatives_bound(store: Repositories) -> None:
    odd = await store.feeds.rotate_feed(CPR, OTHER, T0, owner_role="guardian")
    assert odd.ends_at(LIFETIME) == T0 + 30 * DAY


async def test_the_default_lifetime_bounds_relatives_too(store: Repositories) -> None:
    token = await relative_feed(store)
    assert await store.feeds.feed_by_token(token, T0 + 31 * DAY) is None


async def test_every_feed_on_a_patients_data_is_listed_and_revocable_by_id(
    store: Repositories,
) -> None:
    own = await store.feeds.rotate_feed(CPR, CPR, T0)
    relatives = await store.feeds.rotate_feed(CPR, RELATIVE, T0 + DAY, owner_role="relative")
    elsewhere = await store.feeds.rotate_feed(OTHER, OTHER, T0)
    assert await store.feeds.feeds(CPR) == [own, relatives]
    assert len({own.id, relatives.id, elsewhere.id}) == 3
    assert own.id not in (own.token, relatives.token)
    # Ids are scoped to the patient: one patient cannot revoke another's feed by its id.
    assert await store.feeds.revoke_feed_by_id(CPR, elsewhere.id, T0) is False
    assert await store.feeds.feed_by_token(elsewhere.token, T0) == elsewhere
    assert await store.feeds.revoke_feed_by_id(CPR, relatives.id, T0) is True
    assert await store.feeds.feed_by_token(relatives.token, T0 + DAY, LIFETIME) is None
    assert await store.feeds.feeds(CPR) == [own]
    assert await store.feeds.revoke_feed_by_id(CPR, relatives.id, T0) is False


async def test_rotation_keeps_the_id_and_confirms(store: Repositories) -> None:
    first = await relative_feed(store)
    before = await store.feeds.feed(CPR, RELATIVE)
    again = await store.feeds.rotate_feed(CPR, RELATIVE, T0 + 29 * DAY, owner_role="relative")
    assert before is not None
    assert again.id == before.id
    assert again.token != first
    assert again.confirmed_at == T0 + 29 * DAY
    assert await store.feeds.feed_by_token(again.token, T0 + 58 * DAY, LIFETIME) == again


async def test_confirming_no_feed_is_none(store: Repositories) -> None:
    assert (
        await store.feeds.confirm_feed(CPR, RELATIVE, T0, owner_name="x", expires_at=None) is None
    )


async def test_migration_0003_dates_existing_feeds_from_their_creation(database_url: str) -> None:
    await upgrade(database_url, "0002")
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            for owner, role in ((CPR, "citizen"), (RELATIVE, "relative")):
                await conn.execute(
                    text(
                        "INSERT INTO calendar_feeds (patient_cpr, owner_cpr, token, created_at, "
                        "owner_role, owner_name) VALUES (:p, :o, :t, :c, :r, 'n')"
                    ),
                    {"p": CPR, "o": owner, "t": f"tok-{role}", "c": T0, "r": role},
                )
        await upgrade(database_url)
        store = Repositories.open(engine)
        feeds = await store.feeds.feeds(CPR)
        assert {f.confirmed_at for f in feeds} == {T0}
        assert len({f.id for f in feeds}) == 2
        assert all(len(f.id) == 32 for f in feeds)
        # A relative's feed made long ago, with no fuldmagt end: it stops until confirmed.
        assert await store.feeds.feed_by_token("tok-relative", T0 + 31 * DAY, LIFETIME) is None
        assert await store.feeds.feed_by_token("tok-citizen", T0 + 31 * DAY, LIFETIME) is not None

        def down(conn: Connection) -> None:
            command.downgrade(alembic_config(conn), "0002")

        async with engine.begin() as conn:
            await conn.run_sync(down)
            assert await conn.scalar(text("SELECT count(*) FROM calendar_feeds")) == 2
    finally:
        await engine.dispose()


def test_feed_lifetimes_come_from_policy() -> None:
    assert FeedLifetime.of(Policy()) == FeedLifetime(timedelta(days=30), None)
    assert FeedLifetime.of(Policy(feed_confirm_days=7, citizen_feed_confirm_days=180)) == (
        FeedLifetime(timedelta(days=7), timedelta(days=180))
    )
    raw = read_toml()
    assert parse_settings(raw).policy.feed_confirm_days == 30
    for bad in ({"feed_confirm_days": 0}, {"citizen_feed_confirm_days": -1}):
        with pytest.raises(ConfigError, match=r"\[policy\]"):
            parse_settings({**raw, "policy": {**raw["policy"], **bad}})
