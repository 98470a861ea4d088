"""The versions of APD documents as appointment records: pure, no I/O.

Entries are grouped by ClinicalDocument id and ordered by their ``replaces`` chain (then
``date``, then answer order); a superseded entry that nothing replaces, with no current entry of
its document, is the source's withdrawal: the document's cancellation (``connectors/apd.py``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.apdentries import Entry
from connectors.cda import ApdDocument, appointment_status
from domain.records import AppointmentRecord, AppointmentStatus

DEFAULT_TITLE = "Aftale"


def versions(
    source: str, pairs: list[tuple[Entry, ApdDocument]], refused: list[Entry], now: datetime
) -> list[AppointmentRecord]:
    """The records of the documents read, each version once, ordered and numbered per document
    (``pairs``: each entry and its document; ``refused``: the entries refused)."""
    groups: dict[str, list[tuple[Entry, ApdDocument]]] = {}
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


def _chain_key(entry: Entry, by_id: dict[str, Entry]) -> tuple[int, datetime, int]:
    """Order within a document: replacement depth, then publication time, then answer order."""
    depth, seen, at = 0, {entry.id}, entry
    while (
        prev := next((t for t in at.replaces if t in by_id and t not in seen), None)
    ) is not None:
        depth, at = depth + 1, by_id[prev]
        seen.add(prev)
    return (depth, entry.date or datetime.min.replace(tzinfo=UTC), entry.index)
