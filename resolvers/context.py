"""The typed request context resolvers reach through ``info.context``.

``Services`` are built once in the app's lifespan; ``RequestState`` is made per request and is the
only mutable thing a request carries (what was withheld, which upstream errors to report, what the
access log must record). Nothing per-request ever lives on an extension object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from domain.access import Category, Scope
from domain.clock import Clock
from domain.decision import Decision
from domain.errors import BadInputError
from domain.principals import Principal
from domain.settings import Settings

if TYPE_CHECKING:
    from connectors.registry import Sources
    from resolvers.attempts import RefusalRecorder
    from store.auditlog import AuditLog
    from store.blocks import BlockStore
    from store.feedstore import FeedStore
    from store.overrides import OverrideStore
    from store.repositories import Repositories
    from store.stamkortstore import StamkortStore


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived resources, opened and closed by the app's lifespan."""

    settings: Settings
    sources: Sources
    blocks: BlockStore
    overrides: OverrideStore
    stamkort: StamkortStore
    feeds: FeedStore
    access_log: AuditLog
    refusals: RefusalRecorder
    clock: Clock


def services_of(
    settings: Settings,
    sources: Sources,
    repositories: Repositories,
    refusals: RefusalRecorder,
    clock: Clock,
) -> Services:
    """The services over one database's repositories."""
    r = repositories
    return Services(
        settings=settings,
        sources=sources,
        blocks=r.blocks,
        overrides=r.overrides,
        stamkort=r.stamkort,
        feeds=r.feeds,
        access_log=r.access_log,
        refusals=refusals,
        clock=clock,
    )


@dataclass(slots=True)
class AuditSubject:
    """What the access-log entry of this request will say."""

    patient_cpr: str
    action: str = "view"
    categories: set[Category] = field(default_factory=set)
    override_id: str | None = None
    override_reason: str | None = None


# The same words whatever the other number is: nothing tells whether it is anyone's.
ONE_PATIENT = (
    "One patient per request: this operation already names another patient. "
    "Ask for each patient in a request of its own."
)
ONE_ACTION = (
    "One kind of change per request: this operation already makes another kind of change "
    "for the patient. Send each in a request of its own."
)
VIEW = "view"


@dataclass(slots=True)
class RequestState:
    """Per-request bookkeeping, filled by resolvers and the guard, read by schema extensions.

    An operation reads or changes one patient, in one way (:meth:`claim`): it has one
    access-log entry, one scope and one decision for her, so a second patient would go unlogged.
    """

    request_id: str
    now: datetime
    scope: Scope | None = None
    decision: Decision | None = None
    audit: AuditSubject | None = None
    claimed: tuple[str, str] | None = None
    withheld: bool = False
    errors: list[GraphQLError] = field(default_factory=list)
    reported: set[tuple[str, str]] = field(default_factory=set)

    def claim(self, cpr: str, action: str = VIEW) -> None:
        """Make ``cpr`` (and ``action`` on her) the one this operation is about, or raise
        ``BadInputError``. Call it synchronously, before the field's first ``await``: the root
        fields of a query run at once, so the first in the document wins, before any of them
        has fetched (or logged) anything. The same patient and action again is fine."""
        if self.claimed is None:
            self.claimed = (cpr, action)
        elif self.claimed[0] != cpr:
            raise BadInputError(ONE_PATIENT)
        elif self.claimed[1] != action:
            raise BadInputError(ONE_ACTION)

    def subject(self, cpr: str, action: str = VIEW, **fields: Any) -> AuditSubject:
        """The access-log subject of the claimed patient: made once, then shared, so every
        field that reads her adds its categories to the one entry (``fields``: the
        ``AuditSubject``'s, for the first caller)."""
        if self.claimed != (cpr, action):
            raise RuntimeError("logging a patient or action the operation did not claim")
        if self.audit is None:
            self.audit = AuditSubject(patient_cpr=cpr, action=action, **fields)
        return self.audit

    def report(self, key: tuple[str, str], error: GraphQLError) -> None:
        """Add ``error`` to the response once per ``key`` (e.g. (source, code))."""
        if key not in self.reported:
            self.reported.add(key)
            self.errors.append(error)


@dataclass(frozen=True, slots=True)
class Context:
    """What every resolver gets: who is asking, the services, and this request's state."""

    principal: Principal
    services: Services
    state: RequestState
    request: Any = None
