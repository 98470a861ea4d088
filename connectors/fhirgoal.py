"""A FHIR R4 ``Goal`` as a ``GoalRecord``: pure, strict on structure.

``Goal.target.detail[x]`` is one of Quantity, Range, CodeableConcept, string, boolean, integer or
Ratio; each is read and written out in ``GoalTarget.detail`` (``connectors/fhirquantity.py``
writes quantities and ranges). The organisation is the eHealth responsible-organisation
extension, else a SOR-identified ``expressedBy``.
"""

from __future__ import annotations

from connectors.fhirelements import SOR_SYSTEM, identifier, lifecycle, responsible
from connectors.fhirjson import (
    FhirFormatError,
    Json,
    concept_code,
    concept_text,
    obj,
    objs,
    opt_obj,
    opt_str,
    parse_date,
    req_str,
)
from connectors.fhirquantity import quantity_text, range_text, read_quantity
from domain.records import GoalRecord, GoalTarget, OrgRef

GOAL_STATUSES = frozenset(
    (
        "proposed",
        "planned",
        "accepted",
        "active",
        "on-hold",
        "completed",
        "cancelled",
        "entered-in-error",
        "rejected",
    )
)


def goal(res: Json, *, source: str, cpr: str) -> GoalRecord:
    """A ``Goal`` resource as a ``GoalRecord``."""
    rid = req_str(res, "id", "Goal")
    where = f"Goal/{rid}"
    status = lifecycle(res, "Goal.lifecycleStatus", GOAL_STATUSES, cpr, where)
    description = concept_text(obj(res.get("description"), f"{where}.description"), where)
    organization = responsible(res, where)
    expressed = opt_obj(res, "expressedBy", where)
    if organization is None and expressed is not None:
        sor = identifier(expressed, SOR_SYSTEM, f"{where}.expressedBy")
        organization = OrgRef(sor, opt_str(expressed, "display", where)) if sor else None
    targets = [_target(t, f"{where}.target[{i}]") for i, t in enumerate(objs(res, "target", where))]
    start = res.get("startDate")
    return GoalRecord(
        source=source,
        id=rid,
        description=description or "Mål",
        lifecycle_status=status,
        achievement_status=concept_code(opt_obj(res, "achievementStatus", where), where),
        start=None if start is None else parse_date(start, f"{where}.startDate"),
        targets=tuple(targets),
        organization=organization,
        addresses=tuple(
            r for a in objs(res, "addresses", where) if (r := opt_str(a, "reference", where))
        ),
    )


def _target(t: Json, at: str) -> GoalTarget:
    """One ``Goal.target``, its ``detail[x]`` read in whichever of R4's forms it comes."""
    due = t.get("dueDate")
    quantity = read_quantity(opt_obj(t, "detailQuantity", at), f"{at}.detailQuantity")
    span = opt_obj(t, "detailRange", at)
    low = (
        read_quantity(opt_obj(span, "low", f"{at}.detailRange"), f"{at}.detailRange.low")
        if span
        else None
    )
    high = (
        read_quantity(opt_obj(span, "high", f"{at}.detailRange"), f"{at}.detailRange.high")
        if span
        else None
    )
    detail = opt_str(t, "detailString", at)
    if detail is None and quantity is not None:
        detail = quantity_text(quantity)
    if detail is None and (low is not None or high is not None):
        detail = range_text(low, high)
    if detail is None:
        detail = concept_text(opt_obj(t, "detailCodeableConcept", at), at)
    if detail is None and isinstance(t.get("detailBoolean"), bool):
        detail = "Ja" if t["detailBoolean"] else "Nej"
    if detail is None and "detailInteger" in t:
        value = t["detailInteger"]
        if not isinstance(value, int) or isinstance(value, bool):
            raise FhirFormatError(f"{at}.detailInteger must be an integer")
        detail = str(value)
    if detail is None and (ratio := opt_obj(t, "detailRatio", at)) is not None:
        parts = [
            read_quantity(opt_obj(ratio, side, f"{at}.detailRatio"), f"{at}.detailRatio.{side}")
            for side in ("numerator", "denominator")
        ]
        if all(p is not None for p in parts):
            detail = " / ".join(quantity_text(p) for p in parts if p is not None)
    return GoalTarget(
        measure=concept_text(opt_obj(t, "measure", at), at),
        detail=detail,
        due=None if due is None else parse_date(due, f"{at}.dueDate"),
        quantity=quantity,
        low=low,
        high=high,
    )
