"""The stamkort (master card): CPR data, the GP from Yderregisteret, and self-entered fields."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from connectors.registry import PersonResult
from domain.access import Category
from domain.decision import Decision
from domain.entered import StamkortState, StamkortValue
from resolvers.context import Context
from resolvers.guard import guarded
from resolvers.pipeline import STAMKORT, visible_edits
from resolvers.types import Address, Organization, PersonStatus
from resolvers.vocab import ProvenanceSource, Role, graph_enum


@graph_enum(
    "An editable (`*`) stamkort field.",
    PHONE="Phone number.",
    TEMPORARY_ADDRESS="Temporary address with its validity.",
    DENTIST="The patient's dentist.",
    LANGUAGE="Preferred language.",
    RELATIVES="Relatives to contact.",
)
class StamkortField(enum.Enum):
    PHONE = "phone"
    TEMPORARY_ADDRESS = "temporary_address"
    DENTIST = "dentist"
    LANGUAGE = "language"
    RELATIVES = "relatives"


@strawberry.type(description="Where a stamkort value comes from: which source, who, when.")
class Provenance:
    source: ProvenanceSource = strawberry.field(description="The register, or the overview.")
    entered_by_name: str | None = strawberry.field(description="Who entered it.")
    entered_by_role: Role | None = strawberry.field(
        description="The role they entered it in; null for register data."
    )
    entered_by_authorisation_id: str | None = strawberry.field(
        description="The clinician's authorisation id, when a clinician entered it."
    )
    organization: Organization | None = strawberry.field(
        description="The clinician's organisation, when a clinician entered it."
    )
    entered_at: datetime | None = strawberry.field(description="When it was entered.")


CPR_PROVENANCE = Provenance(
    source=ProvenanceSource.CPR,
    entered_by_name=None,
    entered_by_role=None,
    entered_by_authorisation_id=None,
    organization=None,
    entered_at=None,
)


@strawberry.type(description="The patient's GP (egen læge) from Yderregisteret and SOR.")
class GeneralPractitioner:
    name: str = strawberry.field(description="Name of the practice.")
    ydernummer: str = strawberry.field(description="Ydernummer of the practice.")
    sor: str | None = strawberry.field(description="SOR id of the practice.")
    address: Address | None = strawberry.field(description="Address of the practice.")
    phone: str | None = strawberry.field(description="Phone number of the practice.")
    doctors: list[str] = strawberry.field(description="Doctors of the practice.")


@strawberry.type(description="A self-entered stamkort value with its provenance.")
class EnteredValue:
    value: strawberry.scalars.JSON | None = strawberry.field(
        description="The value, shaped per field (see `updateStamkort`). Null only in "
        "`Stamkort.history`, where it records that the field was cleared."
    )
    version: int = strawberry.field(description="Stamkort version in which it was entered.")
    provenance: Provenance = strawberry.field(description="Who entered it, in which role, when.")


@strawberry.type(description="The patient's stamkort (shared master card).")
class Stamkort:
    cpr: str = strawberry.field(description="CPR number (from CPR).")
    name: str | None = strawberry.field(description="Name (from CPR).")
    status: PersonStatus | None = strawberry.field(description="Alive, deceased or emigrated.")
    registered_address: Address | None = strawberry.field(
        description="Folkeregisteradresse. Null for others than the patient and their relatives "
        "when the patient has name and address protection."
    )
    address_protected: bool = strawberry.field(
        description="The patient has name and address protection (navne- og adressebeskyttelse)."
    )
    health_insurance_group: int | None = strawberry.field(description="Sygesikringsgruppe 1 or 2.")
    gp: GeneralPractitioner | None = strawberry.field(
        description="The patient's GP. Null for group 2 (no fixed GP) — see `gpNote`."
    )
    gp_note: str | None = strawberry.field(description="Why there is no GP, when there is none.")
    phone: EnteredValue | None = strawberry.field(description="Phone number `*` (E.164).")
    temporary_address: EnteredValue | None = strawberry.field(
        description="Temporary address `*`: {lines, postcode, city, valid_from, valid_to}."
    )
    dentist: EnteredValue | None = strawberry.field(
        description="Dentist `*`: {name, phone, address}."
    )
    language: EnteredValue | None = strawberry.field(
        description="Preferred communication language `*`: {code (ISO 639), name}."
    )
    relatives: EnteredValue | None = strawberry.field(
        description="Relatives `*`: a list of {name, phone, relation, relation_display}."
    )
    version: int = strawberry.field(
        description="Version of the self-entered fields, counting the edits the viewer can see; "
        "pass it as `expectedVersion` to edit."
    )
    provenance: Provenance = strawberry.field(description="Provenance of the CPR fields.")
    # When blocks may hide some edits from the viewer: the visible history of each field,
    # and each visible edit's version mapped to its number among the visible edits.
    visible_history: strawberry.Private[dict[str, list[StamkortValue]] | None] = None
    numbering: strawberry.Private[dict[int, int] | None] = None

    @guarded(
        Category.STAMKORT,
        "Every value ever entered in one editable field, newest first: earlier values are kept, "
        "each with its provenance; a clearing shows as a null `value`.",
        part=lambda args: f"history:{args['field'].value}",
    )
    async def history(
        self,
        info: Info[Context, None],
        field: Annotated[
            StamkortField,
            strawberry.argument(description="The editable field whose values to list."),
        ],
    ) -> list[EnteredValue] | None:
        if self.visible_history is None or self.numbering is None:
            # No block can hide an edit from this viewer. A database failure arrives as
            # STORE_UNAVAILABLE (store/database.py).
            values = await info.context.services.stamkort.stamkort_history(self.cpr, field.value)
            return [entered_value(v) for v in values]
        # The edits the decision left visible, numbered as the viewer counts them.
        numbering = self.numbering
        shown = sorted(self.visible_history.get(field.value, []), key=lambda v: -v.version)
        return [replace(entered_value(v), version=numbering.get(v.version, 0)) for v in shown]


def number_visible(versions: Iterable[int]) -> dict[int, int]:
    """Each visible edit's version mapped to its number among the visible edits (1, 2, ...)."""
    return {v: n for n, v in enumerate(sorted(set(versions)), start=1)}


