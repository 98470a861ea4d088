"""The calendar feed's view of the patient: the overview's pipeline for its one part.

The route (``gateway/app.py``) found a live feed by its secret; this runs the same stages as
``patientOverview`` for the feed's owner — fetch the appointments under the fetch budget, decide
— so its access-log entry is built by the same builder (``resolvers/audit.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from connectors.registry import SourceResult
from domain.access import Category
from domain.clock import local_date
from domain.principals import Citizen, Principal, Relative
from domain.records import AppointmentRecord
from resolvers.context import Context, RequestState, Services
from resolvers.pipeline import APPOINTMENTS, decide, fetch, read_scope
from store.feedstore import Feed


def owner_of(feed: Feed, now: datetime) -> Principal:
    """Whoever subscribed: the patient, or a relative whose fuldmagt the feed lookup checked
    for today."""
    if feed.owner_role == "relative":
        today = local_date(now)
        return Relative(feed.owner_cpr, feed.owner_name, feed.patient_cpr, today, today)
    return Citizen(feed.owner_cpr, feed.owner_name)


def feed_context(services: Services, feed: Feed, now: datetime) -> Context:
    """The context a feed request runs in: its owner, and a lookup to log if a relative's."""
    principal = owner_of(feed, now)
    state = RequestState(request_id=uuid.uuid4().hex, now=now)
    if isinstance(principal, Relative):
        # A relative's calendar reading the patient's appointments is a lookup like any other.
        state.claim(feed.patient_cpr, "calendar-feed")
        state.subject(feed.patient_cpr, "calendar-feed", categories={Category.APPOINTMENTS})
    return Context(principal=principal, services=services, state=state)


async def feed_appointments(
    ctx: Context, cpr: str
) -> tuple[list[SourceResult[Any]], Sequence[AppointmentRecord]]:
    """Every source's answer, and the merged appointments the owner may see."""
    scope = await read_scope(ctx, cpr)
    ctx.state.scope = scope
    fetched = await fetch(ctx, cpr, scope, [APPOINTMENTS])
    ctx.state.decision = decision = decide(scope, fetched)
    visible: Sequence[Any] = decision.verdicts[APPOINTMENTS].visible
    return fetched.get(APPOINTMENTS), visible
