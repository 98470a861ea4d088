"""Blocks (spærringer), overrides (værdispring) and the patient's access log (Min Log)."""

from __future__ import annotations

import base64
import binascii
import enum
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain import blocks as rules
from domain.access import Category
from domain.actor import Actor
from domain.cpr import normalise_cpr
from domain.errors import BadInputError, ForbiddenError, NotFoundError, UpstreamError
from domain.principals import Citizen, Clinician, Relative
from resolvers import attempts, calendar
from resolvers.context import Context
from resolvers.paging import After, Before, First, Last, page_args
from resolvers.types import DataCategory, Organization, PageInfo, PatientCpr
from resolvers.vocab import AccessAction, Role, described, graph_enum
from store.auditlog import REFUSED, AccessLogEntry

BLOCK_ID = re.compile(r"[0-9a-f]{32}")  # what Store.create_block hands out (uuid4 hex)

if TYPE_CHECKING:
    BlockKind = rules.BlockKind
else:
    BlockKind = described(
        rules.BlockKind,
        "BlockKind",
        "What a block filters by.",
        {
            "PROFESSIONAL": "One health professional, by authorisation id: everything.",
            "TREATMENT_PLACE": "One SOR unit (optionally with its sub-units): what it owns.",
            "PERIOD": "A time span: appointments, plans and goals in it (never the stamkort).",
        },
    )


@graph_enum(
    "Why a clinician may override the patient's blocks.",
    CONSENT_NOW="The patient consents now, in the situation.",
    PATIENT_UNREACHABLE="The patient cannot be asked, and the information is needed to treat her.",
)
class OverrideBasis(enum.Enum):
    CONSENT_NOW = "consent_now"
    PATIENT_UNREACHABLE = "patient_unreachable"


@strawberry.type(description="A block (spærring / negativt samtykke) set by the patient.")
class Block:
    id: strawberry.ID = strawberry.field(description="Block id.")
    kind: BlockKind = strawberry.field(
        description="Health professional, treatment place or period."
    )
    authorisation_id: str | None = strawberry.field(description="Blocked professional.")
    sor: str | None = strawberry.field(description="Blocked treatment place (SOR id).")
    include_sub_units: bool = strawberry.field(description="Also every unit below `sor`.")
    period_start: datetime | None = strawberry.field(description="Blocked period: start.")
    period_end: datetime | None = strawberry.field(
        description="Blocked period: end (open if null)."
    )
    valid_from: datetime = strawberry.field(description="The block applies from.")
    valid_to: datetime | None = strawberry.field(description="The block applies until.")
    created_at: datetime = strawberry.field(description="When it was created.")
    created_by_role: Role = strawberry.field(
        description="Who made it: the patient (CITIZEN) or a fuldmagt relative (RELATIVE)."
    )
    ended_at: datetime | None = strawberry.field(description="When it was ended, if it was.")
    active: bool = strawberry.field(description="In force now.")

    @classmethod
    def of(cls, b: rules.Block, now: datetime) -> Block:
        return cls(
            id=strawberry.ID(b.id),
            kind=b.kind,
            authorisation_id=b.authorisation_id,
            sor=b.sor,
            include_sub_units=b.include_subunits,
            period_start=b.period_start,
            period_end=b.period_end,
            valid_from=b.valid_from,
            valid_to=b.valid_to,
            created_at=b.created_at,
            created_by_role=Role(b.created_by_role),
            ended_at=b.ended_at,
            active=b.active_at(now),
        )


@strawberry.input(description="A new block. Give the field that matches `kind`.")
class CreateBlockInput:
    cpr: str = strawberry.field(description="The patient.")
    kind: BlockKind = strawberry.field(description="What to block by.")
    authorisation_id: str | None = strawberry.field(
        default=None, description="PROFESSIONAL: the professional's authorisation id (5 chars)."
    )
    sor: str | None = strawberry.field(
        default=None, description="TREATMENT_PLACE: the SOR id of the unit."
    )
    include_sub_units: bool = strawberry.field(
        default=False, description="TREATMENT_PLACE: also every unit below it in SOR."
    )
    period_start: datetime | None = strawberry.field(default=None, description="PERIOD: start.")
    period_end: datetime | None = strawberry.field(default=None, description="PERIOD: end.")
    valid_from: datetime | None = strawberry.field(
        default=None, description="When the block starts to apply (default: now)."
    )
    valid_to: datetime | None = strawberry.field(
        default=None, description="When it stops applying (default: until ended)."
    )


