"""The FHIR R4 face of one simulated source: ``Appointment`` (regions), ``CarePlan`` and ``Goal``.

Routes, under the source's sub-application::

    GET /fhir/Appointment?patient:identifier=urn:oid:1.2.208.176.1.2|<cpr>
                         &date=ge<dateTime>&date=lt<dateTime>&_count=N      (appointments=True)
    GET /fhir/CarePlan?patient:identifier=...                              (every source)
    GET /fhir/Goal?patient:identifier=...                                  (every source)

Each answers a paged ``searchset`` Bundle of the resources ``simulators/fhirresources.py``
renders. Wire decisions, mirrored by ``connectors/fhirparse.py``:

* **Paging**: ``_count`` (default 50, max 200) and ``_offset``; ``self``/``next`` links are
  absolute, built from the request's own host, so they work on any port.
* **The owning organisation** of an Appointment or Goal is the FUT extension
  ``ehealth-responsible-organization`` holding a logical reference (SOR identifier and display),
  since R4 allows no Organization among ``Appointment.participant.actor`` or ``Goal.expressedBy``.
  A CarePlan names it in ``author``, which R4 allows to be an Organization.
* The place is a contained ``Location`` with a SOR identifier. A patient's home is never published.
* A plan's activity links its appointments in ``activity.outcomeReference``
  (``Appointment/<id>``), because R4 forbids ``activity.reference`` next to ``activity.detail``
  (constraint cpl-3).

A ``malformed``/``structure`` fault makes the handler answer a Bundle that breaks its own structure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from domain.clock import TZ, local_midnight
from simulators.faults import FAULT, FAULT_KEY, Fault
from simulators.fhirresources import (
    CPR_SYSTEM,
    RESPONSIBLE_ORG,
    SOR_SYSTEM,
    Resource,
    appointment,
    care_plan,
    goal,
    instant,
)
from simulators.population import Population
from simulators.search import BadSearch, int_param, patient, searched

__all__ = ["CPR_SYSTEM", "RESPONSIBLE_ORG", "SOR_SYSTEM", "add_routes"]

FHIR_JSON = "application/fhir+json"
DEFAULT_COUNT = 50
MAX_COUNT = 200


def add_routes(app: web.Application, pop: Population, source: str, *, appointments: bool) -> None:
    """Add the FHIR search routes of ``source`` to its sub-application ``app``.

    Args:
        app: the source's sub-application (with ``faults.install`` already applied).
        pop: the synthetic population to publish.
        source: the source id (``rm``, ``aarhus``, ...).
        appointments: also serve ``Appointment`` (regions publish appointments in FHIR).
    """

    def shares(cpr: str) -> bool:
        return not source.startswith("gp") or cpr in pop.gp_consent

    async def appointment_search(request: web.Request) -> web.Response:
        def matches(cpr: str) -> list[Resource]:
            ge, lt = _date_range(request.query.getall("date", []))
            searched(request, ge, lt)
            found = [
                a
                for a in pop.appointments_for(source, cpr)
                if (ge is None or a.current.start >= ge) and (lt is None or a.current.start < lt)
            ]
            found.sort(key=lambda a: (a.current.start, a.id))
            return [appointment(pop, a) for a in found]

        return _search(request, "Appointment", matches)

    async def plan_search(request: web.Request) -> web.Response:
        def matches(cpr: str) -> list[Resource]:
            plans = pop.plans.get(source, {}).get(cpr, [])
            return [care_plan(pop, p) for p in sorted(plans, key=lambda p: (p.start, p.id))]

        return _search(request, "CarePlan", matches, shares)

    async def goal_search(request: web.Request) -> web.Response:
        def matches(cpr: str) -> list[Resource]:
            goals = pop.goals.get(source, {}).get(cpr, [])
            return [goal(pop, g) for g in sorted(goals, key=lambda g: (g.start, g.id))]

        return _search(request, "Goal", matches, shares)

    if appointments:
        app.router.add_get("/fhir/Appointment", appointment_search)
    app.router.add_get("/fhir/CarePlan", plan_search)
    app.router.add_get("/fhir/Goal", goal_search)


# --- searching and paging ---


def _search(
    request: web.Request,
    resource_type: str,
    matches: Callable[[str], list[Resource]],
    shares: Callable[[str], bool] = lambda cpr: True,
) -> web.Response:
    try:
        cpr = patient(
            request.query.getall("patient:identifier", []), "patient:identifier", CPR_SYSTEM
        )
        if not shares(cpr):
            # A GP shares only with the patient's consent given at the clinic.
            return _outcome("consent: the patient has not consented to sharing", 403, "forbidden")
        count = int_param(request, "_count", DEFAULT_COUNT, 1, MAX_COUNT)
        offset = int_param(request, "_offset", 0, 0, 10**6)
        resources = matches(cpr)
    except BadSearch as exc:
        return _outcome(str(exc))
    base = request.url.with_query(None).parent  # .../fhir
    page = resources[offset : offset + count]
    links = [{"relation": "self", "url": str(request.url)}]
    if offset + count < len(resources):
        links.append({"relation": "next", "url": _page_url(request, offset + count, count)})
    bundle: Resource = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": instant(datetime.now(UTC))},
        "type": "searchset",
        "total": len(resources),
        "link": links,
    }
    if page:
        bundle["entry"] = [
            {
                "fullUrl": f"{base}/{resource_type}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in page
        ]
    fault: Fault | None = request.get(FAULT)
    if fault is not None and fault.variant == "structure":
        bundle = _broken(bundle, resource_type, request.app[FAULT_KEY]["hits"])
    return web.json_response(bundle, content_type=FHIR_JSON)


def _date_range(values: Sequence[str]) -> tuple[datetime | None, datetime | None]:
    """``date`` parameters as a half-open interval [ge, lt); ``gt``/``le`` are folded in."""
    ge: datetime | None = None
    lt: datetime | None = None
    for value in values:
        prefix, when = value[:2], _when(value[2:])
        if prefix == "ge" or prefix == "gt":
            # A second's resolution is all the data has: gt t == ge t + 1 s.
            bound = when + timedelta(seconds=1) if prefix == "gt" else when
            ge = bound if ge is None else max(ge, bound)
        elif prefix == "lt" or prefix == "le":
            bound = when + timedelta(seconds=1) if prefix == "le" else when
            lt = bound if lt is None else min(lt, bound)
        else:
            raise BadSearch("date must carry one of the prefixes ge, gt, le, lt")
    return ge, lt


def _when(text: str) -> datetime:
    # An unencoded "+01:00" arrives as " 01:00": the form-style query decoding ate the plus.
    text = text.replace(" ", "+")
    try:
        if len(text) == 10:
            # A bare date means that local day, as the patient's calendar does.
            return local_midnight(date.fromisoformat(text))
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadSearch(f"date value {text!r} is not a FHIR date or dateTime") from exc
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def _page_url(request: web.Request, offset: int, count: int) -> str:
    query = [(k, v) for k, v in request.query.items() if k not in ("_offset", "_count")]
    query += [("_count", str(count)), ("_offset", str(offset))]
    return str(request.url.with_query(query))


def _outcome(diagnostics: str, status: int = 400, code: str = "invalid") -> web.Response:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
    return web.json_response(body, status=status, content_type=FHIR_JSON)


def _broken(bundle: Resource, resource_type: str, hits: int) -> Resource:
    """A Bundle that violates its own structure; which way rotates with the request count."""
    entries: list[Resource] = bundle.get("entry") or [
        {"resource": {"resourceType": resource_type, "id": "broken"}}
    ]
    resource = dict(entries[0]["resource"])
    variant = hits % 3
    if variant == 0:
        bundle["entry"] = {"resource": resource}  # an object where a list belongs
        return bundle
    if variant == 1:
        resource.pop("lifecycleStatus" if resource_type == "Goal" else "status", None)
    elif resource_type == "Appointment":
        resource["start"] = "tirsdag kl. 10"
    else:
        resource.pop("resourceType")
    bundle["entry"] = [{"resource": resource, "search": {"mode": "match"}}, *entries[1:]]
    return bundle
