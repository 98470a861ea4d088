"""Trusted documents: the operations a client registered beforehand, known by their sha256 hash.

The reference page's build writes its operations as a manifest (``web/dist/operations.json``,
hash → document); a registered client's manifest is listed in ``[graphql]
trusted_documents_files``. Two formats are read: that map (GraphQL Code Generator's
``persisted-documents.json``), and Apollo's persisted query manifest (``{"format":
"apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", …}]}``). Every
entry's hash is checked against its document, and every document is parsed and validated against
the schema at start-up: a manifest that does not fit stops start-up naming the file and the entry.

A request names a document in one of three ways:

- ``documentId``: ``"sha256:<hex>"`` (or the bare hex), as the GraphQL-over-HTTP persisted
  documents proposal has it, in the body or the GET query string;
- ``extensions.persistedQuery`` = ``{"version": 1, "sha256Hash": "<hex>"}``, as Apollo's
  clients send it;
- the document's text as ``query``, which is trusted when its hash is in the allowlist.

``trusted_documents``:

- ``required`` (the default outside dev mode): only allowlisted documents run; any other text is
  ``403 TRUSTED_DOCUMENT_REQUIRED``. Nothing is registered at run time.
- ``optional`` (dev mode's default): ids of allowlisted documents run; any other text runs too,
  under the same depth, alias and token limits.
- ``off``: ids are not known (``400 PERSISTED_QUERY_NOT_SUPPORTED``); text runs.

An id that is not in the allowlist is ``400 PERSISTED_QUERY_NOT_FOUND`` with the message
``PersistedQueryNotFound`` (which Apollo's and urql's clients look for); text sent together with
a hash must have that hash. Which documents exist is the allowlist's, not a patient's: none of
these answers says anything about a patient.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, parse, validate

from domain.errors import BadRequestError
from domain.settings import ConfigError, GraphQLSettings, TrustedMode

_HEX = re.compile(r"[0-9a-f]{64}")
APOLLO_FORMAT = "apollo-persisted-query-manifest"


class TrustedDocumentRequiredError(BadRequestError):
    """Text that is not a trusted document, where only those run."""

    code = "TRUSTED_DOCUMENT_REQUIRED"

    def __init__(self) -> None:
        super().__init__(
            "This gateway runs only trusted documents: send the documentId of an operation "
            "your client registered.",
            status=403,
        )


class PersistedQueryNotFoundError(BadRequestError):
    """An id the allowlist does not hold."""

    code = "PERSISTED_QUERY_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class PersistedQueryNotSupportedError(BadRequestError):
    """An id, where trusted documents are off."""

    code = "PERSISTED_QUERY_NOT_SUPPORTED"

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotSupported")


def sha256(text: str) -> str:
    """A document's id: the sha256 of its UTF-8 text, in lower-case hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class TrustedDocuments:
    """The allowlist (hash → document) and what to do with a request by ``mode``."""

    mode: TrustedMode
    documents: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, request: dict[str, Any]) -> dict[str, Any]:
        """The request to run: ``request`` itself, or a copy with the document's text as its
        ``query``; ``BadRequestError`` (or one of this module's) when it may not run."""
        wanted = _requested_hash(request)
        query = request.get("query")
        if wanted is None:
            if query is not None and self.mode == "required" and sha256(query) not in self:
                raise TrustedDocumentRequiredError()
            return request  # no query at all: Strawberry says so
        if query is not None:
            if sha256(query) != wanted:
                raise BadRequestError("The query's sha256 hash is not the one the request names.")
            if self.mode == "required" and wanted not in self:
                raise TrustedDocumentRequiredError()  # text and hash: still not registered
            return request
        if self.mode == "off":
            raise PersistedQueryNotSupportedError()
        text = self.documents.get(wanted)
        if text is None:
            raise PersistedQueryNotFoundError()
        resolved = {k: v for k, v in request.items() if k != "documentId"}
        resolved["query"] = text
        return resolved

    def __contains__(self, digest: object) -> bool:
        return digest in self.documents

    def __len__(self) -> int:
        return len(self.documents)


