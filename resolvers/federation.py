"""The graph as an Apollo Federation 2 subgraph: the patient as an entity, keyed by CPR.

With ``[graphql] federation`` on, ``resolvers/schema.py`` builds a federation schema that adds
``_service { sdl }`` and ``_entities(representations:)`` for ``PatientEntity``. A supergraph's
router resolves a patient named by another subgraph through ``_entities``; nothing here opens a
path around the overview's rules:

- each representation is checked first (:func:`entities`): at most ``limits.max_aliases`` of
  them, each exactly ``{"__typename": "PatientEntity", "cpr": "…"}`` with a well-formed CPR
  number; a malformed one is a ``BAD_USER_INPUT`` error at its index and nothing is read for it;
- then ``resolve_reference`` runs ``overview.admit``, as ``patientOverview`` does: one patient
  per operation, tenancy (a refusal recorded in her Min Log), synchronously, in order;
- ``PatientEntity.overview`` is ``overview.overview_of``, the same function as
  ``patientOverview``'s: blocks and override, the access-log subject, plan, fetch, decide, and
  the same guarded fields.

Why not the public ``Patient`` type: that is who an overview is about, read from CPR under the
overview's ``patient`` field and withheld with the stamkort; it has no rules of its own to run
and making it an entity would change ``schema.graphql`` for every client. So the entity is a
type of its own, present only in the federation schema.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from domain.errors import BadInputError
from resolvers.context import Context
from resolvers.overview import PatientOverview, admit, overview_of

ENTITY = "PatientEntity"
KEY = "cpr"
TOO_MANY = "At most {limit} representations per request."
MALFORMED = (
    'A representation must be {"__typename": "PatientEntity", "cpr": "<CPR number>"} '
    "and nothing else."
)


@strawberry.federation.type(
    name=ENTITY,
    keys=[KEY],
    description="A patient, as other subgraphs of a supergraph refer to her: by CPR number. "
    "Resolved under the same rules as `patientOverview` (tenancy, blocks, the access log).",
)
class PatientEntity:
    # Made only by ``resolve_reference``, after ``admit``.
    cpr: str = strawberry.field(description="The patient's CPR number (`DDMMYYSSSS`), the key.")

    @strawberry.field(
        description="The patient's overview, as `patientOverview(cpr)` gives it: the same "
        "rules, the same blocked fields, the same access-log entry."
    )
    async def overview(self, info: Info[Context, None]) -> PatientOverview:
        return await overview_of(info, self.cpr)

    @classmethod
    def resolve_reference(cls, info: Info[Context, None], cpr: str) -> PatientEntity:
        return cls(cpr=admit(info.context, cpr))


def _checked(representation: Any) -> str:
    """The CPR number a representation names, or ``BadInputError``."""
    if (
        not isinstance(representation, dict)
        or representation.keys() != {"__typename", KEY}
        or representation["__typename"] != ENTITY
        or not isinstance(representation[KEY], str)
    ):
        raise BadInputError(MALFORMED)
    cpr: str = representation[KEY]
    return cpr


def entities(info: Info[Context, None], representations: list[Any], limit: int) -> list[Any]:
    """``_entities``: each representation's ``PatientEntity``, or the error at its index.

    Every representation is checked before any is resolved; over ``limit`` of them, the whole
    field is refused. Synchronous: each ``resolve_reference`` claims its patient in order.
    """
    if len(representations) > limit:
        raise BadInputError(TOO_MANY.format(limit=limit))
    checked: list[str | BadInputError] = []
    for representation in representations:
        try:
            checked.append(_checked(representation))
        except BadInputError as exc:
            checked.append(exc)
    results: list[Any] = []
    for cpr in checked:
        if isinstance(cpr, BadInputError):
            results.append(cpr)
            continue
        try:
            results.append(PatientEntity.resolve_reference(info, cpr))
        except Exception as exc:  # FORBIDDEN, a malformed number, a second patient: its error
            results.append(exc)
    return results
