"""The synthetic population's model: people, organisations, appointments, plans, goals, personas.

Neutral of any protocol: the simulators render it as FHIR R4, APD-DK CDA, CPR and stamdata.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class SimAddress:
    lines: tuple[str, ...]
    postcode: str
    city: str
    municipality_code: str | None = None


@dataclass(frozen=True, slots=True)
class SimOrg:
    """A SOR entry. ``level``: owner, institution or unit."""

    sor: str
    name: str
    level: str
    parent: str | None
    address: SimAddress | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class SimPractice:
    ydernummer: str
    name: str
    sor: str
    address: SimAddress
    phone: str
    doctors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimPerson:
    cpr: str
    given_name: str
    family_name: str
    address: SimAddress
    birth_date: date
    status: str = "alive"  # alive | deceased | emigrated
    protected: bool = False
    insurance_group: int = 1
    ydernummer: str | None = None


@dataclass(frozen=True, slots=True)
class SimPlace:
    name: str
    sor: str | None = None
    address: SimAddress | None = None
    is_home: bool = False


@dataclass(frozen=True, slots=True)
class SimVersion:
    """One published version of an appointment (the last one of an appointment is current)."""

    start: datetime
    end: datetime | None
    status: str  # FHIR Appointment.status
    title: str
    org_sor: str
    place: SimPlace
    reason: str | None = None
    performer: str | None = None
    all_day: bool = False  # no time set: ``start``/``end`` are the local midnights around it
    indicative: bool = False  # the time is only a guide (APD-DK GuidedIntervalType)


@dataclass(frozen=True, slots=True)
class SimAppointment:
    source: str
    id: str
    patient_cpr: str
    versions: tuple[SimVersion, ...]
    kind: str  # APD code: RegionalAppointment | MunicipalityAppointment | PractitionerAppointment

    @property
    def current(self) -> SimVersion:
        return self.versions[-1]


@dataclass(frozen=True, slots=True)
class SimActivity:
    title: str
    status: str
    start: datetime | None = None
    end: datetime | None = None
    appointment_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SimPlan:
    source: str
    id: str
    patient_cpr: str
    title: str
    category: str
    status: str
    start: datetime
    end: datetime | None
    org_sor: str | None  # None: the source names no organisation (it owns the plan itself)
    activities: tuple[SimActivity, ...] = ()
    goal_ids: tuple[str, ...] = ()
    description: str | None = None


@dataclass(frozen=True, slots=True)
class SimTarget:
    measure: str
    detail: str
    due: date | None


@dataclass(frozen=True, slots=True)
class SimGoal:
    source: str
    id: str
    patient_cpr: str
    description: str
    lifecycle_status: str
    achievement_status: str | None
    start: date
    targets: tuple[SimTarget, ...]
    org_sor: str | None  # None: the source names no organisation


@dataclass(frozen=True, slots=True)
class Persona:
    """A demo user. ``cpr`` is the patient the persona looks at."""

    id: str
    role: str  # citizen | relative | clinician
    name: str
    cpr: str
    description: str
    actor_cpr: str | None = None  # citizen/relative: their own CPR
    fuldmagt_from: date | None = None
    fuldmagt_to: date | None = None
    authorisation_id: str | None = None
    clinician_role: str | None = None
    sor: str | None = None
    org_name: str | None = None


@dataclass
class Population:
    anchor: date
    people: dict[str, SimPerson] = field(default_factory=dict)
    orgs: dict[str, SimOrg] = field(default_factory=dict)
    practices: dict[str, SimPractice] = field(default_factory=dict)
    appointments: dict[str, dict[str, list[SimAppointment]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    plans: dict[str, dict[str, list[SimPlan]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    goals: dict[str, dict[str, list[SimGoal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    gp_consent: set[str] = field(default_factory=set)
    personas: list[Persona] = field(default_factory=list)

    def persona(self, persona_id: str) -> Persona:
        return next(p for p in self.personas if p.id == persona_id)

    def appointments_for(self, source: str, cpr: str) -> list[SimAppointment]:
        return self.appointments.get(source, {}).get(cpr, [])
