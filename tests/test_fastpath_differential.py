"""The execution fast path (``resolvers/fastpath.py``) answers exactly what graphql-core answers.

Random queries — random subsets of fields, aliases, repeated fields, ``__typename``, inline and
named fragments, ``@include``/``@skip`` with literals and variables, nested selections — run
through a schema with the fast path and one without, on the same data, and the whole results
(data in key order, and errors with messages, paths and locations, in order) must be equal:

- over the real hot types (``Appointment``, ``Plan``, ``Goal``, ``SourceState``) holding odd
  values: nulls in nullable and non-null fields, wrong types, unknown enum values, non-finite
  floats, generators instead of lists, exceptions and coroutines as values;
- over the real overview, in-process, for a citizen and a clinician with a block in force.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.requests import Request
from strawberry.extensions import ParserCache
from strawberry.types import ExecutionResult

from domain.errors import SourceStatus
from domain.records import AppointmentStatus, Sector
from gateway.app import new_context, response_data
from resolvers.appointments import Appointment, Place
from resolvers.fastpath import FastExecutor, fast_executor
from resolvers.plans import Activity, Goal, Plan, Quantity, Target
from resolvers.schema import build_schema, plain_attribute_fields
from resolvers.types import Address, Organization, Source, SourceKind, SourceState
from tests.inprocess import SCOPE, InProcessGateway

# -- random queries ---------------------------------------------------------------------------


@dataclass
class _Query:
    rng: random.Random
    variables: dict[str, bool] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    aliases: int = 0

    def alias(self) -> str:
        self.aliases += 1
        return f"x{self.aliases}: "

    def condition(self) -> str:
        """Nothing, mostly; else @include or @skip on a literal or on a new variable."""
        roll = self.rng.random()
        if roll < 0.7:
            return ""
        directive = self.rng.choice(["include", "skip"])
        if roll < 0.8:
            return f" @{directive}(if: {self.rng.choice(['true', 'false'])})"
        name = f"v{len(self.variables)}"
        self.variables[name] = self.rng.random() < 0.5
        return f" @{directive}(if: ${name})"


def _named(gtype: GraphQLOutputType) -> Any:
    while isinstance(gtype, GraphQLNonNull | GraphQLList):
        gtype = gtype.of_type
    return gtype


def _selection(q: _Query, gtype: GraphQLObjectType, depth: int) -> str:
    rng = q.rng
    names = [n for n, f in gtype.fields.items() if not f.args]
    picked = rng.sample(names, rng.randint(1, min(len(names), 7)))
    if rng.random() < 0.2:
        picked.append(rng.choice(picked))  # the same field twice: its selections merge
    parts = []
    for name in picked:
        inner = _named(gtype.fields[name].type)
        sub = ""
        if isinstance(inner, GraphQLObjectType):
            if depth >= 3:
                continue
            sub = f" {{ {_selection(q, inner, depth + 1)} }}"
        alias = q.alias() if rng.random() < 0.3 else ""
        parts.append(f"{alias}{name}{q.condition()}{sub}")
    if rng.random() < 0.3:
        parts.insert(rng.randint(0, len(parts)), "__typename")
    if rng.random() < 0.25:
        parts.append(f"... on {gtype.name}{q.condition()} {{ {_selection(q, gtype, depth + 1)} }}")
    if rng.random() < 0.2:
        index = len(q.fragments)
        q.fragments.append("")  # its name is taken before fragments inside it are named
        q.fragments[index] = (
            f"fragment F{index} on {gtype.name} {{ {_selection(q, gtype, depth + 1)} }}"
        )
        parts.append(f"...F{index}{q.condition()}")
    return " ".join(parts) or "__typename"


def random_query(
    rng: random.Random, fields: dict[str, GraphQLObjectType], wrap: Callable[[str], str]
) -> tuple[str, dict[str, bool]]:
    """A query over ``fields`` (root field -> its type), ``wrap`` placing it in the document."""
    q = _Query(rng)
    roots = rng.sample(sorted(fields), rng.randint(1, len(fields)))
    body = " ".join(
        f"{q.alias() if rng.random() < 0.3 else ''}{name} {{ {_selection(q, fields[name], 1)} }}"
        for name in roots
    )
    declared = ", ".join(f"${v}: Boolean!" for v in q.variables)
    head = f"query Probe({declared})" if declared else "query Probe"
    return " ".join([f"{head} {{ {wrap(body)} }}", *q.fragments]), q.variables


def _shown(result: ExecutionResult) -> str:
    """All a client could tell apart: data in key order, errors in order, with their paths."""
    errors = [e.formatted for e in result.errors or []]
    return json.dumps({"data": result.data, "errors": errors}, default=repr)


# -- the hot types, holding odd values --------------------------------------------------------

ODD: st.SearchStrategy[Any] = st.sampled_from(
    [None, 0, 7, -1, 2**40, 1.5, math.nan, True, "", "æøå \u2028 \"'", b"bytes", [1], {}]
)


def _or_odd(normal: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(normal, normal, normal, ODD)


TEXT = _or_odd(st.text(max_size=8))
WHEN = _or_odd(st.datetimes(timezones=st.just(UTC)))
DAY = _or_odd(st.dates())
FLAG = _or_odd(st.booleans())


@dataclass(frozen=True)
class _Later:
    """Made into a value only when a path runs: a coroutine, or an iterator over ``items``."""

    kind: str
    items: tuple[Any, ...] = ()


AWKWARD = st.sampled_from(
    [ValueError("a value that is an error"), _Later("coroutine"), _Later("iterator", ("a",))]
)


def _lists(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    as_lists = st.lists(item, max_size=3)
    iterators = as_lists.map(lambda items: _Later("iterator", tuple(items)))
    return st.one_of(as_lists, as_lists, as_lists.map(tuple), iterators, ODD)


ORGS = _or_odd(st.builds(Organization, sor=TEXT, name=TEXT))
SOURCES = _or_odd(
    st.builds(Source, id=TEXT, name=TEXT, kind=_or_odd(st.sampled_from(list(SourceKind))))
)
ADDRESSES = _or_odd(st.builds(Address, lines=_lists(TEXT), postcode=TEXT, city=TEXT))
PLACES = _or_odd(st.builds(Place, name=TEXT, sor=TEXT, address=ADDRESSES, is_home=FLAG))
APPOINTMENTS = st.builds(
    Appointment,
    id=st.one_of(TEXT, AWKWARD),
    status=_or_odd(st.sampled_from([*AppointmentStatus, "booked"])),
    title=TEXT,
    start=WHEN,
    end=WHEN,
    all_day=FLAG,
    start_date=DAY,
    end_date=DAY,
    indicative_time=FLAG,
    source=SOURCES,
    sector=_or_odd(st.sampled_from([*Sector, "gp"])),
    organization=ORGS,
    place=PLACES,
    performer=TEXT,
    reason=TEXT,
    record=st.none(),  # localDate, isoWeek, overlapsWith fail alike on both paths
    page=st.none(),
)
QUANTITIES = _or_odd(
    st.builds(
        Quantity,
        value=_or_odd(st.floats(allow_nan=True, allow_infinity=True)),
        comparator=TEXT,
        unit=TEXT,
        code=TEXT,
        system=TEXT,
    )
)
ACTIVITIES = _or_odd(
    st.builds(
        Activity,
        title=TEXT,
        status=TEXT,
        scheduled_start=WHEN,
        scheduled_end=WHEN,
        appointment_ids=_lists(TEXT),
    )
)
PLANS = st.builds(
    Plan,
    id=TEXT,
    source=SOURCES,
    title=TEXT,
    category=TEXT,
    status=TEXT,
    intent=TEXT,
    description=TEXT,
    period_start=WHEN,
    period_end=WHEN,
    organization=ORGS,
    author=TEXT,
    activities=_lists(ACTIVITIES),
    goal_ids=_lists(TEXT),
)
TARGETS = _or_odd(
    st.builds(
        Target,
        measure=TEXT,
        detail=TEXT,
        due_date=DAY,
        quantity=QUANTITIES,
        low=QUANTITIES,
        high=QUANTITIES,
    )
)
GOALS = st.builds(
    Goal,
    id=TEXT,
    source=SOURCES,
    description=TEXT,
    lifecycle_status=TEXT,
    achievement_status=TEXT,
    start_date=DAY,
    targets=_lists(TARGETS),
    organization=ORGS,
)
STATES = st.builds(
    SourceState,
    id=TEXT,
    name=TEXT,
    kind=_or_odd(st.sampled_from(list(SourceKind))),
    status=_or_odd(st.sampled_from(list(SourceStatus))),
    fetched_at=WHEN,
    refused_documents=_or_odd(st.integers(min_value=-(2**33), max_value=2**33)),
)


@dataclass
class Data:
    appointments: list[Any]
    plans: list[Any]
    goals: list[Any]
    states: list[Any]
    one: Any


def _may_be_null(item: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.one_of(item, item, item, st.none()), max_size=4)


DATA = st.builds(
    Data,
    appointments=_may_be_null(APPOINTMENTS),
    plans=_may_be_null(PLANS),
    goals=_may_be_null(GOALS),
    states=_may_be_null(STATES),
    one=st.one_of(APPOINTMENTS, st.none()),
)


def _data(info: strawberry.Info) -> Data:
    data: Data = info.context["data"]
    return data


@strawberry.type
class Probe:
    """Root fields returning the hot types the ways resolvers do: lists (nullable items or not,
    async or not) and single objects."""

    @strawberry.field
    def appointments(self, info: strawberry.Info) -> list[Appointment]:
        return _data(info).appointments

    @strawberry.field
    async def maybe_appointments(self, info: strawberry.Info) -> list[Appointment | None] | None:
        return _data(info).appointments

    @strawberry.field
    def appointment(self, info: strawberry.Info) -> Appointment | None:
        return _data(info).one  # type: ignore[no-any-return]

    @strawberry.field
    async def plans(self, info: strawberry.Info) -> list[Plan | None]:
        return _data(info).plans

    @strawberry.field
    def goals(self, info: strawberry.Info) -> list[Goal | None] | None:
        return _data(info).goals

    @strawberry.field
    def sources(self, info: strawberry.Info) -> list[SourceState | None]:
        return _data(info).states


def _probe_schema(fast: bool) -> strawberry.Schema:
    schema = strawberry.Schema(
        query=Probe, execution_context_class=fast_executor() if fast else None
    )
    plain_attribute_fields(schema)
    return schema


FAST, SLOW = _probe_schema(True), _probe_schema(False)
ROOTS = {
    name: _named(f.type)
    for name, f in FAST._schema.query_type.fields.items()  # type: ignore[union-attr]
}


def _made(value: Any) -> Any:
    """A fresh copy of drawn data for one path: a coroutine runs once, an iterator too."""
    if isinstance(value, _Later):
        if value.kind == "iterator":
            return iter([_made(v) for v in value.items])

        async def later() -> str:
            return "awaited"

        return later()
    if isinstance(value, list):
        return [_made(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_made(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        made = {f.name: _made(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return type(value)(**made)
    return value


def _run(schema: strawberry.Schema, query: str, variables: dict[str, bool], drawn: Data) -> str:
    data = _made(drawn)
    try:
        result = asyncio.run(schema.execute(query, variables, context_value={"data": data}))
    finally:
        _close(data)
    return _shown(result)


def _close(value: Any) -> None:
    """Close the coroutines a path did not await (an unawaited one warns)."""
    if asyncio.iscoroutine(value):
        value.close()
    elif isinstance(value, list | tuple):
        for v in value:
            _close(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.init:
                _close(getattr(value, f.name))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), data=DATA)
def test_random_queries_over_odd_records_answer_alike(seed: int, data: Data) -> None:
    query, variables = random_query(random.Random(seed), ROOTS, lambda body: body)
    assert _run(FAST, query, variables, data) == _run(SLOW, query, variables, data), query


def test_a_null_in_a_non_null_field_errors_as_graphql_core_does() -> None:
    """The fast path gives a node with a null title back to graphql-core, so the error, its
    path and the nulling of the list are graphql-core's own."""
    good = Appointment(
        id=strawberry.ID("rm:1"),
        status=AppointmentStatus.BOOKED,
        title="Kontrol",
        start=datetime(2026, 1, 5, 9, tzinfo=UTC),
        end=None,
        all_day=False,
        start_date=None,
        end_date=date(2026, 1, 5),
        indicative_time=False,
        source=Source(id="rm", name="Region Midtjylland", kind=SourceKind.REGION),
        sector="hospital",  # type: ignore[arg-type]
        organization=None,
        place=None,
        performer=None,
        reason=None,
        record=None,  # type: ignore[arg-type]
        page=None,  # type: ignore[arg-type]
    )
    bad = Appointment(**{**vars(good), "title": None})
    data = Data([good, bad], [], [], [], None)
    query = "{ appointments { id title status start endDate source { id kind } } }"
    fast = asyncio.run(FAST.execute(query, context_value={"data": data}))
    assert _shown(fast) == _run(SLOW, query, {}, data)
    assert fast.data is None  # [Appointment!]! on a non-null root field: nulls it all
    assert [e.path for e in fast.errors or []] == [["appointments", 1, "title"]]
    assert "Cannot return null for non-nullable field Appointment.title" in str(fast.errors)


