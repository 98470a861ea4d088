"""The parsed APD documents of one source, kept in the process: a bounded LRU by version.

A published APD document version never changes (a change is a new entry that replaces it), so
what ``cda.parse_apd`` made of it, or the APD-DK rule it broke, can be kept and reused: the
connector (``connectors/apd.py``) then neither parses nor, for url attachments, retrieves it
again. What identifies a version (``Entry.version_key``, ``connectors/apdentries.py``) is the
inline bytes themselves, or, for a url attachment, the entry's id with its XDS uniqueId
(``masterIdentifier``) and the url; an entry with neither is never cached. Every key also holds
the patient's CPR number, and the connector checks a cached document's patient as it checks a
parsed one, so a cached document is never served as another patient's.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeAlias

from connectors.cda import ApdDocument

Key: TypeAlias = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Refused:
    """A document refused for an APD-DK rule: the rule, and the patient it named (if any)."""

    reason: str
    patient_cpr: str | None


Parsed: TypeAlias = ApdDocument | Refused


class DocumentCache:
    """At most ``size`` parsed documents, the least recently used dropped first.

    ``hits`` and ``misses`` count lookups, so a test (or an operator) can see what it saves.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._items: OrderedDict[Key, Parsed] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Key) -> Parsed | None:
        found = self._items.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return found

    def put(self, key: Key, value: Parsed) -> None:
        if self.size <= 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
