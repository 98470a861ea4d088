"""A deterministic synthetic population: people, organisations, appointments, plans, personas.

Everything is generated from ``(anchor, seed)``: the same inputs give the same population, so the
demo, the tests and the benchmark agree. Times are relative to ``anchor`` (today in the demo, a
fixed date in tests). Only MedCom-style test CPR numbers (sequence 9990-9999) are used.

The simulators render this neutral model in each protocol (FHIR R4, APD-DK CDA, CPR, stamdata).
The model is in ``simulators.model``; the static tables (organisations, practices, names,
addresses, texts, personas) in ``population_data.json`` (read by ``simulators.tables``); the
appointments in ``simulators.schedule``, plans and goals in ``simulators.careplans``, persons and
personas in ``simulators.people``. This module puts them together, and keeps the names the rest
of the code imports.
"""

from __future__ import annotations

from datetime import date

from domain.clock import SYSTEM_CLOCK, Clock, today
from simulators import schedule
from simulators.builder import Builder, at, last_sunday
from simulators.careplans import add_all_care
from simulators.model import (
    Persona,
    Population,
    SimActivity,
    SimAddress,
    SimAppointment,
    SimGoal,
    SimOrg,
    SimPerson,
    SimPlace,
    SimPlan,
    SimPractice,
    SimTarget,
    SimVersion,
)
from simulators.people import add_people, add_personas
from simulators.schedule import GP_SHARED_SINCE
from simulators.tables import CATALOGUE, ORGS, PRACTICES, SOURCE_KIND

GP_TITLE = "Aftale hos praktiserende læge"

__all__ = [
    "CATALOGUE",
    "GP_SHARED_SINCE",
    "GP_TITLE",
    "ORGS",
    "PRACTICES",
    "SOURCE_KIND",
    "Persona",
    "Population",
    "SimActivity",
    "SimAddress",
    "SimAppointment",
    "SimGoal",
    "SimOrg",
    "SimPerson",
    "SimPlace",
    "SimPlan",
    "SimPractice",
    "SimTarget",
    "SimVersion",
    "build_population",
    "last_sunday",
]


def build_population(
    anchor: date | None = None, seed: int = 20261126, clock: Clock = SYSTEM_CLOCK
) -> Population:
    """Generate the population for ``anchor`` (default: today in Copenhagen on ``clock``)."""
    anchor = anchor or today(clock)
    pop = Population(anchor=anchor)
    pop.orgs = {o.sor: o for o in ORGS}
    pop.practices = {p.ydernummer: p for p in PRACTICES}
    b = Builder(pop, seed)
    now = at(anchor, 12)
    cast = add_people(pop)
    multi, group2, protected = cast["multi"], cast["group2"], cast["protected"]
    followup = schedule.citizen_multi(b, multi, anchor)
    schedule.citizen_group2(b, group2, anchor)
    schedule.citizen_protected(b, protected, anchor)
    add_all_care(b, {role: p.cpr for role, p in cast.items()}, anchor, {"followup": followup})
    schedule.citizen_history(b, cast["history"], anchor, now)
    schedule.other_people(b, anchor, now)
    schedule.meeting_places(b, multi, group2, anchor)
    add_personas(pop, anchor)
    return pop
