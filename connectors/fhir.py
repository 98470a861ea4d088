"""The FHIR R4 connector: appointments, care plans and goals of one source, by CPR number.

Searches ``<base>/Appointment``, ``<base>/CarePlan`` and ``<base>/Goal`` with
``patient:identifier=urn:oid:1.2.208.176.1.2|<cpr>`` and follows the Bundle's ``next`` links.
Parsing lives in ``connectors/fhirparse.py`` (over ``connectors/fhirjson.py``); here are the
paging rules and the error translation:

* at most ``max_pages`` pages, and a ``next`` link must stay on ``base_url``'s origin (scheme,
  host, port) and must not repeat: otherwise ``UpstreamBadResponse``, since a hostile or broken
  server could otherwise send the gateway (and the patient's CPR number in the query) elsewhere;
* a structurally broken document is ``UpstreamBadResponse``; a single resource with an unknown
  code is refused on its own (logged, and returned in ``Answer.refused`` for the source's
  status); a CarePlan or Goal ``entered-in-error`` is left out, as R4 says it never existed;
* a resource id seen again on a later page (the set changed while paging) keeps its first place
  and its latest content, so nothing is shown twice.

Example::

    fhir = FhirConnector(upstream, "http://127.0.0.1:8100/rm/fhir", settings.source("rm"))
    answer = await fhir.search_appointments("0201919990", start, end)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from yarl import URL

from connectors import fhirjson, fhirparse
from connectors.answer import Answer, Refusal
from connectors.fhirjson import FhirFormatError, Json, Retracted, SkipRecord
from connectors.fhirparse import CPR_SYSTEM
from connectors.http import Upstream, consent_refusal
from domain.errors import UpstreamBadResponse, redact_cpr
from domain.records import AppointmentRecord, GoalRecord, PlanRecord
from domain.settings import SourceConfig

log = logging.getLogger(__name__)

R = TypeVar("R", AppointmentRecord, PlanRecord, GoalRecord)

APPOINTMENT_KIND = {
    "region": "RegionalAppointment",
    "municipality": "MunicipalityAppointment",
    "gp": "PractitionerAppointment",
}


class FhirConnector:
    """Read one source's FHIR R4 server.

    Args:
        upstream: the source's ``Upstream`` (timeouts, retries, breaker, size cap).
        base_url: the FHIR base, e.g. ``http://127.0.0.1:8100/rm/fhir``.
        source: the source's configuration; its ``id`` names the source in records and errors.
        page_size: the ``_count`` asked for per page.
        max_pages: a loop guard: more pages than this is a bad response.
    """

    def __init__(
        self,
        upstream: Upstream,
        base_url: str,
        source: SourceConfig,
        *,
        page_size: int = 100,
        max_pages: int = 100,
    ) -> None:
        self.upstream = upstream
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.page_size = page_size
        self.max_pages = max_pages
        self._origin = URL(self.base_url).origin()

    async def appointments(
        self, cpr: str, start: datetime | None, end: datetime | None
    ) -> list[AppointmentRecord]:
        """The records of ``search_appointments`` (what was refused is left out)."""
        return (await self.search_appointments(cpr, start, end)).records

    async def plans(self, cpr: str) -> list[PlanRecord]:
        """The records of ``search_plans``."""
        return (await self.search_plans(cpr)).records

    async def goals(self, cpr: str) -> list[GoalRecord]:
        """The records of ``search_goals``."""
        return (await self.search_goals(cpr)).records

    async def search_appointments(
        self, cpr: str, start: datetime | None, end: datetime | None
    ) -> Answer[AppointmentRecord]:
        """The patient's appointments starting in ``[start, end)`` (aware datetimes; ``None``
        leaves that side open), in the order the source pages them, and what was refused."""
        params = self._params(cpr)
        if start is not None:
            params.append(("date", f"ge{_utc(start)}"))
        if end is not None:
            params.append(("date", f"lt{_utc(end)}"))
        kind = APPOINTMENT_KIND.get(self.source.kind)

        def parse(res: Json) -> AppointmentRecord:
            return fhirparse.appointment(res, source=self.source.id, kind=kind, cpr=cpr)

        return await self._search("Appointment", params, parse)

    async def search_plans(self, cpr: str) -> Answer[PlanRecord]:
        """The patient's care plans, and what was refused."""

        def parse(res: Json) -> PlanRecord:
            return fhirparse.care_plan(res, source=self.source.id, cpr=cpr)

        return await self._search("CarePlan", self._params(cpr), parse)

    async def search_goals(self, cpr: str) -> Answer[GoalRecord]:
        """The patient's goals, and what was refused."""

        def parse(res: Json) -> GoalRecord:
            return fhirparse.goal(res, source=self.source.id, cpr=cpr)

        return await self._search("Goal", self._params(cpr), parse)

    def _params(self, cpr: str) -> list[tuple[str, str]]:
        return [("patient:identifier", f"{CPR_SYSTEM}|{cpr}"), ("_count", str(self.page_size))]

    async def _search(
        self, resource_type: str, params: list[tuple[str, str]], parse: Callable[[Json], R]
    ) -> Answer[R]:
        url = URL(f"{self.base_url}/{resource_type}").with_query(params)
        seen = {url}
        found: dict[str, R] = {}
        refused: dict[str, Refusal] = {}  # by resource id, like ``found``
        for _ in range(self.max_pages):
            # The URL goes out already encoded, so a next link is fetched exactly as given.
            try:
                bundle = await self.upstream.get_json(str(url))
            except UpstreamBadResponse as exc:
                raise consent_refusal(exc, self.source.requires_consent) from exc
            try:
                for res in fhirjson.search_matches(bundle, resource_type):
                    # The id is checked by ``parse``: a resource that gets past it has one.
                    rid = str(res.get("id"))
                    try:
                        record = parse(res)
                    except Retracted:
                        # A later page's word on a resource is the latest (see the docstring).
                        found.pop(rid, None)
                        refused.pop(rid, None)
                        continue
                    except SkipRecord as exc:
                        log.warning(
                            "source %s: refused a %s: %s",
                            self.source.id,
                            resource_type,
                            redact_cpr(str(exc)),
                        )
                        found.pop(rid, None)
                        refused[rid] = Refusal(rid, exc.rule)
                        continue
                    refused.pop(record.id, None)
                    found[record.id] = record
                link = fhirjson.next_link(bundle)
            except FhirFormatError as exc:
                raise self._bad(f"{resource_type} search: {exc}") from exc
            if link is None:
                return Answer(list(found.values()), tuple(refused.values()))
            url = self._follow(url, link)
            if url in seen:
                raise self._bad(f"{resource_type} search: next link repeats {url}")
            seen.add(url)
        raise self._bad(f"{resource_type} search: more than {self.max_pages} pages")

    def _follow(self, current: URL, link: str) -> URL:
        """The next page's URL; relative links are resolved, other origins refused."""
        try:
            nxt = current.join(URL(link))
        except ValueError as exc:
            raise self._bad(f"unusable next link {link!r}") from exc
        if not nxt.is_absolute() or nxt.origin() != self._origin:
            raise self._bad(f"next link leaves {self._origin}: {link!r}")
        return nxt

    def _bad(self, detail: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(self.source.id, detail=detail)


def _utc(value: datetime) -> str:
    """A search bound in UTC with ``Z``: no ``+`` to survive query encoding, and unambiguous."""
    if value.tzinfo is None:
        raise ValueError("search bounds must be timezone-aware datetimes")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
