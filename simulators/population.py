"""A deterministic synthetic population: people, organisations, appointments, plans, personas.

Everything is generated from ``(anchor, seed)``: the same inputs give the same population, so the
demo, the tests and the benchmark agree. Times are relative to ``anchor`` (today in the demo, a
fixed date in tests). Only MedCom-style test CPR numbers (sequence 9990-9999) are used.

The simulators render this neutral model in each protocol (FHIR R4, APD-DK CDA, CPR, stamdata).
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from domain.clock import SYSTEM_CLOCK, TZ, Clock, today
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

GP_SHARED_SINCE = date(2021, 10, 1)
GP_TITLE = "Aftale hos praktiserende læge"

__all__ = [
    "GP_SHARED_SINCE",
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


# --- organisations: owner → institution → unit (SOR ids in the real 15-digit shape) ---


def _a(line: str, postcode: str, city: str, municipality: str | None = None) -> SimAddress:
    return SimAddress((line,), postcode, city, municipality)


ORGS: tuple[SimOrg, ...] = (
    SimOrg(
        "320161000016009",
        "Region Midtjylland",
        "owner",
        None,
        _a("Skottenborg 26", "8800", "Viborg"),
    ),
    SimOrg(
        "265301000016009",
        "Aarhus Universitetshospital",
        "institution",
        "320161000016009",
        _a("Palle Juul-Jensens Boulevard 99", "8200", "Aarhus N"),
        "+4578450000",
    ),
    SimOrg(
        "265311000016006",
        "Hjertesygdomme, Aarhus Universitetshospital",
        "unit",
        "265301000016009",
        _a("Palle Juul-Jensens Boulevard 99", "8200", "Aarhus N"),
        "+4578452000",
    ),
    SimOrg(
        "265321000016001",
        "Lungesygdomme, Aarhus Universitetshospital",
        "unit",
        "265301000016009",
        _a("Palle Juul-Jensens Boulevard 99", "8200", "Aarhus N"),
        "+4578452200",
    ),
    SimOrg(
        "265331000016005",
        "Ortopædkirurgi, Aarhus Universitetshospital",
        "unit",
        "265301000016009",
        _a("Palle Juul-Jensens Boulevard 99", "8200", "Aarhus N"),
        "+4578452400",
    ),
    SimOrg(
        "380041000016008",
        "Region Nordjylland",
        "owner",
        None,
        _a("Niels Bohrs Vej 30", "9220", "Aalborg Øst"),
    ),
    SimOrg(
        "446011000016006",
        "Aalborg Universitetshospital",
        "institution",
        "380041000016008",
        _a("Hobrovej 18-22", "9000", "Aalborg"),
        "+4597660000",
    ),
    SimOrg(
        "446021000016001",
        "Kardiologisk Ambulatorium, Aalborg Universitetshospital",
        "unit",
        "446011000016006",
        _a("Hobrovej 18-22", "9000", "Aalborg"),
        "+4597661100",
    ),
    SimOrg(
        "446031000016008",
        "Øjenafdelingen, Aalborg Universitetshospital",
        "unit",
        "446011000016006",
        _a("Hobrovej 18-22", "9000", "Aalborg"),
        "+4597661200",
    ),
    SimOrg(
        "751000016001",
        "Aarhus Kommune",
        "owner",
        None,
        _a("Rådhuspladsen 2", "8000", "Aarhus C", "0751"),
    ),
    SimOrg(
        "751100016007",
        "Sundhed og Omsorg, Aarhus Kommune",
        "institution",
        "751000016001",
        _a("Værkmestergade 15", "8000", "Aarhus C", "0751"),
    ),
    SimOrg(
        "751110016004",
        "Hjemmeplejen Åbyhøj",
        "unit",
        "751100016007",
        _a("Silkeborgvej 229", "8230", "Åbyhøj", "0751"),
        "+4587135000",
    ),
    SimOrg(
        "751120016009",
        "Hjemmesygeplejen Vest",
        "unit",
        "751100016007",
        _a("Silkeborgvej 229", "8230", "Åbyhøj", "0751"),
        "+4587135100",
    ),
    SimOrg(
        "751130016001",
        "Genoptræning Aarhus Vest",
        "unit",
        "751100016007",
        _a("Hasle Ringvej 122", "8200", "Aarhus N", "0751"),
        "+4587135200",
    ),
    SimOrg(
        "813000016001",
        "Frederikshavn Kommune",
        "owner",
        None,
        _a("Rådhus Allé 100", "9900", "Frederikshavn", "0813"),
    ),
    SimOrg(
        "813100016006",
        "Sundhed og Pleje, Frederikshavn Kommune",
        "institution",
        "813000016001",
        _a("Rådhus Allé 100", "9900", "Frederikshavn", "0813"),
    ),
    SimOrg(
        "813110016003",
        "Genoptræningscenter Frederikshavn",
        "unit",
        "813100016006",
        _a("Hånbækvej 40", "9900", "Frederikshavn", "0813"),
        "+4598456300",
    ),
    SimOrg(
        "813120016008",
        "Hjemmeplejen Frederikshavn",
        "unit",
        "813100016006",
        _a("Hånbækvej 40", "9900", "Frederikshavn", "0813"),
        "+4598456400",
    ),
    SimOrg("471801000016005", "Almen praksis, Region Midtjylland", "owner", None, None),
    SimOrg(
        "471841000016002",
        "Lægerne Jens Michael Larsen, Åbyhøj",
        "institution",
        "471801000016005",
        _a("Silkeborgvej 250", "8230", "Åbyhøj", "0751"),
        "+4586151515",
    ),
    SimOrg(
        "471851000016006",
        "Konsultation, Lægerne Jens Michael Larsen",
        "unit",
        "471841000016002",
        _a("Silkeborgvej 250", "8230", "Åbyhøj", "0751"),
        "+4586151515",
    ),
    SimOrg(
        "481101000016004",
        "Lægehuset Frederikshavn",
        "institution",
        "471801000016005",
        _a("Danmarksgade 48", "9900", "Frederikshavn", "0813"),
        "+4598421010",
    ),
)

PRACTICES: tuple[SimPractice, ...] = (
    SimPractice(
        "012345",
        "Lægerne Jens Michael Larsen",
        "471841000016002",
        _a("Silkeborgvej 250", "8230", "Åbyhøj", "0751"),
        "+4586151515",
        ("Jens Michael Larsen", "Sofie Bech"),
    ),
    SimPractice(
        "054321",
        "Lægehuset Frederikshavn",
        "481101000016004",
        _a("Danmarksgade 48", "9900", "Frederikshavn", "0813"),
        "+4598421010",
        ("Henrik Kragh",),
    ),
)

SOURCE_KIND = {
    "rm": "RegionalAppointment",
    "rn": "RegionalAppointment",
    "aarhus": "MunicipalityAppointment",
    "frederikshavn": "MunicipalityAppointment",
    "gp-jml": "PractitionerAppointment",
}

# What each source's units offer: (unit SOR, title, reason, minutes, at home?)
_CATALOGUE: dict[str, tuple[tuple[str, str, str, int, bool], ...]] = {
    "rm": (
        ("265311000016006", "Ambulant kontrol, hjertesygdomme", "Kontrol efter AMI", 30, False),
        ("265321000016001", "Lungefunktionsundersøgelse", "KOL, årskontrol", 45, False),
        ("265331000016005", "Røntgen og kontrol, knæ", "Knæartrose", 20, False),
    ),
    "rn": (
        ("446021000016001", "Ekkokardiografi", "Hjertesvigt, opfølgning", 60, False),
        ("446031000016008", "Øjenundersøgelse", "Grå stær, forundersøgelse", 30, False),
    ),
    "aarhus": (
        ("751110016004", "Hjemmepleje: morgenbesøg", "Personlig pleje", 30, True),
        ("751120016009", "Hjemmesygepleje: medicindosering", "Medicinadministration", 20, True),
        ("751130016001", "Genoptræning efter udskrivelse", "Genoptræningsplan", 60, False),
    ),
    "frederikshavn": (
        (
            "813110016003",
            "Genoptræning, holdtræning",
            "Genoptræningsplan efter hospitalsophold",
            60,
            False,
        ),
        ("813120016008", "Hjemmepleje: aftenbesøg", "Praktisk hjælp", 30, True),
    ),
    "gp-jml": (
        ("471851000016006", GP_TITLE, "Kontrol af blodtryk", 15, False),
        ("471851000016006", GP_TITLE, "Årskontrol, KOL", 30, False),
    ),
}


def _home(person: SimPerson) -> SimPlace:
    return SimPlace("Borgers Hjemmeadresse", None, person.address, is_home=True)


def _site(orgs: dict[str, SimOrg], sor: str) -> SimPlace:
    org = orgs[sor]
    return SimPlace(org.name, sor, org.address)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month (the EU DST change days: March and October)."""
    d = date(year, month + 1, 1) - timedelta(days=1) if month < 12 else date(year, 12, 31)
    return d - timedelta(days=(d.weekday() + 1) % 7)