# -- the real overview, in-process ------------------------------------------------------------


def _overview_roots(schema: strawberry.Schema) -> dict[str, GraphQLObjectType]:
    overview = schema._schema.type_map["PatientOverview"]
    connection = schema._schema.type_map["AppointmentConnection"]
    assert isinstance(overview, GraphQLObjectType)
    assert isinstance(connection, GraphQLObjectType)
    return {
        "plans": _named(overview.fields["plans"].type),
        "goals": _named(overview.fields["goals"].type),
        "sources": _named(overview.fields["sources"].type),
        "patient": _named(overview.fields["patient"].type),
        "nodes": _named(connection.fields["nodes"].type),
    }


def _in_overview(cpr: str) -> Callable[[str], str]:
    def wrap(body: str) -> str:
        # ``nodes`` sits under ``appointments``; the other roots under the overview.
        inner = body.replace("nodes {", "appointments(first: 500) { totalCount nodes {", 1)
        if inner != body:
            inner = _close_after(inner, "appointments(first: 500) { totalCount nodes {")
        return f'patientOverview(cpr: "{cpr}") {{ {inner} }}'

    return wrap


def _close_after(text: str, opening: str) -> str:
    """Add the ``}`` that closes ``appointments`` right after the ``nodes { … }`` it opened."""
    start = text.index(opening) + len(opening)
    depth = 1
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[: i + 1] + " }" + text[i + 1 :]
    raise AssertionError("unbalanced selection")