@strawberry.type(description="A clinician's time-limited override of the patient's blocks.")
class Override:
    id: strawberry.ID = strawberry.field(description="Override id.")
    basis: OverrideBasis = strawberry.field(description="Consent now, or patient unreachable.")
    reason: str = strawberry.field(description="The clinician's reason.")
    granted_at: datetime = strawberry.field(description="When it was granted.")
    expires_at: datetime = strawberry.field(description="When it lapses.")


@strawberry.input(description="An override request.")
class OverrideInput:
    cpr: str = strawberry.field(description="The patient in your EPJ context.")
    basis: OverrideBasis = strawberry.field(description="Why an override is allowed now.")
    reason: str = strawberry.field(description="Why you need the withheld information.")


async def _sor_exists(info: Info[Context, None], sor: str) -> None:
    """A treatment-place block names a unit SOR knows (the one rule that needs a source)."""
    known = await info.context.services.sources.org_exists(sor)
    if known is None:
        raise UpstreamError("stamdata", "SOR cannot be checked right now; try again shortly.")
    if not known:
        raise BadInputError("'sor' is not a unit known to SOR.", field="sor")


def _log_relative(ctx: Context, cpr: str, action: str) -> None:
    if isinstance(ctx.principal, Relative):
        ctx.state.subject(cpr, action)


async def create_block(
    info: Info[Context, None],
    input: Annotated[CreateBlockInput, strawberry.argument(description="The block to make.")],
) -> Block:
    ctx = info.context
    now = ctx.state.now
    cpr = normalise_cpr(input.cpr)
    ctx.state.claim(cpr, "block")
    creator = Actor.of(attempts.may_manage(ctx, cpr, calendar.local_date(now)))
    block = rules.Block.new(  # every block rule (domain/blocks.py)
        patient_cpr=cpr,
        kind=input.kind.value,
        valid_from=input.valid_from or now,
        valid_to=input.valid_to,
        authorisation_id=input.authorisation_id,
        sor=input.sor,
        include_subunits=input.include_sub_units,
        period_start=input.period_start,
        period_end=input.period_end,
        created_by=creator.id,
        created_by_role=creator.role,
        now=now,
    )
    if block.sor is not None:
        await _sor_exists(info, block.sor)
    await ctx.services.blocks.add(block)
    _log_relative(ctx, cpr, "block")
    return Block.of(block, now)


async def end_block(
    info: Info[Context, None],
    cpr: PatientCpr,
    id: Annotated[strawberry.ID, strawberry.argument(description="The block to end (`Block.id`).")],
) -> Block:
    ctx = info.context
    now = ctx.state.now
    cpr = normalise_cpr(cpr)
    ctx.state.claim(cpr, "unblock")
    actor = attempts.may_manage(ctx, cpr, calendar.local_date(now))
    if not BLOCK_ID.fullmatch(str(id)):
        # Not an id we could have made: like any unknown id, and it never reaches the database.
        raise NotFoundError("No such block.")
    block = await ctx.services.blocks.end_block(cpr, str(id), ended_by=actor.cpr, now=now)
    _log_relative(ctx, cpr, "unblock")
    return Block.of(block, now)


async def override_blocks(
    info: Info[Context, None],
    input: Annotated[
        OverrideInput, strawberry.argument(description="The patient, the basis and your reason.")
    ],
) -> Override:
    ctx = info.context
    now = ctx.state.now
    cpr = normalise_cpr(input.cpr)
    ctx.state.claim(cpr, "override")
    clinician = ctx.principal
    if not isinstance(clinician, Clinician):
        raise ForbiddenError("Only health professionals can override a patient's blocks.")
    attempts.may_view(ctx, cpr, calendar.local_date(now))
    window = timedelta(minutes=ctx.services.settings.policy.override_window_minutes)
    o = rules.Override.new(  # every override rule (domain/blocks.py)
        patient_cpr=cpr,
        authorisation_id=clinician.authorisation_id,
        clinician_name=clinician.name,
        sor=clinician.sor,
        basis=input.basis.value,
        reason=input.reason,
        now=now,
        window=window,
    )
    await ctx.services.overrides.add(o)
    ctx.state.subject(cpr, "override", override_id=o.id, override_reason=o.reason)
    return Override(
        id=strawberry.ID(o.id),
        basis=OverrideBasis(o.basis),
        reason=o.reason,
        granted_at=o.granted_at,
        expires_at=o.expires_at,
    )


