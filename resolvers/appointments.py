"""The appointments of an overview: views, filters, pages, overlaps."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import strawberry

from domain.records import AppointmentRecord
from domain.records import AppointmentStatus as Status
from resolvers import calendar
from resolvers.merge import encode_cursor, in_window, paginate
from resolvers.paging import Page, PageArgs
from resolvers.types import (
    Address,
    AppointmentStatus,
    Organization,
    PageInfo,
    Sector,
    Source,
)
from resolvers.vocab import graph_enum

MAX_PAGE = 500
HIDDEN_BY_DEFAULT = frozenset({Status.CANCELLED, Status.ENTERED_IN_ERROR})


@graph_enum(
    "Which window of appointments to show.",
    DAY="One day in Europe/Copenhagen (`date`, default today).",
    WEEK="One ISO week, Monday first, in Europe/Copenhagen (the week of `date`).",
    LIST="Every appointment in order, cancelled ones hidden unless asked for.",
)
class AppointmentView(enum.Enum):
    DAY = "day"
    WEEK = "week"
    LIST = "list"


@strawberry.input(description="Filters on appointments; all given filters must match.")
class AppointmentFilter:
    sources: list[str] | None = strawberry.field(default=None, description="Source ids.")
    organizations: list[str] | None = strawberry.field(
        default=None, description="SOR ids of the owning organisation or the place."
    )
    include_sub_units: bool = strawberry.field(
        default=False, description="Let `organizations` match any unit below them in SOR."
    )
    sectors: list[Sector] | None = strawberry.field(default=None, description="Sectors.")
    statuses: list[AppointmentStatus] | None = strawberry.field(
        default=None, description="Statuses to show (overrides `includeCancelled`)."
    )
    include_cancelled: bool | None = strawberry.field(
        default=None,
        description=(
            "Show cancelled appointments. Default: shown when no `view` is given (the full "
            "record), hidden in the DAY, WEEK and LIST views."
        ),
    )
    text: str | None = strawberry.field(
        default=None, description="Case-insensitive text to find in the title or the place."
    )


@strawberry.type(description="Where an appointment takes place.")
class Place:
    name: str | None = strawberry.field(description="Name of the site, or 'Borgers Hjemmeadresse'.")
    sor: str | None = strawberry.field(description="SOR id of the site, if it has one.")
    address: Address | None = strawberry.field(
        description="Address of the site. Null for a home visit shown to a health professional "
        "when the patient has name and address protection (as on the stamkort)."
    )
    is_home: bool = strawberry.field(description="The appointment is in the patient's home.")


@strawberry.type(description="One appointment (aftale), in its current version. Read-only.")
class Appointment:
    id: strawberry.ID = strawberry.field(description="Stable id: `<source>:<id in source>`.")
    status: AppointmentStatus = strawberry.field(description="Current status.")
    title: str = strawberry.field(
        description="What the appointment is. GP appointments always read "
        "'Aftale hos praktiserende læge'."
    )
    start: datetime | None = strawberry.field(
        description="Start, with offset (Europe/Copenhagen). For an all-day appointment: "
        "00:00 local time on `startDate`."
    )
    end: datetime | None = strawberry.field(
        description="End; null when the source gives none. For an all-day appointment: 00:00 "
        "local time on the day after `endDate` (the span is half-open, `[start, end)`)."
    )
    all_day: bool = strawberry.field(
        description="The source set no time of day, only the day(s) (APD-DK 'no time'): show "
        "`startDate` to `endDate`, not `start`'s 00:00."
    )
    start_date: date | None = strawberry.field(
        description="For an all-day appointment, its first day (Europe/Copenhagen); else null."
    )
    end_date: date | None = strawberry.field(
        description="For an all-day appointment, its last day, inclusive (Europe/Copenhagen): "
        "equal to `startDate` for one day; else null."
    )
    indicative_time: bool = strawberry.field(
        description="The source says the time is only a guide ('tidspunktet er vejledende'): "
        "the visit may come earlier or later."
    )
    source: Source = strawberry.field(description="The system that owns the appointment.")
    sector: Sector = strawberry.field(description="Hospital, municipality or GP.")
    organization: Organization | None = strawberry.field(
        description="The organisation (SOR unit) that owns the appointment."
    )
    place: Place | None = strawberry.field(description="Where it takes place.")
    performer: str | None = strawberry.field(description="Who performs it, when known.")
    reason: str | None = strawberry.field(description="Why; never given for GP appointments.")
    record: strawberry.Private[AppointmentRecord]
    page: strawberry.Private[AppointmentConnection]

    @strawberry.field(description="The local date (Europe/Copenhagen) the appointment starts on.")
    def local_date(self) -> date | None:
        return calendar.local_date(self.record.start) if self.record.start else None

    @strawberry.field(description="ISO week of the start in Europe/Copenhagen, e.g. `2026-W53`.")
    def iso_week(self) -> str | None:
        return calendar.iso_week_label(self.record.start) if self.record.start else None

    @strawberry.field(
        description="The patient's other active appointments that overlap this one in time "
        "(for coordination, e.g. a home-care visit during a hospital appointment). All-day "
        "appointments have no time of day, so they overlap nothing and are never listed."
    )
    def overlaps_with(self) -> list[Appointment]:
        return self.page.overlapping(self.record)


def _local(dt: datetime | None) -> datetime | None:
    """Shown in Europe/Copenhagen whatever offset the source used (FHIR may send UTC)."""
    return dt.astimezone(calendar.TZ) if dt is not None else None


def _days(r: AppointmentRecord) -> tuple[date, date] | None:
    """An all-day appointment's first and last day (inclusive), in Copenhagen."""
    if not r.all_day or r.start is None:
        return None
    first = calendar.local_date(r.start)
    if r.end is None:
        return first, first
    # ``end`` is the midnight after the last day: the instant before it is on the last day.
    return first, max(first, calendar.local_date(r.end - timedelta(microseconds=1)))


