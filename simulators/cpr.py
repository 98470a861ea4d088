"""The CPR register simulator: person master data by CPR number.

``GET /person/{cpr}`` (``DDMMYYSSSS`` or ``DDMMYY-SSSS``)::

    200 {"cpr": "0108589995",
         "name": {"given": "Poul Erik", "family": "Testesen"},
         "birth_date": "1958-08-01",
         "address": {"lines": ["Åbyhøjvej 12, 1. th"], "postcode": "8230", "city": "Åbyhøj",
                     "municipality_code": "0751"},
         "status": "alive",                      # alive | deceased | emigrated
         "protection": {"name_address": false},  # navne- og adressebeskyttelse
         "health_insurance": {"group": 1},       # sygesikringsgruppe 1 | 2
         "gp": {"ydernummer": "012345"}}         # or null (group 2 has no fixed GP)
    404 {"error": "not-found", "message": "..."}
    400 {"error": "bad-request", "message": "..."}

Like the real register it answers for protected persons too: protection tells the consumer
what it may show, it does not hide data from an authorised system.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from simulators.faults import FAULT
from simulators.population import Population, SimAddress, SimPerson

# The simulator checks syntax on its own rather than importing the gateway's rules: it stands in
# for an independent system, so a bug in domain/cpr.py must not be mirrored here.
_CPR = re.compile(r"([0-9]{6})-?([0-9]{4})")


def add_routes(app: web.Application, pop: Population) -> None:
    """Mount ``GET /person/{cpr}`` on ``app``, answering from ``pop``."""

    async def person(request: web.Request) -> web.Response:
        match = _CPR.fullmatch(request.match_info["cpr"])
        if match is None:
            return web.json_response(
                {"error": "bad-request", "message": "Not a CPR number (expected DDMMYY-SSSS)."},
                status=400,
            )
        found = pop.people.get(match.group(1) + match.group(2))
        if found is None:
            return web.json_response(
                {"error": "not-found", "message": "No person with this CPR number."}, status=404
            )
        fault = request.get(FAULT)
        if fault is not None and fault.variant == "structure":
            return web.json_response(_wrong_shape(found))
        return web.json_response(person_json(found))

    app.router.add_get("/person/{cpr}", person)


def person_json(person: SimPerson) -> dict[str, Any]:
    """``person`` in the register's JSON shape."""
    return {
        "cpr": person.cpr,
        "name": {"given": person.given_name, "family": person.family_name},
        "birth_date": person.birth_date.isoformat(),
        "address": address_json(person.address),
        "status": person.status,
        "protection": {"name_address": person.protected},
        "health_insurance": {"group": person.insurance_group},
        "gp": {"ydernummer": person.ydernummer} if person.ydernummer else None,
    }


def address_json(address: SimAddress) -> dict[str, Any]:
    """An address in the registers' shared JSON shape."""
    return {
        "lines": list(address.lines),
        "postcode": address.postcode,
        "city": address.city,
        "municipality_code": address.municipality_code,
    }


def _wrong_shape(person: SimPerson) -> dict[str, Any]:
    # Plausible at a glance (an older flat layout), so only a strict reader notices.
    return {
        "cpr": int(person.cpr),
        "name": f"{person.given_name} {person.family_name}",
        "address": ", ".join((*person.address.lines, person.address.city)),
        "status": person.status.upper(),
        "protection": "no",
        "health_insurance": str(person.insurance_group),
        "gp": person.ydernummer,
    }
