"""The stamdata connector: SOR units (with their place in the tree) and GP practices.

It reads ``GET {base_url}/sor/{sor}`` and ``GET {base_url}/yder/{ydernummer}`` (shapes in
``simulators/stamdata.py``). SOR sends each unit's own address, ``null`` when it has none; a unit
inherits the address of its nearest ancestor that has one, and that is resolved here. A 404 is
``None``; anything that does not fit the shape exactly raises ``UpstreamBadResponse`` naming
source ``"stamdata"`` (unknown keys are ignored so the register may add fields).

Ids that cannot be SOR ids or ydernumre are answered as unknown without a call: they mostly come
from other sources' payloads, so a malformed one is "no such unit", not a client's mistake.

Example::

    stamdata = StamdataConnector(Upstream(session, "stamdata", timeout_s=2.0), "http://sim/stamdata")
    unit = await stamdata.org("265311000016006")        # OrgUnit(level="unit", ...)
    await stamdata.ancestors("265311000016006")         # ("265301000016009", "320161000016009")
    practice = await stamdata.practice("012345")        # GpPractice(...)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Final

from connectors.http import Upstream
from connectors.shape import Shape, filled
from domain.errors import UpstreamBadResponse
from domain.records import Address, GpPractice, OrgUnit

SOURCE: Final = "stamdata"
LEVELS: Final = ("owner", "institution", "unit")
MAX_DEPTH: Final = 16  # far deeper than SOR's real trees; a longer chain is a broken payload
_NOT_FOUND: Final = object()
_SOR = re.compile(r"[0-9]{11,18}")  # SOR ids are SNOMED-style: 11+ digits
_YDERNUMMER = re.compile(r"[0-9]{1,6}")
_MUNICIPALITY = re.compile(r"[0-9]{4}")


@dataclass(frozen=True, slots=True)
class _Entry:
    """A SOR answer as sent: the unit with its own address, and its ancestors nearest first."""

    unit: OrgUnit
    ancestors: tuple[OrgUnit, ...]


class StamdataConnector:
    """Lookups in SOR and Yderregisteret.

    Args:
        upstream: HTTP access to stamdata (its breaker, budget and timeouts).
        base_url: stamdata's base URL, e.g. ``http://127.0.0.1:8001/stamdata``.
    """

    def __init__(self, upstream: Upstream, base_url: str) -> None:
        self.upstream = upstream
        self.base_url = base_url.rstrip("/")

    async def org(self, sor: str) -> OrgUnit | None:
        """The SOR entry ``sor`` with its address resolved, or ``None`` if SOR does not know it.

        A unit without an address of its own gets that of its nearest ancestor that has one
        (``None`` if none has).
        """
        entry = await self._entry(sor)
        if entry is None:
            return None
        if entry.unit.address is not None:
            return entry.unit
        inherited = next((a.address for a in entry.ancestors if a.address is not None), None)
        return replace(entry.unit, address=inherited)

    async def ancestors(self, sor: str) -> tuple[str, ...]:
        """The SOR ids above ``sor``, nearest first (parent, grandparent, ..., owner).

        Empty for an owner, and for a unit SOR does not know.
        """
        entry = await self._entry(sor)
        return () if entry is None else tuple(a.sor for a in entry.ancestors)

    async def search(self, text: str, limit: int) -> list[OrgUnit]:
        """SOR units whose name holds ``text`` (or whose SOR id is it), by name; at most
        ``limit``. Addresses are not part of a search answer."""
        data = await self.upstream.get_json(
            f"{self.base_url}/sor", params={"name": text, "limit": str(limit)}
        )
        entries = _object(data, "search").get("entries")
        if not isinstance(entries, list) or len(entries) > limit:
            raise _bad(f"search.entries: expected a list of at most {limit} units")
        units = []
        for n, raw in enumerate(entries):
            where = f"search.entries[{n}]"
            unit = _object(raw, where)
            parent = _optional_text(unit, "parent", where)
            if parent is not None and not _SOR.fullmatch(parent):
                raise _bad(f"{where}.parent: expected a SOR id")
            units.append(
                OrgUnit(
                    sor=_sor(unit, where),
                    name=_text(unit, "name", where),
                    level=_level(unit, where),
                    parent_sor=parent,
                )
            )
        return units

    async def practice(self, ydernummer: str) -> GpPractice | None:
        """The GP practice with ``ydernummer``, or ``None`` if Yderregisteret does not know it."""
        practice = await self._lookup("yder", ydernummer, _YDERNUMMER, "practice")
        if practice is None:
            return None
        if _text(practice, "ydernummer", "practice") != ydernummer:
            raise _bad(f"asked for practice {ydernummer}, got another")
        doctors = practice.get("doctors")
        if not isinstance(doctors, list) or not all(_filled(d) for d in doctors):
            raise _bad("practice.doctors: expected a list of names")
        sor = _optional_text(practice, "sor", "practice")
        if sor is not None and not _SOR.fullmatch(sor):
            raise _bad("practice.sor: expected a SOR id")
        return GpPractice(
            ydernummer=ydernummer,
            name=_text(practice, "name", "practice"),
            sor=sor,
            address=_optional_address(practice, "practice"),
            phone=_optional_text(practice, "phone", "practice"),
            doctors=tuple(doctors),
        )

    async def _entry(self, sor: str) -> _Entry | None:
        unit = await self._lookup("sor", sor, _SOR, "unit")
        if unit is None:
            return None
        parent = _optional_text(unit, "parent", "unit")
        own = OrgUnit(
            sor=_sor(unit, "unit"),
            name=_text(unit, "name", "unit"),
            level=_level(unit, "unit"),
            parent_sor=parent,
            address=_optional_address(unit, "unit"),
            phone=_optional_text(unit, "phone", "unit"),
        )
        if own.sor != sor:
            raise _bad(f"asked for SOR {sor}, got {own.sor}")
        return _Entry(own, _ancestors(unit.get("ancestors"), own))

    async def _lookup(
        self, register: str, key: str, pattern: re.Pattern[str], what: str
    ) -> dict[str, Any] | None:
        """The object ``GET {register}/{key}`` answers (``what`` names it in errors), or ``None``
        when ``key`` cannot be an id of that register or the register does not know it."""
        if not pattern.fullmatch(key):
            return None
        data = await self._get(f"{register}/{key}")
        if data is _NOT_FOUND:
            return None
        return _object(data, what)

    async def _get(self, path: str) -> Any:
        try:
            return await self.upstream.get_json(f"{self.base_url}/{path}")
        except UpstreamBadResponse as exc:
            # get_json reports every non-200, non-5xx answer as a bad response. For a register
            # a 404 is an answer ("no such id"), so it is recognised here by its detail text.
            if exc.detail.startswith("HTTP 404 "):
                return _NOT_FOUND
            raise


def _ancestors(data: Any, unit: OrgUnit) -> tuple[OrgUnit, ...]:
    if not isinstance(data, list) or len(data) > MAX_DEPTH:
        raise _bad(f"unit.ancestors: expected a list of at most {MAX_DEPTH}")
    chain: list[OrgUnit] = []
    for n, item in enumerate(data):
        where = f"unit.ancestors[{n}]"
        entry = _object(item, where)
        chain.append(
            OrgUnit(
                sor=_sor(entry, where),
                name=_text(entry, "name", where),
                level=_level(entry, where),
                parent_sor=None,
                address=_optional_address(entry, where),
            )
        )
    # The chain must really be this unit's: it starts at its parent and never loops back.
    sors = [unit.sor, *(a.sor for a in chain)]
    if (chain[0].sor if chain else None) != unit.parent_sor or len(set(sors)) != len(sors):
        raise _bad(f"unit.ancestors: not the chain above {unit.sor}")
    # Parents are not repeated per ancestor in the payload; they follow from the order.
    return tuple(
        replace(a, parent_sor=chain[n + 1].sor if n + 1 < len(chain) else None)
        for n, a in enumerate(chain)
    )


def _sor(obj: dict[str, Any], where: str) -> str:
    value = _text(obj, "sor", where)
    if not _SOR.fullmatch(value):
        raise _bad(f"{where}.sor: expected a SOR id")
    return value


def _level(obj: dict[str, Any], where: str) -> str:
    value = _text(obj, "level", where)
    if value not in LEVELS:
        raise _bad(f"{where}.level: expected one of {LEVELS}")
    return value


def _optional_address(obj: dict[str, Any], where: str) -> Address | None:
    if "address" not in obj:
        raise _bad(f"{where}.address: missing")
    if obj["address"] is None:
        return None
    address = _object(obj["address"], f"{where}.address")
    lines = address.get("lines")
    if not isinstance(lines, list) or not lines or not all(_filled(x) for x in lines):
        raise _bad(f"{where}.address.lines: expected a non-empty list of text")
    municipality = _optional_text(address, "municipality_code", f"{where}.address")
    if municipality is not None and not _MUNICIPALITY.fullmatch(municipality):
        raise _bad(f"{where}.address.municipality_code: expected 4 digits")
    return Address(
        tuple(lines),
        _optional_text(address, "postcode", f"{where}.address"),
        _optional_text(address, "city", f"{where}.address"),
        municipality,
    )


_shape = Shape(SOURCE)
_object, _text, _optional_text, _bad = _shape.object, _shape.text, _shape.optional_text, _shape.bad
_filled = filled
