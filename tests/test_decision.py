"""The request's one decision over plain records (``domain/decision.py``), as a rule table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from domain.access import Category, Scope
from domain.blocks import Block
from domain.decision import Dated, Decision, Verdict, decide_part, needed_sors
from domain.principals import Principal
from domain.records import Origin
from tests.test_access import (
    AUH_UNIT,
    CHAIN,
    CITIZEN,
    DOCTOR,
    NOW,
    OVERRIDE,
    PERIOD,
    PLACE,
    PLACE_TREE,
    PRO,
)

OTHER_UNIT = "446021000016001"


@dataclass(frozen=True)
class Rec:
    name: str
    origin: Origin


AT_AUH = Rec("auh", Origin(AUH_UNIT, NOW - timedelta(days=90), None))
ELSEWHERE = Rec("other", Origin(OTHER_UNIT, NOW + timedelta(days=5), None))
IN_PERIOD = Rec("dated", Origin(OTHER_UNIT, NOW - timedelta(days=3), None))
UNDATED = Rec("undated", Origin(None))
RECORDS: list[Dated] = [AT_AUH, ELSEWHERE, IN_PERIOD, UNDATED]
CHAINS = {AUH_UNIT: CHAIN, OTHER_UNIT: ()}


class Broken:
    @property
    def origin(self) -> Origin:
        raise TypeError("can't compare offset-naive and offset-aware datetimes")


def scope(*blocks: Block, viewer: Principal = DOCTOR, overriding: bool = False) -> Scope:
    return Scope(viewer, tuple(blocks), OVERRIDE if overriding else None, NOW)


def names(verdict: Verdict[Dated]) -> list[str]:
    return [r.name for r in verdict.visible if isinstance(r, Rec)]


@pytest.mark.parametrize(
    ("blocks", "category", "shown"),
    [
        ((), Category.APPOINTMENTS, ["auh", "other", "dated", "undated"]),
        ((PLACE,), Category.APPOINTMENTS, ["other", "dated", "undated"]),
        ((PLACE,), Category.STAMKORT, ["other", "dated", "undated"]),
        ((PERIOD,), Category.APPOINTMENTS, ["auh", "other", "undated"]),
        ((PERIOD,), Category.PLANS, ["auh", "other", "undated"]),
        ((PERIOD,), Category.STAMKORT, ["auh", "other", "dated", "undated"]),
        ((PLACE_TREE,), Category.PLANS, ["other", "dated", "undated"]),
        ((PRO,), Category.APPOINTMENTS, []),
    ],
)
def test_a_part_shows_what_the_blocks_leave(
    blocks: tuple[Block, ...], category: Category, shown: list[str]
) -> None:
    verdict = decide_part(scope(*blocks), category, RECORDS, CHAINS)
    assert names(verdict) == shown
    assert verdict.withheld is (len(shown) < len(RECORDS))
    assert not verdict.failed


def test_the_patient_side_and_an_override_see_everything() -> None:
    for s in (scope(PRO, PLACE, viewer=CITIZEN), scope(PRO, PLACE, overriding=True)):
        verdict = decide_part(s, Category.APPOINTMENTS, RECORDS, {})
        assert names(verdict) == ["auh", "other", "dated", "undated"]
        assert not verdict.withheld
        assert not Decision(s, {"appointments": verdict}).anything_withheld


def test_an_unknown_sor_chain_under_a_sub_unit_block_withholds_the_record() -> None:
    # AUH's chain could not be looked up; the other unit's was never asked for.
    verdict = decide_part(scope(PLACE_TREE), Category.APPOINTMENTS, RECORDS, {AUH_UNIT: None})
    assert names(verdict) == ["undated"]
    assert verdict.withheld


def test_a_decision_that_raises_withholds_that_part_whole() -> None:
    records: list[Dated] = [ELSEWHERE, Broken()]
    verdict = decide_part(scope(PERIOD), Category.PLANS, records, {})
    assert (verdict.visible, verdict.withheld, verdict.failed) == ((), True, True)
    assert names(decide_part(scope(PERIOD), Category.PLANS, records[:1], {})) == ["other"]


def test_the_notice_tells_any_withheld_part_or_denied_category() -> None:
    place = scope(PLACE)
    kept = decide_part(place, Category.PLANS, RECORDS[1:2], CHAINS)
    lost = decide_part(place, Category.APPOINTMENTS, RECORDS, CHAINS)
    assert not Decision(place, {"plans": kept}).anything_withheld
    assert Decision(place, {"plans": kept, "appointments": lost}).anything_withheld
    assert Decision(scope(PRO)).anything_withheld  # denied, even with nothing fetched


def test_only_a_sub_unit_block_needs_sor_chains() -> None:
    origins = [r.origin for r in RECORDS]
    assert needed_sors(scope(PLACE_TREE), origins) == {AUH_UNIT, OTHER_UNIT}
    assert needed_sors(scope(PLACE), origins) == set()
    assert needed_sors(scope(PLACE_TREE, overriding=True), origins) == set()
