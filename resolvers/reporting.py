"""Error reporting: every error leaves with a stable ``extensions.code``; internals never leave.

- ``GatewayError`` (raised by resolvers): its message and code go out as they are.
- Errors about the request itself (syntax, validation, argument coercion: no path, no original
  exception of ours): ``GRAPHQL_PARSE_FAILED`` / ``GRAPHQL_VALIDATION_FAILED``.
- A variable's value that does not fit its type (a number for a ``String!``, a missing required
  variable, an unknown enum value, a malformed ``DateTime``): ``BAD_USER_INPUT``, as Apollo names
  it. Such errors are the ones execution reports before any field has run (no path).
- Anything else: masked as "Unexpected error." with ``INTERNAL_SERVER_ERROR`` and the request id;
  the original is logged with that id.

What is logged never holds the query text or variables (Strawberry's own error log, which prints
the query, is switched off in ``resolvers/schema.py``): a failed operation is one line with its
request id and codes; an unexpected error adds its type, path and traceback, redacted, since an
exception's message can hold anything. "Did you mean …" suggestions are cut from request errors
unless ``[graphql] suggestions`` is on.

It also adds the errors resolvers reported without failing a field (failed sources, withheld
paths; see ``RequestState.report``).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import BadInputError, GatewayError
from domain.redact import redact
from resolvers.context import Context
from resolvers.telemetry import note_operation

log = logging.getLogger(__name__)
# graphql-core appends its suggestions to the message: fields, arguments, types, enum values,
# input fields. (Strawberry's ``disable_field_suggestions`` cuts only the first kind.)
_SUGGESTION = re.compile(r"\s*Did you mean .*\Z", re.DOTALL)


def classify(error: GraphQLError, request_id: str, *, suggestions: bool = False) -> GraphQLError:
    """The error as it may leave: coded, and masked unless it is ours or about the request."""
    original = error.original_error
    if isinstance(original, GatewayError):
        if suggestions or error.path is not None or not _SUGGESTION.search(error.message):
            return error
        # About the request (a variable's value): ours, and cut like the others.
        return GraphQLError(
            _SUGGESTION.sub("", error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            original_error=original,
        )
    if error.path is None and (original is None or isinstance(original, ValueError | TypeError)):
        code = (
            "GRAPHQL_PARSE_FAILED"
            if error.message.startswith("Syntax Error")
            else "GRAPHQL_VALIDATION_FAILED"
        )
        return GraphQLError(
            error.message if suggestions else _SUGGESTION.sub("", error.message),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            extensions={"code": code},
        )
    detail = "".join(traceback.format_exception(original)) if original else error.message
    log.error(
        "request %s: unexpected %s at %s\n%s",
        request_id,
        type(original).__name__ if original else "error",
        redact(str(error.path)),
        redact(detail),
    )
    return GraphQLError(
        "Unexpected error.",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
    )


def _bad_variable(error: GraphQLError) -> GraphQLError:
    # The original carries the code; classify() then passes it through like any of ours.
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        original_error=BadInputError(error.message),
    )


class ReportErrors(SchemaExtension):
    """Classify and mask errors, then add the request's reported errors."""

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        # Execution reports an error without a path only when it could not start: the
        # variables' values do not fit their declared types (graphql-core's coercion step).
        result.errors = [
            _bad_variable(e)
            if e.path is None and not isinstance(e.original_error, GatewayError)
            else e
            for e in result.errors
        ]

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        state = context.state
        note_operation(context.request, self.execution_context.operation_name, state)
        suggestions = context.services.settings.graphql.suggestions
        errors = [
            classify(e, state.request_id, suggestions=suggestions) for e in (result.errors or [])
        ]
        errors.extend(state.errors)
        result.errors = errors or None
        if errors:
            codes = sorted({str((e.extensions or {}).get("code")) for e in errors})
            log.info("request %s: %s", state.request_id, " ".join(codes))
        if state.withheld:
            result.extensions = {**(result.extensions or {}), "withheld": True}
