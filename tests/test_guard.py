"""The guard directive in-process: a decision that fails withholds its field, and only it.

The pipeline decides once over plain records (``domain/decision.py``); the guard reads that
decision. Here the two parts' records are decided as the pipeline decides them, one of them with
a record whose origin cannot be read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import strawberry
from strawberry.types import ExecutionResult, Info

from domain.access import Category, Scope
from domain.blocks import Block, BlockKind
from domain.decision import Decision, decide_part
from domain.principals import Clinician
from domain.records import Origin
from gateway.config import load_settings
from resolvers.context import Context, RequestState, Services
from resolvers.guard import WITHHELD_MESSAGE, guarded
from resolvers.reporting import ReportErrors

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
DOCTOR = Clinician("Lene Hjort", "005ML", "physician", "265311000016006", "AUH", "0108589995")
PERIOD = Block(
    id="b1",
    patient_cpr="0108589995",
    kind=BlockKind.PERIOD,
    valid_from=NOW - timedelta(days=1),
    valid_to=None,
    authorisation_id=None,
    sor=None,
    include_subunits=False,
    period_start=NOW - timedelta(days=1),
    period_end=NOW + timedelta(days=1),
    created_at=NOW - timedelta(days=1),
    created_by="0108589995",
    created_by_role="citizen",
    ended_at=None,
    ended_by=None,
)


@strawberry.type
class Item:
    name: str
    broken: strawberry.Private[bool]

    @property
    def origin(self) -> Origin:
        if self.broken:
            raise TypeError("can't compare offset-naive and offset-aware datetimes")
        return Origin("265311000016006", NOW + timedelta(days=5), None)


PARTS = {
    "broken": (Category.PLANS, [Item(name="a", broken=False), Item(name="b", broken=True)]),
    "fine": (Category.APPOINTMENTS, [Item(name="c", broken=False)]),
}


def _visible(info: Info[Context, None], part: str) -> list[Item]:
    decision = info.context.state.decision
    assert decision is not None
    return list(cast(tuple[Item, ...], decision.verdicts[part].visible))


@strawberry.type
class Query:
    @guarded(Category.PLANS, "Items whose decision fails.", part="broken")
    async def broken(self, info: Info[Context, None]) -> list[Item] | None:
        return _visible(info, "broken")

    @guarded(Category.APPOINTMENTS, "Items whose decision works.", part="fine")
    async def fine(self, info: Info[Context, None]) -> list[Item] | None:
        return _visible(info, "fine")


SCHEMA = strawberry.Schema(query=Query, extensions=[ReportErrors])


async def run(query: str) -> ExecutionResult:
    scope = Scope(DOCTOR, (PERIOD,), None, NOW)
    decision = Decision(scope)
    for part, (category, items) in PARTS.items():
        decision.verdicts[part] = decide_part(scope, category, items, {})
    state = RequestState(request_id="r1", now=NOW, scope=scope, decision=decision)
    # Error reporting reads the settings.
    services = cast(Services, SimpleNamespace(settings=load_settings({})))
    context = Context(principal=DOCTOR, services=services, state=state)
    return await SCHEMA.execute(query, context_value=context)


async def test_a_failing_decision_withholds_that_field_only_as_any_withheld_field() -> None:
    result = await run("{ broken { name } fine { name } }")
    assert result.data == {"broken": None, "fine": [{"name": "c"}]}
    (error,) = result.errors or []
    assert error.path == ["broken"]
    # Exactly what a field a block withholds shows: nothing tells a failure from a block.
    assert error.message == WITHHELD_MESSAGE
    ext: dict[str, Any] = error.extensions or {}
    assert ext == {"code": "BLOCKED_BY_PATIENT"}
