"""Care plans and goals (FHIR ``CarePlan``/``Goal``) from regions, municipalities and GPs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

import strawberry

from domain import records
from domain.records import GoalRecord, PlanRecord
from resolvers.calendar import TZ
from resolvers.merge import FAR_FUTURE
from resolvers.types import Organization, Source
from resolvers.vocab import (
    ActivityStatus,
    Comparator,
    GoalLifecycleStatus,
    PlanIntent,
    PlanStatus,
    code_of,
)


@strawberry.type(description="One planned activity of a care plan.")
class Activity:
    title: str = strawberry.field(description="What is planned.")
    status: ActivityStatus | None = strawberry.field(
        description="Where the activity stands; null when the source does not say (or sends "
        "a code outside FHIR's value set)."
    )
    scheduled_start: datetime | None = strawberry.field(description="Planned start.")
    scheduled_end: datetime | None = strawberry.field(description="Planned end.")
    appointment_ids: list[strawberry.ID] = strawberry.field(
        description="Ids of the appointments (`Appointment.id`) this activity planned."
    )


@strawberry.type(description="A measured amount (FHIR R4 Quantity).")
class Quantity:
    value: float | None = strawberry.field(description="The number.")
    comparator: Comparator | None = strawberry.field(
        description="How the real value relates to `value`; null: equal."
    )
    unit: str | None = strawberry.field(description="The unit as written, e.g. `mmol/mol`.")
    code: str | None = strawberry.field(description="The coded unit (usually UCUM).")
    system: str | None = strawberry.field(description="The code system of `code`.")

    @classmethod
    def of(cls, q: records.Quantity | None) -> Quantity | None:
        if q is None:
            return None
        value = float(q.value) if q.value is not None else None
        return cls(
            value=value,
            comparator=code_of(Comparator, q.comparator),
            unit=q.unit,
            code=q.code,
            system=q.system,
        )


@strawberry.type(description="A measurable target of a goal.")
class Target:
    measure: str | None = strawberry.field(description="What is measured.")
    detail: str | None = strawberry.field(
        description="The target value in words, whatever its form: `< 53 mmol/mol`, "
        "`4-7 mmol/L` (a range), a coded value's text, `Ja`/`Nej`, a ratio."
    )
    due_date: date | None = strawberry.field(description="When it should be reached.")
    quantity: Quantity | None = strawberry.field(
        description="The target as a quantity, when given as one."
    )
    low: Quantity | None = strawberry.field(
        description="When given as a range: its lower end, inclusive (null: no lower end)."
    )
    high: Quantity | None = strawberry.field(
        description="When given as a range: its upper end, inclusive (null: no upper end)."
    )


@strawberry.type(description="A goal (mål) of the patient's care.")
class Goal:
    id: strawberry.ID = strawberry.field(description="Stable id: `<source>:<id in source>`.")
    source: Source = strawberry.field(description="The system that owns the goal.")
    description: str = strawberry.field(description="The goal in words.")
    lifecycle_status: GoalLifecycleStatus = strawberry.field(
        description="Where the goal is in its life."
    )
    achievement_status: str | None = strawberry.field(description="Progress, when known.")
    start_date: date | None = strawberry.field(description="When work on the goal began.")
    targets: list[Target] = strawberry.field(description="Targets with due dates.")
    organization: Organization | None = strawberry.field(description="Who set the goal.")


@strawberry.type(description="A care plan (plan): discharge, treatment, municipal or GP plan.")
class Plan:
    id: strawberry.ID = strawberry.field(description="Stable id: `<source>:<id in source>`.")
    source: Source = strawberry.field(description="The system that owns the plan.")
    title: str = strawberry.field(description="Title of the plan.")
    category: str | None = strawberry.field(description="Kind of plan, e.g. `discharge`.")
    status: PlanStatus = strawberry.field(description="Whether the plan is in force.")
    intent: PlanIntent | None = strawberry.field(
        description="What the plan is; null when the source does not say (or sends a code "
        "outside FHIR's value set)."
    )
    description: str | None = strawberry.field(description="Summary of the plan.")
    period_start: datetime | None = strawberry.field(description="Start of the plan's period.")
    period_end: datetime | None = strawberry.field(description="End of the plan's period.")
    organization: Organization | None = strawberry.field(
        description="The organisation responsible for the plan (only an organisation: a "
        "person who wrote it is `author`)."
    )
    author: str | None = strawberry.field(
        description="The person (or team) who wrote the plan, by name, when the source says."
    )
    activities: list[Activity] = strawberry.field(description="Planned activities.")
    goal_ids: list[strawberry.ID] = strawberry.field(description="Ids of the plan's goals.")


def _local(dt: datetime | None) -> datetime | None:
    """Shown in Europe/Copenhagen whatever offset the source used."""
    return dt.astimezone(TZ) if dt is not None else None


def _ids(source: str, ids: Sequence[str]) -> list[strawberry.ID]:
    return [strawberry.ID(f"{source}:{i}") for i in ids]


def plan_of(r: PlanRecord, sources: Mapping[str, Source]) -> Plan:
    return Plan(
        id=strawberry.ID(f"{r.source}:{r.id}"),
        source=sources[r.source],
        title=r.title,
        category=r.category,
        status=PlanStatus(r.status),
        intent=code_of(PlanIntent, r.intent),
        description=r.description,
        period_start=_local(r.period_start),
        period_end=_local(r.period_end),
        organization=Organization.of(r.organization),
        author=r.author,
        activities=[
            Activity(
                title=a.title,
                status=code_of(ActivityStatus, a.status),
                scheduled_start=_local(a.scheduled_start),
                scheduled_end=_local(a.scheduled_end),
                appointment_ids=_ids(r.source, a.appointment_ids),
            )
            for a in r.activities
        ],
        goal_ids=_ids(r.source, r.goal_ids),
    )


def goal_of(r: GoalRecord, sources: Mapping[str, Source]) -> Goal:
    return Goal(
        id=strawberry.ID(f"{r.source}:{r.id}"),
        source=sources[r.source],
        description=r.description,
        lifecycle_status=GoalLifecycleStatus(r.lifecycle_status),
        achievement_status=r.achievement_status,
        start_date=r.start,
        targets=[
            Target(
                measure=t.measure,
                detail=t.detail,
                due_date=t.due,
                quantity=Quantity.of(t.quantity),
                low=Quantity.of(t.low),
                high=Quantity.of(t.high),
            )
            for t in r.targets
        ],
        organization=Organization.of(r.organization),
    )


def plans_of(records: Iterable[PlanRecord], sources: Mapping[str, Source]) -> list[Plan]:
    plans = [plan_of(r, sources) for r in records]
    # In UTC: Copenhagen times of the repeated October hour compare by wall clock otherwise.
    plans.sort(
        key=lambda p: (p.period_start.astimezone(UTC) if p.period_start else FAR_FUTURE, str(p.id))
    )
    return plans


def goals_of(records: Iterable[GoalRecord], sources: Mapping[str, Source]) -> list[Goal]:
    goals = [goal_of(r, sources) for r in records]
    goals.sort(key=lambda g: (g.start_date or date.max, str(g.id)))
    return goals
