"""Typed records the connectors return: plain frozen dataclasses, no GraphQL, no raw payloads.

Every record that can be withheld by a patient's block carries an ``Origin``: the SOR id of the
organisation that owns it (its source's own SOR when the record names none) and the time span it
is dated in. ``domain/access.py`` decides on that alone. Times in records are always aware:
building a record with a naive datetime raises ``ValueError``, so no comparison with a block's
aware times can ever fail or guess a zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from domain.clock import local_midnight, require_aware


def _require_aware(*moments: datetime | None) -> None:
    for moment in moments:
        if moment is not None:
            require_aware(moment)


class AppointmentStatus(enum.StrEnum):
    """Normalised appointment status (FHIR R4 ``Appointment.status`` values)."""

    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"


class Sector(enum.StrEnum):
    """Which part of the health service a source belongs to."""

    HOSPITAL = "hospital"
    MUNICIPALITY = "municipality"
    GP = "gp"


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address (Danish shape: street line(s), postcode, city)."""

    lines: tuple[str, ...]
    postcode: str | None = None
    city: str | None = None
    municipality_code: str | None = None


@dataclass(frozen=True, slots=True)
class OrgRef:
    """A reference to an organisation or unit by SOR id (or Yderregister number) and name."""

    sor: str | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where an appointment takes place: a site with a SOR id, or the patient's home."""

    name: str | None
    sor: str | None = None
    address: Address | None = None
    phone: str | None = None
    is_home: bool = False