async def _answer(
    gateway: InProcessGateway, schema: strawberry.Schema, token: str, query: str, variables: Any
) -> Any:
    principal = await gateway.verifier.verify(token)
    result = await schema.execute(
        query,
        variable_values=variables,
        context_value=new_context(principal, gateway.services, Request(dict(SCOPE))),
    )
    answer: dict[str, Any] = dict(response_data(result, gateway.services))
    for error in answer.get("errors") or []:
        error.get("extensions", {}).pop("requestId", None)  # one per request
    return json.dumps(answer)


@pytest.mark.in_process
@pytest.mark.parametrize("persona", ["citizen-multi", "citizen-history", "clinician-auh"])
async def test_random_overview_queries_answer_alike(
    gateway: InProcessGateway, persona: str
) -> None:
    settings_ = gateway.settings
    fast = build_schema(settings_.limits, settings_.graphql)
    slow = build_schema(settings_.limits, settings_.graphql, fast_path=False)
    cpr = gateway.pop.persona(persona).cpr
    token = gateway.token(persona)
    if persona == "clinician-auh":
        # A block in force that withholds part of what she sees.
        block = 'mutation { createBlock(input: { cpr: "%s", kind: PERIOD, periodStart: "2020-01-01T00:00:00Z", periodEnd: "2026-11-01T00:00:00Z" }) { id } }'  # noqa: E501
        created = await gateway.query("citizen-multi", block % cpr)
        assert "errors" not in created, created
    await _answer(gateway, fast, token, f'{{ patientOverview(cpr: "{cpr}") {{ cpr }} }}', {})
    rng = random.Random(f"overview-{persona}")
    roots = _overview_roots(fast)
    for _ in range(10):
        query, variables = random_query(rng, roots, _in_overview(cpr))
        assert await _answer(gateway, fast, token, query, variables) == await _answer(
            gateway, slow, token, query, variables
        ), query


