"""The root Query and Mutation types."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import blocks, feed, stamkort_edit
from resolvers.context import Context
from resolvers.organizations import OrganizationUnit, search_organizations
from resolvers.overview import PatientOverview, patient_overview
from resolvers.types import PatientCpr


@strawberry.type(description="Read the unified patient overview.")
class Query:
    @strawberry.field(
        description="One patient's overview. Citizens see themselves, relatives the patient "
        "their fuldmagt covers (while valid), clinicians the patient in EPJ launch context. "
        "`cpr` is `DDMMYY-SSSS` (hyphen optional)."
    )
    async def patient_overview(self, info: Info[Context, None], cpr: PatientCpr) -> PatientOverview:
        return await patient_overview(info, cpr)

    organizations: list[OrganizationUnit] = strawberry.field(
        resolver=search_organizations,
        description="Search SOR for health-care units by name, e.g. to choose a treatment place "
        "to block. Any signed-in user; no patient data is involved, and nothing is logged.",
    )


@strawberry.type(description="Change what the gateway itself owns: blocks, overrides, stamkort.")
class Mutation:
    create_block: blocks.Block = strawberry.mutation(
        resolver=blocks.create_block,
        description="Create a block (spærring) for a patient. Patient or fuldmagt relative only. "
        "It hides data from health professionals from the next request on; never from the patient "
        "or a fuldmagt relative. PROFESSIONAL: everything, from the professional with that "
        "authorisation id. TREATMENT_PLACE: data owned by that SOR unit (with `includeSubUnits`, "
        "by any unit below it); a record that names no organisation is owned by its source. "
        "PERIOD: appointments, plans and goals whose time span overlaps the period, never the "
        "stamkort. Spans are half-open, `[start, end)`: an appointment ending exactly when the "
        "period starts, or starting exactly when it ends, is outside it; one without an end is "
        "the instant it starts; a plan without an end is ongoing; a goal runs from its start "
        "date to the end of its last target's due date, or is ongoing; data with only an end "
        "has run up to it; undated data is in no period.",
    )
    end_block: blocks.Block = strawberry.mutation(
        resolver=blocks.end_block,
        description="End a block now; it stays in the block history.",
    )
    override_blocks: blocks.Override = strawberry.mutation(
        resolver=blocks.override_blocks,
        description="Override (værdispring) the patient's blocks for a short window. Clinicians "
        "only, for the patient in context, with a basis and a reason; logged and shown to the "
        "patient.",
    )
    update_stamkort: stamkort_edit.StamkortEditResult = strawberry.mutation(
        resolver=stamkort_edit.update_stamkort,
        description="Edit the patient's self-entered stamkort fields (`*`), based on "
        "`expectedVersion`.",
    )
    rotate_calendar_feed: feed.CalendarFeed = strawberry.mutation(
        resolver=feed.rotate_calendar_feed,
        description="Create or replace the secret iCalendar feed URL (the old URL stops working).",
    )
    confirm_calendar_feed: feed.CalendarFeed | None = strawberry.mutation(
        resolver=feed.confirm_calendar_feed,
        description="Confirm your iCalendar feed with your token as it is now, keeping its URL: "
        "a relative's feed stops `policy.feed_confirm_days` days after its last confirmation "
        "(and at the fuldmagt's end). Null when you have no feed.",
    )
    revoke_calendar_feed: bool = strawberry.mutation(
        resolver=feed.revoke_calendar_feed,
        description="Revoke your iCalendar feed URL, or (the patient, with `id`) any feed on her "
        "data. Returns whether there was one.",
    )
