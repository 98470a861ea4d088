"""Plans and goals, from the texts in the data file: per source, linked to the appointments."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from simulators.builder import Builder, at
from simulators.model import SimActivity, SimAppointment, SimGoal, SimPlan, SimTarget
from simulators.tables import CARE, CareData, DayData, PlanData, day


def _moment(data: DayData, anchor: date) -> datetime:
    return at(day(data, anchor), data["hour"])


def _activities(plan: PlanData, linked: dict[str, SimAppointment]) -> tuple[SimActivity, ...]:
    out: list[SimActivity] = []
    for a in plan["activities"]:
        appt = linked.get(a["follows"]) if "follows" in a else None
        if appt is None:
            out.append(SimActivity(a["title"], a["status"]))
        else:
            current = appt.current
            out.append(SimActivity(a["title"], a["status"], current.start, current.end, (appt.id,)))
    return tuple(out)


def add_care(
    b: Builder, cpr: str, care: CareData, anchor: date, linked: dict[str, SimAppointment]
) -> None:
    """The goals, then the plans that pursue them. ``linked``: appointments a plan's activity
    can name (``"follows"``). A goal or plan without ``org_sor`` is owned by its source."""
    goals = [
        SimGoal(
            g["source"],
            b.new_id(f"{g['source']}-goal"),
            cpr,
            g["description"],
            g["lifecycle_status"],
            g["achievement_status"],
            day(g["start"], anchor),
            tuple(
                SimTarget(t["measure"], t["detail"], anchor + timedelta(days=t["due_days"]))
                for t in g["targets"]
            ),
            g["org_sor"],
        )
        for g in care["goals"]
    ]
    for g in goals:
        b.pop.goals[g.source][cpr].append(g)
    for p in care["plans"]:
        plan = SimPlan(
            p["source"],
            b.new_id(f"{p['source']}-plan"),
            cpr,
            p["title"],
            p["category"],
            p["status"],
            _moment(p["start"], anchor),
            None if p["end"] is None else _moment(p["end"], anchor),
            p["org_sor"],
            _activities(p, linked),
            tuple(goals[i].id for i in p["goals"]),
            p["description"],
        )
        b.pop.plans[plan.source][cpr].append(plan)


def add_all_care(
    b: Builder, cast: dict[str, str], anchor: date, linked: dict[str, SimAppointment]
) -> None:
    for role, care in CARE.items():
        add_care(b, cast[role], care, anchor, linked)
