"""The APD connector: MedCom APD-DK 2.0.1 appointment documents shared XDS-style (IHE MHD).

One search, ``GET {base}/DocumentReference?patient.identifier=urn:oid:1.2.208.176.1.2|<cpr>
&status=current,superseded&period=ge<instant>&period=lt<instant>&_count=250``, answers one entry
per published version of each document, in pages linked by ``next`` (which must stay on
``base_url``'s origin and not repeat; at most ``max_pages``). A document's CDA comes inline
(``attachment.data``, base64) or is retrieved from ``attachment.url`` — same origin as
``base_url`` only, at most ``concurrency`` at a time — and is parsed by ``connectors/cda.py``.
The shape served is documented in ``simulators/apd.py``. Rules:

* Entries whose type is neither LOINC ``56446-8`` nor ``39289-4`` are skipped and logged: the
  source may share other documents (a PDC, a care plan). An appointment entry in another format
  than ``urn:ad:dk:medcom:apd-v2.0.1:full`` (APD 1.0's ``urn:ad:dk:medcom:appointment``, say) is
  an appointment we cannot read: it is *refused*.
* **Refused documents.** A document that breaks APD-DK 2.0.1's rules (``cda.ApdRuleError``: a
  mandatory element missing, a wrong template or version, times that contradict each other) is
  refused on its own: it is not shown, the rest of the answer stands, and the refusal (entry id
  and rule) is returned in ``Answer.refused`` so the source's status can say so. When the
  newest entry of a document is refused, none of its versions is returned: an older one shown
  as current would be out of date.
* Anything else malformed or hostile — the Bundle, base64, bytes that are no XML (DTDs, entities,
  external references are refused), another patient's document, a retrieve URL on another
  origin — fails the whole call with ``UpstreamBadResponse``: such an answer cannot be trusted
  for the rest either. A 403 from a source that shares only with consent is
  ``UpstreamNotConsented``.
* **Versions.** Entries are grouped by ClinicalDocument id (the record's ``id``) and ordered by
  their ``relatesTo``/``replaces`` chain (then ``date``, then answer order); ``version`` is the
  1-based position as a decimal string and ``updated`` the entry's ``date``. A ``superseded``
  entry is returned with ``superseded=True`` — except when nothing replaces it and no entry of the
  document is current: the source withdrew (deprecated) the document, which is how APD cancels,
  so that entry is returned as the current record with status ``cancelled``.
* Status mapping: see ``cda.appointment_status`` (``completed`` → fulfilled; ``cancelled``,
  ``aborted``, ``nullified`` → cancelled; otherwise booked, or fulfilled once over).
* The GP rules (fixed title, no reason, ``shared_since``) are the merge's
  (``resolvers/merge.apply_source_rules``): this connector reports what the source says.

Example::

    apd = ApdConnector(upstream, "http://127.0.0.1:8100/aarhus/xds", settings.source("aarhus"))
    answer = await apd.search_appointments("0108589995", start, end)
    answer.records, answer.refused
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yarl import URL

from connectors.answer import Answer, Refusal
from connectors.cda import TZ, ApdDocument, ApdRuleError, CdaError, appointment_status, parse_apd
from connectors.http import Params, Upstream, consent_refusal
from domain.cpr import mask_cpr
from domain.errors import UpstreamBadResponse, redact_cpr
from domain.records import AppointmentRecord, AppointmentStatus
from domain.settings import SourceConfig

log = logging.getLogger(__name__)

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
FORMAT_CODE = "urn:ad:dk:medcom:apd-v2.0.1:full"
_FORMAT_TOKEN = re.compile(r"urn:ad:dk:medcom:[a-z0-9.:-]{1,40}")
TYPE_CODES = frozenset({"56446-8", "39289-4"})
XML_TYPES = frozenset({"application/xml", "text/xml"})
STATUSES = frozenset({"current", "superseded"})
DEFAULT_TITLE = "Aftale"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One DocumentReference, as much as the connector needs of it."""

    id: str
    status: str
    replaces: tuple[str, ...]
    url: str | None
    data: bytes | None
    date: datetime | None
    index: int
    refusal: str | None = None  # why the entry is refused before its document is even read


