"""The plan stage: what did the query select under ``patientOverview``?

Reads the query's syntax tree: only the top level is needed (and the arguments of the
``appointments`` fields), so converting the whole selection (``info.selected_fields``) would be
work for nothing on every request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)
from strawberry.types import Info

from domain.access import Scope, category_denied
from resolvers.pipeline import FETCHERS, PATIENT, STAMKORT

# A field that shows a part's data, and the part that holds it.
SHOWS = {
    "appointments": "appointments",
    "plans": "plans",
    "goals": "goals",
    "stamkort": STAMKORT,
    "patient": PATIENT,
}


def _fields(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, Any]
) -> Iterator[FieldNode]:
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            yield sel
        elif isinstance(sel, InlineFragmentNode):
            yield from _fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            yield from _fields(fragments[sel.name.value].selection_set, fragments)


def selected_fields(info: Info[Any, Any]) -> list[FieldNode]:
    """The fields selected directly under this field (through fragments too, and under every
    node of a field the query selects more than once: their selections merge)."""
    raw = info._raw_info  # the graphql-core info: its syntax tree is all we need here
    return [f for node in raw.field_nodes for f in _fields(node.selection_set, raw.fragments)]


def plan(info: Info[Any, Any], scope: Scope) -> tuple[set[str], bool]:
    """The parts to fetch (none of a denied category), and whether an ``appointments`` field
    filters by organisation with sub-units (then the fetch looks up their SOR chains)."""
    nodes = selected_fields(info)
    parts = {
        SHOWS[n.name.value]
        for n in nodes
        if n.name.value in SHOWS
        and not category_denied(scope, FETCHERS[SHOWS[n.name.value]].category)
    }
    if STAMKORT in parts:
        parts.add(PATIENT)  # the card shows CPR's and Yderregisteret's data too
    sub_units = "appointments" in parts and any(
        _sub_unit_filter(info, n) for n in nodes if n.name.value == "appointments"
    )
    return parts, sub_units


def _sub_unit_filter(info: Info[Any, Any], node: FieldNode) -> bool:
    raw = info._raw_info
    parent = get_named_type(raw.return_type)
    assert isinstance(parent, GraphQLObjectType)
    arg = parent.fields["appointments"].args["filter"]
    # graphql-core types them as VariableValues; at run time they are the coerced dict.
    variables: Any = raw.variable_values
    variables = getattr(variables, "coerced", variables)
    for given in node.arguments or ():
        if given.name.value == "filter":
            # The input as GraphQL coerces it (keys as in the schema); not a dict when absent or
            # invalid (then the field itself reports its bad arguments).
            f = value_from_ast(given.value, arg.type, variables)
            return isinstance(f, dict) and bool(f.get("organizations") and f.get("includeSubUnits"))
    return False
