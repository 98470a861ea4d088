"""JSON codec for the record dataclasses of ``domain/records.py``: data in, data out.

Cached records may sit in a Redis shared by many replicas, so they are stored as plain JSON data,
never pickled: a value in the cache must never be a way to run code. Decoding is driven by the
*expected* type's fields and type hints, never by names found in the payload; the ``__type__``
tag on each object is only checked against the expected class. Anything unexpected (unknown or
missing fields, wrong JSON types, unknown enum values, NaN, absurd nesting) raises ``ValueError``,
which the cache treats as a miss. Field sets must match exactly, so a payload written by another
code version is a miss rather than a guess.

Supported field types: ``str``, ``int``, ``float``, ``bool``, ``None``, enums, ``datetime``,
``date``, ``tuple[X, ...]``, unions (``X | None``) and nested dataclasses of these.

Example::

    text = encode([record])
    assert decode(text, AppointmentRecord) == [record]
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
TYPE_TAG = "__type__"


def encode(records: Sequence[object]) -> str:
    """Serialise dataclass records to JSON text. Raises ``TypeError`` on unsupported values."""
    return json.dumps(dump(records), ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def decode(text: str | bytes, record_type: type[T]) -> list[T]:
    """Parse JSON text into a list of ``record_type``; ``ValueError`` on anything unexpected."""
    return load(parse(text), record_type)


def dump(records: Sequence[object]) -> list[Any]:
    """Records as JSON-ready data (for embedding in a larger document)."""
    if not all(dataclasses.is_dataclass(r) and not isinstance(r, type) for r in records):
        raise TypeError("only dataclass instances can be encoded")
    return [_dump(r) for r in records]


def load(data: Any, record_type: type[T]) -> list[T]:
    """Data from ``parse`` as a list of ``record_type``; ``ValueError`` if it does not fit."""
    if not dataclasses.is_dataclass(record_type):
        raise TypeError(f"{record_type!r} is not a dataclass")
    if not isinstance(data, list):
        raise ValueError("expected a list of records")
    return [_load(item, record_type) for item in data]


def parse(text: str | bytes) -> Any:
    """JSON text to data, refusing NaN/Infinity and turning every parse failure into ValueError."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:  # absurd nesting: hostile, not a bug of ours
        raise ValueError("JSON nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid UTF-8: {exc}") from exc


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _dump(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # before str/int: StrEnum and IntEnum are both
        return value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):  # datetime is a date: isoformat covers both
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {TYPE_TAG: type(value).__name__}
        for f in dataclasses.fields(value):
            if f.init:
                out[f.name] = _dump(getattr(value, f.name))
        return out
    raise TypeError(f"cannot encode {type(value).__name__}")


@cache
def _fields(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


def _load(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return _load_union(value, typing.get_args(hint))
    if origin is tuple:
        return _load_tuple(value, typing.get_args(hint))
    if hint is type(None):
        if value is not None:
            raise ValueError("expected null")
        return None
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            if type(value) not in (str, int):
                raise ValueError(f"expected a {hint.__name__} value")
            return hint(value)  # unknown values raise ValueError
        if hint is bool or hint is int or hint is str:
            if type(value) is not hint:
                raise ValueError(f"expected {hint.__name__}, got {type(value).__name__}")
            return value
        if hint is float:
            if type(value) not in (int, float):
                raise ValueError(f"expected float, got {type(value).__name__}")
            return float(value)
        if hint is datetime:
            if type(value) is not str or "T" not in value:
                raise ValueError("expected an ISO 8601 date-time")
            return datetime.fromisoformat(value)
        if hint is date:
            if type(value) is not str:
                raise ValueError("expected an ISO 8601 date")
            return date.fromisoformat(value)
        if dataclasses.is_dataclass(hint):
            return _load_dataclass(value, hint)
    raise TypeError(f"codec does not support the type {hint!r}")


def _load_union(value: Any, arms: tuple[Any, ...]) -> Any:
    if value is None and type(None) in arms:
        return None
    for arm in arms:
        if arm is type(None):
            continue
        try:
            return _load(value, arm)
        except ValueError:
            continue
    raise ValueError(f"value fits none of {arms!r}")


def _load_tuple(value: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if type(value) is not list:
        raise ValueError("expected a list")
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_load(v, args[0]) for v in value)
    if len(value) != len(args):
        raise ValueError(f"expected {len(args)} items")
    return tuple(_load(v, a) for v, a in zip(value, args, strict=True))


def _load_dataclass(value: Any, cls: type) -> Any:
    if type(value) is not dict or value.get(TYPE_TAG) != cls.__name__:
        raise ValueError(f"expected a {cls.__name__} object")
    fields = _fields(cls)
    keys = value.keys() - {TYPE_TAG}
    if keys != fields.keys():
        raise ValueError(f"{cls.__name__} fields differ: {sorted(keys ^ fields.keys())}")
    kwargs = {name: _load(value[name], hint) for name, hint in fields.items()}
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a record's own validation refusing the values
        raise ValueError(f"{cls.__name__}: {exc}") from exc
