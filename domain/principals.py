"""Who is asking: a citizen, a relative with fuldmagt, or a clinician launched from an EPJ.

Built from a verified token by ``gateway/auth.py``; read by the access decision and by the actor
written to the access log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Used with fullmatch: "$" would also match before a trailing newline.
AUTH_ID = re.compile(r"[0-9BCDFGHJKLMNPQRSTVWXYZ]{5}")
SOR_ID = re.compile(r"[0-9]{11,18}")


@dataclass(frozen=True, slots=True)
class Citizen:
    """A patient looking at their own data."""

    cpr: str
    name: str

    kind = "citizen"


@dataclass(frozen=True, slots=True)
class Relative:
    """A relative acting for ``patient_cpr`` under a fuldmagt valid ``valid_from``..``valid_to``."""

    cpr: str
    name: str
    patient_cpr: str
    valid_from: date
    valid_to: date | None

    kind = "relative"

    def fuldmagt_valid(self, today: date) -> bool:
        return self.valid_from <= today and (self.valid_to is None or today <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Clinician:
    """A health professional launched from an EPJ with ``patient_cpr`` in context."""

    name: str
    authorisation_id: str
    role: str
    sor: str
    org_name: str
    patient_cpr: str

    kind = "clinician"


Principal = Citizen | Relative | Clinician
