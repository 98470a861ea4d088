from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.blocks import Block, BlockKind, Override
from domain.entered import Provenance, StamkortState
from domain.errors import BadInputError, NotFoundError, StaleEditError
from store.repositories import Repositories

CPR = "0201919990"
OTHER = "1502779995"
T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CITIZEN = Provenance(CPR, "Jens Hansen", "citizen")
NURSE = Provenance("0C1D2", "Sygeplejerske Hansen", "clinician", "123456789012345", "AUH")


def block_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "patient_cpr": CPR,
        "kind": BlockKind.PROFESSIONAL,
        "valid_from": T0,
        "valid_to": None,
        "authorisation_id": "0C1D2",
        "sor": None,
        "include_subunits": False,
        "period_start": None,
        "period_end": None,
        "created_by": CPR,
        "created_by_role": "citizen",
        "now": T0,
    }
    return args | overrides


async def test_create_block_round_trips(store: Repositories) -> None:
    created = await store.blocks.add(
        Block.new(
            **block_args(
                kind=BlockKind.TREATMENT_PLACE,
                authorisation_id="ignored for this kind",
                sor="265311000016006",  # a SOR id: Block.new checks the syntax now
                include_subunits=True,
                valid_to=T0 + timedelta(days=30),
            )
        )
    )
    assert len(created.id) == 32
    assert created.authorisation_id is None
    assert await store.blocks.list_blocks(CPR) == [created]
    assert await store.blocks.list_blocks(OTHER) == []


async def test_block_times_come_back_as_utc(store: Repositories) -> None:
    cest = timezone(timedelta(hours=2))
    local = datetime(2025, 6, 1, 14, 0, tzinfo=cest)
    await store.blocks.add(Block.new(**block_args(valid_from=local, now=local)))
    [block] = await store.blocks.list_blocks(CPR)
    assert block.valid_from == T0
    assert block.valid_from.tzinfo == UTC
    assert block.created_at.tzinfo == UTC


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"valid_to": T0}, "end after it starts"),
        ({"authorisation_id": None}, "authorisation id"),
        ({"kind": BlockKind.TREATMENT_PLACE}, "SOR"),
        ({"kind": BlockKind.PERIOD, "period_start": T0}, "period"),
        ({"kind": BlockKind.PERIOD, "period_start": T0, "period_end": T0}, "period"),
        ({"created_by_role": "clinician"}, "patient or a relative"),
        ({"valid_from": datetime(2025, 6, 1)}, "timezone"),
    ],
)
async def test_incoherent_blocks_are_refused(
    store: Repositories, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadInputError, match=message):
        await store.blocks.add(Block.new(**block_args(**overrides)))
    assert await store.blocks.list_blocks(CPR) == []


async def test_list_blocks_is_newest_first_and_keeps_ended(store: Repositories) -> None:
    older = await store.blocks.add(Block.new(**block_args()))
    newer = await store.blocks.add(
        Block.new(
            **block_args(
                kind=BlockKind.PERIOD,
                period_start=T0 - timedelta(days=400),
                period_end=T0 - timedelta(days=300),
                now=T0 + timedelta(minutes=1),
            )
        )
    )
    ended = await store.blocks.end_block(CPR, older.id, ended_by=CPR, now=T0 + timedelta(hours=1))
    assert [b.id for b in await store.blocks.list_blocks(CPR)] == [newer.id, older.id]
    assert ended.ended_at == T0 + timedelta(hours=1)
    assert ended.ended_by == CPR


async def test_active_blocks_respect_validity_and_ending(store: Repositories) -> None:
    window = await store.blocks.add(
        Block.new(**block_args(valid_from=T0 + timedelta(days=1), valid_to=T0 + timedelta(days=2)))
    )
    open_ended = await store.blocks.add(Block.new(**block_args(authorisation_id="9X9X9")))
    await store.blocks.end_block(CPR, open_ended.id, ended_by=CPR, now=T0 + timedelta(days=3))

    def ids(found: list[Block]) -> set[str]:
        return {b.id for b in found}

    assert ids(await store.blocks.active_blocks(CPR, T0 - timedelta(seconds=1))) == set()
    assert ids(await store.blocks.active_blocks(CPR, T0)) == {open_ended.id}
    assert ids(await store.blocks.active_blocks(CPR, T0 + timedelta(days=1))) == {
        window.id,
        open_ended.id,
    }
    assert ids(await store.blocks.active_blocks(CPR, T0 + timedelta(days=2))) == {open_ended.id}
    assert ids(await store.blocks.active_blocks(CPR, T0 + timedelta(days=3))) == set()
    assert await store.blocks.active_blocks(OTHER, T0 + timedelta(days=1)) == []


