"""Who acted: one value, built one way, for every record of who did something."""

from __future__ import annotations

from datetime import date

from domain.actor import Actor
from domain.principals import Citizen, Clinician, Relative

PATIENT, OTHER, RELATIVE = "0108589995", "0201919990", "1502799995"


def test_each_principal_is_one_actor() -> None:
    doctor = Clinician("Lene Hjort", "005ML", "physician", "265311000016006", "AUH", PATIENT)
    assert Actor.of(doctor) == Actor("clinician", "005ML", "Lene Hjort", "265311000016006", "AUH")
    assert Actor.of(Citizen(PATIENT, "Poul")) == Actor("citizen", PATIENT, "Poul")
    relative = Relative(RELATIVE, "Anna", PATIENT, date(2026, 1, 1), None)
    assert Actor.of(relative) == Actor("relative", RELATIVE, "Anna", on_behalf_of=PATIENT)


def test_a_relative_acts_for_the_patient_their_fuldmagt_names_only() -> None:
    relative = Actor.of(Relative(RELATIVE, "Anna", PATIENT, date(2026, 1, 1), None))
    assert relative.toward(PATIENT).on_behalf_of == PATIENT
    assert relative.toward(OTHER).on_behalf_of is None  # another patient's number stays out
    citizen = Actor.of(Citizen(PATIENT, "Poul"))
    assert citizen.toward(OTHER) == citizen
