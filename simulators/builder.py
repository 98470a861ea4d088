"""What every part of the population's generation shares: ids, places, times and versions."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from domain.clock import TZ
from simulators.model import (
    Population,
    SimAppointment,
    SimOrg,
    SimPerson,
    SimPlace,
    SimVersion,
)
from simulators.tables import CATALOGUE, HOME_PLACE_NAME, SOURCE_KIND


def home(person: SimPerson) -> SimPlace:
    return SimPlace(HOME_PLACE_NAME, None, person.address, is_home=True)


def site(orgs: dict[str, SimOrg], sor: str) -> SimPlace:
    org = orgs[sor]
    return SimPlace(org.name, sor, org.address)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month (the EU DST change days: March and October)."""
    d = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return d - timedelta(days=(d.weekday() + 1) % 7)


def status_for(start: datetime, now: datetime, rng: random.Random) -> str:
    if start < now:
        return rng.choices(["fulfilled", "noshow", "cancelled"], [90, 4, 6])[0]
    return rng.choices(["booked", "proposed", "cancelled"], [88, 6, 6])[0]


class Builder:
    """Adds appointments to ``pop``; ids come from counters and from the seeded ``rng``."""

    def __init__(self, pop: Population, seed: int) -> None:
        self.pop = pop
        self.rng = random.Random(seed)
        self.counters: dict[str, int] = defaultdict(int)

    def new_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}-{self.counters[prefix]:06d}"

    def doc_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add(
        self,
        source: str,
        cpr: str,
        versions: list[SimVersion],
    ) -> SimAppointment:
        prefix = f"{source}-appt"
        appt_id = self.new_id(prefix) if source in ("rm", "rn") else self.doc_id()
        appt = SimAppointment(source, appt_id, cpr, tuple(versions), SOURCE_KIND[source])
        self.pop.appointments[source][cpr].append(appt)
        return appt

    def version(
        self,
        source: str,
        person: SimPerson,
        choice: int,
        start: datetime,
        status: str,
        *,
        minutes: int | None = None,
        no_end: bool = False,
        performer: str | None = None,
    ) -> SimVersion:
        unit, title, reason, length, at_home = CATALOGUE[source][choice]
        place = home(person) if at_home else site(self.pop.orgs, unit)
        end = None if no_end else start + timedelta(minutes=minutes or length)
        return SimVersion(start, end, status, title, unit, place, reason, performer)

    def simple(
        self,
        source: str,
        person: SimPerson,
        choice: int,
        start: datetime,
        status: str,
        **kw: object,
    ) -> SimAppointment:
        return self.add(
            source,
            person.cpr,
            [self.version(source, person, choice, start, status, **kw)],  # type: ignore[arg-type]
        )