class _Builder:
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
        unit, title, reason, length, at_home = _CATALOGUE[source][choice]
        place = _home(person) if at_home else _site(self.pop.orgs, unit)
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


def _status_for(start: datetime, now: datetime, rng: random.Random) -> str:
    if start < now:
        return rng.choices(["fulfilled", "noshow", "cancelled"], [90, 4, 6])[0]
    return rng.choices(["booked", "proposed", "cancelled"], [88, 6, 6])[0]


def build_population(
    anchor: date | None = None, seed: int = 20261126, clock: Clock = SYSTEM_CLOCK
) -> Population:
    """Generate the population for ``anchor`` (default: today in Copenhagen on ``clock``)."""
    anchor = anchor or today(clock)
    pop = Population(anchor=anchor)
    pop.orgs = {o.sor: o for o in ORGS}
    pop.practices = {p.ydernummer: p for p in PRACTICES}
    b = _Builder(pop, seed)
    now = _at(anchor, 12)

    aabyhoej = SimAddress(("Åbyhøjvej 12, 1. th",), "8230", "Åbyhøj", "0751")
    people = [
        SimPerson(
            "0108589995", "Poul Erik", "Testesen", aabyhoej, date(1958, 8, 1), ydernummer="012345"
        ),
        SimPerson(
            "1502779995",
            "Jonas",
            "Gruppe-To",
            _a("Vestergade 7", "8000", "Aarhus C", "0751"),
            date(1977, 2, 15),
            insurance_group=2,
        ),
        SimPerson(
            "0201609996",
            "Birgitte",
            "Beskyttet",
            _a("Hemmeligvej 3", "9900", "Frederikshavn", "0813"),
            date(1960, 1, 2),
            protected=True,
            ydernummer="054321",
        ),
        SimPerson(
            "0201919990",
            "Inger",
            "Historik",
            _a("Langelinie 41", "8230", "Åbyhøj", "0751"),
            date(1991, 1, 2),
            ydernummer="012345",
        ),
        SimPerson(
            "0201609995",
            "Hanne",
            "Testesen",
            _a("Skovbakken 4", "8240", "Risskov", "0751"),
            date(1960, 1, 2),
            ydernummer="012345",
        ),
        SimPerson(
            "2512489996",
            "Lise",
            "Udløbet",
            _a("Strandvejen 90", "9900", "Frederikshavn", "0813"),
            date(1948, 12, 25),
            ydernummer="054321",
        ),
    ]
    for p in people:
        pop.people[p.cpr] = p
    multi, group2, protected, history = (
        pop.people[c] for c in ("0108589995", "1502779995", "0201609996", "0201919990")
    )
    pop.gp_consent |= {multi.cpr, history.cpr}

    _citizen_multi(b, multi, anchor, now)
    # citizen-group2: a few hospital appointments, no GP.
    for days, status in ((-30, "fulfilled"), (12, "booked")):
        b.simple("rm", group2, 2, _at(anchor + timedelta(days=days), 9, 30), status)
    # citizen-protected: RN and Frederikshavn.
    b.simple("rn", protected, 1, _at(anchor + timedelta(days=6), 13), "booked")
    b.simple("frederikshavn", protected, 1, _at(anchor + timedelta(days=2), 18), "booked")
    _plans_protected(b, protected, anchor)
    _citizen_history(b, history, anchor, now)
    _other_people(b, anchor, now)
    _meeting_places(b, multi, group2, anchor)
    _personas(pop, anchor)
    return pop