def _owner(ctx: Context, cpr: str) -> Citizen | Relative:
    if isinstance(ctx.principal, Clinician):
        raise ForbiddenError("Only the patient or a relative with fuldmagt can see this.")
    return ctx.principal


async def resolve_blocks(root: strawberry.Parent[object], info: Info[Context, None]) -> list[Block]:
    ctx = info.context
    cpr: str = root.cpr  # type: ignore[attr-defined]
    _owner(ctx, cpr)
    now = ctx.state.now
    return [Block.of(b, now) for b in await ctx.services.blocks.list_blocks(cpr)]


@strawberry.type(description="One lookup of the patient's data (Min Log).")
class AccessLogItem:
    at: datetime = strawberry.field(description="When.")
    viewer_name: str = strawberry.field(description="Who looked.")
    viewer_role: Role = strawberry.field(
        description="CLINICIAN or RELATIVE; CITIZEN only on a refused attempt."
    )
    authorisation_id: str | None = strawberry.field(description="The clinician's authorisation id.")
    organization: Organization | None = strawberry.field(description="The viewer's organisation.")
    action: AccessAction = strawberry.field(description="What was done.")
    refused: bool = strawberry.field(
        description="A refused attempt: someone outside the patient's circle (another "
        "patient's clinician, a relative whose fuldmagt does not cover her now, another "
        "citizen) asked for her data and was turned away. Nothing was shown; `categories` is "
        "empty."
    )
    categories: list[DataCategory] = strawberry.field(
        description="Data categories that were returned."
    )
    override_used: bool = strawberry.field(description="An override was in force.")
    override_reason: str | None = strawberry.field(description="The override's reason.")
    request_id: str = strawberry.field(description="Correlation id of the request.")


@strawberry.type(description="An access-log entry with its place in the log.")
class AccessLogEdge:
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` or `before` to page from here."
    )
    node: AccessLogItem = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the access log, newest first.")
class AccessLogConnection:
    nodes: list[AccessLogItem] = strawberry.field(
        description="Entries of this page (`edges` without cursors)."
    )
    edges: list[AccessLogEdge] = strawberry.field(
        description="Entries of this page, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(description="Where this page sits in the log.")
    total_count: int = strawberry.field(description="All entries for the patient.")


def _item(e: AccessLogEntry) -> AccessLogItem:
    clinician = e.actor_role == "clinician"
    return AccessLogItem(
        at=e.at,
        viewer_name=e.actor_name,
        viewer_role=Role(e.actor_role),
        authorisation_id=e.actor_id if clinician else None,
        organization=Organization(sor=e.actor_org_sor, name=e.actor_org_name)
        if e.actor_org_sor
        else None,
        action=AccessAction(e.action),
        refused=e.action == REFUSED,
        categories=[Category(c) for c in e.categories],
        override_used=e.override_id is not None,
        override_reason=e.override_reason,
        request_id=e.request_id,
    )


def _log_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"log|{seq}".encode()).decode().rstrip("=")


def _log_seq(cursor: str | None, field: str) -> int | None:
    if not cursor:
        return None
    try:
        kind, seq = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        if kind != "log" or not seq.isdigit():
            raise ValueError(cursor)
        return int(seq)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInputError(f"The cursor '{field}' is not valid.", field=field) from exc


async def resolve_access_log(
    root: strawberry.Parent[object],
    info: Info[Context, None],
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> AccessLogConnection:
    ctx = info.context
    cpr: str = root.cpr  # type: ignore[attr-defined]
    _owner(ctx, cpr)
    args = page_args(first, after, last, before, default=20, maximum=200)
    page = await ctx.services.access_log.page(
        cpr,
        first=args.size,
        after=_log_seq(args.after, "after"),
        before=_log_seq(args.before, "before"),
        from_oldest=args.backward,
    )
    edges = [AccessLogEdge(cursor=_log_cursor(e.seq), node=_item(e)) for e in page.entries]
    return AccessLogConnection(
        nodes=[edge.node for edge in edges],
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_older,
            has_previous_page=page.has_newer,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=page.total,
    )
