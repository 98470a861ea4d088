"""The test persons and the demo personas, from the data file."""

from __future__ import annotations

from datetime import date, timedelta

from simulators.model import Persona, Population, SimPerson
from simulators.tables import CAST, GP_CONSENT, PEOPLE, PERSONAS, PersonaData


def add_people(pop: Population) -> dict[str, SimPerson]:
    """The named test persons; returns them by their role in the scenario (``CAST``)."""
    for p in PEOPLE:
        pop.people[p.cpr] = p
    pop.gp_consent |= {CAST[role] for role in GP_CONSENT}
    return {role: pop.people[cpr] for role, cpr in CAST.items()}


def _after(anchor: date, days: int | None) -> date | None:
    return None if days is None else anchor + timedelta(days=days)


def _persona(data: PersonaData, anchor: date) -> Persona:
    return Persona(
        data["id"],
        data["role"],
        data["name"],
        data["cpr"],
        data["description"],
        actor_cpr=data.get("actor_cpr"),
        fuldmagt_from=_after(anchor, data.get("fuldmagt_from_days")),
        fuldmagt_to=_after(anchor, data.get("fuldmagt_to_days")),
        authorisation_id=data.get("authorisation_id"),
        clinician_role=data.get("clinician_role"),
        sor=data.get("sor"),
        org_name=data.get("org_name"),
    )


def add_personas(pop: Population, anchor: date) -> None:
    pop.personas = [_persona(p, anchor) for p in PERSONAS]