def _citizen_multi(b: _Builder, p: SimPerson, anchor: date, now: datetime) -> None:
    def d(n: int) -> date:
        return anchor + timedelta(days=n)

    def rehab_day(week: int, weekday: int) -> date:
        return d(7 * week) - timedelta(days=anchor.weekday()) + timedelta(days=weekday)

    physician = "Lene Hjort, overlæge"
    # Region Midtjylland (AUH): admission before discharge, follow-ups, a cancelled one, one without
    # end, one on the day summer time ends.
    admission = b.version("rm", p, 0, _at(d(-21), 10), "fulfilled", minutes=6 * 24 * 60)
    b.add("rm", p.cpr, [admission])
    followup = b.simple("rm", p, 0, _at(d(10), 9, 30), "booked", performer=physician)
    b.simple("rm", p, 1, _at(d(5), 8), "cancelled")
    # Without an end, at 13:00 on the Tuesday three weeks on: during a Frederikshavn rehab
    # session (below), so there is always a second overlap to coordinate, whatever today is.
    b.simple("rm", p, 1, _at(rehab_day(3, 1), 13), "booked", no_end=True)
    dst_end = last_sunday(anchor.year, 10)
    b.simple("rm", p, 2, _at(dst_end, 10), "fulfilled" if dst_end < anchor else "booked")
    b.simple("rm", p, 2, _at(d(40), 11), "proposed")
    # Region Nordjylland (Aalborg UH): outpatient.
    b.simple("rn", p, 0, _at(d(-40), 9), "fulfilled")
    b.simple("rn", p, 0, _at(d(14), 10, 30), "booked")
    b.simple("rn", p, 1, _at(d(-60), 14), "noshow")
    # Aarhus: morning home care every day around now; one visit overlaps the AUH follow-up.
    for n in range(-7, 15):
        b.simple("aarhus", p, 0, _at(d(n), 8), "fulfilled" if d(n) < anchor else "booked")
    b.simple("aarhus", p, 0, _at(d(10), 9, 45), "booked")  # during the hospital follow-up
    moved = [
        b.version("aarhus", p, 1, _at(d(3), 11), "booked"),
        b.version("aarhus", p, 1, _at(d(3), 14), "booked"),
    ]
    b.add("aarhus", p.cpr, moved)
    cancelled = [
        b.version("aarhus", p, 2, _at(d(4), 10), "booked"),
        b.version("aarhus", p, 2, _at(d(4), 10), "cancelled"),
    ]
    b.add("aarhus", p.cpr, cancelled)
    b.add("aarhus", p.cpr, [b.version("aarhus", p, 2, _at(d(6), 10), "booked", no_end=True)])
    # Frederikshavn: rehab twice a week.
    for week in range(-1, 4):
        for weekday in (1, 3):
            day = rehab_day(week, weekday)
            b.simple("frederikshavn", p, 0, _at(day, 13), "fulfilled" if day < anchor else "booked")
    # GP: follow-up after discharge; one from before sharing started (must never be shown).
    b.simple("gp-jml", p, 0, _at(d(3), 9), "booked", performer="Jens Michael Larsen")
    b.simple("gp-jml", p, 1, _at(d(-90), 10), "fulfilled", performer="Jens Michael Larsen")
    b.simple("gp-jml", p, 0, _at(date(2021, 6, 15), 9), "fulfilled")
    _plans_multi(b, p, anchor, followup)


