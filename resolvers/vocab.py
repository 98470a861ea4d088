"""The graph's fixed vocabularies as enums, each value described.

Codes that sources send (FHIR's required value sets) map to these enums with ``code_of``; a code
outside the value set maps to null, so a nonconforming source never breaks the response. The
domain's own enums (appointment status, sector, ...) are exposed with ``described``, which adds
the descriptions of their values without teaching the domain about GraphQL.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import strawberry

from domain.stamkort import RELATIONSHIPS

__all__ = [
    "AccessAction",
    "ActivityStatus",
    "Comparator",
    "GoalLifecycleStatus",
    "NoticeCode",
    "PlanIntent",
    "PlanStatus",
    "ProvenanceSource",
    "RelationshipCode",
    "Role",
    "code_of",
    "described",
    "graph_enum",
]

E = TypeVar("E", bound=enum.Enum)


def described(cls: type[E], name: str, description: str, values: Mapping[str, str]) -> type[E]:
    """``cls`` as the GraphQL enum ``name``, with ``values`` (member name → description).

    Every member must be described: a new value without a description fails at import. The
    members keep their plain values (only the GraphQL definition carries the descriptions).
    """
    gql = strawberry.enum(cls, name=name, description=description)
    definition = gql.__strawberry_definition__  # type: ignore[attr-defined]
    names = {v.name for v in definition.values}
    if names != set(values):
        raise ValueError(f"{name}: describe exactly {sorted(names)}; got {sorted(values)}")
    definition.values = [
        dataclasses.replace(v, description=values[v.name]) for v in definition.values
    ]
    return gql


def graph_enum(description: str, **values: str) -> Callable[[type[E]], type[E]]:
    """Class decorator: the enum as a GraphQL enum of its own name, each value described."""

    def wrap(cls: type[E]) -> type[E]:
        return described(cls, cls.__name__, description, values)

    return wrap


def code_of(cls: type[E], code: str | None) -> E | None:
    """The member whose value is ``code``; null when absent or outside the value set."""
    if code is None:
        return None
    try:
        return cls(code)
    except ValueError:
        return None


@graph_enum(
    "The role someone acts in toward the patient.",
    CITIZEN="The patient herself.",
    RELATIVE="A relative (pårørende) with fuldmagt for the patient.",
    CLINICIAN="A health professional, from an EPJ launch context.",
)
class Role(enum.Enum):
    CITIZEN = "citizen"
    RELATIVE = "relative"
    CLINICIAN = "clinician"


@graph_enum(
    "What someone did with the patient's data (Min Log).",
    VIEW="Read the overview.",
    EDIT="Edited the stamkort.",
    OVERRIDE="Overrode the patient's blocks (værdispring), with a reason.",
    BLOCK="Created a block.",
    UNBLOCK="Ended a block.",
    CALENDAR_FEED="A calendar app read a relative's iCalendar feed.",
    FEED_ROTATE="Made or replaced an iCalendar feed URL.",
    FEED_CONFIRM="Confirmed an iCalendar feed.",
    FEED_REVOKE="Revoked an iCalendar feed.",
    REFUSED="Asked for the patient's data and was turned away; saw nothing.",
)
class AccessAction(enum.Enum):
    VIEW = "view"
    EDIT = "edit"
    OVERRIDE = "override"
    BLOCK = "block"
    UNBLOCK = "unblock"
    CALENDAR_FEED = "calendar-feed"
    FEED_ROTATE = "feed-rotate"
    FEED_CONFIRM = "feed-confirm"
    FEED_REVOKE = "feed-revoke"
    REFUSED = "refused"


@graph_enum(
    "Where a stamkort value comes from.",
    CPR="The CPR register.",
    STAMKORT="Entered in the overview by the patient, a relative or a clinician.",
)
class ProvenanceSource(enum.Enum):
    CPR = "CPR"
    STAMKORT = "stamkort"


@graph_enum(
    "How a measured value relates to the stated one (FHIR R4).",
    LESS_THAN="Below it (`<`).",
    LESS_OR_EQUAL="At most it (`<=`).",
    GREATER_OR_EQUAL="At least it (`>=`).",
    GREATER_THAN="Above it (`>`).",
)
class Comparator(enum.Enum):
    LESS_THAN = "<"
    LESS_OR_EQUAL = "<="
    GREATER_OR_EQUAL = ">="
    GREATER_THAN = ">"


@graph_enum(
    "Status of a care plan (FHIR R4 RequestStatus).",
    DRAFT="Being written; not in force yet.",
    ACTIVE="In force.",
    ON_HOLD="Paused for now.",
    REVOKED="Stopped before it was completed.",
    COMPLETED="Carried out.",
    ENTERED_IN_ERROR="Made by mistake; disregard it.",
    UNKNOWN="The source does not know.",
)
class PlanStatus(enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    REVOKED = "revoked"
    COMPLETED = "completed"
    ENTERED_IN_ERROR = "entered-in-error"
    UNKNOWN = "unknown"


@graph_enum(
    "What a care plan is (FHIR R4 CarePlanIntent).",
    PROPOSAL="A suggestion.",
    PLAN="An intention to act.",
    ORDER="A request to act.",
    OPTION="One of several options.",
    DIRECTIVE="A directive given by the patient or on her behalf.",
)
class PlanIntent(enum.Enum):
    PROPOSAL = "proposal"
    PLAN = "plan"
    ORDER = "order"
    OPTION = "option"
    DIRECTIVE = "directive"


@graph_enum(
    "Status of a planned activity (FHIR R4 CarePlanActivityStatus).",
    NOT_STARTED="Not started yet.",
    SCHEDULED="Has a time.",
    IN_PROGRESS="Under way.",
    ON_HOLD="Paused for now.",
    COMPLETED="Done.",
    CANCELLED="Will not be done.",
    STOPPED="Stopped before it was done.",
    UNKNOWN="The source does not know.",
    ENTERED_IN_ERROR="Made by mistake; disregard it.",
)
class ActivityStatus(enum.Enum):
    NOT_STARTED = "not-started"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    STOPPED = "stopped"
    UNKNOWN = "unknown"
    ENTERED_IN_ERROR = "entered-in-error"


@graph_enum(
    "Where a goal is in its life (FHIR R4 GoalLifecycleStatus).",
    PROPOSED="Suggested.",
    PLANNED="Agreed, not started.",
    ACCEPTED="Accepted by the patient.",
    ACTIVE="Being worked on.",
    ON_HOLD="Paused for now.",
    COMPLETED="No longer being worked on.",
    CANCELLED="Given up.",
    ENTERED_IN_ERROR="Made by mistake; disregard it.",
    REJECTED="Turned down.",
)
class GoalLifecycleStatus(enum.Enum):
    PROPOSED = "proposed"
    PLANNED = "planned"
    ACCEPTED = "accepted"
    ACTIVE = "active"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"
    REJECTED = "rejected"


@graph_enum(
    "What a notice is about.",
    BLOCKED_BY_PATIENT="Some information is withheld at the patient's request (never which).",
)
class NoticeCode(enum.Enum):
    BLOCKED_BY_PATIENT = "BLOCKED_BY_PATIENT"


_RELATIONSHIP_DESCRIPTION = (
    "How a relative is related to the patient: DK Core's binding for "
    "`RelatedPerson.relationship` (HL7 v3 RoleCode personal relationships, and DK Core's own)."
)
if TYPE_CHECKING:

    class RelationshipCode(enum.Enum):
        """Codes of ``domain.stamkort.RELATIONSHIPS``, by code."""

else:
    RelationshipCode = described(
        enum.Enum("RelationshipCode", {code: code for code in RELATIONSHIPS}),
        "RelationshipCode",
        _RELATIONSHIP_DESCRIPTION,
        {code: f"{r.display_da} ({r.display_en})." for code, r in RELATIONSHIPS.items()},
    )
