"""The committed schema matches the code, and the pipeline's extension order is pinned."""

from __future__ import annotations

from pathlib import Path

from gateway.audit import AuditExtension
from gateway.cli import export_schema
from gateway.reporting import ReportErrors
from gateway.schema import build_schema

ROOT = Path(__file__).resolve().parent.parent


def test_committed_schema_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text("utf-8")
    assert committed == export_schema(), "schema.graphql drifted: run `make schema` and commit"


def test_guarded_fields_are_declared_in_the_schema() -> None:
    sdl = export_schema()
    for field, category in (
        ("patient", "STAMKORT"),
        ("stamkort", "STAMKORT"),
        ("appointments", "APPOINTMENTS"),
        ("plans", "PLANS"),
        ("goals", "PLANS"),
    ):
        line = next(x for x in sdl.splitlines() if x.strip().startswith(f"{field}"))
        assert f"@guarded(category: {category})" in line, line


def test_audit_wraps_everything_then_errors_are_reported() -> None:
    # The audit extension must be first (so its after-hook runs last, right before the
    # response leaves) and error reporting second.
    extensions = build_schema().extensions
    assert extensions[0] is AuditExtension
    assert extensions[1] is ReportErrors


def test_every_type_and_field_is_described() -> None:
    schema = build_schema()._schema
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Boolean", "ID", "Float"}:
            continue
        assert gtype.description, f"type {name} has no description"
        for fname, fdef in getattr(gtype, "fields", {}).items():
            assert fdef.description, f"{name}.{fname} has no description"
