"""The iCalendar subscription end to end: a secret per-user URL, parsed with a real iCalendar
library, rotated and revoked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import icalendar
import pytest
from sqlalchemy import text

from resolvers.calendar import local_date
from simulators.population import last_sunday
from tests.gatewayfixtures import Gateway, GraphQLGateway
from tests.inprocess import InProcessGateway

MULTI = "0108589995"
FEED = "query($cpr: String!) { patientOverview(cpr: $cpr) { calendarFeed { url createdAt } } }"
ROTATE = "mutation($cpr: String!) { rotateCalendarFeed(cpr: $cpr) { url createdAt } }"
REVOKE = "mutation($cpr: String!) { revokeCalendarFeed(cpr: $cpr) }"
RECORD = """query($cpr: String!) { patientOverview(cpr: $cpr) { appointments(first: 500) {
  totalCount nodes { id start end status title source { id } place { name isHome } } } } }"""
REASONS = (
    "Kontrol af blodtryk",  # GP reasons: never anywhere
    "Årskontrol, KOL",
    "Kontrol efter AMI",
    "Personlig pleje",
)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def rotate(gw: GraphQLGateway, persona: str, cpr: str = MULTI) -> str:
    body = await gw.query(persona, ROTATE, {"cpr": cpr})
    assert "errors" not in body, body["errors"]
    url: str = body["data"]["rotateCalendarFeed"]["url"]
    return url


async def current(gw: GraphQLGateway, persona: str, cpr: str = MULTI) -> str | None:
    body = await gw.query(persona, FEED, {"cpr": cpr})
    assert "errors" not in body, body["errors"]
    feed = body["data"]["patientOverview"]["calendarFeed"]
    return None if feed is None else str(feed["url"])


async def fetch(gw: Gateway, url: str) -> tuple[int, bytes, dict[str, str]]:
    # No Authorization header: a calendar app has only the URL.
    async with gw.session.get(url) as r:
        return r.status, await r.read(), dict(r.headers)


def instant(value: Any) -> datetime:
    assert isinstance(value, datetime)
    assert value.tzinfo is not None
    return value.astimezone(UTC)


async def test_subscribe_and_parse_with_a_real_icalendar_library(gateway: Gateway) -> None:
    assert await current(gateway, "citizen-multi") is None
    url = await rotate(gateway, "citizen-multi")
    assert url.startswith(f"{gateway.url}/calendar/")
    assert url.endswith(".ics")
    assert len(url.rsplit("/", 1)[1]) >= 43  # 256 bits of secret
    assert await current(gateway, "citizen-multi") == url

    status, data, headers = await fetch(gateway, url)
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in headers["Cache-Control"]
    assert b"\r\n" in data
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0"
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Copenhagen"
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}

    body = await gateway.query("citizen-multi", RECORD, {"cpr": MULTI})
    nodes = {n["id"]: n for n in body["data"]["patientOverview"]["appointments"]["nodes"]}
    events = {str(e["UID"]): e for e in cal.events}
    assert len(events) == len(cal.events) == len(nodes)  # each appointment once, by UID
    for node_id, node in nodes.items():
        source, rid = node_id.split(":", 1)
        event = events[f"{source}-{rid}@spo.invalid"]
        assert instant(event.decoded("DTSTART")) == datetime.fromisoformat(node["start"])
        if node["end"] and node["end"] > node["start"]:
            assert instant(event.decoded("DTEND")) == datetime.fromisoformat(node["end"])
        assert str(event["SUMMARY"]) == node["title"]
        expected = {"CANCELLED": "CANCELLED", "PROPOSED": "TENTATIVE"}.get(
            node["status"], "CONFIRMED"
        )
        assert str(event["STATUS"]) == expected, node
        assert "DESCRIPTION" not in event
        if node["source"]["id"] == "gp-jml":
            assert str(event["SUMMARY"]) == "Aftale hos praktiserende læge"
        if node["place"]["isHome"]:
            assert "Åbyhøjvej" not in str(event.get("LOCATION", ""))  # no home address
    assert sum(str(e["STATUS"]) == "CANCELLED" for e in cal.events) >= 2
    text = data.decode()
    assert not [r for r in REASONS if r in text]
    assert "2021-06-15" not in {str(instant(e.decoded("DTSTART")).date()) for e in cal.events}

    # The appointment on the day summer time ends is at 10:00 local, written with the TZID.
    dst_end = last_sunday(gateway.pop.anchor.year, 10)
    (knee,) = [
        e
        for e in cal.events
        if local_date(e.decoded("DTSTART")) == dst_end and str(e["UID"]).startswith("rm-")
    ]
    assert knee["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert knee.decoded("DTSTART").replace(tzinfo=None) == datetime(
        dst_end.year, dst_end.month, dst_end.day, 10
    )
    assert instant(knee.decoded("DTSTART")).hour == 9  # 10:00 CET


async def test_rotating_replaces_the_url(gateway: Gateway) -> None:
    old = await rotate(gateway, "citizen-multi")
    assert (await fetch(gateway, old))[0] == 200
    new = await rotate(gateway, "citizen-multi")
    assert new != old
    assert (await fetch(gateway, old))[0] == 404  # the leaked URL is dead at once
    assert (await fetch(gateway, new))[0] == 200
    assert await current(gateway, "citizen-multi") == new


async def test_revoking_stops_the_feed(gateway: Gateway) -> None:
    url = await rotate(gateway, "citizen-multi")
    body = await gateway.query("citizen-multi", REVOKE, {"cpr": MULTI})
    assert body["data"]["revokeCalendarFeed"] is True
    status, data, _ = await fetch(gateway, url)
    assert status == 404
    assert b"BEGIN:VCALENDAR" not in data
    assert await current(gateway, "citizen-multi") is None
    again = await gateway.query("citizen-multi", REVOKE, {"cpr": MULTI})
    assert again["data"]["revokeCalendarFeed"] is False
    fresh = await rotate(gateway, "citizen-multi")  # a new subscription can be made
    assert fresh != url
    assert (await fetch(gateway, fresh))[0] == 200


async def test_a_fuldmagt_relative_has_a_feed_of_their_own(gateway: Gateway) -> None:
    patient = await rotate(gateway, "citizen-multi")
    relative = await rotate(gateway, "relative-multi")
    assert relative != patient
    assert await current(gateway, "relative-multi") == relative
    assert await current(gateway, "citizen-multi") == patient
    await gateway.query("citizen-multi", REVOKE, {"cpr": MULTI})
    assert (await fetch(gateway, patient))[0] == 404
    status, data, _ = await fetch(gateway, relative)
    assert status == 200
    mine = icalendar.Calendar.from_ical(data)
    assert len(mine.events) > 0


@pytest.mark.in_process
async def test_only_the_patient_side_has_feeds(gateway: InProcessGateway) -> None:
    for persona in ("clinician-auh", "relative-expired", "citizen-group2"):
        for query in (ROTATE, REVOKE):
            body = await gateway.query(persona, query, {"cpr": MULTI})
            assert codes(body) == ["FORBIDDEN"], (persona, query)
    body = await gateway.query("clinician-auh", FEED, {"cpr": MULTI})
    assert codes(body) == ["FORBIDDEN"]
    assert "calendar feed" in body["errors"][0]["message"]


async def test_unknown_tokens_are_not_found(gateway: Gateway) -> None:
    for token in ("nope", "A" * 43):
        status, _, _ = await fetch(gateway, f"{gateway.url}/calendar/{token}.ics")
        assert status == 404


async def test_a_failing_source_does_not_empty_the_subscribed_calendar(gateway: Gateway) -> None:
    url = await rotate(gateway, "citizen-multi")
    await gateway.fault("rm", "error")
    status, _, headers = await fetch(gateway, url)
    # A calendar app keeps what it has on an error, but deletes what a feed leaves out.
    assert status == 503
    assert headers["Retry-After"] == "300"
    await gateway.fault("rm", "off")
    status, data, _ = await fetch(gateway, url)
    assert status == 200
    uids = {str(e["UID"]) for e in icalendar.Calendar.from_ical(data).events}
    assert any(uid.startswith("rm-") for uid in uids)


async def test_a_relatives_feed_is_logged_and_ends_with_the_fuldmagt(gateway: Gateway) -> None:
    url = await rotate(gateway, "relative-multi")
    assert (await fetch(gateway, url))[0] == 200
    entries = (await gateway.app.state.services.access_log.page(MULTI, first=10)).entries
    feed_reads = [e for e in entries if e.action == "calendar-feed"]
    assert [(e.actor_role, e.actor_id, e.actor_name, e.on_behalf_of) for e in feed_reads] == [
        ("relative", "0201609995", "Hanne Testesen", MULTI)
    ]
    # A fuldmagt that ends today: the feed works until the end of the day, then stops.
    persona = gateway.pop.persona("relative-multi")
    today = local_date(gateway.clock.now())
    short = gateway.token(
        "relative-multi",
        fuldmagt={
            "patient_cpr": MULTI,
            "valid_from": persona.fuldmagt_from.isoformat() if persona.fuldmagt_from else None,
            "valid_to": today.isoformat(),
        },
    )
    status, body = await gateway.post({"query": ROTATE, "variables": {"cpr": MULTI}}, short)
    assert status == 200, body
    ending = body["data"]["rotateCalendarFeed"]["url"]
    assert (await fetch(gateway, ending))[0] == 200
    token = ending.rsplit("/", 1)[1].removesuffix(".ics")
    later = gateway.clock.now() + timedelta(days=2)
    assert await gateway.app.state.services.feeds.feed_by_token(token, later) is None


async def test_a_citizens_feed_is_not_logged(gateway: Gateway) -> None:
    url = await rotate(gateway, "citizen-multi")
    assert (await fetch(gateway, url))[0] == 200
    total = (await gateway.app.state.services.access_log.page(MULTI, first=10)).total
    assert total == 0


# -- lifetimes: a feed serves only what its owner may see now -----------------------------------

FEEDS = """query($cpr: String!) { patientOverview(cpr: $cpr) { calendarFeeds {
  id ownerName ownerRole own createdAt confirmedAt expiresAt active } } }"""
CONFIRM = "mutation($cpr: String!) { confirmCalendarFeed(cpr: $cpr) { url confirmedAt expiresAt } }"
REVOKE_ID = "mutation($cpr: String!, $id: ID) { revokeCalendarFeed(cpr: $cpr, id: $id) }"
RELATIVE_CPR = "0201609995"


def open_ended(gw: GraphQLGateway, **fuldmagt: Any) -> str:
    """relative-multi's token, with a fuldmagt that (so far) names no end."""
    persona = gw.pop.persona("relative-multi")
    start = persona.fuldmagt_from.isoformat() if persona.fuldmagt_from else None
    claims = {"patient_cpr": MULTI, "valid_from": start, "valid_to": None, **fuldmagt}
    return gw.token("relative-multi", fuldmagt=claims)


