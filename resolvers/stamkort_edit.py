"""``updateStamkort``: edit the self-entered stamkort fields, with provenance and versioning."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from domain import stamkort as rules
from domain.access import Category, Scope, category_denied
from domain.actor import Actor
from domain.cpr import normalise_cpr
from domain.entered import Provenance, StamkortState
from domain.errors import BadInputError, BlockedError, StaleEditError
from domain.principals import Citizen, Clinician
from resolvers import attempts, calendar
from resolvers.context import Context
from resolvers.guard import withhold
from resolvers.pipeline import STAMKORT, decide_stamkort, read_scope, visible_edits
from resolvers.stamkort import EnteredValue, StamkortField, entered_value, number_visible
from resolvers.vocab import RelationshipCode


@strawberry.input(description="A temporary address with its validity.")
class TemporaryAddressInput:
    lines: list[str] = strawberry.field(description="1-3 street lines.")
    postcode: str = strawberry.field(description="Danish postcode (4 digits).")
    city: str = strawberry.field(description="City.")
    valid_from: date = strawberry.field(description="From (inclusive).")
    valid_to: date | None = strawberry.field(default=None, description="Until (inclusive).")


@strawberry.input(description="The patient's dentist.")
class DentistInput:
    name: str = strawberry.field(description="Name of the dentist or clinic.")
    phone: str | None = strawberry.field(default=None, description="Phone number.")
    address: str | None = strawberry.field(default=None, description="Address, one line.")


@strawberry.input(description="A relative (pårørende) to contact.")
class RelativeInput:
    name: str = strawberry.field(description="Name.")
    phone: str = strawberry.field(description="Phone number.")
    relation: RelationshipCode = strawberry.field(
        description="How the relative is related to the patient."
    )


@strawberry.input(description="Changes to the stamkort. Omitted fields stay as they are.")
class UpdateStamkortInput:
    cpr: str = strawberry.field(description="The patient.")
    expected_version: int = strawberry.field(
        description="The `Stamkort.version` the edit is based on; a stale version is refused."
    )
    phone: str | None = strawberry.field(default=None, description="New phone number.")
    temporary_address: TemporaryAddressInput | None = strawberry.field(
        default=None, description="New temporary address."
    )
    dentist: DentistInput | None = strawberry.field(default=None, description="New dentist.")
    language: str | None = strawberry.field(
        default=None, description="Preferred language, ISO 639 code (e.g. `da`, `en`, `ar`)."
    )
    relatives: list[RelativeInput] | None = strawberry.field(
        default=None, description="The full new list of relatives."
    )
    clear: list[StamkortField] | None = strawberry.field(
        default=None, description="Fields to clear."
    )


@strawberry.type(description="The self-entered stamkort fields after an edit.")
class StamkortEditResult:
    version: int = strawberry.field(description="The new version.")
    phone: EnteredValue | None = strawberry.field(description="Phone number.")
    temporary_address: EnteredValue | None = strawberry.field(description="Temporary address.")
    dentist: EnteredValue | None = strawberry.field(description="Dentist.")
    language: EnteredValue | None = strawberry.field(description="Preferred language.")
    relatives: EnteredValue | None = strawberry.field(description="Relatives.")


MAX_RELATIVES = 20


def _camel(path: str) -> str:
    """``"temporary_address.valid_to"`` → ``"temporaryAddress.validTo"``: the input's names."""
    head, *rest = path.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def changes_of(data: UpdateStamkortInput) -> dict[str, Any]:
    """Validate the input into JSON values per field (``None`` clears).

    Raises ``BadInputError`` whose ``field`` names the input as the schema spells it, e.g.
    ``"phone"``, ``"temporaryAddress.postcode"``, ``"relatives.relation"``.
    """
    try:
        return _changes(data)
    except BadInputError as exc:
        field = exc.extensions.get("field")
        if not isinstance(field, str):
            raise
        raise BadInputError(exc.message, field=_camel(field)) from exc


def _changes(data: UpdateStamkortInput) -> dict[str, Any]:
    changes: dict[str, Any] = {f.value: None for f in data.clear or []}
    if data.phone is not None:
        changes["phone"] = rules.validate_phone(data.phone)
    if data.temporary_address is not None:
        t = data.temporary_address
        changes["temporary_address"] = rules.validate_temporary_address(
            t.lines, t.postcode, t.city, t.valid_from, t.valid_to
        )
    if data.dentist is not None:
        d = data.dentist
        changes["dentist"] = rules.validate_dentist(d.name, d.phone, d.address)
    if data.language is not None:
        code, name = rules.validate_language(data.language)
        changes["language"] = {"code": code, "name": name}
    if data.relatives is not None:
        if len(data.relatives) > MAX_RELATIVES:
            raise BadInputError(f"At most {MAX_RELATIVES} relatives.", field="relatives")
        changes["relatives"] = [
            rules.validate_relative(r.name, r.phone, r.relation.value) for r in data.relatives
        ]
    cleared = {f.value for f in data.clear or []}
    both = cleared & {k for k, v in changes.items() if v is not None}
    if both:
        names = ", ".join(sorted(_camel(f) for f in both))
        raise BadInputError(f"A field cannot be both set and cleared: {names}.", field="clear")
    if not changes:
        raise BadInputError("Nothing to change.")
    return changes