async def test_active_blocks_agree_with_block_active_at(store: Repositories) -> None:
    await store.blocks.add(Block.new(**block_args(valid_to=T0 + timedelta(hours=5))))
    ended = await store.blocks.add(Block.new(**block_args(valid_from=T0 + timedelta(hours=1))))
    await store.blocks.end_block(CPR, ended.id, ended_by=CPR, now=T0 + timedelta(hours=3))
    everything = await store.blocks.list_blocks(CPR)
    for hour in range(-1, 7):
        at = T0 + timedelta(hours=hour)
        expected = [b for b in everything if b.active_at(at)]
        assert await store.blocks.active_blocks(CPR, at) == expected


async def test_end_block_is_idempotent(store: Repositories) -> None:
    block = await store.blocks.add(Block.new(**block_args()))
    first = await store.blocks.end_block(CPR, block.id, ended_by=CPR, now=T0 + timedelta(hours=1))
    again = await store.blocks.end_block(CPR, block.id, ended_by=OTHER, now=T0 + timedelta(hours=2))
    assert again == first
    assert first.ended_by == CPR


async def test_end_block_of_another_patient_is_not_found(store: Repositories) -> None:
    block = await store.blocks.add(Block.new(**block_args()))
    with pytest.raises(NotFoundError):
        await store.blocks.end_block(OTHER, block.id, ended_by=OTHER, now=T0)
    with pytest.raises(NotFoundError):
        await store.blocks.end_block(CPR, "0" * 32, ended_by=CPR, now=T0)
    assert (await store.blocks.list_blocks(CPR))[0].ended_at is None


async def test_override_is_active_within_its_window_only(store: Repositories) -> None:
    granted = await store.overrides.add(
        Override.new(
            patient_cpr=CPR,
            authorisation_id="0C1D2",
            clinician_name="Læge Larsen",
            sor="6008010",
            basis="patient_unreachable",
            reason="  Akut indlagt, bevidstløs  ",
            now=T0,
            window=timedelta(minutes=120),
        )
    )
    assert granted.expires_at == T0 + timedelta(minutes=120)
    assert granted.reason == "Akut indlagt, bevidstløs"
    assert await store.overrides.active_override(CPR, "0C1D2", T0) == granted
    assert (
        await store.overrides.active_override(CPR, "0C1D2", T0 + timedelta(minutes=119)) == granted
    )
    assert await store.overrides.active_override(CPR, "0C1D2", T0 + timedelta(minutes=120)) is None
    assert await store.overrides.active_override(CPR, "0C1D2", T0 - timedelta(seconds=1)) is None
    assert await store.overrides.active_override(CPR, "9X9X9", T0) is None
    assert await store.overrides.active_override(OTHER, "0C1D2", T0) is None


async def test_active_override_is_the_latest(store: Repositories) -> None:
    common: dict[str, Any] = {
        "patient_cpr": CPR,
        "authorisation_id": "0C1D2",
        "clinician_name": "Læge Larsen",
        "sor": None,
        "basis": "consent_now",
        "reason": "Patienten giver samtykke",
    }
    await store.overrides.add(Override.new(**common, now=T0, window=timedelta(hours=2)))
    later = await store.overrides.add(
        Override.new(**common, now=T0 + timedelta(minutes=30), window=timedelta(hours=2))
    )
    assert await store.overrides.active_override(CPR, "0C1D2", T0 + timedelta(hours=1)) == later


@pytest.mark.parametrize(
    ("basis", "reason", "window", "message"),
    [
        ("because", "x", timedelta(hours=1), "basis"),
        ("consent_now", "   ", timedelta(hours=1), "reason"),
        ("consent_now", "x", timedelta(0), "window"),
    ],
)
async def test_invalid_overrides_are_refused(
    store: Repositories, basis: str, reason: str, window: timedelta, message: str
) -> None:
    with pytest.raises(BadInputError, match=message):
        await store.overrides.add(
            Override.new(
                patient_cpr=CPR,
                authorisation_id="0C1D2",
                clinician_name="Læge Larsen",
                sor=None,
                basis=basis,
                reason=reason,
                now=T0,
                window=window,
            )
        )
    assert await store.overrides.active_override(CPR, "0C1D2", T0) is None


async def test_stamkort_starts_empty(store: Repositories) -> None:
    assert await store.stamkort.stamkort(CPR) == StamkortState(version=0, values={})
    assert await store.stamkort.stamkort_history(CPR, "phone") == []


