"""Typed readers of one setting: each names the setting when it is missing or malformed
(``ConfigError``), so start-up stops with a message that says which."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from domain.settings import ConfigError
from gateway.configtables import check

_T = TypeVar("_T")


def get(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``table[key]``, which must be there and of ``kind`` (a bool is no number)."""
    if key not in table:
        raise ConfigError(f"missing setting {where}{key}")
    value = table[key]
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"setting {where}{key} has the wrong type: {value!r}")
    return value


def opt(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``table[key]`` of ``kind``, or ``None`` when it is not set."""
    return get(table, key, kind, where) if key in table else None


def url(value: str, base: str, where: str) -> str:
    """An http(s) URL; one starting with ``/`` is relative to ``base``."""
    url = base.rstrip("/") + value if value.startswith("/") else value
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"setting {where} is not an http(s) URL: {value!r}")
    return url


def section(cls: type[_T], raw: Any, name: str) -> _T:
    """The dataclass ``cls`` from the table ``[name]``: no unknown key, each value of its field's
    type and within its bounds (``gateway/configtables.py``), then the dataclass's own rules."""
    values = check(cls, {} if raw is None else raw, name)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"malformed setting in [{name}]: {exc}") from exc


def float_env(env: Mapping[str, str], key: str) -> float:
    """The environment variable ``key`` as a number."""
    try:
        return float(env[key])
    except ValueError as exc:
        raise ConfigError(f"setting {key} is not a number: {env[key]!r}") from exc


def bool_env(env: Mapping[str, str], key: str, default: bool) -> bool:
    """The environment variable ``key`` as 1/0/true/false/yes/no, else ``default``."""
    if key not in env:
        return default
    value = env[key].strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise ConfigError(f"setting {key} must be 1/0/true/false, not {env[key]!r}")
