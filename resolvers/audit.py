"""The access log (Min Log) at the edge of a response: committed before any data leaves.

Resolvers mark the request's ``AuditSubject`` (which patient; the guard adds the categories it
returned). After execution, and before the HTTP response is written, this extension appends the
entry to the hash-chained log. If that fails, the response is replaced by an
``AUDIT_UNAVAILABLE`` error with no data: no lookup leaves the gateway unlogged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.actor import Actor
from domain.errors import AuditUnavailableError
from resolvers.context import Context
from store.auditlog import NewEntry, actor_columns

log = logging.getLogger(__name__)
FAILED = "The access log is unavailable; no data was returned."


def entry_for(ctx: Context) -> NewEntry | None:
    """The entry this request must log, or None when it touched no patient's data."""
    subject = ctx.state.audit
    if subject is None:
        return None
    actor = Actor.of(ctx.principal).toward(subject.patient_cpr)
    return NewEntry(
        at=ctx.state.now,
        patient_cpr=subject.patient_cpr,
        **actor_columns(actor),
        action=subject.action,
        categories=tuple(sorted(c.value for c in subject.categories)),
        override_id=subject.override_id,
        override_reason=subject.override_reason,
        request_id=ctx.state.request_id,
    )


class AuditExtension(SchemaExtension):
    """Append the request's access-log entry before the response leaves; fail closed."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, Context) or result is None:
            return
        entry = entry_for(context)
        if entry is None:
            return
        try:
            await context.services.access_log.append(entry)
        except Exception as exc:  # whatever broke, the data must not leave unlogged
            if not isinstance(exc, AuditUnavailableError):
                log.exception("request %s: access log append failed", context.state.request_id)
            result.data = None
            result.errors = [
                GraphQLError(FAILED, extensions=AuditUnavailableError(FAILED).extensions)
            ]
            result.extensions = None
