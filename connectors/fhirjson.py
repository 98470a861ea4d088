"""Typed reading of FHIR R4 JSON: checked access, dates, searchset Bundles, references.

Small helpers instead of a FHIR library: each checks exactly the shape it returns and raises
``FhirFormatError`` naming the path (``Bundle.entry[3].resource``) when the document breaks it.
``connectors/fhirparse.py`` builds records from them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from domain.clock import local_midnight

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"(\d{4})(-(\d{2})(-(\d{2}))?)?")

Json = dict[str, Any]


class FhirFormatError(ValueError):
    """The document is unacceptable as a whole."""


class SkipRecord(ValueError):
    """One resource is well-formed but unusable (an unknown code): refuse it and say so.

    ``rule`` names what is wrong in words safe to show a client; the message (for our logs)
    may quote the offending value.
    """

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class Retracted(Exception):
    """The source marks the resource ``entered-in-error``: it never happened; never show it."""


# --- typed access ---


def obj(value: Any, where: str) -> Json:
    """``value`` as a JSON object, or ``FhirFormatError`` naming ``where``."""
    if not isinstance(value, dict):
        raise FhirFormatError(f"{where} must be an object")
    return value


def opt_obj(d: Json, key: str, where: str) -> Json | None:
    """``d[key]`` as an object, ``None`` when absent."""
    value = d.get(key)
    return None if value is None else obj(value, f"{where}.{key}")


def opt_list(d: Json, key: str, where: str) -> list[Any]:
    """``d[key]`` as an array, empty when absent."""
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FhirFormatError(f"{where}.{key} must be an array")
    return value


def opt_str(d: Json, key: str, where: str) -> str | None:
    """``d[key]`` as a string, ``None`` when absent or empty."""
    value = d.get(key)
    if value is None or value == "":  # R4 forbids empty strings; some servers send them anyway
        return None
    if not isinstance(value, str):
        raise FhirFormatError(f"{where}.{key} must be a string")
    return value


def req_str(d: Json, key: str, where: str) -> str:
    """``d[key]`` as a non-empty string; ``FhirFormatError`` when absent."""
    value = opt_str(d, key, where)
    if value is None:
        raise FhirFormatError(f"{where}.{key} is required")
    return value


def objs(d: Json, key: str, where: str) -> list[Json]:
    """``d[key]`` as an array of objects, empty when absent."""
    return [obj(v, f"{where}.{key}[{i}]") for i, v in enumerate(opt_list(d, key, where))]


# --- dates ---


def parse_datetime(value: Any, where: str) -> datetime:
    """A FHIR ``dateTime``/``instant`` as an aware datetime.

    >>> parse_datetime("2026-03-29T10:00:00-05:00", "start").utcoffset()
    datetime.timedelta(days=-1, seconds=68400)

    A bare or partial date (``2026``, ``2026-03``, ``2026-03-29``) is local midnight in Copenhagen.
    A time without an offset is an error: R4 requires one, and guessing would shift the instant.
    """
    if isinstance(value, str):
        if _DATETIME.fullmatch(value):
            try:
                return datetime.fromisoformat(value)
            except ValueError as exc:
                raise FhirFormatError(f"{where}: {exc}") from exc
        if _DATE.fullmatch(value):
            return local_midnight(parse_date(value, where))
    raise FhirFormatError(f"{where} must be a FHIR dateTime, got {value!r}")


def parse_date(value: Any, where: str) -> date:
    """A FHIR ``date`` (partial dates fall on their first day); a ``dateTime`` gives its date."""
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return parse_datetime(value, where).date()
    try:
        return date(int(match[1]), int(match[3] or 1), int(match[5] or 1))
    except ValueError as exc:
        raise FhirFormatError(f"{where}: {exc}") from exc


def opt_datetime(d: Json | None, key: str, where: str) -> datetime | None:
    """``d[key]`` as an aware datetime, ``None`` when ``d`` or the value is absent."""
    if d is None or d.get(key) is None:
        return None
    return parse_datetime(d[key], f"{where}.{key}")


# --- bundles ---


def search_matches(bundle: Any, resource_type: str) -> list[Json]:
    """The ``resource_type`` resources of a searchset Bundle page.

    OperationOutcome entries (warnings) and ``include``/``outcome`` entries are skipped, so are
    resources of other types; a broken Bundle raises ``FhirFormatError``.
    """
    b = obj(bundle, "Bundle")
    kind = b.get("resourceType")
    if kind != "Bundle":
        raise FhirFormatError(f"expected a Bundle, got resourceType {kind!r}")
    if b.get("type", "searchset") != "searchset":
        raise FhirFormatError(f"expected a searchset Bundle, got type {b.get('type')!r}")
    found: list[Json] = []
    for i, entry in enumerate(objs(b, "entry", "Bundle")):
        where = f"Bundle.entry[{i}]"
        resource = obj(entry.get("resource"), f"{where}.resource")
        rtype = req_str(resource, "resourceType", f"{where}.resource")
        search = opt_obj(entry, "search", where) or {}
        if rtype == resource_type and search.get("mode", "match") == "match":
            found.append(resource)
    return found


def next_link(bundle: Json) -> str | None:
    """The URL of the ``next`` page, or ``None`` on the last page."""
    for i, link in enumerate(objs(bundle, "link", "Bundle")):
        if req_str(link, "relation", f"Bundle.link[{i}]") == "next":
            return req_str(link, "url", f"Bundle.link[{i}]")
    return None


# --- references and concepts ---


def reference_id(reference: str, resource_type: str) -> str | None:
    """The id in ``Type/id``, ``https://host/fhir/Type/id`` or ``.../Type/id/_history/n``."""
    parts = reference.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type and parts[-1]:
        return parts[-1]
    return None


def concept_text(concept: Json | None, where: str) -> str | None:
    """``text``, else the first coding's display, else its code."""
    if concept is None:
        return None
    text = opt_str(concept, "text", where)
    for coding in objs(concept, "coding", where):
        text = text or opt_str(coding, "display", where) or opt_str(coding, "code", where)
    return text


def concept_code(concept: Json | None, where: str) -> str | None:
    """The first coding's code, else the text: codes are what filters can rely on."""
    if concept is None:
        return None
    codes = (opt_str(c, "code", where) for c in objs(concept, "coding", where))
    return next((c for c in codes if c), None) or concept_text(concept, where)


def ref_type(ref: str) -> str | None:
    """The resource type a literal reference points at (``Type/id``, absolute or versioned)."""
    parts = ref.split("/_history/")[0].split("/")
    return parts[-2] if len(parts) >= 2 else None


def first_concept(res: Json, key: str, where: str) -> str | None:
    """The text of the first CodeableConcept in the array ``res[key]``."""
    concepts = objs(res, key, where)
    return concept_text(concepts[0], f"{where}.{key}[0]") if concepts else None
