"""The APD-DK face of one simulated source: appointment documents shared XDS-style (MHD).

Routes, under the source's sub-application::

    GET /xds/DocumentReference?patient.identifier=urn:oid:1.2.208.176.1.2|<cpr>
                              &status=current,superseded&period=ge<dateTime>&period=lt<dateTime>
                              &_count=N&_offset=M
    GET /xds/Binary/<entry id>                                   (the retrieve: the CDA XML)

The search answers a ``searchset`` Bundle of ``DocumentReference`` (IHE MHD ITI-67), one
entry per *published version* of each appointment document. Wire decisions, mirrored by
``connectors/apd.py`` and ``connectors/cda.py``:

* **Identity.** ``identifier`` (system ``urn:oid:1.2.208.184``) holds the ClinicalDocument id,
  the same in every version; ``id``/``masterIdentifier`` are per entry. A newer entry names the
  one it replaces in ``relatesTo`` (``replaces``, the XDS ``RPLC`` association); the replaced one
  is ``superseded``.
* **Cancellation, two ways**, split by ``simulators.cda.withdrawn``: either the current
  version's CDA says ``statusCode="cancelled"``, or the source withdraws the document: its last
  entry is ``superseded`` and nothing replaces it (XDS *Deprecated*).
* **Period filter** ``[ge, lt)`` on the start of an appointment's *latest* published version, and
  every matching appointment comes with its whole version chain, so a consumer never mistakes an
  old version whose replacement moved out of the window for a withdrawal.
* **Content**: ``attachment.url`` (absolute, from the request's own host) for the retrieve and,
  unless the test-only query flag ``inline=0`` is given or the routes were added with
  ``inline=False``, the CDA inline as base64 ``data``, so 1,200 documents need no 1,200 retrieves.
  Each document is rendered once per process: documents are immutable.
* **Paging** only when asked: ``_count`` (max 1000) and ``_offset``, with an absolute ``next``
  link. Without ``_count`` every match comes in one answer: 1,200 documents with inline CDA are
  about 7.7 MB, too close to the gateway's 8 MB response cap to rely on, so the connector pages.
* **Type code** LOINC ``56446-8`` (MedCom's XDS profile) for Aarhus, ``39289-4`` (FUT,
  KvalitetsIT) for the others: both occur in the wild.
* **GP sources** (id starting with ``gp``) answer only for patients who consented (otherwise 403
  with an OperationOutcome, issue code ``forbidden``, details text ``consent``) and only
  appointments starting on or after ``GP_SHARED_SINCE``.

``malformed`` faults with variant ``xml-bomb``, ``xxe`` or ``structure`` replace every document
(inline and retrieved) with a hostile one; ``structure`` rotates (per entry in a search, per request
for retrieves) between a CDA without ``effectiveTime/low``, a foreign root element, and a body that
is not XML at all.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from aiohttp import web

from domain.clock import TZ
from simulators.cda import (
    CPR_OID,
    Entry,
    hostile,
    is_gp,
    publish,
)
from simulators.cdadoc import render_cda
from simulators.docref import FORMAT_CODE, document_reference
from simulators.faults import FAULT, FAULT_KEY, Fault
from simulators.population import GP_SHARED_SINCE, Population
from simulators.search import BadSearch, int_param, patient

__all__ = ["FORMAT_CODE", "add_routes"]

FHIR_JSON = "application/fhir+json"
STATUSES = ("current", "superseded")
MAX_COUNT = 1000
Resource = dict[str, Any]


def add_routes(app: web.Application, pop: Population, source: str, *, inline: bool = True) -> None:
    """Add the APD document search and retrieve routes of ``source`` to its sub-application.

    Args:
        app: the source's sub-application (with ``faults.install`` already applied).
        pop: the synthetic population to publish.
        source: the source id (``aarhus``, ``frederikshavn``, ``gp-jml``, ...).
        inline: put each CDA inline in the search answer (else only ``attachment.url``).
    """
    registry = _Registry(pop, source, inline)
    app.router.add_get("/xds/DocumentReference", registry.search)
    app.router.add_get("/xds/Binary/{entry_id}", registry.retrieve)


class _Registry:
    """The source's document registry and repository, with a render cache."""

    def __init__(self, pop: Population, source: str, inline: bool) -> None:
        self.pop = pop
        self.source = source
        self.inline = inline
        self.groups: dict[str, list[list[Entry]]] = {}
        self.entries: dict[str, Entry] = {}
        self._xml: dict[str, bytes] = {}
        self._b64: dict[str, str] = {}
        self._entry_json: dict[tuple[str, str, bool], str] = {}
        for cpr, appts in pop.appointments.get(source, {}).items():
            for appt in appts:
                entries = publish(source, appt)
                if is_gp(source) and entries[-1].version.start.astimezone(TZ).date() < (
                    GP_SHARED_SINCE
                ):
                    continue  # never shared: from before the practice joined
                self.groups.setdefault(cpr, []).append(entries)
                self.entries.update((e.id, e) for e in entries)

    def xml(self, entry: Entry) -> bytes:
        cached = self._xml.get(entry.id)
        if cached is None:
            cached = render_cda(self.pop, self.source, entry).encode("utf-8")
            self._xml[entry.id] = cached
        return cached

    def b64(self, entry: Entry) -> str:
        cached = self._b64.get(entry.id)
        if cached is None:
            cached = base64.b64encode(self.xml(entry)).decode("ascii")
            self._b64[entry.id] = cached
        return cached

    async def search(self, request: web.Request) -> web.Response:
        try:
            cpr = patient(
                request.query.getall("patient.identifier", []),
                "patient.identifier",
                f"urn:oid:{CPR_OID}",
            )
            wanted = _statuses(request.query.getall("status", []))
            ge, lt = _period(request.query.getall("period", []))
            count = int_param(request, "_count", None, 1, MAX_COUNT)
            offset = int_param(request, "_offset", 0, 0, 10**6) or 0
        except BadSearch as exc:
            return _outcome("invalid", str(exc), 400)
        if is_gp(self.source) and cpr not in self.pop.gp_consent:
            return _outcome("forbidden", "consent", 403)
        groups = [
            g
            for g in self.groups.get(cpr, [])
            if (ge is None or g[-1].version.start >= ge)
            and (lt is None or g[-1].version.start < lt)
        ]
        groups.sort(key=lambda g: (g[-1].version.start, g[-1].appt.id))
        matches = [e for g in groups for e in g if e.status in wanted]
        page = matches[offset:] if count is None else matches[offset : offset + count]
        inline = self.inline and request.query.get("inline") != "0"
        fault: Fault | None = request.get(FAULT)
        base = request.url.with_query(None).parent  # .../xds
        links = [{"relation": "self", "url": str(request.url)}]
        if count is not None and offset + count < len(matches):
            query = [(k, v) for k, v in request.query.items() if k != "_offset"]
            next_url = request.url.with_query([*query, ("_offset", str(offset + count))])
            links.append({"relation": "next", "url": str(next_url)})
        head = {"resourceType": "Bundle", "type": "searchset", "total": len(matches), "link": links}
        if _hostile_variant(fault) is None:
            # Each entry's JSON is the same on every search: written once, so that a source's
            # own time is the latency the benchmark sets, not this simulator's rendering.
            texts = [self._entry_text(entry, str(base), inline) for entry in page]
        else:
            texts = [
                _compact(self._bundle_entry(entry, str(base), inline, fault, n))
                for n, entry in enumerate(page, start=offset)
            ]
        # Compact separators: a page of documents is megabytes, and every byte counts against
        # the gateway's response cap.
        body = f'{_compact(head)[:-1]},"entry":[{",".join(texts)}]}}'
        return web.Response(text=body, content_type=FHIR_JSON)

    def _entry_text(self, entry: Entry, base: str, inline: bool) -> str:
        key = (entry.id, base, inline)
        cached = self._entry_json.get(key)
        if cached is None:
            cached = _compact(self._bundle_entry(entry, base, inline, None, 0))
            self._entry_json[key] = cached
        return cached

    def _bundle_entry(
        self, entry: Entry, base: str, inline: bool, fault: Fault | None, n: int
    ) -> Resource:
        resource = document_reference(self.pop, self.source, entry, len(self.xml(entry)))
        attachment = resource["content"][0]["attachment"]
        attachment["url"] = f"{base}/Binary/{entry.id}"
        if inline:
            attachment["data"] = (
                self.b64(entry)
                if _hostile_variant(fault) is None
                else base64.b64encode(self.body(entry, fault, n)).decode()
            )
        return {
            "fullUrl": f"{base}/DocumentReference/{resource['id']}",
            "resource": resource,
            "search": {"mode": "match"},
        }

    async def retrieve(self, request: web.Request) -> web.Response:
        entry = self.entries.get(request.match_info["entry_id"])
        if entry is None:
            return _outcome("not-found", "no such document", 404)
        if is_gp(self.source) and entry.appt.patient_cpr not in self.pop.gp_consent:
            return _outcome("forbidden", "consent", 403)
        fault: Fault | None = request.get(FAULT)
        # Retrieves rotate through the hostile forms by request count, searches by entry.
        body = self.body(entry, fault, request.app[FAULT_KEY]["hits"])
        return web.Response(body=body, content_type="application/xml", charset="utf-8")

    def body(self, entry: Entry, fault: Fault | None, index: int) -> bytes:
        """The document as served: the cached CDA, or a hostile stand-in under a fault."""
        variant = _hostile_variant(fault)
        if variant is None:
            return self.xml(entry)
        return hostile(variant, render_cda(self.pop, self.source, entry), index)


