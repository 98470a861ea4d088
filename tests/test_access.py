"""The one access decision: tenancy, the rule table, and a property over random populations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.access import Category, Scope, category_denied, decide, may_manage, may_view
from domain.blocks import Block, BlockKind, Override
from domain.errors import ForbiddenError
from domain.principals import Citizen, Clinician, Relative
from domain.records import Origin

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
PATIENT = "0108589995"
AUH_UNIT, AUH, RM = "265311000016006", "265301000016009", "320161000016009"
CHAIN = (AUH, RM)  # ancestors of AUH_UNIT, nearest first
DOCTOR = Clinician("Lene Hjort", "005ML", "physician", AUH_UNIT, "AUH", PATIENT)
OTHER_DOCTOR = Clinician("Anders Blok", "0D3XJ", "physician", "446021000016001", "AaUH", PATIENT)
CITIZEN = Citizen(PATIENT, "Poul Erik Testesen")
RELATIVE = Relative("0201609995", "Hanne", PATIENT, date(2026, 1, 1), date(2027, 1, 1))


def block(kind: BlockKind, **kw: object) -> Block:
    base: dict[str, object] = {
        "id": "b1",
        "patient_cpr": PATIENT,
        "kind": kind,
        "valid_from": NOW - timedelta(days=1),
        "valid_to": None,
        "authorisation_id": None,
        "sor": None,
        "include_subunits": False,
        "period_start": None,
        "period_end": None,
        "created_at": NOW,
        "created_by": PATIENT,
        "created_by_role": "citizen",
        "ended_at": None,
        "ended_by": None,
    }
    base.update(kw)
    return Block(**base)  # type: ignore[arg-type]


PRO = block(BlockKind.PROFESSIONAL, authorisation_id="005ML")
PLACE = block(BlockKind.TREATMENT_PLACE, sor=AUH_UNIT)
PLACE_TREE = block(BlockKind.TREATMENT_PLACE, sor=RM, include_subunits=True)
PLACE_NO_TREE = block(BlockKind.TREATMENT_PLACE, sor=RM, include_subunits=False)
PERIOD = block(BlockKind.PERIOD, period_start=NOW - timedelta(days=30), period_end=NOW)
ENDED = block(BlockKind.PROFESSIONAL, authorisation_id="005ML", ended_at=NOW - timedelta(hours=1))
FUTURE = block(BlockKind.PROFESSIONAL, authorisation_id="005ML", valid_from=NOW + timedelta(days=1))
OVERRIDE = Override(
    "o1",
    PATIENT,
    "005ML",
    "Lene Hjort",
    AUH_UNIT,
    "consent_now",
    "Akut",
    NOW - timedelta(minutes=5),
    NOW + timedelta(minutes=115),
)

IN_PERIOD = Origin(AUH_UNIT, NOW - timedelta(days=3), NOW - timedelta(days=3, hours=-1))
OUT_OF_PERIOD = Origin(AUH_UNIT, NOW + timedelta(days=3), None)
ELSEWHERE = Origin("751110016004", NOW + timedelta(days=3), None)
APPT, STAMKORT = Category.APPOINTMENTS, Category.STAMKORT
PERIOD_START, PERIOD_END = NOW - timedelta(days=30), NOW
HOUR = timedelta(hours=1)
ENDS_AT_PERIOD_START = Origin(AUH_UNIT, PERIOD_START - HOUR, PERIOD_START)
STARTS_AT_PERIOD_END = Origin(AUH_UNIT, PERIOD_END, PERIOD_END + HOUR)
STARTS_AT_PERIOD_START = Origin(AUH_UNIT, PERIOD_START, PERIOD_START + HOUR)
INSTANT_AT_PERIOD_START = Origin(AUH_UNIT, PERIOD_START)
INSTANT_AT_PERIOD_END = Origin(AUH_UNIT, PERIOD_END)
ENDS_IN_PERIOD_NO_START = Origin(AUH_UNIT, None, PERIOD_START + HOUR)
ENDS_AT_PERIOD_START_NO_START = Origin(AUH_UNIT, None, PERIOD_START)
ONGOING_SINCE_BEFORE = Origin(AUH_UNIT, PERIOD_START - timedelta(days=90), ongoing=True)
ONGOING_FROM_PERIOD_END = Origin(AUH_UNIT, PERIOD_END, ongoing=True)


@pytest.mark.parametrize(
    ("viewer", "blocks", "override", "category", "origin", "visible"),
    [
        # Patients and their fuldmagt relatives are never blocked.
        (CITIZEN, (PRO, PLACE, PERIOD), None, APPT, IN_PERIOD, True),
        (RELATIVE, (PRO, PLACE, PERIOD), None, APPT, IN_PERIOD, True),
        # A professional block hides every category from that professional only.
        (DOCTOR, (PRO,), None, APPT, OUT_OF_PERIOD, False),
        (DOCTOR, (PRO,), None, STAMKORT, Origin(None), False),
        (OTHER_DOCTOR, (PRO,), None, APPT, OUT_OF_PERIOD, True),
        # Treatment place: the unit itself; with sub-units, anything below it.
        (OTHER_DOCTOR, (PLACE,), None, APPT, OUT_OF_PERIOD, False),
        (OTHER_DOCTOR, (PLACE,), None, APPT, ELSEWHERE, True),
        (OTHER_DOCTOR, (PLACE_TREE,), None, APPT, OUT_OF_PERIOD, False),
        (OTHER_DOCTOR, (PLACE_NO_TREE,), None, APPT, OUT_OF_PERIOD, True),
        (OTHER_DOCTOR, (PLACE_TREE,), None, APPT, ELSEWHERE, True),
        # Period: appointments and plans dated in it; never the stamkort.
        (OTHER_DOCTOR, (PERIOD,), None, APPT, IN_PERIOD, False),
        (OTHER_DOCTOR, (PERIOD,), None, Category.PLANS, IN_PERIOD, False),
        (OTHER_DOCTOR, (PERIOD,), None, APPT, OUT_OF_PERIOD, True),
        (OTHER_DOCTOR, (PERIOD,), None, STAMKORT, IN_PERIOD, True),
        (OTHER_DOCTOR, (PERIOD,), None, APPT, Origin(AUH_UNIT), True),
        # Spans are half-open [start, end): touching the period is not being in it.
        (OTHER_DOCTOR, (PERIOD,), None, APPT, ENDS_AT_PERIOD_START, True),
        (OTHER_DOCTOR, (PERIOD,), None, APPT, STARTS_AT_PERIOD_END, True),
        (OTHER_DOCTOR, (PERIOD,), None, APPT, STARTS_AT_PERIOD_START, False),
        (OTHER_DOCTOR, (PERIOD,), None, APPT, INSTANT_AT_PERIOD_START, False),
        (OTHER_DOCTOR, (PERIOD,), None, APPT, INSTANT_AT_PERIOD_END, True),
        # Only an end: it has run up to it (a goal due in the period, a plan ending in it).
        (OTHER_DOCTOR, (PERIOD,), None, Category.PLANS, ENDS_IN_PERIOD_NO_START, False),
        (OTHER_DOCTOR, (PERIOD,), None, Category.PLANS, ENDS_AT_PERIOD_START_NO_START, True),
        # A plan without an end is ongoing: begun before the period, it reaches into it.
        (OTHER_DOCTOR, (PERIOD,), None, Category.PLANS, ONGOING_SINCE_BEFORE, False),
        (OTHER_DOCTOR, (PERIOD,), None, Category.PLANS, ONGOING_FROM_PERIOD_END, True),
        # Blocks outside their validity do nothing.
        (DOCTOR, (ENDED,), None, APPT, OUT_OF_PERIOD, True),
        (DOCTOR, (FUTURE,), None, APPT, OUT_OF_PERIOD, True),
        # An override lifts every block, for its clinician.
        (DOCTOR, (PRO, PLACE, PERIOD), OVERRIDE, APPT, IN_PERIOD, True),
    ],
)
def test_decision_table(
    viewer: Citizen | Relative | Clinician,
    blocks: tuple[Block, ...],
    override: Override | None,
    category: Category,
    origin: Origin,
    visible: bool,
) -> None:
    scope = Scope(viewer, blocks, override, NOW)
    chain = CHAIN if origin.sor == AUH_UNIT else ()
    assert decide(scope, category, origin, chain) is visible


def test_professional_block_denies_whole_categories() -> None:
    assert category_denied(Scope(DOCTOR, (PRO,), None, NOW), APPT)
    assert not category_denied(Scope(OTHER_DOCTOR, (PRO,), None, NOW), APPT)
    assert not category_denied(Scope(DOCTOR, (PRO,), OVERRIDE, NOW), APPT)


@pytest.mark.parametrize(
    ("principal", "cpr", "allowed"),
    [
        (CITIZEN, PATIENT, True),
        (CITIZEN, "0201609996", False),
        (RELATIVE, PATIENT, True),
        (RELATIVE, "0201609996", False),
        (
            Relative("0201609995", "Lise", PATIENT, date(2025, 1, 1), date(2026, 1, 1)),
            PATIENT,
            False,
        ),
        (DOCTOR, PATIENT, True),
        (DOCTOR, "0201609996", False),
    ],
)
def test_tenancy(principal: Citizen | Relative | Clinician, cpr: str, allowed: bool) -> None:
    if allowed:
        may_view(principal, cpr, NOW.date())
    else:
        with pytest.raises(ForbiddenError):
            may_view(principal, cpr, NOW.date())


def test_clinicians_cannot_manage_blocks() -> None:
    with pytest.raises(ForbiddenError):
        may_manage(DOCTOR, PATIENT, NOW.date())
    assert may_manage(RELATIVE, PATIENT, NOW.date()) is RELATIVE


# --- property: no record a block hides ever reaches a clinician -------------------------------

UNITS = [AUH_UNIT, AUH, RM, "751110016004", "446021000016001"]
TREE = {AUH_UNIT: (AUH, RM), AUH: (RM,), RM: (), "751110016004": (), "446021000016001": ()}
times = st.integers(min_value=-60, max_value=60).map(lambda d: NOW + timedelta(days=d))
blocks_st = st.one_of(
    st.builds(
        lambda a: block(BlockKind.PROFESSIONAL, authorisation_id=a),
        st.sampled_from(["005ML", "0D3XJ"]),
    ),
    st.builds(
        lambda s, t: block(BlockKind.TREATMENT_PLACE, sor=s, include_subunits=t),
        st.sampled_from(UNITS),
        st.booleans(),
    ),
    st.builds(
        lambda a, n: block(BlockKind.PERIOD, period_start=a, period_end=a + timedelta(days=n)),
        times,
        st.integers(min_value=1, max_value=30),
    ),
)
origins_st = st.builds(
    lambda s, t, n, ongoing: Origin(
        s, t, t + timedelta(hours=n) if n and not ongoing else None, ongoing
    ),
    st.sampled_from([*UNITS, None]),
    times,
    st.integers(min_value=0, max_value=48),
    st.booleans(),
)


def hidden_by(b: Block, viewer: Clinician, category: Category, o: Origin) -> bool:
    """An independent statement of each block's meaning (DOMAIN.md), for the property."""
    if b.kind is BlockKind.PROFESSIONAL:
        return b.authorisation_id == viewer.authorisation_id
    if b.kind is BlockKind.TREATMENT_PLACE:
        if o.sor is None:
            return False
        return o.sor == b.sor or (b.include_subunits and b.sor in TREE[o.sor])
    if category is Category.STAMKORT or (o.start is None and o.end is None):
        return False
    assert b.period_start is not None
    if o.start is None:
        assert o.end is not None
        return o.end > b.period_start  # it has run up to its end
    # Half-open spans [start, end): they overlap when each begins before the other ends. An
    # instant (no end) is in [start, end) when start <= instant < end; an ongoing span has no end.
    begins_before_period_ends = b.period_end is None or o.start < b.period_end
    if o.ongoing:
        return begins_before_period_ends
    if o.end is None:
        return b.period_start <= o.start and begins_before_period_ends
    return o.end > b.period_start and begins_before_period_ends


@settings(max_examples=300, deadline=None)
@given(
    blocks=st.lists(blocks_st, max_size=4),
    records=st.lists(origins_st, max_size=12),
    viewer=st.sampled_from([DOCTOR, OTHER_DOCTOR]),
    category=st.sampled_from(list(Category)),
)
def test_no_hidden_record_reaches_a_clinician(
    blocks: list[Block], records: list[Origin], viewer: Clinician, category: Category
) -> None:
    scope = Scope(viewer, tuple(blocks), None, NOW)
    for o in records:
        shown = decide(scope, category, o, TREE.get(o.sor or "", ()))
        hidden = any(hidden_by(b, viewer, category, o) for b in blocks)
        assert shown is not hidden
    for patient_side in (CITIZEN, RELATIVE):
        side = Scope(patient_side, tuple(blocks), None, NOW)
        assert all(decide(side, category, o, TREE.get(o.sor or "", ())) for o in records)


def test_records_refuse_naive_datetimes() -> None:
    naive = datetime(2026, 11, 26, 9, 0)
    with pytest.raises(ValueError, match="no time zone"):
        Origin(AUH_UNIT, naive)
    with pytest.raises(ValueError, match="no time zone"):
        Origin(AUH_UNIT, NOW, naive)
