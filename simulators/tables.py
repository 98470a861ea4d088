"""The population's static tables, read from ``population_data.json`` (shipped as package data).

The file holds what is data rather than logic: organisations (SOR), practices, what each source's
units offer, the named test persons, the texts of plans and goals, and the demo personas. Times in
it are relative to the population's anchor (``{"days": n}``) or fixed (``{"date": "YYYY-MM-DD"}``).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from typing import Any, NamedTuple, NotRequired, TypedDict, cast

from simulators.model import SimAddress, SimOrg, SimPerson, SimPractice

DATA_FILE = "population_data.json"


class AddressData(TypedDict):
    lines: list[str]
    postcode: str
    city: str
    municipality_code: str | None


class DayData(TypedDict, total=False):
    days: int  # relative to the anchor
    date: str  # or a fixed ISO date
    hour: int  # the local hour, for a time rather than a date


class TargetData(TypedDict):
    measure: str
    detail: str
    due_days: int


class GoalData(TypedDict):
    source: str
    description: str
    lifecycle_status: str
    achievement_status: str | None
    start: DayData
    targets: list[TargetData]
    org_sor: str | None


class ActivityData(TypedDict):
    title: str
    status: str
    follows: NotRequired[str]  # "followup": the appointment the activity schedules


class PlanData(TypedDict):
    source: str
    title: str
    category: str
    status: str
    start: DayData
    end: DayData | None
    org_sor: str | None
    activities: list[ActivityData]
    goals: list[int]  # indices into the same person's goals
    description: str | None


class CareData(TypedDict):
    goals: list[GoalData]
    plans: list[PlanData]


class PersonaData(TypedDict):
    id: str
    role: str
    name: str
    cpr: str
    description: str
    actor_cpr: NotRequired[str]
    fuldmagt_from_days: NotRequired[int]
    fuldmagt_to_days: NotRequired[int]
    authorisation_id: NotRequired[str]
    clinician_role: NotRequired[str]
    sor: NotRequired[str]
    org_name: NotRequired[str]


class CatalogueEntry(NamedTuple):
    """What a source's unit offers."""

    unit: str  # SOR
    title: str
    reason: str
    minutes: int
    at_home: bool


def _load() -> dict[str, Any]:
    text = resources.files("simulators").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


DATA = _load()


def address(data: AddressData | None) -> SimAddress | None:
    if data is None:
        return None
    return SimAddress(
        tuple(data["lines"]), data["postcode"], data["city"], data["municipality_code"]
    )


def home_address(data: AddressData) -> SimAddress:
    """An address that must be there (a person's or a place's)."""
    found = address(data)
    assert found is not None
    return found


def day(data: DayData, anchor: date) -> date:
    if "date" in data:
        return date.fromisoformat(data["date"])
    return anchor + timedelta(days=data["days"])


def _org(o: dict[str, Any]) -> SimOrg:
    return SimOrg(o["sor"], o["name"], o["level"], o["parent"], address(o["address"]), o["phone"])


def _practice(p: dict[str, Any]) -> SimPractice:
    addr = home_address(p["address"])
    return SimPractice(p["ydernummer"], p["name"], p["sor"], addr, p["phone"], tuple(p["doctors"]))


def _person(p: dict[str, Any]) -> SimPerson:
    return SimPerson(
        p["cpr"],
        p["given_name"],
        p["family_name"],
        home_address(p["address"]),
        date.fromisoformat(p["birth_date"]),
        status=p["status"],
        protected=p["protected"],
        insurance_group=p["insurance_group"],
        ydernummer=p["ydernummer"],
    )


# Organisations: owner → institution → unit (SOR ids in the real 15-digit shape).
ORGS: tuple[SimOrg, ...] = tuple(_org(o) for o in DATA["orgs"])
PRACTICES: tuple[SimPractice, ...] = tuple(_practice(p) for p in DATA["practices"])
SOURCE_KIND: dict[str, str] = DATA["source_kind"]
CATALOGUE: dict[str, tuple[CatalogueEntry, ...]] = {
    source: tuple(CatalogueEntry(**e) for e in entries)
    for source, entries in DATA["catalogue"].items()
}
PEOPLE: tuple[SimPerson, ...] = tuple(_person(p) for p in DATA["people"])
CAST: dict[str, str] = DATA["cast"]  # role in the scenario → CPR
HOME_PLACE_NAME: str = DATA["home_place_name"]
PERFORMERS: dict[str, str] = DATA["performers"]
HISTORY_PER_SOURCE: dict[str, int] = DATA["history_per_source"]
CARE: dict[str, CareData] = DATA["care"]
PERSONAS: list[PersonaData] = DATA["personas"]
GP_CONSENT: list[str] = DATA["gp_consent"]  # roles in CAST
OTHER_PEOPLE: dict[str, Any] = DATA["other_people"]
MEETING_PLACES: dict[str, Any] = DATA["meeting_places"]