async def test_update_stamkort_bumps_the_version_and_keeps_provenance(store: Repositories) -> None:
    relatives = [{"name": "Anna Hansen", "phone": "+4512345678", "relation": "datter"}]
    first = await store.stamkort.update_stamkort(
        CPR,
        expected_version=0,
        changes={"phone": "+4587654321", "relatives": relatives},
        provenance=CITIZEN,
        now=T0,
    )
    assert first.version == 1
    assert first.values["relatives"].value == relatives
    assert first.values["phone"].provenance == CITIZEN
    assert first.values["phone"].entered_at == T0

    second = await store.stamkort.update_stamkort(
        CPR,
        expected_version=1,
        changes={"phone": "+4511112222", "relatives": None},
        provenance=NURSE,
        now=T0 + timedelta(hours=1),
    )
    assert second.version == 2
    assert set(second.values) == {"phone"}
    assert second.values["phone"].value == "+4511112222"
    assert second.values["phone"].provenance == NURSE
    assert second.values["phone"].version == 2
    assert await store.stamkort.stamkort(CPR) == second
    assert await store.stamkort.stamkort(OTHER) == StamkortState(version=0, values={})

    history = await store.stamkort.stamkort_history(CPR, "phone")
    assert [(v.version, v.value) for v in history] == [(2, "+4511112222"), (1, "+4587654321")]
    cleared = await store.stamkort.stamkort_history(CPR, "relatives")
    assert [(v.version, v.value) for v in cleared] == [(2, None), (1, relatives)]


async def test_stale_stamkort_edit_is_refused_and_changes_nothing(store: Repositories) -> None:
    await store.stamkort.update_stamkort(
        CPR, expected_version=0, changes={"phone": "1"}, provenance=CITIZEN, now=T0
    )
    before = await store.stamkort.stamkort(CPR)
    for stale in (0, 2):
        with pytest.raises(StaleEditError, match="since version") as caught:
            await store.stamkort.update_stamkort(
                CPR, expected_version=stale, changes={"phone": "2"}, provenance=NURSE, now=T0
            )
        assert caught.value.extensions == {"code": "STALE_EDIT", "current_version": 1}
    assert await store.stamkort.stamkort(CPR) == before
    assert len(await store.stamkort.stamkort_history(CPR, "phone")) == 1


async def test_racing_stamkort_edits_let_exactly_one_win(store: Repositories) -> None:
    async def edit(version: int, n: int) -> StamkortState | StaleEditError:
        try:
            return await store.stamkort.update_stamkort(
                CPR, expected_version=version, changes={"phone": str(n)}, provenance=CITIZEN, now=T0
            )
        except StaleEditError as exc:
            return exc

    for version in (0, 1):
        results = await asyncio.gather(*(edit(version, n) for n in range(8)))
        winners = [r for r in results if isinstance(r, StamkortState)]
        assert len(winners) == 1
        assert winners[0].version == version + 1
    assert (await store.stamkort.stamkort(CPR)).version == 2
    assert len(await store.stamkort.stamkort_history(CPR, "phone")) == 2


@pytest.mark.parametrize(
    "changes", [{}, {"phone": object()}, {"phone": float("nan")}], ids=["empty", "object", "nan"]
)
async def test_bad_stamkort_changes_are_refused(
    store: Repositories, changes: dict[str, Any]
) -> None:
    with pytest.raises(BadInputError):
        await store.stamkort.update_stamkort(
            CPR, expected_version=0, changes=changes, provenance=CITIZEN, now=T0
        )
    assert (await store.stamkort.stamkort(CPR)).version == 0


async def test_feed_rotation_replaces_the_token(store: Repositories) -> None:
    assert await store.feeds.feed(CPR, CPR) is None
    first = await store.feeds.rotate_feed(CPR, CPR, T0)
    assert len(first.token) >= 43
    assert await store.feeds.feed(CPR, CPR) == first
    assert await store.feeds.feed_by_token(first.token) == first

    second = await store.feeds.rotate_feed(CPR, CPR, T0 + timedelta(days=1))
    assert second.token != first.token
    assert await store.feeds.feed(CPR, CPR) == second
    assert await store.feeds.feed_by_token(first.token) is None
    assert await store.feeds.feed_by_token(second.token) == second


async def test_feeds_are_per_owner(store: Repositories) -> None:
    own = await store.feeds.rotate_feed(CPR, CPR, T0)
    relatives = await store.feeds.rotate_feed(CPR, OTHER, T0)
    assert await store.feeds.feed(CPR, CPR) == own
    assert await store.feeds.feed(CPR, OTHER) == relatives
    assert await store.feeds.feed(OTHER, OTHER) is None


async def test_revoke_feed(store: Repositories) -> None:
    feed = await store.feeds.rotate_feed(CPR, CPR, T0)
    assert await store.feeds.revoke_feed(CPR, CPR, T0) is True
    assert await store.feeds.feed(CPR, CPR) is None
    assert await store.feeds.feed_by_token(feed.token) is None
    assert await store.feeds.revoke_feed(CPR, CPR, T0) is False
    assert await store.feeds.feed_by_token("no-such-token") is None


async def test_racing_rotations_leave_one_live_feed(store: Repositories) -> None:
    feeds = await asyncio.gather(*(store.feeds.rotate_feed(CPR, CPR, T0) for _ in range(6)))
    live = [f for f in feeds if await store.feeds.feed_by_token(f.token) is not None]
    assert len(live) == 1
    assert await store.feeds.feed(CPR, CPR) == live[0]