# --- the search's parameters and answers ---


def _statuses(values: list[str]) -> set[str]:
    wanted = {s for v in values for s in v.split(",") if s} or set(STATUSES)
    if not wanted <= {*STATUSES, "entered-in-error"}:
        raise BadSearch("status must be current, superseded or entered-in-error")
    return wanted


def _period(values: list[str]) -> tuple[datetime | None, datetime | None]:
    ge: datetime | None = None
    lt: datetime | None = None
    for value in values:
        prefix, text = value[:2], value[2:].replace(" ", "+")  # a form-decoded "+" is a space
        try:
            when = datetime.fromisoformat(text)
        except ValueError as exc:
            raise BadSearch(f"period value {text!r} is not a dateTime") from exc
        if when.tzinfo is None:
            raise BadSearch("period values must carry a UTC offset")
        if prefix == "ge":
            ge = when if ge is None else max(ge, when)
        elif prefix == "lt":
            lt = when if lt is None else min(lt, when)
        else:
            raise BadSearch("period must carry the prefix ge or lt")
    return ge, lt


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _outcome(code: str, text: str, status: int) -> web.Response:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "details": {"text": text}}],
    }
    return web.json_response(body, status=status, content_type=FHIR_JSON)


# --- hostile documents ---


def _hostile_variant(fault: Fault | None) -> str | None:
    if fault is None or fault.variant not in ("xml-bomb", "xxe", "structure"):
        return None
    return fault.variant
