"""The entries of an APD document search: each ``DocumentReference`` as an ``Entry``.

Pure functions over the parsed search Bundle. Entries of another type are skipped (logged); an
appointment entry in another format is refused on its own (``Entry.refusal``); a malformed Bundle
or entry is an ``UpstreamBadResponse`` (see ``connectors/apd.py`` for the rules).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.clock import TZ
from domain.errors import UpstreamBadResponse

log = logging.getLogger(__name__)

FORMAT_CODE = "urn:ad:dk:medcom:apd-v2.0.1:full"
_FORMAT_TOKEN = re.compile(r"urn:ad:dk:medcom:[a-z0-9.:-]{1,40}")
TYPE_CODES = frozenset({"56446-8", "39289-4"})
STATUSES = frozenset({"current", "superseded"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One DocumentReference, as much as the connector needs of it."""

    id: str
    status: str
    replaces: tuple[str, ...]
    url: str | None
    data: bytes | None
    date: datetime | None
    index: int
    refusal: str | None = None  # why the entry is refused before its document is even read
    version_key: tuple[str, ...] | None = None  # what identifies its document's bytes, if known


def read_entries(bundle: Any, first: int, source: str) -> list[Entry]:
    """The DocumentReferences of one search page (``first``: the position of its first entry in
    the whole answer), as ``Entry``s; ``UpstreamBadResponse`` when the page is malformed."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise _bad(source, "search answer is not a Bundle")
    raw = bundle.get("entry", [])
    if not isinstance(raw, list):
        raise _bad(source, "Bundle.entry is not a list")
    entries: list[Entry] = []
    for n, item in enumerate(raw):
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict):
            raise _bad(source, f"Bundle.entry[{n}] has no resource")
        if resource.get("resourceType") != "DocumentReference":
            continue  # e.g. an OperationOutcome with search mode "outcome"
        entry = _entry(resource, first + n, source)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(res: dict[str, Any], n: int, source: str) -> Entry | None:
    where = f"DocumentReference[{n}]"
    entry_id, status = res.get("id"), res.get("status")
    if not isinstance(entry_id, str) or not entry_id:
        raise _bad(source, f"{where} has no id")
    if status == "entered-in-error":
        return None
    if status not in STATUSES:
        raise _bad(source, f"{where} has status {status!r}")
    types = {c.get("code") for c in as_list(as_dict(res.get("type")).get("coding")) if is_object(c)}
    if not types & TYPE_CODES:
        log.warning("source %s: skipping %s of type %s", source, entry_id, types)
        return None
    content = next(
        (
            c
            for c in as_list(res.get("content"))
            if is_object(c) and as_dict(c.get("format")).get("code") == FORMAT_CODE
        ),
        None,
    )
    if content is None:
        formats = [
            code
            for c in as_list(res.get("content"))
            if is_object(c) and isinstance(code := as_dict(c.get("format")).get("code"), str)
        ]
        shown = next((f for f in formats if _FORMAT_TOKEN.fullmatch(f)), None)
        reason = f"unsupported appointment document format ({shown or 'none given'})"
        return Entry(entry_id, status, _replaces(res), None, None, None, n, reason)
    attachment = as_dict(content.get("attachment"))
    url, data = attachment.get("url"), attachment.get("data")
    if data is not None and not isinstance(data, str):
        raise _bad(source, f"{where} attachment.data is not a string")
    if data is None and not isinstance(url, str):
        raise _bad(source, f"{where} has neither attachment.data nor attachment.url")
    try:
        raw = base64.b64decode(data, validate=True) if data is not None else None
    except (binascii.Error, ValueError) as exc:
        raise _bad(source, f"{where} attachment.data is not base64") from exc
    return Entry(
        entry_id,
        status,
        _replaces(res),
        url if isinstance(url, str) else None,
        raw,
        _date(res.get("date"), where, source),
        n,
        version_key=_version_key(res, url, raw),
    )


def _version_key(res: dict[str, Any], url: Any, raw: bytes | None) -> tuple[str, ...] | None:
    """What identifies the bytes of the entry's document, for ``connectors/apdcache.py``.

    Inline bytes identify themselves (their digest). A url attachment is identified by the
    entry's id, its ``masterIdentifier`` (the XDS uniqueId, which a registry never reuses for
    other bytes), the url and the entry's ``date``; without a ``masterIdentifier`` nothing
    identifies the bytes before they are retrieved, so the entry is not cached.
    """
    if raw is not None:
        return ("data", hashlib.blake2b(raw, digest_size=16).hexdigest())
    master = as_dict(res.get("masterIdentifier")).get("value")
    if not isinstance(master, str) or not master or not isinstance(url, str):
        return None
    date = res.get("date")
    return ("url", str(res["id"]), master, url, date if isinstance(date, str) else "")


def _date(value: Any, where: str, source: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise _bad(source, f"{where}.date is not a dateTime")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)


def _replaces(res: dict[str, Any]) -> tuple[str, ...]:
    return tuple(
        ref.rsplit("/", 1)[-1]
        for rel in as_list(res.get("relatesTo"))
        if is_object(rel) and rel.get("code") == "replaces"
        if isinstance(ref := as_dict(rel.get("target")).get("reference"), str)
    )


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _bad(source: str, detail: str) -> UpstreamBadResponse:
    return UpstreamBadResponse(source, detail=detail)
