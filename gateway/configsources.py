"""The sources and registers in configuration: each source's kind, SOR id and, per kind of data
it offers, the protocol and URL (a protocol the kind cannot be read with stops start-up)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from connectors.registry import CONNECTORS
from domain.settings import (
    KIND_SECTOR,
    ConfigError,
    Endpoint,
    RegisterConfig,
    SourceConfig,
)
from gateway.configread import get, opt, url
from gateway.configtables import check


def endpoint(raw: Any, base: str, where: str, kind: str) -> Endpoint | None:
    """``{protocol, url}`` for the data ``kind`` (``appointments``, ``plans``), if offered."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"setting {where} must be a table with protocol and url")
    protocol = get(raw, "protocol", str, f"{where}.")
    supported = CONNECTORS.protocols(kind)  # one connector for each
    if protocol not in supported:
        raise ConfigError(
            f"setting {where}.protocol: {kind} can be read with {', '.join(supported)}, "
            f"not {protocol!r}"
        )
    return Endpoint(protocol, url(get(raw, "url", str, f"{where}."), base, f"{where}.url"))


def source(raw: Mapping[str, Any], base: str, n: int) -> SourceConfig:
    """The ``n``-th ``[[sources]]`` table."""
    where = f"sources[{n}]."
    check(SourceConfig, raw, f"sources[{n}]")
    kind = get(raw, "kind", str, where)
    if kind not in KIND_SECTOR:
        raise ConfigError(f"setting {where}kind must be one of {sorted(KIND_SECTOR)}")
    shared = opt(raw, "shared_since", (str, date), where)
    return SourceConfig(
        id=get(raw, "id", str, where),
        name=get(raw, "name", str, where),
        kind=kind,
        sor=get(raw, "sor", str, where),
        appointments=endpoint(
            raw.get("appointments"), base, f"{where}appointments", "appointments"
        ),
        plans=endpoint(raw.get("plans"), base, f"{where}plans", "plans"),
        timeout_s=float(raw.get("timeout_s", 1.0)),
        cache_ttl_s=float(raw.get("cache_ttl_s", 30.0)),
        requires_consent=bool(raw.get("requires_consent", False)),
        shared_since=date.fromisoformat(shared) if isinstance(shared, str) else shared,
    )


def register(raw: Mapping[str, Any], base: str, name: str) -> RegisterConfig:
    """The register table ``[name]`` (``cpr``, ``stamdata``)."""
    check(RegisterConfig, raw, name)
    return RegisterConfig(
        url=url(get(raw, "url", str, f"{name}."), base, f"{name}.url"),
        timeout_s=float(raw.get("timeout_s", 1.0)),
        cache_ttl_s=float(raw.get("cache_ttl_s", 300.0)),
    )
