"""FHIR R4 JSON to records: pure functions, strict on structure, tolerant of real-world variation.

One module per resource: ``connectors/fhirappointment.py``, ``fhirplan.py`` and ``fhirgoal.py``
(over ``fhirelements.py``, what they share, and ``fhirquantity.py``); the typed helpers are in
``connectors/fhirjson.py``. Three outcomes besides a record:

* ``FhirFormatError``: the document as a whole is unacceptable (``entry`` not a list, a resource
  without ``resourceType``, an Appointment without ``status``, a ``start`` that is no dateTime,
  another patient's data). The connector reports it as ``UpstreamBadResponse``: a source that
  breaks FHIR's structure cannot be trusted for the rest of that answer.
* ``SkipRecord``: one well-formed resource carries a value outside R4's set (an unknown status).
  The connector refuses it on its own (logged, and counted in the source's status); the rest of
  the answer stands.
* ``Retracted``: a ``CarePlan`` or ``Goal`` with status ``entered-in-error``. R4: it should never
  have existed, so it is not shown at all (nor counted). Appointments keep that status (the
  views hide it), as before.

As R4 says:

* ``CarePlan.author`` may be a Patient, Practitioner, PractitionerRole, Device, RelatedPerson,
  Organization or CareTeam. Only an ``Organization`` (by ``type``, a literal ``Organization/…``
  reference, a contained Organization, or a SOR identifier) is the plan's organisation; any other
  author is a person or team, kept by name in ``PlanRecord.author``.
* ``Goal.target.detail[x]`` is one of Quantity, Range, CodeableConcept, string, boolean, integer
  or Ratio; each is read and written out in ``GoalTarget.detail`` (``< 53 mmol/mol``, ``4-7
  mmol/L`` with an en dash, ``≥ 150 min``); quantities and range ends are also kept as they are
  (``quantity``, ``low``, ``high``).

Tolerated: a missing ``end`` or ``start``, offsets ``Z``/``±hh:mm``, fractional seconds, bare or
partial dates (read as Copenhagen local midnight), OperationOutcome and ``include`` entries in a
searchset, literal references absolute or relative, and ``expressedBy`` for a Goal's organisation.
"""

from __future__ import annotations

from connectors.fhirappointment import appointment
from connectors.fhirelements import CPR_SYSTEM, RESPONSIBLE_ORG, SOR_SYSTEM
from connectors.fhirgoal import goal
from connectors.fhirplan import care_plan

__all__ = ["CPR_SYSTEM", "RESPONSIBLE_ORG", "SOR_SYSTEM", "appointment", "care_plan", "goal"]
