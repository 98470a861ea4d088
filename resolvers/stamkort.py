"""The stamkort (master card): CPR data, the GP from Yderregisteret, and self-entered fields."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry.types import Info

from connectors.registry import PersonResult
from domain.access import Category
from domain.records import Origin
from resolvers.context import Context
from resolvers.guard import guarded
from resolvers.types import Address, Organization, PersonStatus
from store.store import StamkortState, StamkortValue


@strawberry.enum(description="An editable (`*`) stamkort field.")
class StamkortField(enum.Enum):
    PHONE = "phone"
    TEMPORARY_ADDRESS = "temporary_address"
    DENTIST = "dentist"
    LANGUAGE = "language"
    RELATIVES = "relatives"


@strawberry.type(description="Where a stamkort value comes from: which source, who, when.")
class Provenance:
    source: str = strawberry.field(
        description="`CPR`, `Yderregisteret` or `stamkort` (entered in the overview)."
    )
    entered_by_name: str | None = strawberry.field(description="Who entered it.")
    entered_by_role: str | None = strawberry.field(
        description="`citizen`, `relative` or `clinician`."
    )
    entered_by_authorisation_id: str | None = strawberry.field(
        description="The clinician's authorisation id, when a clinician entered it."
    )
    organization: Organization | None = strawberry.field(
        description="The clinician's organisation, when a clinician entered it."
    )
    entered_at: datetime | None = strawberry.field(description="When it was entered.")


CPR_PROVENANCE = Provenance(
    source="CPR",
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
    origin: strawberry.Private[Origin]


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
    entered: strawberry.Private[dict[str, StamkortValue]]
    # Every edit's version and origin, loaded only when blocks may hide some of them from the
    # viewer; then ``numbering`` maps each visible edit's version to its number among them.
    edits: strawberry.Private[dict[int, Origin]] = dataclasses.field(default_factory=dict)
    numbering: strawberry.Private[dict[int, int] | None] = None

    @guarded(
        Category.STAMKORT,
        "Every value ever entered in one editable field, newest first: earlier values are kept, "
        "each with its provenance; a clearing shows as a null `value`.",
    )
    async def history(
        self, info: Info[Context, None], field: StamkortField
    ) -> list[EnteredValue] | None:
        # A database failure arrives as STORE_UNAVAILABLE (store/storebase.py).
        values = await info.context.services.store.stamkort_history(self.cpr, field.value)
        shown = [entered_value(v) for v in values]
        if self.numbering is None:
            return shown
        # Versions as the viewer counts them; entries without a number are hidden by the guard.
        return [replace(v, version=self.numbering.get(v.version, 0)) for v in shown]

    def origins(self) -> list[Origin]:
        return [_origin(v) for v in self.entered.values()] + list(self.edits.values())

    def restrict(self, keep: Any) -> tuple[Self, bool]:
        """Drop values entered by a clinician of a blocked treatment place, and count versions
        over the edits the viewer can see, so that no gap or total tells of a hidden edit."""
        hidden = [f for f, v in self.entered.items() if not keep(_origin(v))]
        numbering = number_visible(v for v, origin in self.edits.items() if keep(origin))
        if not hidden and len(numbering) == len(self.edits):
            return self, False
        kept = {f: v for f, v in self.entered.items() if f not in hidden}
        fields: dict[str, Any] = dict.fromkeys(hidden)
        for f in kept:
            value: EnteredValue = getattr(self, f)
            fields[f] = replace(value, version=numbering.get(value.version, 0))
        restricted = replace(
            self, entered=kept, version=len(numbering), numbering=numbering, **fields
        )
        return restricted, bool(hidden)


def number_visible(versions: Iterable[int]) -> dict[int, int]:
    """Each visible edit's version mapped to its number among the visible edits (1, 2, ...)."""
    return {v: n for n, v in enumerate(sorted(set(versions)), start=1)}


def edits_of(entries: Iterable[StamkortValue]) -> dict[int, Origin]:
    """Each edit (version) and its origin; all values of one edit share who made it."""
    return {v.version: _origin(v) for v in entries}


@dataclass(frozen=True, slots=True)
class EnteredOrigin:
    """A self-entered value seen only for its origin (for the access decision)."""

    value: StamkortValue

    @property
    def origin(self) -> Origin:
        return _origin(self.value)


def _origin(v: StamkortValue) -> Origin:
    # Only values entered by a clinician belong to a treatment place.
    sor = v.provenance.org_sor if v.provenance.role == "clinician" else None
    return Origin(sor, v.entered_at, v.entered_at)


def entered_value(v: StamkortValue) -> EnteredValue:
    p = v.provenance
    clinician = p.role == "clinician"
    return EnteredValue(
        value=v.value,
        version=v.version,
        origin=_origin(v),
        provenance=Provenance(
            source="stamkort",
            entered_by_name=p.name,
            entered_by_role=p.role,
            entered_by_authorisation_id=p.id if clinician else None,
            organization=Organization(sor=p.org_sor, name=p.org_name) if p.org_sor else None,
            entered_at=v.entered_at,
        ),
    )


def stamkort_of(
    cpr: str, found: PersonResult, state: StamkortState, *, may_see_protected: bool
) -> Stamkort:
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
    values = {f: entered_value(v) for f, v in state.values.items()}
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
        version=state.version,
        provenance=CPR_PROVENANCE,
        entered=dict(state.values),
    )