def _plans_multi(b: _Builder, p: SimPerson, anchor: date, followup: SimAppointment) -> None:
    start = _at(anchor - timedelta(days=15), 12)
    pop = b.pop
    goals = [
        SimGoal(
            "rm",
            b.new_id("rm-goal"),
            p.cpr,
            "Stabil hjertefunktion uden indlæggelse",
            "active",
            "in-progress",
            anchor - timedelta(days=15),
            (SimTarget("Ejection fraction", "EF over 45 %", anchor + timedelta(days=90)),),
            "265311000016006",
        ),
        SimGoal(
            "aarhus",
            b.new_id("aarhus-goal"),
            p.cpr,
            "Klarer selv morgentoilette",
            "active",
            "improving",
            anchor - timedelta(days=14),
            (SimTarget("Selvhjulpenhed", "Uden hjælp 5 af 7 dage", anchor + timedelta(days=60)),),
            "751110016004",
        ),
        SimGoal(
            "frederikshavn",
            b.new_id("frederikshavn-goal"),
            p.cpr,
            "Gå 500 meter uden stok",
            "active",
            "in-progress",
            anchor - timedelta(days=10),
            (SimTarget("Gangdistance", "500 m uden hjælpemiddel", anchor + timedelta(days=45)),),
            "813110016003",
        ),
        SimGoal(
            "gp-jml",
            b.new_id("gp-jml-goal"),
            p.cpr,
            "KOL: bevare lungefunktion",
            "active",
            "in-progress",
            date(2024, 3, 1),
            (SimTarget("FEV1", "FEV1 over 60 % af forventet", anchor + timedelta(days=365)),),
            "471841000016002",
        ),
    ]
    for g in goals:
        pop.goals[g.source][p.cpr].append(g)
    plans = [
        SimPlan(
            "rm",
            b.new_id("rm-plan"),
            p.cpr,
            "Udskrivelsesplan efter AMI",
            "discharge",
            "active",
            start,
            start + timedelta(days=90),
            "265311000016006",
            (
                SimActivity(
                    "Ambulant kontrol",
                    "scheduled",
                    followup.current.start,
                    followup.current.end,
                    (followup.id,),
                ),
                SimActivity("Hjerterehabilitering", "not-started"),
            ),
            (goals[0].id,),
            "Plan for opfølgning efter indlæggelse",
        ),
        SimPlan(
            "aarhus",
            b.new_id("aarhus-plan"),
            p.cpr,
            "Plan for hjemmepleje",
            "municipal-care",
            "active",
            _at(anchor - timedelta(days=14), 9),
            None,
            "751110016004",
            (SimActivity("Morgenbesøg dagligt", "in-progress"),),
            (goals[1].id,),
        ),
        SimPlan(
            "frederikshavn",
            b.new_id("frederikshavn-plan"),
            p.cpr,
            "Genoptræningsplan",
            "rehabilitation",
            "active",
            _at(anchor - timedelta(days=10), 9),
            _at(anchor + timedelta(days=45), 16),
            "813110016003",
            (SimActivity("Holdtræning to gange om ugen", "in-progress"),),
            (goals[2].id,),
        ),
        SimPlan(
            "gp-jml",
            b.new_id("gp-jml-plan"),
            p.cpr,
            "Forløbsplan for KOL",
            "chronic-care",
            "active",
            _at(date(2024, 3, 1), 9),
            None,
            "471841000016002",
            (SimActivity("Årskontrol", "scheduled"),),
            (goals[3].id,),
        ),
    ]
    for plan in plans:
        pop.plans[plan.source][p.cpr].append(plan)


