"""Typed records the connectors return: plain frozen dataclasses, no GraphQL, no raw payloads.

Every record that can be withheld by a patient's block carries an ``Origin``: the SOR id of the
organisation that owns it and the local time span it is dated in. ``gateway/access.py`` decides on
that alone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


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
    """What an access decision looks at: the owning organisation and when the data is dated."""

    sor: str | None
    start: datetime | None = None
    end: datetime | None = None


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
        start = datetime(self.start.year, self.start.month, self.start.day) if self.start else None
        return Origin(self.organization.sor if self.organization else None, start, None)


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One planned activity of a care plan; ``appointment_ids`` link to appointments it plans."""

    title: str
    status: str | None
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    appointment_ids: tuple[str, ...] = ()


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

    @property
    def origin(self) -> Origin:
        sor = self.organization.sor if self.organization else None
        return Origin(sor, self.period_start, self.period_end)


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
