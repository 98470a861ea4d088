"""Each settings table checked against its dataclass with pydantic, before anything is built.

A model is made once per dataclass of ``domain/settings.py`` from its fields: their types
(strict: a string is no number, a bool no count), their bounds (``Annotated`` with
``annotated_types``, e.g. ``Timeout``), their defaults, and no other key (``extra="forbid"``).
A table that breaks any of it stops start-up with one ``ConfigError`` naming every setting it
refuses, e.g. ``setting limits.database_timeout_s: Input should be greater than 0 (got -1)``
or ``unknown setting sources[2].timeout``.

Why pydantic and not pydantic-settings: the environment overrides are a short documented table
of ``SPO_*`` names read from an explicit mapping (``gateway/config.py``), not
pydantic-settings' own naming (``SPO_LIMITS__…``) read from ``os.environ``; what we need of a
library is the checking of the file, and its error locations.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic.types import Strict

from domain.settings import ConfigError

_CONFIG = ConfigDict(extra="forbid", strict=True, frozen=True)


def _hint(hint: Any) -> Any:
    """``hint`` as the file spells it: a nested dataclass is a table, a tuple an array."""
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return model(hint)
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return functools.reduce(lambda a, b: a | b, (_hint(a) for a in typing.get_args(hint)))
    if origin is tuple:
        return Annotated[hint, Strict(False)]  # TOML has arrays, not tuples
    if hint is date:
        return Annotated[date, Strict(False)]  # a TOML date, or a quoted ISO date
    return hint


@functools.cache
def model(cls: type) -> type[BaseModel]:
    """The pydantic model of the table that ``cls`` (a settings dataclass) is read from."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = ...
        fields[f.name] = (_hint(hints[f.name]), default)
    return create_model(f"{cls.__name__}Table", __config__=_CONFIG, **fields)


def _location(where: str, loc: tuple[int | str, ...]) -> str:
    text = where
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def refusal(exc: ValidationError, where: str) -> ConfigError:
    """One ``ConfigError`` naming each setting ``exc`` refuses; ``where`` is the table's path."""
    reasons = []
    for error in exc.errors():
        name = _location(where, error["loc"])
        if error["type"] == "extra_forbidden":
            reasons.append(f"unknown setting {name}")
        elif error["type"] == "missing":
            reasons.append(f"missing setting {name}")
        else:
            reasons.append(f"setting {name}: {error['msg']} (got {error['input']!r})")
    return ConfigError("; ".join(reasons))


def check(cls: type, raw: Any, where: str) -> dict[str, Any]:
    """The table ``raw`` checked against ``cls``: its values with the defaults filled in."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f"setting {where} must be a table")
    try:
        checked = model(cls).model_validate(dict(raw))
    except ValidationError as exc:
        raise refusal(exc, where) from None
    return {name: getattr(checked, name) for name in type(checked).model_fields}