@dataclass(frozen=True, slots=True)
class Selection:
    """The window and filters an appointments field asked for, resolved to plain values."""

    start: datetime | None = None
    end: datetime | None = None
    sources: frozenset[str] | None = None
    organizations: frozenset[str] | None = None
    sectors: frozenset[str] | None = None
    statuses: frozenset[Status] | None = None
    text: str | None = None
    sector_of: Mapping[str, str] = field(default_factory=dict)
    sor_chain: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, r: AppointmentRecord) -> bool:
        if not in_window(r, self.start, self.end):
            return False
        if self.statuses is not None and r.status not in self.statuses:
            return False
        if self.sources is not None and r.source not in self.sources:
            return False
        if self.sectors is not None and self.sector_of.get(r.source) not in self.sectors:
            return False
        if self.organizations is not None:
            sors = {
                s for s in (r.organization and r.organization.sor, r.place and r.place.sor) if s
            }
            chains = {a for s in sors for a in (s, *self.sor_chain.get(s, ()))}
            if not chains & self.organizations:
                return False
        if self.text:
            hay = f"{r.title} {r.place.name if r.place and r.place.name else ''}".casefold()
            if self.text.casefold() not in hay:
                return False
        return True


@strawberry.type(description="An appointment with its place in the list.")
class AppointmentEdge:
    cursor: str = strawberry.field(
        description="Opaque: pass it as `after` or `before` to page from here."
    )
    node: Appointment = strawberry.field(description="The appointment.")


@strawberry.type(description="A page of appointments in a stable order (start, source, id).")
class AppointmentConnection:
    everything: strawberry.Private[Sequence[AppointmentRecord]]
    selected: strawberry.Private[Sequence[AppointmentRecord]]
    args: strawberry.Private[PageArgs]
    source_types: strawberry.Private[Mapping[str, Source]]
    overlap_index: strawberry.Private[dict[tuple[str, str], list[AppointmentRecord]] | None] = None
    # The patient has name and address protection (or CPR cannot tell): the home address of a
    # home visit is left out, as it is from the stamkort, for viewers other than the patient's side.
    hide_home_address: strawberry.Private[bool] = False

    @strawberry.field(description="How many appointments match, over all pages.")
    def total_count(self) -> int:
        return len(self.selected)

    picked: strawberry.Private[Page[AppointmentRecord] | None] = None

    def page(self) -> Page[AppointmentRecord]:
        if self.picked is None:
            self.picked = paginate(self.selected, self.args)
        return self.picked

    @strawberry.field(description="The appointments of this page (`edges` without cursors).")
    def nodes(self) -> list[Appointment]:
        return [self.node(r) for r in self.page().items]

    @strawberry.field(description="The appointments of this page, each with its cursor.")
    def edges(self) -> list[AppointmentEdge]:
        return [
            AppointmentEdge(cursor=encode_cursor(r), node=self.node(r)) for r in self.page().items
        ]

    @strawberry.field(description="Where this page sits in the list.")
    def page_info(self) -> PageInfo:
        page = self.page()
        items = page.items
        return PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=encode_cursor(items[0]) if items else None,
            end_cursor=encode_cursor(items[-1]) if items else None,
        )

    def node(self, r: AppointmentRecord) -> Appointment:
        src = self.source_types[r.source]
        place = r.place
        days = _days(r)
        return Appointment(
            id=strawberry.ID(f"{r.source}:{r.id}"),
            status=r.status,
            title=r.title,
            start=_local(r.start),
            end=_local(r.end),
            all_day=days is not None,
            start_date=days[0] if days else None,
            end_date=days[1] if days else None,
            indicative_time=r.indicative_time,
            source=src,
            sector=Sector(src.kind.value) if src.kind.value != "region" else Sector.HOSPITAL,
            organization=Organization.of(r.organization),
            place=None
            if place is None
            else Place(
                name=place.name,
                sor=place.sor,
                address=None
                if place.is_home and self.hide_home_address
                else Address.of(place.address),
                is_home=place.is_home,
            ),
            performer=r.performer,
            reason=r.reason,
            record=r,
            page=self,
        )

    def overlapping(self, r: AppointmentRecord) -> list[Appointment]:
        if self.overlap_index is None:
            active = [
                a
                for a in self.everything
                if a.status not in HIDDEN_BY_DEFAULT and a.status is not Status.NOSHOW
            ]
            pairs = calendar.find_overlaps(
                active, lambda a: (None, None) if a.all_day else (a.start, a.end)
            )
            self.overlap_index = {
                (active[i].source, active[i].id): [active[j] for j in js] for i, js in pairs.items()
            }
        return [self.node(o) for o in self.overlap_index.get((r.source, r.id), [])]