def _plans_protected(b: _Builder, p: SimPerson, anchor: date) -> None:
    """Region Nordjylland's plan and goal name no organisation: the region owns them."""
    goal = SimGoal(
        "rn",
        b.new_id("rn-goal"),
        p.cpr,
        "Blodtryk under 140/90",
        "active",
        "in-progress",
        anchor - timedelta(days=20),
        (SimTarget("Blodtryk", "Under 140/90 mmHg", anchor + timedelta(days=120)),),
        None,
    )
    b.pop.goals["rn"][p.cpr].append(goal)
    start = _at(anchor - timedelta(days=20), 10)
    plan = SimPlan(
        "rn", b.new_id("rn-plan"), p.cpr, "Behandlingsplan", "treatment", "active", start, None,
        None, (SimActivity("Blodtrykskontrol", "scheduled"),), (goal.id,),
    )  # fmt: skip
    b.pop.plans["rn"][p.cpr].append(plan)


def _citizen_history(b: _Builder, p: SimPerson, anchor: date, now: datetime) -> None:
    """≥ 2,000 appointments over ≥ 10 years, from every appointment source."""
    first = anchor - timedelta(days=11 * 365)
    per_source = {"rm": 260, "rn": 160, "aarhus": 1200, "frederikshavn": 200, "gp-jml": 260}
    for source, count in per_source.items():
        lo = max(first, GP_SHARED_SINCE) if source == "gp-jml" else first
        span = (anchor + timedelta(days=180) - lo).days
        for _ in range(count):
            day = lo + timedelta(days=b.rng.randrange(span))
            start = _at(day, b.rng.randrange(7, 18), b.rng.choice((0, 15, 30, 45)))
            choice = b.rng.randrange(len(_CATALOGUE[source]))
            b.simple(source, p, choice, start, _status_for(start, now, b.rng))