async def as_token(gw: GraphQLGateway, token: str, query: str, **variables: Any) -> dict[str, Any]:
    status, body = await gw.post({"query": query, "variables": variables}, token)
    assert status == 200, body
    return body


async def age(gw: GraphQLGateway, owner_cpr: str, days: int) -> None:
    """Let ``days`` pass since the owner's feed was last confirmed (the feed's own clock)."""
    async with gw.app.state.engine.begin() as conn:
        await conn.execute(
            text("UPDATE calendar_feeds SET confirmed_at = :t WHERE owner_cpr = :o"),
            {"t": gw.clock.now() - timedelta(days=days), "o": owner_cpr},
        )


async def test_a_relatives_open_ended_feed_stops_unless_confirmed(gateway: Gateway) -> None:
    token = open_ended(gateway)
    made = await as_token(gateway, token, ROTATE, cpr=MULTI)
    url = made["data"]["rotateCalendarFeed"]["url"]
    assert (await fetch(gateway, url))[0] == 200
    await age(gateway, RELATIVE_CPR, 29)
    assert (await fetch(gateway, url))[0] == 200
    await age(gateway, RELATIVE_CPR, 31)
    lapsed = await fetch(gateway, url)
    unknown = await fetch(gateway, f"{gateway.url}/calendar/{'A' * 43}.ics")
    # The same answer as for a URL that never existed: nothing tells the holder why.
    assert lapsed[:2] == unknown[:2]
    assert lapsed[0] == 404
    # The owner looks at her feed with a valid token: confirmed, and the same URL works again.
    seen = await as_token(gateway, token, FEED, cpr=MULTI)
    assert seen["data"]["patientOverview"]["calendarFeed"]["url"] == url
    assert (await fetch(gateway, url))[0] == 200
    await age(gateway, RELATIVE_CPR, 31)
    confirmed = await as_token(gateway, token, CONFIRM, cpr=MULTI)
    feed = confirmed["data"]["confirmCalendarFeed"]
    assert feed["url"] == url
    expires = datetime.fromisoformat(feed["expiresAt"])
    assert expires - datetime.fromisoformat(feed["confirmedAt"]) == timedelta(days=30)
    assert (await fetch(gateway, url))[0] == 200


