"""Settings: the ``[graphql]`` switches follow ``dev_mode`` unless set, by TOML or environment."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest

from domain.settings import ConfigError, GraphQLSettings
from gateway.config import parse_settings, read_toml

ALL_ON = GraphQLSettings(
    introspection=True, suggestions=True, graphiql=True, trusted_documents="optional"
)
ALL_OFF = GraphQLSettings()
SWITCHES = ("introspection", "suggestions", "graphiql")


def _graphql(env: dict[str, str], **table: Any) -> GraphQLSettings:
    raw = read_toml()
    if table:
        raw["graphql"] = table
    return parse_settings(raw, env).graphql


def test_the_switches_follow_dev_mode() -> None:
    assert _graphql({"SPO_DEV_MODE": "1"}) == ALL_ON
    assert _graphql({"SPO_DEV_MODE": "0"}) == ALL_OFF
    raw = read_toml()
    del raw["dev_mode"]
    assert parse_settings(raw).graphql == ALL_OFF  # production: dev_mode defaults to off


def test_each_switch_can_be_set_in_the_toml() -> None:
    assert _graphql({"SPO_DEV_MODE": "0"}, introspection=True) == GraphQLSettings(
        introspection=True
    )
    assert _graphql({"SPO_DEV_MODE": "1"}, graphiql=False, suggestions=False) == GraphQLSettings(
        introspection=True, trusted_documents="optional"
    )


@pytest.mark.parametrize(
    ("variable", "field"),
    [
        ("SPO_INTROSPECTION", "introspection"),
        ("SPO_SUGGESTIONS", "suggestions"),
        ("SPO_GRAPHIQL", "graphiql"),
    ],
)
def test_each_switch_has_an_environment_override(variable: str, field: str) -> None:
    on = _graphql({"SPO_DEV_MODE": "0", variable: "1"}, **{field: False})
    assert getattr(on, field) is True
    assert sum(asdict(on)[s] for s in SWITCHES) == 1
    off = _graphql({"SPO_DEV_MODE": "1", variable: "0"})
    assert getattr(off, field) is False
    assert sum(asdict(off)[s] for s in SWITCHES) == 2


def test_trusted_documents_are_required_outside_dev_mode_unless_set() -> None:
    assert _graphql({"SPO_DEV_MODE": "0"}).trusted_documents == "required"
    assert _graphql({"SPO_DEV_MODE": "1"}).trusted_documents == "optional"
    assert _graphql({"SPO_DEV_MODE": "0"}, trusted_documents="off").trusted_documents == "off"
    env = {"SPO_DEV_MODE": "1", "SPO_TRUSTED_DOCUMENTS": "required"}
    assert _graphql(env, trusted_documents="off").trusted_documents == "required"
    subgraph = _graphql({"SPO_DEV_MODE": "0"}, federation=True)
    assert subgraph.trusted_documents == "optional"  # a router's plans are in no manifest
    with pytest.raises(ConfigError, match=r"required cannot serve a subgraph"):
        _graphql({"SPO_DEV_MODE": "0", "SPO_FEDERATION": "1", "SPO_TRUSTED_DOCUMENTS": "required"})
    files = _graphql({}, trusted_documents_files=["clients/app.json"])
    assert files.trusted_documents_files == ("clients/app.json",)


def test_federation_is_off_unless_set_in_dev_mode_too() -> None:
    assert _graphql({"SPO_DEV_MODE": "1"}).federation is False
    assert _graphql({"SPO_DEV_MODE": "0"}, federation=True) == GraphQLSettings(
        federation=True, trusted_documents="optional"
    )
    assert _graphql({"SPO_DEV_MODE": "0", "SPO_FEDERATION": "1"}).federation is True
    assert _graphql({"SPO_FEDERATION": "0"}, federation=True).federation is False


@pytest.mark.parametrize(
    ("env", "table", "named"),
    [
        ({}, {"introspection": "yes"}, "graphql.introspection"),
        ({}, {"federation": "on"}, "graphql.federation"),
        ({"SPO_FEDERATION": "maybe"}, {}, "SPO_FEDERATION"),
        ({}, {"graphiql": 1}, "graphql.graphiql"),
        ({}, {"sugestions": True}, "sugestions"),
        ({"SPO_GRAPHIQL": "maybe"}, {}, "SPO_GRAPHIQL"),
        ({}, {"trusted_documents": "sometimes"}, "graphql.trusted_documents"),
        ({"SPO_TRUSTED_DOCUMENTS": "yes"}, {}, "SPO_TRUSTED_DOCUMENTS"),
        ({}, {"trusted_documents_files": "app.json"}, "graphql.trusted_documents_files"),
    ],
)
def test_a_malformed_switch_stops_start_up_naming_it(
    env: dict[str, str], table: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigError, match=named):
        _graphql(env, **table)


@pytest.mark.parametrize(
    ("kind", "protocol"), [("plans", "apd"), ("plans", "hl7v2"), ("appointments", "soap")]
)
def test_a_protocol_a_kind_of_data_cannot_be_read_with_stops_start_up_naming_it(
    kind: str, protocol: str
) -> None:
    # Plans are FHIR only: "apd" for plans used to build a FHIR connector without a word.
    raw = read_toml()
    raw["sources"][0][kind]["protocol"] = protocol
    with pytest.raises(ConfigError, match=rf"sources\[0\]\.{kind}\.protocol.*{protocol}"):
        parse_settings(raw)


def test_telemetry_settings_default_and_override() -> None:
    raw = read_toml()
    telemetry = parse_settings(raw).telemetry
    assert (telemetry.log_format, telemetry.operation_names, telemetry.operation_name_cap) == (
        "json",
        (),
        50,
    )
    raw["telemetry"] = {"operation_names": ["Overview"], "operation_name_cap": 0}
    set_ = parse_settings(raw, {"SPO_LOG_FORMAT": "plain"}).telemetry
    assert (set_.log_format, set_.operation_names, set_.operation_name_cap) == (
        "plain",
        ("Overview",),
        0,
    )


@pytest.mark.parametrize(
    ("table", "env", "named"),
    [
        ({"log_format": "xml"}, {}, r"\[telemetry\]"),
        ({"operation_name_cap": -1}, {}, r"\[telemetry\]"),
        ({"tracing": True}, {}, r"unknown setting telemetry\.tracing"),
        ({"operation_names": [1, 2]}, {}, "telemetry.operation_names"),
        ({}, {"SPO_LOG_FORMAT": "xml"}, "SPO_LOG_FORMAT"),
    ],
)
def test_a_malformed_telemetry_setting_stops_start_up_naming_it(
    table: dict[str, Any], env: dict[str, str], named: str
) -> None:
    raw = read_toml()
    raw["telemetry"] = table
    with pytest.raises(ConfigError, match=named):
        parse_settings(raw, env)
