"""Who acted, as the access log, the stamkort's provenance and a block's creator record it.

One value built one way from a principal (``Actor.of``), wherever the gateway writes who did
something: the access-log entry of a lookup or an action, a refused attempt, a stamkort edit, a
block.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.principals import Clinician, Principal, Relative


@dataclass(frozen=True, slots=True)
class Actor:
    """``id`` is a CPR number, or a clinician's authorisation id; ``on_behalf_of`` is the patient
    a relative acts for."""

    role: str
    id: str
    name: str
    org_sor: str | None = None
    org_name: str | None = None
    on_behalf_of: str | None = None

    @classmethod
    def of(cls, p: Principal) -> Actor:
        if isinstance(p, Clinician):
            return cls("clinician", p.authorisation_id, p.name, p.sor, p.org_name)
        if isinstance(p, Relative):
            return cls("relative", p.cpr, p.name, on_behalf_of=p.patient_cpr)
        return cls("citizen", p.cpr, p.name)

    def toward(self, patient_cpr: str) -> Actor:
        """The actor as logged on ``patient_cpr``'s data: a relative acts for the patient their
        fuldmagt names only, so another patient's number never reaches this log."""
        if self.on_behalf_of is not None and self.on_behalf_of != patient_cpr:
            return Actor(self.role, self.id, self.name, self.org_sor, self.org_name, None)
        return self