def entered_value(v: StamkortValue) -> EnteredValue:
    p = v.provenance
    clinician = p.role == "clinician"
    return EnteredValue(
        value=v.value,
        version=v.version,
        provenance=Provenance(
            source=ProvenanceSource.STAMKORT,
            entered_by_name=p.name,
            entered_by_role=Role(p.role),
            entered_by_authorisation_id=p.id if clinician else None,
            organization=Organization(sor=p.org_sor, name=p.org_name) if p.org_sor else None,
            entered_at=v.entered_at,
        ),
    )


def stamkort_of(
    cpr: str,
    found: PersonResult,
    state: StamkortState,
    *,
    may_see_protected: bool,
    decision: Decision | None = None,
) -> Stamkort:
    """The card as the viewer may see it (all of it without a ``decision``): values a block
    hides are left out, and versions count only the edits the viewer can see, so that no gap or
    total tells of a hidden edit."""
    person, practice = found.person, found.practice
    gp = None
    note = None
    if practice is not None:
        gp = GeneralPractitioner(
            name=practice.name,
            ydernummer=practice.ydernummer,
            sor=practice.sor,
            address=Address.of(practice.address),
            phone=practice.phone,
            doctors=list(practice.doctors),
        )
    elif person is not None and person.insurance_group == 2:
        note = "Sygesikringsgruppe 2: no fixed GP (the patient may see any GP)."
    elif person is not None and not person.gp_ydernummer:
        note = "No GP is registered for the patient."
    protected = bool(person and person.protected)
    entered = state.values
    if decision is not None:
        shown = {id(v) for v in decision.verdicts[STAMKORT].visible}
        entered = {f: v for f, v in entered.items() if id(v) in shown}
    values = {f: entered_value(v) for f, v in entered.items()}
    version, numbering = state.version, None
    history: dict[str, list[StamkortValue]] | None = None
    edits = visible_edits(decision) if decision is not None else None
    if edits is not None:
        numbering = number_visible(v.version for v in edits)
        version = len(numbering)
        values = {f: replace(v, version=numbering.get(v.version, 0)) for f, v in values.items()}
        history = {}
        for v in edits:
            history.setdefault(v.field, []).append(v)
    return Stamkort(
        cpr=cpr,
        name=person.name if person else None,
        status=person.status if person else None,
        registered_address=(
            Address.of(person.address) if person and (may_see_protected or not protected) else None
        ),
        address_protected=protected,
        health_insurance_group=person.insurance_group if person else None,
        gp=gp,
        gp_note=note,
        phone=values.get("phone"),
        temporary_address=values.get("temporary_address"),
        dentist=values.get("dentist"),
        language=values.get("language"),
        relatives=values.get("relatives"),
        version=version,
        provenance=CPR_PROVENANCE,
        visible_history=history,
        numbering=numbering,
    )
