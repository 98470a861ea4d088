"""The APD connector: MedCom APD-DK 2.0.1 appointment documents shared XDS-style (IHE MHD).

One search, ``GET {base}/DocumentReference?patient.identifier=urn:oid:1.2.208.176.1.2|<cpr>
&status=current,superseded&period=ge<instant>&period=lt<instant>&_count=250``, answers one entry
per published version of each document, in pages linked by ``next`` (which must stay on
``base_url``'s origin and not repeat; at most ``max_pages``). When the first page gives the
``total`` and its ``next`` link pages by ``_offset``, the remaining pages are fetched together
(at most ``concurrency`` at a time); any other ``next`` link is opaque and followed page by page.
A document's CDA comes inline (``attachment.data``, base64) or is retrieved from
``attachment.url`` — same origin as ``base_url`` only, at most ``concurrency`` at a time — and
is parsed by ``connectors/cda.py``, once per version: what it made of a version is kept
(``connectors/apdcache.py``), so a version seen before is neither parsed nor retrieved again;
its patient is checked every time all the same. Entries are read by
``connectors/apdentries.py``, versions become records in ``connectors/apdversions.py``. The
shape served is documented in ``simulators/apd.py``. Rules:

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
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from yarl import URL

from connectors.answer import Answer, Refusal
from connectors.apdcache import DocumentCache, Key, Parsed, Refused
from connectors.apdentries import Entry, as_list, is_object, read_entries
from connectors.apdversions import versions
from connectors.cda import TZ, ApdDocument, ApdRuleError, CdaError, parse_apd
from connectors.http import Params, Upstream, consent_refusal
from domain.cpr import mask_cpr
from domain.errors import UpstreamBadResponse, redact_cpr
from domain.records import AppointmentRecord
from domain.settings import SourceConfig

log = logging.getLogger(__name__)

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"
XML_TYPES = frozenset({"application/xml", "text/xml"})
T = TypeVar("T")
# More new documents than this in one answer are parsed in a worker thread, this many at a time
# (about 10 ms of CPU): measured, it keeps the loop's longest stall near one chunk.
PARSE_ON_LOOP = 50
PARSE_CHUNK = 50


class ApdConnector:
    """Read one source's APD-DK appointment documents.

    Args:
        upstream: the source's ``Upstream`` (timeouts, retries, breaker, size cap).
        base_url: the document sharing base, e.g. ``http://127.0.0.1:8100/aarhus/xds``.
        source: the source's configuration; its ``id`` names the source in records and errors.
        concurrency: the most retrieves in flight at once, for entries without inline data.
        page_size: the ``_count`` asked for: 250 documents with inline CDA are about 1.5 MB.
        max_pages: a loop guard: more pages than this is a bad response.
        documents: how many parsed document versions to keep (``connectors/apdcache.py``);
            about 1.8 kB each (18 MB when full); citizen-history alone has 1,200.
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
        documents: int = 10_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.upstream = upstream
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.concurrency = concurrency
        self.page_size = page_size
        self.max_pages = max_pages
        self.clock = clock
        self.documents = DocumentCache(documents)
        self.parses = 0  # documents parsed (a cached one is not): what the cache saves
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
        records = versions(self.source.id, read, [e for e, _ in refused], self.clock())
        return Answer(records, tuple(Refusal(e.id, reason) for e, reason in refused))

    async def _search(self, params: list[tuple[str, str]]) -> list[Entry]:
        url: str | None = f"{self.base_url}/DocumentReference"
        query: list[tuple[str, str]] | None = [*params, ("_count", str(self.page_size))]
        entries: list[Entry] = []
        seen: set[str] = set()
        position = 0  # of each entry in the whole answer: the last tie-breaker of versions
        while url is not None:
            if len(seen) >= self.max_pages:
                raise self._bad(f"more than {self.max_pages} search pages")
            first = not seen
            seen.add(url)
            bundle = await self._call(self.upstream.get_json, url, query)
            entries.extend(read_entries(bundle, position, self.source.id))
            position += len(bundle["entry"]) if "entry" in bundle else 0
            url, query = self._next(bundle, seen), None
            pages = self._remaining_pages(bundle, url, position) if first else None
            if pages is not None:
                # One round trip for the rest instead of one per page.
                url, position = await self._fan_out(pages, entries, seen)
        return entries

    def _remaining_pages(
        self, first: dict[str, Any], link: str | None, step: int
    ) -> list[tuple[int, str]] | None:
        """The remaining pages of a search whose first page says how many match (``total``)
        and whose ``next`` link pages by ``_offset`` (it skips exactly the ``step`` entries the
        page held): each page's offset and url, the server's own link with only ``_offset``
        changed. ``None`` for any other server: its ``next`` links stay opaque and are followed
        one by one."""
        total = first.get("total")
        if link is None or not isinstance(total, int) or isinstance(total, bool) or step <= 0:
            return None
        url = URL(link)
        if url.query.getall("_offset", []) != [str(step)]:
            return None
        counts = url.query.getall("_count", [str(step)])
        size = int(counts[0]) if len(counts) == 1 and counts[0].isdigit() else 0
        if size <= 0:
            return None
        offsets = range(step, total, size)
        if not offsets:  # more than the total said: nothing to plan, the link is followed
            return None
        if 1 + len(offsets) > self.max_pages:  # before a list as long as a hostile total says
            raise self._bad(f"more than {self.max_pages} search pages")
        return [
            (offset, link if offset == step else str(url.update_query({"_offset": str(offset)})))
            for offset in offsets
        ]

    async def _fan_out(
        self, pages: list[tuple[int, str]], entries: list[Entry], seen: set[str]
    ) -> tuple[str | None, int]:
        """Fetch ``pages`` at most ``concurrency`` at a time, adding their entries in answer
        order; the last page's ``next`` link (matches added meanwhile) and the position after
        it, for the one-by-one loop to carry on from."""
        if len(seen) + len(pages) > self.max_pages:
            raise self._bad(f"more than {self.max_pages} search pages")
        seen.update(url for _, url in pages)
        gate = asyncio.Semaphore(self.concurrency)

        async def page(url: str) -> Any:
            async with gate:
                return await self._call(self.upstream.get_json, url)

        bundles = await _all([page(url) for _, url in pages])
        for (offset, _), bundle in zip(pages, bundles, strict=True):
            entries.extend(read_entries(bundle, offset, self.source.id))
        last = bundles[-1]
        return self._next(last, seen), pages[-1][0] + len(last.get("entry", ()))

    def _next(self, bundle: dict[str, Any], seen: set[str]) -> str | None:
        link = next(
            (
                x.get("url")
                for x in as_list(bundle.get("link"))
                if is_object(x) and x.get("relation") == "next"
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

    async def _documents(self, entries: Sequence[Entry], cpr: str) -> list[ApdDocument | str]:
        """Each entry's document, or why it is refused (a rule of APD-DK it breaks): from the
        document cache when that version was read before, else parsed (and cached)."""
        out: list[ApdDocument | str | None] = [None] * len(entries)
        inline: list[tuple[int, Entry, Key | None]] = []
        remote: list[tuple[int, Entry, Key | None]] = []
        for n, entry in enumerate(entries):
            if entry.refusal is not None:
                out[n] = entry.refusal
                continue
            key = None if entry.version_key is None else (self.source.id, cpr, *entry.version_key)
            cached = None if key is None else self.documents.get(key)
            if cached is not None:
                out[n] = self._accept(entry, cached, cpr)
            else:
                (inline if entry.data is not None else remote).append((n, entry, key))
        batch = [e.data for _, e, _ in inline if e.data is not None]
        for (n, entry, key), parsed in zip(inline, await self._parse_off_loop(batch), strict=True):
            out[n] = self._keep(entry, key, parsed, cpr)
        gate = asyncio.Semaphore(self.concurrency)

        async def retrieve(n: int, entry: Entry, key: Key | None) -> None:
            async with gate:
                data = await self._retrieve(entry)
            self.parses += 1
            out[n] = self._keep(entry, key, _parse(data), cpr)

        await _all([retrieve(*todo) for todo in remote])
        return [x for x in out if x is not None]

    async def _parse_off_loop(self, batch: list[bytes]) -> list[Parsed | CdaError]:
        """``_parse`` of each, in a worker thread in chunks when the batch is large: a cold
        history is a quarter of a second of parsing that would stall every other request on the
        loop. Between chunks the request's deadline (a cancellation) takes effect."""
        self.parses += len(batch)  # here, on the loop: the worker threads only parse
        if len(batch) <= PARSE_ON_LOOP:
            return _parse_all(batch)
        parsed: list[Parsed | CdaError] = []
        for at in range(0, len(batch), PARSE_CHUNK):
            parsed += await asyncio.to_thread(_parse_all, batch[at : at + PARSE_CHUNK])
        return parsed

    def _keep(
        self, entry: Entry, key: Key | None, parsed: Parsed | CdaError, cpr: str
    ) -> ApdDocument | str:
        if isinstance(parsed, CdaError):
            raise self._bad(f"document {entry.id}: {parsed}") from parsed
        if key is not None:
            self.documents.put(key, parsed)
        return self._accept(entry, parsed, cpr)

    def _accept(self, entry: Entry, parsed: Parsed, cpr: str) -> ApdDocument | str:
        """The document, or the rule it breaks; another patient's fails the call, cached or not."""
        theirs = parsed.patient_cpr
        if theirs is not None and theirs != cpr:
            raise self._other_patient(entry, theirs, cpr)
        return parsed.reason if isinstance(parsed, Refused) else parsed

    def _other_patient(self, entry: Entry, theirs: str, ours: str) -> UpstreamBadResponse:
        # Another patient's appointment must never be shown as this one's, and a source that
        # sends one cannot be trusted for the rest of the answer either.
        return self._bad(f"document {entry.id} is for {mask_cpr(theirs)}, not {mask_cpr(ours)}")

    async def _retrieve(self, entry: Entry) -> bytes:
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


def _parse_all(batch: list[bytes]) -> list[Parsed | CdaError]:
    return [_parse(data) for data in batch]


def _parse(data: bytes) -> Parsed | CdaError:
    """What one document's bytes are: a document, a refusal, or no document at all."""
    try:
        return parse_apd(data)
    except ApdRuleError as exc:
        return Refused(str(exc), exc.patient_cpr)
    except CdaError as exc:
        return exc


async def _all(calls: list[Coroutine[Any, Any, T]]) -> list[T]:
    """``gather`` of ``calls``; the first failure decides and cancels the rest, which would only
    spend the deadline."""
    tasks = [asyncio.create_task(c) for c in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


def _instant(value: datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=TZ)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
