"""The committed schema matches the code, and the pipeline's extension order is pinned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    ObjectTypeDefinitionNode,
    get_named_type,
    parse,
    print_ast,
)

from domain.settings import GraphQLSettings
from gateway.cli import export_schema
from resolvers.audit import AuditExtension
from resolvers.reporting import ReportErrors
from resolvers.schema import Schema, build_schema
from tests.gatewayfixtures import Gateway
from tests.variants import with_graphql

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text("utf-8")
    assert committed == export_schema(), "schema.graphql drifted: run `make schema` and commit"


def test_committed_federation_schema_is_current() -> None:
    # The subgraph's SDL, as `_service { sdl }` gives it (tests/test_federation.py checks that).
    committed = (ROOT / "schema.federation.graphql").read_text("utf-8")
    assert committed == export_schema(federation=True), (
        "schema.federation.graphql drifted: run `make schema` and commit"
    )


def test_guarded_fields_are_declared_in_the_schema() -> None:
    document = parse(export_schema())
    overview = next(
        d
        for d in document.definitions
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "PatientOverview"
    )
    fields = {f.name.value: f for f in overview.fields or ()}
    for field, category in (
        ("patient", "STAMKORT"),
        ("stamkort", "STAMKORT"),
        ("appointments", "APPOINTMENTS"),
        ("plans", "PLANS"),
        ("goals", "PLANS"),
    ):
        directives = {
            (d.name.value, a.name.value, print_ast(a.value))
            for d in fields[field].directives or ()
            for a in d.arguments or ()
        }
        assert directives == {("guarded", "category", category)}, field


@pytest.mark.parametrize("federation", [False, True])
def test_audit_wraps_everything_then_errors_are_reported(federation: bool) -> None:
    # The audit extension must be first (so its after-hook runs last, right before the
    # response leaves) and error reporting second.
    schema = build_schema(graphql=GraphQLSettings(federation=federation))
    assert schema.extensions[0] is AuditExtension
    assert schema.extensions[1] is ReportErrors
    # And Strawberry's own error log (query text, CPR numbers and all) stays off.
    assert type(schema).process_errors is Schema.process_errors


def test_every_type_and_field_is_described() -> None:
    schema = build_schema()._schema
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        assert gtype.description, f"type {name} has no description"
        for fname, fdef in getattr(gtype, "fields", {}).items():
            assert fdef.description, f"{name}.{fname} has no description"
            for aname, arg in getattr(fdef, "args", {}).items():
                assert arg.description, f"{name}.{fname}({aname}) has no description"
        for vname, value in getattr(gtype, "values", {}).items():
            assert value.description, f"enum value {name}.{vname} has no description"


def test_fixed_vocabularies_are_enums() -> None:
    # The fields whose values come from a fixed list are typed by it, not as strings.
    schema = build_schema()._schema
    for type_name, field, enum in (
        ("AccessLogItem", "viewerRole", "Role"),
        ("AccessLogItem", "action", "AccessAction"),
        ("AccessLogItem", "categories", "DataCategory"),
        ("Block", "createdByRole", "Role"),
        ("CalendarFeedEntry", "ownerRole", "Role"),
        ("Provenance", "source", "ProvenanceSource"),
        ("Provenance", "enteredByRole", "Role"),
        ("Quantity", "comparator", "Comparator"),
        ("Plan", "status", "PlanStatus"),
        ("Plan", "intent", "PlanIntent"),
        ("Activity", "status", "ActivityStatus"),
        ("Goal", "lifecycleStatus", "GoalLifecycleStatus"),
        ("Notice", "code", "NoticeCode"),
        ("RelativeInput", "relation", "RelationshipCode"),
    ):
        owner = schema.get_type(type_name)
        assert isinstance(owner, GraphQLObjectType | GraphQLInputObjectType), type_name
        named = get_named_type(owner.fields[field].type)
        assert named.name == enum, f"{type_name}.{field} is {named.name}"


async def _post(gw: Gateway, url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    token = gw.token("citizen-multi")
    body = {"query": query, "variables": variables}
    async with gw.session.post(
        f"{url}/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
    ) as r:
        assert r.status == 200
        result: dict[str, Any] = await r.json()
        return result


INTROSPECTION = ("{ __schema { queryType { name } } }", '{ __type(name: "Query") { name } }')


async def test_introspection_only_when_switched_on(gateway: Gateway) -> None:
    for query in INTROSPECTION:
        body = await _post(gateway, gateway.url, query, {})
        assert body.get("data") is None
        assert {e["extensions"]["code"] for e in body["errors"]} == {"GRAPHQL_VALIDATION_FAILED"}
    # __typename is not introspection: clients rely on it.
    assert await _post(gateway, gateway.url, "{ __typename }", {}) == {
        "data": {"__typename": "Query"}
    }
    async with with_graphql(gateway, introspection=True) as url:
        for query in INTROSPECTION:
            body = await _post(gateway, url, query, {})
            assert "errors" not in body, body
            assert "Query" in str(body["data"])


OVERVIEW = "query($c: String!) { patientOverview(cpr: $c) { %s } }"
MISSPELT = [
    # graphql-core suggests for each of these; Strawberry's own switch cuts only the first.
    (OVERVIEW % "apointments { totalCount }", "'appointments'"),
    (OVERVIEW % "appointments(frist: 5) { totalCount }", "'first'"),
    (OVERVIEW % "appointments(view: WEK) { totalCount }", "'WEEK'"),
    (OVERVIEW % 'appointments(filter: {sorces: ["rm"]}) { totalCount }', "'sources'"),
    (OVERVIEW.replace("String!", "Strin!") % "patient { name }", "'String'"),
]


@pytest.mark.parametrize(("query", "suggested"), MISSPELT)
async def test_did_you_mean_only_when_switched_on(
    gateway: Gateway, query: str, suggested: str
) -> None:
    variables = {"c": "0108589995"}
    off = await _post(gateway, gateway.url, query, variables)
    (hidden,) = off["errors"]
    assert "Did you mean" not in hidden["message"]
    async with with_graphql(gateway, suggestions=True) as url:
        on = await _post(gateway, url, query, variables)
    (shown,) = on["errors"]
    assert "Did you mean" in shown["message"], shown
    assert suggested in shown["message"]
    # The rest of the message is the same either way.
    assert hidden["message"] == shown["message"].split(" Did you mean")[0]


async def test_a_misspelt_variable_value_gets_no_suggestion(gateway: Gateway) -> None:
    query = "query($c: String!, $v: AppointmentView) { patientOverview(cpr: $c) { %s } }"
    variables = {"c": "0108589995", "v": "WEK"}
    body = await _post(
        gateway, gateway.url, query % "appointments(view: $v) { totalCount }", variables
    )
    assert body["errors"]
    assert not [e for e in body["errors"] if "Did you mean" in e["message"]], body["errors"]
