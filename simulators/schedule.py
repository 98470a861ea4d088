"""The appointments: each test person's story, relative to the anchor, from every source."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from simulators.builder import Builder, at, home, last_sunday, status_for
from simulators.model import SimAppointment, SimPerson, SimPlace, SimVersion
from simulators.tables import (
    CATALOGUE,
    HISTORY_PER_SOURCE,
    MEETING_PLACES,
    OTHER_PEOPLE,
    PERFORMERS,
    home_address,
)

GP_SHARED_SINCE = date(2021, 10, 1)


def citizen_multi(b: Builder, p: SimPerson, anchor: date) -> SimAppointment:
    """Appointments from every source, with overlaps; returns the hospital follow-up."""

    def d(n: int) -> date:
        return anchor + timedelta(days=n)

    def rehab_day(week: int, weekday: int) -> date:
        return d(7 * week) - timedelta(days=anchor.weekday()) + timedelta(days=weekday)

    physician, gp = PERFORMERS["rm"], PERFORMERS["gp-jml"]
    # Region Midtjylland (AUH): admission before discharge, follow-ups, a cancelled one, one without
    # end, one on the day summer time ends.
    admission = b.version("rm", p, 0, at(d(-21), 10), "fulfilled", minutes=6 * 24 * 60)
    b.add("rm", p.cpr, [admission])
    followup = b.simple("rm", p, 0, at(d(10), 9, 30), "booked", performer=physician)
    b.simple("rm", p, 1, at(d(5), 8), "cancelled")
    # Without an end, at 13:00 on the Tuesday three weeks on: during a Frederikshavn rehab
    # session (below), so there is always a second overlap to coordinate, whatever today is.
    b.simple("rm", p, 1, at(rehab_day(3, 1), 13), "booked", no_end=True)
    dst_end = last_sunday(anchor.year, 10)
    b.simple("rm", p, 2, at(dst_end, 10), "fulfilled" if dst_end < anchor else "booked")
    b.simple("rm", p, 2, at(d(40), 11), "proposed")
    # Region Nordjylland (Aalborg UH): outpatient.
    b.simple("rn", p, 0, at(d(-40), 9), "fulfilled")
    b.simple("rn", p, 0, at(d(14), 10, 30), "booked")
    b.simple("rn", p, 1, at(d(-60), 14), "noshow")
    # Aarhus: morning home care every day around now; one visit overlaps the AUH follow-up.
    for n in range(-7, 15):
        b.simple("aarhus", p, 0, at(d(n), 8), "fulfilled" if d(n) < anchor else "booked")
    b.simple("aarhus", p, 0, at(d(10), 9, 45), "booked")  # during the hospital follow-up
    moved = [
        b.version("aarhus", p, 1, at(d(3), 11), "booked"),
        b.version("aarhus", p, 1, at(d(3), 14), "booked"),
    ]
    b.add("aarhus", p.cpr, moved)
    cancelled = [
        b.version("aarhus", p, 2, at(d(4), 10), "booked"),
        b.version("aarhus", p, 2, at(d(4), 10), "cancelled"),
    ]
    b.add("aarhus", p.cpr, cancelled)
    b.add("aarhus", p.cpr, [b.version("aarhus", p, 2, at(d(6), 10), "booked", no_end=True)])
    # Frederikshavn: rehab twice a week.
    for week in range(-1, 4):
        for weekday in (1, 3):
            day = rehab_day(week, weekday)
            b.simple("frederikshavn", p, 0, at(day, 13), "fulfilled" if day < anchor else "booked")
    # GP: follow-up after discharge; one from before sharing started (must never be shown).
    b.simple("gp-jml", p, 0, at(d(3), 9), "booked", performer=gp)
    b.simple("gp-jml", p, 1, at(d(-90), 10), "fulfilled", performer=gp)
    b.simple("gp-jml", p, 0, at(date(2021, 6, 15), 9), "fulfilled")
    return followup


def citizen_group2(b: Builder, p: SimPerson, anchor: date) -> None:
    """A few hospital appointments, no GP."""
    for days, status in ((-30, "fulfilled"), (12, "booked")):
        b.simple("rm", p, 2, at(anchor + timedelta(days=days), 9, 30), status)


def citizen_protected(b: Builder, p: SimPerson, anchor: date) -> None:
    """Region Nordjylland and Frederikshavn."""
    b.simple("rn", p, 1, at(anchor + timedelta(days=6), 13), "booked")
    b.simple("frederikshavn", p, 1, at(anchor + timedelta(days=2), 18), "booked")


def citizen_history(b: Builder, p: SimPerson, anchor: date, now: datetime) -> None:
    """≥ 2,000 appointments over ≥ 10 years, from every appointment source."""
    first = anchor - timedelta(days=11 * 365)
    for source, count in HISTORY_PER_SOURCE.items():
        lo = max(first, GP_SHARED_SINCE) if source == "gp-jml" else first
        span = (anchor + timedelta(days=180) - lo).days
        for _ in range(count):
            day = lo + timedelta(days=b.rng.randrange(span))
            start = at(day, b.rng.randrange(7, 18), b.rng.choice((0, 15, 30, 45)))
            choice = b.rng.randrange(len(CATALOGUE[source]))
            b.simple(source, p, choice, start, status_for(start, now, b.rng))


def other_people(b: Builder, anchor: date, now: datetime) -> None:
    """A few more test persons, so that a source's answers are really filtered by patient."""
    template = home_address(OTHER_PEOPLE["address"])  # "{number}": the person's number
    for n, (given, family) in enumerate(OTHER_PEOPLE["names"]):
        born = date(1940 + 9 * n, 1 + n, 10 + n)
        cpr = f"{born:%d%m%y}999{n + 1}"
        lines = tuple(line.format(number=n + 1) for line in template.lines)
        address = replace(template, lines=lines)
        person = SimPerson(cpr, given, family, address, born, ydernummer=OTHER_PEOPLE["ydernummer"])
        b.pop.people[cpr] = person
        for source in ("rm", "rn", "aarhus", "frederikshavn"):
            start = at(anchor + timedelta(days=b.rng.randrange(-20, 20)), 10)
            b.simple(source, person, 0, start, status_for(start, now, b.rng))


def meeting_places(b: Builder, multi: SimPerson, group2: SimPerson, anchor: date) -> None:
    """Two shapes the other appointments lack, added last so that nothing else changes: a walk
    that starts at a day centre's entrance (a meeting place at the citizen's side that is not
    the home) for citizen-multi, and a home-nursing visit on a day without a set time for
    citizen-group2 (whose overview has room for it: no feed or overlap test reads it)."""
    walk_data, visit_data = MEETING_PLACES["walk"], MEETING_PLACES["all_day_visit"]
    walk_day = anchor + timedelta(days=2)
    place = walk_data["place"]
    entrance = SimPlace(place["name"], None, home_address(place["address"]))
    walk = SimVersion(
        at(walk_day, 10),
        at(walk_day, 11),
        "booked",
        walk_data["title"],
        walk_data["org_sor"],
        entrance,
        walk_data["reason"],
    )
    b.add("aarhus", multi.cpr, [walk])
    day = anchor + timedelta(days=9)
    visit = SimVersion(
        at(day, 0),
        at(day + timedelta(days=1), 0),
        "booked",
        visit_data["title"],
        visit_data["org_sor"],
        home(group2),
        visit_data["reason"],
        all_day=True,
        indicative=True,
    )
    b.add("aarhus", group2.cpr, [visit])
