"""The CPR register connector: a person's master data by CPR number.

It reads ``GET {base_url}/person/{cpr}`` (the shape is documented in ``simulators/cpr.py``) and
returns a ``PersonRecord``, or ``None`` when the register answers 404. Anything that does not
fit the shape exactly raises ``UpstreamBadResponse`` naming source ``"cpr"``; keys the gateway
does not know are ignored, so the register may add fields without breaking us.

Example::

    cpr = CprConnector(Upstream(session, "cpr", timeout_s=2.0), "http://sim/cpr")
    person = await cpr.person("010858-9995")  # PersonRecord(cpr="0108589995", ...)
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from connectors.http import Upstream
from connectors.shape import Shape, filled
from domain.cpr import mask_cpr, normalise_cpr
from domain.errors import UpstreamBadResponse
from domain.records import Address, PersonRecord, PersonStatus

SOURCE: Final = "cpr"
_NOT_FOUND: Final = object()
_YDERNUMMER = re.compile(r"[0-9]{1,6}")
_MUNICIPALITY = re.compile(r"[0-9]{4}")


class CprConnector:
    """Person lookups in the CPR register.

    Args:
        upstream: HTTP access to the register (its breaker, budget and timeouts).
        base_url: the register's base URL, e.g. ``http://127.0.0.1:8001/cpr``.
    """

    def __init__(self, upstream: Upstream, base_url: str) -> None:
        self.upstream = upstream
        self.base_url = base_url.rstrip("/")

    async def person(self, cpr: str) -> PersonRecord | None:
        """The person with CPR number ``cpr``, or ``None`` if the register does not know them.

        ``cpr`` may carry the hyphen; a malformed one raises ``BadInputError`` without calling
        the register. Transport failures raise the ``UpstreamError`` of ``Upstream``.
        """
        number = normalise_cpr(cpr)
        data = await _get_json_or_not_found(self.upstream, f"{self.base_url}/person/{number}")
        if data is _NOT_FOUND:
            return None
        return _person(data, number)


async def _get_json_or_not_found(upstream: Upstream, url: str) -> Any:
    try:
        return await upstream.get_json(url)
    except UpstreamBadResponse as exc:
        # get_json reports every non-200, non-5xx answer as a bad response. For the register a
        # 404 is an answer ("no such person"), so it is recognised here by its detail text.
        if exc.detail.startswith("HTTP 404 "):
            return _NOT_FOUND
        raise


def _person(data: Any, asked: str) -> PersonRecord:
    person = _object(data, "person")
    number = _text(person, "cpr", "person")
    if number != asked:
        # Someone else's master data must never be shown as this patient's.
        raise _bad(f"asked for {mask_cpr(asked)}, got {mask_cpr(number)}")
    name = _object(person.get("name"), "person.name")
    status = _text(person, "status", "person")
    try:
        born = date.fromisoformat(_text(person, "birth_date", "person"))
        person_status = PersonStatus(status)
    except ValueError as exc:
        raise _bad(f"person: {exc}") from exc
    group = _object(person.get("health_insurance"), "person.health_insurance").get("group")
    # type() rather than isinstance: JSON true is a bool, and a bool is an int to Python.
    if type(group) is not int or group not in (1, 2):
        raise _bad("person.health_insurance.group: expected 1 or 2")
    protected = _object(person.get("protection"), "person.protection").get("name_address")
    if not isinstance(protected, bool):
        raise _bad("person.protection.name_address: expected a boolean")
    gp = person.get("gp", _NOT_FOUND)
    ydernummer = None
    if gp is not None:
        ydernummer = _text(_object(gp, "person.gp"), "ydernummer", "person.gp")
        if not _YDERNUMMER.fullmatch(ydernummer):
            raise _bad("person.gp.ydernummer: expected up to 6 digits")
    address = person.get("address", _NOT_FOUND)
    return PersonRecord(
        cpr=number,
        given_name=_text(name, "given", "person.name", empty_ok=True),
        family_name=_text(name, "family", "person.name"),
        address=None if address is None else _address(address, "person.address"),
        status=person_status,
        protected=protected,
        insurance_group=group,
        gp_ydernummer=ydernummer,
        birth_date=born,
    )


def _address(data: Any, where: str) -> Address:
    address = _object(data, where)
    lines = address.get("lines")
    if not isinstance(lines, list) or not lines or not all(_filled(x) for x in lines):
        raise _bad(f"{where}.lines: expected a non-empty list of text")
    municipality = _optional_text(address, "municipality_code", where)
    if municipality is not None and not _MUNICIPALITY.fullmatch(municipality):
        raise _bad(f"{where}.municipality_code: expected 4 digits")
    return Address(
        tuple(lines),
        _optional_text(address, "postcode", where),
        _optional_text(address, "city", where),
        municipality,
    )


_shape = Shape(SOURCE)
_object, _text, _optional_text, _bad = _shape.object, _shape.text, _shape.optional_text, _shape.bad
_filled = filled