class ApdConnector:
    """Read one source's APD-DK appointment documents.

    Args:
        upstream: the source's ``Upstream`` (timeouts, retries, breaker, size cap).
        base_url: the document sharing base, e.g. ``http://127.0.0.1:8100/aarhus/xds``.
        source: the source's configuration; its ``id`` names the source in records and errors.
        concurrency: the most retrieves in flight at once, for entries without inline data.
        page_size: the ``_count`` asked for: 250 documents with inline CDA are about 1.5 MB.
        max_pages: a loop guard: more pages than this is a bad response.
        clock: the current time, for telling a past ``active`` appointment from a future one.
    """

    def __init__(
        self,
        upstream: Upstream,
        base_url: str,
        source: SourceConfig,
        *,
        concurrency: int = 8,
        page_size: int = 250,
        max_pages: int = 100,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.upstream = upstream
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.concurrency = concurrency
        self.page_size = page_size
        self.max_pages = max_pages
        self.clock = clock
        self._origin = URL(self.base_url).origin()

    async def appointments(
        self, cpr: str, start: datetime | None, end: datetime | None
    ) -> list[AppointmentRecord]:
        """The records of ``search_appointments`` (what was refused is left out)."""
        return (await self.search_appointments(cpr, start, end)).records

    async def search_appointments(
        self, cpr: str, start: datetime | None, end: datetime | None
    ) -> Answer[AppointmentRecord]:
        """Every published version of the patient's appointments starting in ``[start, end)``,
        and the documents refused for breaking APD-DK's rules.

        Raises ``UpstreamNotConsented`` when the source shares only with consent and has none,
        ``UpstreamBadResponse`` on anything malformed or hostile, and the other
        ``UpstreamError``s of ``Upstream``.
        """
        params: list[tuple[str, str]] = [
            ("patient.identifier", f"{CPR_SYSTEM}|{cpr}"),
            ("status", "current,superseded"),
        ]
        if start is not None:
            params.append(("period", f"ge{_instant(start)}"))
        if end is not None:
            params.append(("period", f"lt{_instant(end)}"))
        entries = await self._search(params)
        documents = await self._documents(entries, cpr)
        read = [
            (e, d) for e, d in zip(entries, documents, strict=True) if isinstance(d, ApdDocument)
        ]
        refused = [(e, d) for e, d in zip(entries, documents, strict=True) if isinstance(d, str)]
        for entry, reason in refused:
            # The entry id is the source's; scrubbed all the same, as every log line is.
            log.warning(
                "source %s: refused document %s: %s", self.source.id, redact_cpr(entry.id), reason
            )
        records = _records(self.source.id, read, [e for e, _ in refused], self.clock())
        return Answer(records, tuple(Refusal(e.id, reason) for e, reason in refused))

    async def _search(self, params: list[tuple[str, str]]) -> list[_Entry]:
        url: str | None = f"{self.base_url}/DocumentReference"
        query: list[tuple[str, str]] | None = [*params, ("_count", str(self.page_size))]
        entries: list[_Entry] = []
        seen: set[str] = set()
        position = 0  # of each entry in the whole answer: the last tie-breaker of versions
        while url is not None:
            if len(seen) >= self.max_pages:
                raise self._bad(f"more than {self.max_pages} search pages")
            seen.add(url)
            bundle = await self._call(self.upstream.get_json, url, query)
            entries.extend(self._entries(bundle, position))
            position += len(bundle["entry"]) if "entry" in bundle else 0
            url, query = self._next(bundle, seen), None
        return entries

    def _next(self, bundle: dict[str, Any], seen: set[str]) -> str | None:
        link = next(
            (
                x.get("url")
                for x in _list(bundle.get("link"))
                if _is(x) and x.get("relation") == "next"
            ),
            None,
        )
        if link is None:
            return None
        url = URL(self.base_url).join(URL(link)) if isinstance(link, str) else None
        if url is None or not url.is_absolute() or url.origin() != self._origin:
            # The next page's query carries the CPR number: it must not go anywhere else.
            raise self._bad("search next link leaves the source's origin")
        if str(url) in seen:
            raise self._bad("search next link repeats a page")
        return str(url)

    async def _call(self, get: Callable[..., Any], url: str, params: Params | None = None) -> Any:
        try:
            return await get(url, params)
        except UpstreamBadResponse as exc:
            raise consent_refusal(exc, self.source.requires_consent) from exc

    def _bad(self, detail: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(self.source.id, detail=detail)

    def _entries(self, bundle: Any, first: int) -> list[_Entry]:
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise self._bad("search answer is not a Bundle")
        raw = bundle.get("entry", [])
        if not isinstance(raw, list):
            raise self._bad("Bundle.entry is not a list")
        entries: list[_Entry] = []
        for n, item in enumerate(raw):
            resource = item.get("resource") if isinstance(item, dict) else None
            if not isinstance(resource, dict):
                raise self._bad(f"Bundle.entry[{n}] has no resource")
            if resource.get("resourceType") != "DocumentReference":
                continue  # e.g. an OperationOutcome with search mode "outcome"
            entry = self._entry(resource, first + n)
            if entry is not None:
                entries.append(entry)
        return entries

    def _entry(self, res: dict[str, Any], n: int) -> _Entry | None:
        where = f"DocumentReference[{n}]"
        entry_id, status = res.get("id"), res.get("status")
        if not isinstance(entry_id, str) or not entry_id:
            raise self._bad(f"{where} has no id")
        if status == "entered-in-error":
            return None
        if status not in STATUSES:
            raise self._bad(f"{where} has status {status!r}")
        types = {c.get("code") for c in _list(_dict(res.get("type")).get("coding")) if _is(c)}
        if not types & TYPE_CODES:
            log.warning("source %s: skipping %s of type %s", self.source.id, entry_id, types)
            return None
        content = next(
            (
                c
                for c in _list(res.get("content"))
                if _is(c) and _dict(c.get("format")).get("code") == FORMAT_CODE
            ),
            None,
        )
        if content is None:
            formats = [
                code
                for c in _list(res.get("content"))
                if _is(c) and isinstance(code := _dict(c.get("format")).get("code"), str)
            ]
            shown = next((f for f in formats if _FORMAT_TOKEN.fullmatch(f)), None)
            reason = f"unsupported appointment document format ({shown or 'none given'})"
            return _Entry(entry_id, status, _replaces(res), None, None, None, n, reason)
        attachment = _dict(content.get("attachment"))
        url, data = attachment.get("url"), attachment.get("data")
        if data is not None and not isinstance(data, str):
            raise self._bad(f"{where} attachment.data is not a string")
        if data is None and not isinstance(url, str):
            raise self._bad(f"{where} has neither attachment.data nor attachment.url")
        try:
            raw = base64.b64decode(data, validate=True) if data is not None else None
        except (binascii.Error, ValueError) as exc:
            raise self._bad(f"{where} attachment.data is not base64") from exc
        return _Entry(
            entry_id,
            status,
            _replaces(res),
            url if isinstance(url, str) else None,
            raw,
            self._date(res.get("date"), where),
            n,
        )

    def _date(self, value: Any, where: str) -> datetime | None:
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise self._bad(f"{where}.date is not a dateTime")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)

    async def _documents(self, entries: Sequence[_Entry], cpr: str) -> list[ApdDocument | str]:
        """Each entry's document, or why it is refused (a rule of APD-DK it breaks)."""
        gate = asyncio.Semaphore(self.concurrency)

        async def one(entry: _Entry) -> ApdDocument | str:
            if entry.refusal is not None:
                return entry.refusal
            data = entry.data
            if data is None:
                async with gate:
                    data = await self._retrieve(entry)
            try:
                doc = parse_apd(data)
            except ApdRuleError as exc:
                if exc.patient_cpr is not None and exc.patient_cpr != cpr:
                    raise self._other_patient(entry, exc.patient_cpr, cpr) from exc
                return str(exc)
            except CdaError as exc:
                raise self._bad(f"document {entry.id}: {exc}") from exc
            if doc.patient_cpr != cpr:
                raise self._other_patient(entry, doc.patient_cpr, cpr)
            return doc

        tasks = [asyncio.create_task(one(e)) for e in entries]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            # The first failure decides the answer; the rest would only spend the deadline.
            for task in tasks:
                task.cancel()
            raise

    def _other_patient(self, entry: _Entry, theirs: str, ours: str) -> UpstreamBadResponse:
        # Another patient's appointment must never be shown as this one's, and a source that
        # sends one cannot be trusted for the rest of the answer either.
        return self._bad(f"document {entry.id} is for {mask_cpr(theirs)}, not {mask_cpr(ours)}")

    async def _retrieve(self, entry: _Entry) -> bytes:
        url = URL(self.base_url).join(URL(entry.url or ""))
        if not url.is_absolute() or url.origin() != self._origin:
            # A hostile registry must not send the gateway (and its requests) elsewhere.
            raise self._bad(f"document {entry.id}: retrieve URL leaves the source's origin")
        body, content_type = await self._call(self._get_xml, str(url))
        if content_type not in XML_TYPES:
            raise self._bad(f"document {entry.id}: content type {content_type!r}")
        return body  # type: ignore[no-any-return]

    async def _get_xml(self, url: str, params: Params | None) -> tuple[bytes, str]:
        return await self.upstream.get_bytes(url, params, accept="application/xml")


def _records(
    source: str, pairs: list[tuple[_Entry, ApdDocument]], refused: list[_Entry], now: datetime
) -> list[AppointmentRecord]:
    groups: dict[str, list[tuple[_Entry, ApdDocument]]] = {}
    for pair in pairs:
        groups.setdefault(pair[1].doc_id, []).append(pair)
    records: list[AppointmentRecord] = []
    for group in groups.values():
        ids = {e.id for e, _ in group}
        replaced = {t for e, _ in group for t in e.replaces if t in ids}
        has_current = any(e.status == "current" for e, _ in group)
        if not has_current and any(t in ids for e in refused for t in e.replaces):
            continue  # its newest version is refused: what we could read is out of date
        by_id = {e.id: e for e, _ in group}
        ordered = sorted(group, key=lambda p: _chain_key(p[0], by_id))
        for n, (entry, doc) in enumerate(ordered, start=1):
            superseded = entry.status == "superseded"
            withdrawn = superseded and not has_current and entry.id not in replaced
            status = (
                AppointmentStatus.CANCELLED
                if withdrawn
                else appointment_status(doc.status_code, doc.start, doc.end, now)
            )
            records.append(
                AppointmentRecord(
                    source=source,
                    id=doc.doc_id,
                    status=status,
                    start=doc.start,
                    end=doc.end,
                    title=doc.title or doc.reason or DEFAULT_TITLE,
                    organization=doc.organization,
                    place=doc.place,
                    performer=doc.performer,
                    reason=doc.reason,
                    kind=doc.kind,
                    version=str(n),
                    updated=entry.date or doc.created,
                    superseded=superseded and not withdrawn,
                    all_day=doc.all_day,
                    indicative_time=doc.indicative_time,
                )
            )
    return records


def _chain_key(entry: _Entry, by_id: dict[str, _Entry]) -> tuple[int, datetime, int]:
    """Order within a document: replacement depth, then publication time, then answer order."""
    depth, seen, at = 0, {entry.id}, entry
    while (
        prev := next((t for t in at.replaces if t in by_id and t not in seen), None)
    ) is not None:
        depth, at = depth + 1, by_id[prev]
        seen.add(prev)
    return (depth, entry.date or datetime.min.replace(tzinfo=UTC), entry.index)


def _replaces(res: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        ref.rsplit("/", 1)[-1]
        for rel in _list(res.get("relatesTo"))
        if _is(rel) and rel.get("code") == "replaces"
        if isinstance(ref := _dict(rel.get("target")).get("reference"), str)
    )


def _instant(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=TZ)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _is(value: Any) -> bool:
    return isinstance(value, dict)