def _meeting_places(b: _Builder, multi: SimPerson, group2: SimPerson, anchor: date) -> None:
    """Two shapes the other appointments lack, added last so that nothing else changes: a walk
    that starts at a day centre's entrance (a meeting place at the citizen's side that is not
    the home) for citizen-multi, and a home-nursing visit on a day without a set time for
    citizen-group2 (whose overview has room for it: no feed or overlap test reads it)."""
    walk_day = anchor + timedelta(days=2)
    entrance = SimPlace(
        "Ved hovedindgangen, Aktivitetscenter Åbyhøj",
        None,
        _a("Bakkegårdsvej 400", "8230", "Åbyhøj", "0751"),
    )
    walk = SimVersion(
        _at(walk_day, 10),
        _at(walk_day, 11),
        "booked",
        "Genoptræning: gåtur",
        "751130016001",
        entrance,
        "Genoptræningsplan",
    )
    b.add("aarhus", multi.cpr, [walk])
    day = anchor + timedelta(days=9)
    visit = SimVersion(
        _at(day, 0),
        _at(day + timedelta(days=1), 0),
        "booked",
        "Hjemmesygepleje: sårpleje i løbet af dagen",
        "751120016009",
        _home(group2),
        "Sårpleje",
        all_day=True,
        indicative=True,
    )
    b.add("aarhus", group2.cpr, [visit])


