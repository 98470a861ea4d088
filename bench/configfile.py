"""The config file a soak or replica test gives its gateway: the embedded default, trusting one
key, written as TOML (enough of it for the gateway's config).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from gateway.config import read_toml


def write_config(
    directory: Path,
    public_key_pem: bytes,
    *,
    cache_ttl_s: float | None = None,
    max_in_flight: int | None = None,
) -> Path:
    """Write ``config.toml`` to ``directory``: the embedded default, trusting only this key.

    Dev mode is off, so the demo key is not trusted; trusted documents are optional and there
    are no rate limits (a load from a few principals is what they are there to refuse).
    ``cache_ttl_s`` replaces every source's and register's cache TTL (the soak keeps it short,
    so upstream faults keep mattering);
    ``max_in_flight`` replaces ``[limits] max_in_flight`` (0: no bound).
    Returns the file's path, for ``SPO_CONFIG``.
    """
    key_file = directory / "trusted.pem"
    key_file.write_bytes(public_key_pem)
    raw = read_toml()  # the embedded default
    raw["dev_mode"] = False
    raw["auth"]["public_key_files"] = [str(key_file)]
    # The bench and the soak send their own queries, not the page's trusted documents, and
    # load the gateway with a few principals from one address: what the rate limits refuse.
    raw.setdefault("graphql", {})["trusted_documents"] = "optional"
    raw["ratelimit"] = {"per_principal": "", "per_address": ""}
    if cache_ttl_s is not None:
        for table in (*raw["sources"], raw["cpr"], raw["stamdata"]):
            table["cache_ttl_s"] = cache_ttl_s
    if max_in_flight is not None:
        raw["limits"]["max_in_flight"] = max_in_flight
    path = directory / "config.toml"
    path.write_text(_toml(raw), "utf-8")
    return path


def _toml(doc: Mapping[str, Any]) -> str:
    """Enough TOML for the gateway's config: scalars, tables, arrays of tables, inline tables."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in doc.items() if not _is_table(v)]
    for name, value in doc.items():
        if isinstance(value, dict):
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in value.items())]
        elif _is_table(value):
            for item in value:
                lines += ["", f"[[{name}]]", *(f"{k} = {_toml_value(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are all valid in a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"no TOML for {type(value).__name__}")


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