@dataclass(frozen=True, slots=True)
class Origin:
    """What an access decision looks at: the owning organisation and when the data is dated.

    The time span is half-open, ``[start, end)``. Without a ``start`` it has run up to its
    ``end``; with neither, it is undated. Without an ``end`` the record is an instant at ``start``
    (an appointment whose end is unknown), unless it is ``ongoing`` (a plan or goal without an
    end runs on from ``start``).
    """

    sor: str | None
    start: datetime | None = None
    end: datetime | None = None
    ongoing: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.start, self.end)

    def dated_in(self, start: datetime, end: datetime | None) -> bool:
        """Does this span overlap the half-open period ``[start, end)`` (``end`` None: open)?

        Touching is not overlapping: a span ending at ``start`` or beginning at ``end`` is
        outside. An instant is inside when ``start <= instant < end``. A span with only an end
        (a goal due by then, a plan that ends then) has run up to that end. Data with neither
        is undated, and in no period.
        """
        if self.start is None:
            return self.end is not None and self.end > start
        if end is not None and self.start >= end:
            return False
        if self.ongoing:
            return True
        if self.end is None or self.end <= self.start:
            return self.start >= start
        return self.end > start


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    """One appointment as a source reports it (one version).

    ``id`` is stable across versions of the same appointment within a source (FHIR resource id,
    APD ClinicalDocument id); ``version`` orders versions; ``superseded`` marks an entry a newer
    one replaced.

    ``all_day``: the source set no time, only days. ``start``/``end`` are then the Copenhagen
    local midnights of the first day and of the day after the last one (half-open), so windows,
    ordering and period blocks treat it like any other span. ``indicative_time``: the source says
    the time is only a guide (APD-DK ``GuidedIntervalType``, "tidspunktet er vejledende").
    """

    source: str
    id: str
    status: AppointmentStatus
    start: datetime | None
    end: datetime | None
    title: str
    organization: OrgRef | None
    place: Place | None = None
    performer: str | None = None
    reason: str | None = None
    kind: str | None = None
    version: str | None = None
    updated: datetime | None = None
    superseded: bool = False
    based_on: tuple[str, ...] = ()
    all_day: bool = False
    indicative_time: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.start, self.end, self.updated)

    @property
    def origin(self) -> Origin:
        return Origin(self.organization.sor if self.organization else None, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A FHIR R4 ``Quantity``: a value, how it compares (``<``, ``<=``, ``>=``, ``>``), a unit.

    ``unit`` is the human-readable unit; ``code``/``system`` the coded one (UCUM, usually).
    """

    value: str | None  # the decimal as text (``"7.5"``): no float noise in what is shown
    comparator: str | None = None
    unit: str | None = None
    code: str | None = None
    system: str | None = None


@dataclass(frozen=True, slots=True)
class GoalTarget:
    """A measurable target of a goal.

    ``detail`` is the target in words, whatever form the source gave it in (FHIR R4
    ``detail[x]``); a quantity is also in ``quantity``, a range in ``low``/``high`` (both
    inclusive; either may be open).
    """

    measure: str | None
    detail: str | None
    due: date | None
    quantity: Quantity | None = None
    low: Quantity | None = None
    high: Quantity | None = None


@dataclass(frozen=True, slots=True)
class GoalRecord:
    """A FHIR ``Goal``."""

    source: str
    id: str
    description: str
    lifecycle_status: str
    achievement_status: str | None
    start: date | None
    targets: tuple[GoalTarget, ...]
    organization: OrgRef | None
    addresses: tuple[str, ...] = ()

    @property
    def origin(self) -> Origin:
        """Dated from its start day to the end of its last target's due day, or ongoing."""
        start = local_midnight(self.start) if self.start else None
        dues = [t.due for t in self.targets if t.due is not None]
        end = local_midnight(max(dues) + timedelta(days=1)) if dues else None
        if start is not None and end is not None and end <= start:
            end = start + timedelta(days=1)  # due before it began: dated on its start day
        sor = self.organization.sor if self.organization else None
        return Origin(sor, start, end, ongoing=end is None)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One planned activity of a care plan; ``appointment_ids`` link to appointments it plans."""

    title: str
    status: str | None
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    appointment_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_aware(self.scheduled_start, self.scheduled_end)


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """A FHIR ``CarePlan`` (discharge, treatment, municipal care or GP chronic-care plan)."""

    source: str
    id: str
    title: str
    category: str | None
    status: str
    intent: str | None
    period_start: datetime | None
    period_end: datetime | None
    organization: OrgRef | None
    activities: tuple[ActivityRecord, ...] = ()
    goal_ids: tuple[str, ...] = ()
    description: str | None = None
    author: str | None = None  # a person (or team) who wrote the plan; never the organisation

    def __post_init__(self) -> None:
        _require_aware(self.period_start, self.period_end)

    @property
    def origin(self) -> Origin:
        """Dated over its period; a plan without an end is ongoing."""
        sor = self.organization.sor if self.organization else None
        return Origin(sor, self.period_start, self.period_end, ongoing=self.period_end is None)


class PersonStatus(enum.StrEnum):
    """CPR civil status relevant to the overview."""

    ALIVE = "alive"
    DECEASED = "deceased"
    EMIGRATED = "emigrated"


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person in the CPR register."""

    cpr: str
    given_name: str
    family_name: str
    address: Address | None
    status: PersonStatus
    protected: bool
    insurance_group: int
    gp_ydernummer: str | None
    birth_date: date | None = None

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """A SOR entry: owner, institution or unit, with its parent in the SOR tree."""

    sor: str
    name: str
    level: str
    parent_sor: str | None
    address: Address | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class GpPractice:
    """A GP practice from Yderregisteret, by ydernummer."""

    ydernummer: str
    name: str
    sor: str | None
    address: Address | None
    phone: str | None
    doctors: tuple[str, ...] = field(default=())


class _Owned(Protocol):
    @property
    def organization(self) -> OrgRef | None: ...


Owned = TypeVar("Owned", bound=_Owned)


def owned(records: list[Owned], owner: OrgRef) -> list[Owned]:
    """Every record with an owning organisation: ``owner`` (the source's own SOR) for those that
    name none, so a treatment-place block on the source covers them too."""
    # ``replace`` is typed for dataclass instances, which a Protocol bound cannot say.
    return [r if r.organization else replace(r, organization=owner) for r in records]  # type: ignore[type-var]