class _Counting(FastExecutor):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        type(self).fields += 1
        return super().execute_field(*args, **kwargs)


def test_plain_lists_are_built_by_the_fast_path_and_random_queries_are_mostly_valid() -> None:
    """Guards the differential test's meaning: the fast path really runs (graphql-core executes
    only the root field of a plain list), and the random queries are mostly valid ones."""
    schema = strawberry.Schema(query=Probe, execution_context_class=_Counting)
    plain_attribute_fields(schema)
    state = SourceState(
        id="rm", name="RM", kind=SourceKind.REGION, status=SourceStatus.OK, fetched_at=None,
        refused_documents=0,
    )  # fmt: skip
    data = Data([], [], [], [state] * 20, None)
    result = asyncio.run(
        schema.execute(
            "{ sources { id x: name kind status __typename } }", context_value={"data": data}
        )
    )
    assert result.errors is None
    assert result.data == {
        "sources": [
            {"id": "rm", "x": "RM", "kind": "REGION", "status": "OK", "__typename": "SourceState"}
        ]
        * 20
    }
    assert _Counting.fields == 1
    valid = 0
    for seed in range(100):
        query, variables = random_query(random.Random(seed), ROOTS, lambda body: body)
        result = asyncio.run(
            SLOW.execute(query, variables, context_value={"data": Data([], [], [], [], None)})
        )
        valid += not any(e.path is None for e in result.errors or [])
    assert valid >= 90


