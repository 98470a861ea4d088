"""The stamdata simulator: SOR (the organisation tree) and Yderregisteret (GP practices).

``GET /sor/{sor}``::

    200 {"sor": "265311000016006",
         "name": "Hjertesygdomme, Aarhus Universitetshospital",
         "level": "unit",                        # owner | institution | unit
         "parent": "265301000016009",            # or null for an owner
         "address": {"lines": [...], "postcode": "8200", "city": "Aarhus N",
                     "municipality_code": null}, # or null: the unit has no address of its own
         "phone": "+4578452000",                 # or null
         "ancestors": [                          # parent first, up to the owner
             {"sor": "265301000016009", "name": "...", "level": "institution",
              "address": {...} | null},
             {"sor": "320161000016009", "name": "...", "level": "owner", "address": ...}]}

``GET /sor?name=<text>&limit=<n>`` (units whose name holds the text, any case, or whose SOR id
is the text; by name, at most ``limit``, default 20, at most 100)::

    200 {"entries": [{"sor": "...", "name": "...", "level": "unit", "parent": "..."}, ...]}

``GET /yder/{ydernummer}``::

    200 {"ydernummer": "012345", "name": "Lægerne Jens Michael Larsen",
         "sor": "471841000016002",               # or null
         "address": {...} | null, "phone": "+4586151515" | null,
         "doctors": ["Jens Michael Larsen", "Sofie Bech"]}

Both answer 404 ``{"error": "not-found", ...}`` for unknown ids and 400 for ids that are not
digits. Addresses are sent as registered, ``null`` included: inheriting a parent's address is
the consumer's job, as with the real SOR, so the connector has something to resolve.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from aiohttp import web

from simulators.cpr import address_json
from simulators.faults import FAULT
from simulators.population import Population, SimOrg, SimPractice

T = TypeVar("T")


def add_routes(app: web.Application, pop: Population) -> None:
    """Mount ``GET /sor/{sor}`` and ``GET /yder/{ydernummer}`` on ``app``, answering from ``pop``.

    Both answer 404 for unknown ids and 400 for ids that are not digits.
    """

    async def sor(request: web.Request) -> web.Response:
        org = _lookup(request, "sor", pop.orgs, "Not a SOR id.", "No SOR entry with this id.")
        if isinstance(org, web.Response):
            return org
        if _structure_fault(request):
            return web.json_response(
                {"sor": int(org.sor), "navn": org.name, "parent": [org.parent]}
            )
        return web.json_response(org_json(org, pop))

    async def yder(request: web.Request) -> web.Response:
        practice = _lookup(
            request,
            "ydernummer",
            pop.practices,
            "Not a ydernummer.",
            "No practice with this ydernummer.",
        )
        if isinstance(practice, web.Response):
            return practice
        if _structure_fault(request):
            return web.json_response({"practice": {"ydernummer": int(practice.ydernummer)}})
        return web.json_response(practice_json(practice))

    async def search(request: web.Request) -> web.Response:
        text = request.query.get("name", "").strip().casefold()
        try:
            limit = int(request.query.get("limit", "20"))
        except ValueError:
            return _error(400, "bad-request", "limit is not a number.")
        if not text or not 1 <= limit <= 100:
            return _error(400, "bad-request", "Give a name and a limit of 1-100.")
        found = sorted(
            (o for o in pop.orgs.values() if text in o.name.casefold() or o.sor == text),
            key=lambda o: (o.name.casefold(), o.sor),
        )
        entries = [
            {"sor": o.sor, "name": o.name, "level": o.level, "parent": o.parent}
            for o in found[:limit]
        ]
        return web.json_response({"entries": entries})

    app.router.add_get("/sor", search)
    app.router.add_get("/sor/{sor}", sor)
    app.router.add_get("/yder/{ydernummer}", yder)


def org_json(org: SimOrg, pop: Population) -> dict[str, Any]:
    """``org`` in the SOR JSON shape, with its ancestors from ``pop``."""
    return {
        "sor": org.sor,
        "name": org.name,
        "level": org.level,
        "parent": org.parent,
        "address": address_json(org.address) if org.address else None,
        "phone": org.phone,
        "ancestors": [
            {
                "sor": a.sor,
                "name": a.name,
                "level": a.level,
                "address": address_json(a.address) if a.address else None,
            }
            for a in _ancestors(org, pop)
        ],
    }


def practice_json(practice: SimPractice) -> dict[str, Any]:
    """``practice`` in the Yderregister JSON shape."""
    return {
        "ydernummer": practice.ydernummer,
        "name": practice.name,
        "sor": practice.sor,
        "address": address_json(practice.address),
        "phone": practice.phone,
        "doctors": list(practice.doctors),
    }


def _ancestors(org: SimOrg, pop: Population) -> list[SimOrg]:
    chain: list[SimOrg] = []
    parent = pop.orgs.get(org.parent) if org.parent else None
    # Bounded by the tree's size, so a cycle in hand-edited test data cannot hang the simulator.
    while parent is not None and len(chain) < len(pop.orgs):
        chain.append(parent)
        parent = pop.orgs.get(parent.parent) if parent.parent else None
    return chain


def _lookup(
    request: web.Request, param: str, table: Mapping[str, T], not_an_id: str, unknown: str
) -> T | web.Response:
    """The entry the path's ``param`` names, or the 400 (not digits) or 404 (unknown) answer."""
    key = request.match_info[param]
    if not (key.isascii() and key.isdigit()):
        return _error(400, "bad-request", not_an_id)
    found = table.get(key)
    if found is None:
        return _error(404, "not-found", unknown)
    return found


def _structure_fault(request: web.Request) -> bool:
    fault = request.get(FAULT)
    return fault is not None and fault.variant == "structure"


def _error(status: int, error: str, message: str) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status)
