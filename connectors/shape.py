"""Strict readers for the registers' JSON: every mismatch is an ``UpstreamBadResponse`` that
names the source, so a malformed answer is that source's problem, never a crash."""

from __future__ import annotations

from typing import Any

from domain.errors import UpstreamBadResponse


class Shape:
    """The readers for one source's payloads."""

    def __init__(self, source: str) -> None:
        self.source = source

    def bad(self, detail: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(self.source, detail=detail)

    def object(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.bad(f"{where}: expected an object")
        return value

    def text(self, obj: dict[str, Any], key: str, where: str, *, empty_ok: bool = False) -> str:
        value = obj.get(key)
        if not isinstance(value, str) or not (empty_ok or value.strip()):
            raise self.bad(f"{where}.{key}: expected text")
        return value

    def optional_text(self, obj: dict[str, Any], key: str, where: str) -> str | None:
        # The key must be present: null says "none", a missing key says the shape changed.
        if key not in obj:
            raise self.bad(f"{where}.{key}: missing")
        return None if obj[key] is None else self.text(obj, key, where)


def filled(value: Any) -> bool:
    """A non-blank string."""
    return isinstance(value, str) and bool(value.strip())