def test_builders_kept_across_requests_follow_the_variables_of_include_and_skip() -> None:
    """One document (the parser cache hands it back), four combinations of its condition
    variables, each asked twice: each answer is graphql-core's, and each combination compiled
    its builder once."""
    executor = fast_executor()
    schema = strawberry.Schema(
        query=Probe, extensions=[lambda: ParserCache(maxsize=8)], execution_context_class=executor
    )
    plain_attribute_fields(schema)
    state = SourceState(
        id="rm", name="RM", kind=SourceKind.REGION, status=SourceStatus.OK, fetched_at=None,
        refused_documents=0,
    )  # fmt: skip
    data = Data([], [], [], [state, None, state], None)
    query = (
        "query($a: Boolean!, $b: Boolean!) "
        "{ sources { id @include(if: $a) name @skip(if: $b) kind } }"
    )
    combinations = [{"a": a, "b": b} for a in (True, False) for b in (True, False)]
    answers = set()
    for variables in [*combinations, *reversed(combinations)]:
        fast = asyncio.run(schema.execute(query, variables, context_value={"data": data}))
        assert _shown(fast) == _run(SLOW, query, variables, data)
        answers.add(_shown(fast))
    assert len(answers) == len(combinations)
    assert len(executor._shared) == len(combinations)


def test_the_fast_path_is_what_the_gateway_runs() -> None:
    assert issubclass(build_schema().execution_context_class, FastExecutor)
    assert not issubclass(build_schema(fast_path=False).execution_context_class, FastExecutor)