def provenance_of(ctx: Context) -> Provenance:
    a = Actor.of(ctx.principal)
    return Provenance(a.id, a.name, a.role, a.org_sor, a.org_name)


async def update_stamkort(
    info: Info[Context, None],
    input: Annotated[
        UpdateStamkortInput,
        strawberry.argument(description="The patient, the version you saw, and the changes."),
    ],
) -> StamkortEditResult:
    ctx = info.context
    now = ctx.state.now
    cpr = normalise_cpr(input.cpr)
    ctx.state.claim(cpr, "edit")
    attempts.may_view(ctx, cpr, calendar.local_date(now))
    scope: Scope | None = None
    if isinstance(ctx.principal, Clinician):
        scope = await read_scope(ctx, cpr)
        if category_denied(scope, Category.STAMKORT):
            raise BlockedError("The patient has blocked you from their stamkort.")
    changes = changes_of(input)
    if not isinstance(ctx.principal, Citizen):
        ctx.state.subject(cpr, "edit", categories={Category.STAMKORT})
    # A clinician whose blocks hide some edits counts versions over the edits they can see
    # (as ``Stamkort.version`` does for them); the store compares real versions.
    counted = scope if scope is not None and scope.may_hide_stamkort_edits else None
    expected = input.expected_version
    try:
        if counted is not None:
            expected, seen = await _visible_edits(ctx, counted, cpr)
            if len(seen) != input.expected_version:
                raise StaleEditError(_stale(input.expected_version), current_version=expected)
        state = await ctx.services.stamkort.update_stamkort(
            cpr,
            expected_version=expected,
            changes=changes,
            provenance=provenance_of(ctx),
            now=now,
        )
    except StaleEditError as exc:
        current, message = exc.extensions["current_version"], exc.message
        if counted is not None:  # never the real numbers: they count the hidden edits
            current = len((await _visible_edits(ctx, counted, cpr))[1])
            message = _stale(input.expected_version)
        # Extension keys are camelCase, as the schema's names are.
        raise StaleEditError(
            message, expectedVersion=input.expected_version, currentVersion=current
        ) from exc
    values = dict(state.values)
    version: int = state.version
    numbering: dict[int, int] | None = None
    if scope is not None:
        # The result shows the whole card: what a treatment-place block hides from this
        # clinician on the stamkort stays hidden here too, decided as the overview decides.
        entries = await ctx.services.stamkort.stamkort_entries(cpr) if counted is not None else None
        decision = await decide_stamkort(ctx, scope, state, entries)
        verdict = decision.verdicts[STAMKORT]
        if verdict.withheld:
            withhold(ctx.state, info.path.as_list())
        shown = {id(v) for v in verdict.visible}
        values = {f: v for f, v in values.items() if id(v) in shown}
        edits = visible_edits(decision)
        if edits is not None:
            numbering = number_visible(v.version for v in edits)
            version = len(numbering)
    shown_values = {f: entered_value(v) for f, v in values.items()}
    if numbering is not None:
        shown_values = {
            f: replace(v, version=numbering.get(v.version, 0)) for f, v in shown_values.items()
        }
    return StamkortEditResult(
        version=version,
        phone=shown_values.get("phone"),
        temporary_address=shown_values.get("temporary_address"),
        dentist=shown_values.get("dentist"),
        language=shown_values.get("language"),
        relatives=shown_values.get("relatives"),
    )


def _stale(version: int) -> str:
    return (
        f"The stamkort was changed by someone else since version {version}; reload and try again."
    )


async def _visible_edits(ctx: Context, scope: Scope, cpr: str) -> tuple[int, dict[int, int]]:
    """The stamkort's real version, and the viewer's numbering of the edits they may see."""
    entries = await ctx.services.stamkort.stamkort_entries(cpr)
    decision = await decide_stamkort(ctx, scope, StamkortState(0, {}), entries)
    visible = visible_edits(decision) or ()
    return max((v.version for v in entries), default=0), number_visible(v.version for v in visible)