def _requested_hash(request: Mapping[str, Any]) -> str | None:
    """The hash that ``documentId`` or ``extensions.persistedQuery`` names, if either does."""
    named: str | None = None
    document_id = request.get("documentId")
    if document_id is not None:
        if not isinstance(document_id, str):
            raise BadRequestError("The request's 'documentId' must be a string.")
        named = _hex(document_id.removeprefix("sha256:"), "documentId")
    persisted = (request.get("extensions") or {}).get("persistedQuery")
    if persisted is not None:
        digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if not isinstance(persisted, dict) or persisted.get("version") != 1 or digest is None:
            raise BadRequestError(
                'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex>"}.'
            )
        digest = _hex(digest, "extensions.persistedQuery.sha256Hash")
        if named is not None and named != digest:
            raise BadRequestError("documentId and extensions.persistedQuery name two documents.")
        named = digest
    return named


def _hex(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX.fullmatch(value.lower()):
        raise BadRequestError(f"The request's {what} is not a sha256 hash (64 hex digits).")
    return value.lower()


def load_trusted(
    settings: GraphQLSettings, schema: GraphQLSchema, page_manifest: Path
) -> TrustedDocuments:
    """The allowlist of ``settings``: the page's manifest (when the page is built) and every
    file of ``trusted_documents_files``, each entry checked against its hash and ``schema``.

    ``ConfigError`` names the setting, the file and the entry that does not fit, or says that
    ``required`` found no document at all (nothing could run).
    """
    mode = settings.trusted_documents
    if mode == "off":
        return TrustedDocuments(mode)
    files = [page_manifest] if page_manifest.is_file() else []
    files += [Path(f) for f in settings.trusted_documents_files]
    documents: dict[str, str] = {}
    for path in files:
        for digest, text in _entries(path):
            if sha256(text) != digest:
                raise _refused(path, digest, "its hash is not the sha256 of its document")
            problem = _invalid(schema, text)
            if problem:
                raise _refused(path, digest, problem)
            documents[digest] = text
    if mode == "required" and not documents:
        raise ConfigError(
            "setting graphql.trusted_documents is required, but no trusted document was found: "
            f"build the page (make web, for {page_manifest}) or list client manifests in "
            "graphql.trusted_documents_files"
        )
    return TrustedDocuments(mode, documents)


def _entries(path: Path) -> Iterator[tuple[str, str]]:
    """(hash, document) of each entry of the manifest at ``path``, in either format."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"setting graphql.trusted_documents_files: cannot read {path}: {exc}"
        ) from exc
    if isinstance(data, dict) and data.get("format") == APOLLO_FORMAT:
        operations = data.get("operations")
        if data.get("version") != 1 or not isinstance(operations, list):
            raise _refused(path, None, "an Apollo manifest of version 1 with operations")
        for op in operations:
            if not (isinstance(op, dict) and _is_text(op.get("id")) and _is_text(op.get("body"))):
                raise _refused(path, None, "each operation needs a string id and body")
            yield op["id"].lower(), op["body"]
    elif isinstance(data, dict) and all(_is_text(k) and _is_text(v) for k, v in data.items()):
        for digest, text in data.items():
            yield digest.lower(), text
    else:
        raise _refused(path, None, "a JSON object of hash → document, or an Apollo manifest")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _invalid(schema: GraphQLSchema, text: str) -> str | None:
    """Why ``text`` is no valid document of ``schema``, or None."""
    try:
        errors = validate(schema, parse(text))
    except GraphQLError as exc:
        return f"it does not parse ({exc.message})"
    return f"it does not fit the schema ({errors[0].message})" if errors else None


def _refused(path: Path, digest: str | None, why: str) -> ConfigError:
    entry = f" entry {digest[:12]}…" if digest else ""
    expected = "" if digest else "expected "
    return ConfigError(f"setting graphql.trusted_documents_files: {path}{entry}: {expected}{why}")