async def test_an_ex_relative_cannot_keep_a_feed_alive(gateway: Gateway) -> None:
    made = await as_token(gateway, open_ended(gateway), ROTATE, cpr=MULTI)
    url = made["data"]["rotateCalendarFeed"]["url"]
    # The fuldmagt has since ended: her new token says so, and tenancy refuses her.
    yesterday = (local_date(gateway.clock.now()) - timedelta(days=1)).isoformat()
    ended = open_ended(gateway, valid_to=yesterday)
    for query in (CONFIRM, ROTATE, FEED):
        assert codes(await as_token(gateway, ended, query, cpr=MULTI)) == ["FORBIDDEN"], query
    await age(gateway, RELATIVE_CPR, 31)
    assert (await fetch(gateway, url))[0] == 404


@pytest.mark.in_process
async def test_confirming_binds_the_feed_to_the_fuldmagt_as_the_token_states_it(
    gateway: InProcessGateway,
) -> None:
    rotate_full = "mutation($cpr: String!) { rotateCalendarFeed(cpr: $cpr) { expiresAt } }"
    made = await as_token(gateway, open_ended(gateway), rotate_full, cpr=MULTI)
    assert made["data"]["rotateCalendarFeed"]["expiresAt"] is not None  # 30 days, at most
    today = local_date(gateway.clock.now())
    ending = open_ended(gateway, valid_to=today.isoformat())
    confirmed = await as_token(gateway, ending, CONFIRM, cpr=MULTI)
    expires = datetime.fromisoformat(confirmed["data"]["confirmCalendarFeed"]["expiresAt"])
    assert local_date(expires - timedelta(seconds=1)) == today  # the end of its last day
    url = confirmed["data"]["confirmCalendarFeed"]["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    store = gateway.app.state.services  # the repositories, each by its name
    assert await store.feeds.feed_by_token(token, expires - timedelta(seconds=1)) is not None
    assert await store.feeds.feed_by_token(token, expires) is None


async def test_the_patient_sees_and_revokes_every_feed_on_her_data(gateway: Gateway) -> None:
    own = await rotate(gateway, "citizen-multi")
    relatives = await rotate(gateway, "relative-multi")
    body = await gateway.query("citizen-multi", FEEDS, {"cpr": MULTI})
    assert "errors" not in body, body
    feeds = body["data"]["patientOverview"]["calendarFeeds"]
    for url in (own, relatives):  # never a URL, hers or anyone's
        assert url.rsplit("/", 1)[1].removesuffix(".ics") not in json.dumps(body)
    by_role = {f["ownerRole"]: f for f in feeds}
    assert set(by_role) == {"CITIZEN", "RELATIVE"}
    assert by_role["CITIZEN"]["own"] is True
    assert by_role["CITIZEN"]["expiresAt"] is None  # her own feed: no confirmation bound
    assert by_role["RELATIVE"]["ownerName"] == "Hanne Testesen"
    assert by_role["RELATIVE"]["own"] is False
    assert by_role["RELATIVE"]["active"] is True
    assert by_role["RELATIVE"]["expiresAt"] is not None
    assert all(f["createdAt"] and f["confirmedAt"] for f in feeds)

    revoked = await gateway.query(
        "citizen-multi", REVOKE_ID, {"cpr": MULTI, "id": by_role["RELATIVE"]["id"]}
    )
    assert revoked["data"]["revokeCalendarFeed"] is True
    assert (await fetch(gateway, relatives))[0] == 404
    assert (await fetch(gateway, own))[0] == 200
    assert await current(gateway, "relative-multi") is None
    again = await gateway.query("citizen-multi", FEEDS, {"cpr": MULTI})
    assert [f["ownerRole"] for f in again["data"]["patientOverview"]["calendarFeeds"]] == [
        "CITIZEN"
    ]


@pytest.mark.in_process
async def test_a_lapsed_feed_is_listed_as_inactive(gateway: InProcessGateway) -> None:
    await rotate(gateway, "relative-multi")
    await age(gateway, RELATIVE_CPR, 31)
    body = await gateway.query("citizen-multi", FEEDS, {"cpr": MULTI})
    (feed,) = body["data"]["patientOverview"]["calendarFeeds"]
    assert feed["active"] is False


@pytest.mark.in_process
async def test_only_the_patient_lists_feeds_or_revokes_by_id(gateway: InProcessGateway) -> None:
    await rotate(gateway, "citizen-multi")
    listed = await gateway.query("citizen-multi", FEEDS, {"cpr": MULTI})
    feed_id = listed["data"]["patientOverview"]["calendarFeeds"][0]["id"]
    for persona in ("relative-multi", "clinician-auh"):
        body = await gateway.query(persona, FEEDS, {"cpr": MULTI})
        assert codes(body) == ["FORBIDDEN"], persona
        assert body["data"]["patientOverview"]["calendarFeeds"] is None  # the rest stays
    for persona in ("relative-multi", "clinician-auh", "citizen-group2"):
        body = await gateway.query(persona, REVOKE_ID, {"cpr": MULTI, "id": feed_id})
        assert codes(body) == ["FORBIDDEN"], persona
    mine = await gateway.query("citizen-group2", REVOKE_ID, {"cpr": "1502779995", "id": feed_id})
    assert mine["data"]["revokeCalendarFeed"] is False  # not a feed on her data
    still = await gateway.query("citizen-multi", FEEDS, {"cpr": MULTI})
    assert [f["id"] for f in still["data"]["patientOverview"]["calendarFeeds"]] == [feed_id]


@pytest.mark.in_process
async def test_a_relatives_changes_to_her_feed_are_in_the_patients_log(
    gateway: InProcessGateway,
) -> None:
    await rotate(gateway, "relative-multi")
    await gateway.query("relative-multi", CONFIRM, {"cpr": MULTI})
    await gateway.query("relative-multi", REVOKE, {"cpr": MULTI})
    await rotate(gateway, "citizen-multi")  # the patient's own actions are not logged
    entries = (await gateway.app.state.services.access_log.page(MULTI, first=10)).entries
    assert [(e.action, e.actor_name, e.on_behalf_of) for e in reversed(entries)] == [
        ("feed-rotate", "Hanne Testesen", MULTI),
        ("feed-confirm", "Hanne Testesen", MULTI),
        ("feed-revoke", "Hanne Testesen", MULTI),
    ]


async def test_a_malformed_secret_is_not_found_and_never_reaches_the_database(
    gateway: Gateway,
) -> None:
    url = await rotate(gateway, "citizen-multi")
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    for bad in ("%00", "x" * 43 + "%00", secret[:-1], secret + "A", "'; DROP TABLE x; --"):
        status, body, _ = await fetch(gateway, f"{gateway.url}/calendar/{bad}.ics")
        assert (status, body) == (404, b"Not found.\n"), bad


async def test_a_feed_whose_store_fails_asks_the_calendar_to_come_back(gateway: Gateway) -> None:
    url = await rotate(gateway, "citizen-multi")
    async with gateway.app.state.engine.begin() as conn:  # the store really fails
        await conn.execute(text("ALTER TABLE calendar_feeds RENAME TO calendar_feeds_gone"))
    status, body, headers = await fetch(gateway, url)
    assert status == 503
    assert headers["Retry-After"] == "300"
    assert b"Traceback" not in body