def _other_people(b: _Builder, anchor: date, now: datetime) -> None:
    """A few more test persons, so that a source's answers are really filtered by patient."""
    names = [("Anna", "Mortensen"), ("Mads", "Kjær"), ("Sara", "Holm"), ("Peter", "Dahl")]
    for n, (given, family) in enumerate(names):
        born = date(1940 + 9 * n, 1 + n, 10 + n)
        cpr = f"{born:%d%m%y}999{n + 1}"
        person = SimPerson(
            cpr,
            given,
            family,
            _a(f"Testvej {n + 1}", "8000", "Aarhus C", "0751"),
            born,
            ydernummer="012345",
        )
        b.pop.people[cpr] = person
        for source in ("rm", "rn", "aarhus", "frederikshavn"):
            start = _at(anchor + timedelta(days=b.rng.randrange(-20, 20)), 10)
            b.simple(source, person, 0, start, _status_for(start, now, b.rng))


def _personas(pop: Population, anchor: date) -> None:
    multi = "0108589995"
    pop.personas = [
        Persona(
            "citizen-multi",
            "citizen",
            "Poul Erik Testesen",
            multi,
            "Elderly, discharged from Aarhus University Hospital; home care in Aarhus, outpatient "
            "in Aalborg, rehab in Frederikshavn, GP follow-up. Has plans, goals and relatives.",
            actor_cpr=multi,
        ),
        Persona(
            "citizen-group2",
            "citizen",
            "Jonas Gruppe-To",
            "1502779995",
            "Sygesikringsgruppe 2: no fixed GP.",
            actor_cpr="1502779995",
        ),
        Persona(
            "citizen-protected",
            "citizen",
            "Birgitte Beskyttet",
            "0201609996",
            "Name and address protection.",
            actor_cpr="0201609996",
        ),
        Persona(
            "citizen-history",
            "citizen",
            "Inger Historik",
            "0201919990",
            "More than 2,000 appointments over more than 10 years.",
            actor_cpr="0201919990",
        ),
        Persona(
            "relative-multi",
            "relative",
            "Hanne Testesen",
            multi,
            "Spouse of citizen-multi with a valid fuldmagt.",
            actor_cpr="0201609995",
            fuldmagt_from=anchor - timedelta(days=365),
            fuldmagt_to=anchor + timedelta(days=365),
        ),
        Persona(
            "relative-expired",
            "relative",
            "Lise Udløbet",
            multi,
            "Daughter-in-law of citizen-multi; her fuldmagt has expired.",
            actor_cpr="2512489996",
            fuldmagt_from=anchor - timedelta(days=400),
            fuldmagt_to=anchor - timedelta(days=30),
        ),
        Persona(
            "clinician-auh",
            "clinician",
            "Lene Hjort",
            multi,
            "Physician (overlæge), Hjertesygdomme, Aarhus University Hospital; "
            "citizen-multi in EPJ context.",
            authorisation_id="005ML",
            clinician_role="physician",
            sor="265311000016006",
            org_name="Hjertesygdomme, Aarhus Universitetshospital",
        ),
        Persona(
            "clinician-homecare-aarhus",
            "clinician",
            "Mette Sørensen",
            multi,
            "Home-care nurse, Hjemmeplejen Åbyhøj (Aarhus Kommune); citizen-multi in context.",
            authorisation_id="0B7TR",
            clinician_role="nurse",
            sor="751110016004",
            org_name="Hjemmeplejen Åbyhøj",
        ),
        Persona(
            "clinician-gp",
            "clinician",
            "Jens Michael Larsen",
            multi,
            "GP, Lægerne Jens Michael Larsen, Åbyhøj; citizen-multi in context.",
            authorisation_id="04KVN",
            clinician_role="gp",
            sor="471841000016002",
            org_name="Lægerne Jens Michael Larsen, Åbyhøj",
        ),
        Persona(
            "clinician-blocked",
            "clinician",
            "Anders Blok",
            multi,
            "Physician, Kardiologisk Ambulatorium, Aalborg University Hospital, whom citizen-multi "
            "has blocked (the demo creates the block).",
            authorisation_id="0D3XJ",
            clinician_role="physician",
            sor="446021000016001",
            org_name="Kardiologisk Ambulatorium, Aalborg Universitetshospital",
        ),
    ]
