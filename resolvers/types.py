"""GraphQL types shared by several resolvers: enums, organisations, addresses, pages, sources."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import errors, records
from domain.access import Category
from resolvers.vocab import NoticeCode, described, graph_enum

# The records' own enums, exposed to GraphQL with each value described; mypy sees them as the
# plain enums they are.
if TYPE_CHECKING:
    AppointmentStatus = records.AppointmentStatus
    Sector = records.Sector
    PersonStatus = records.PersonStatus
    DataCategory = Category
    SourceStatus = errors.SourceStatus
else:
    AppointmentStatus = described(
        records.AppointmentStatus,
        "AppointmentStatus",
        "Status of an appointment, as FHIR R4 defines it.",
        {
            "PROPOSED": "Suggested; no time agreed yet.",
            "PENDING": "Waiting for someone to accept.",
            "BOOKED": "Agreed and booked.",
            "ARRIVED": "The patient has arrived.",
            "FULFILLED": "Took place.",
            "CANCELLED": "Cancelled (aflyst).",
            "NOSHOW": "The patient did not come.",
            "ENTERED_IN_ERROR": "Made by mistake; not shown.",
            "CHECKED_IN": "The patient has checked in.",
            "WAITLIST": "On a waiting list; no time yet.",
        },
    )
    Sector = described(
        records.Sector,
        "Sector",
        "The part of the health service a source is in.",
        {
            "HOSPITAL": "The regions' hospitals.",
            "MUNICIPALITY": "The municipalities' health and care services.",
            "GP": "General practice (almen praksis).",
        },
    )
    PersonStatus = described(
        records.PersonStatus,
        "PersonStatus",
        "Civil status in the CPR register.",
        {"ALIVE": "Alive.", "DECEASED": "Deceased.", "EMIGRATED": "Emigrated."},
    )
    SourceStatus = described(
        errors.SourceStatus,
        "SourceStatus",
        "How a source answered in this request.",
        {
            "OK": "Answered now.",
            "STALE": "Did not answer in time; its data is from `fetchedAt`.",
            "TIMEOUT": "Did not answer in time, and no earlier data is kept.",
            "UNAVAILABLE": "Could not be reached.",
            "BAD_RESPONSE": "Answered with something that is not its format.",
            "CIRCUIT_OPEN": "Failing lately: not asked for a while.",
            "NOT_CONSENTED": "Not asked: the patient has not consented to it.",
            "NOT_REQUESTED": "Not asked: the query wanted nothing from it.",
        },
    )
    DataCategory = described(
        Category,
        "DataCategory",
        "A category of patient data, as blocks and the access log speak of it.",
        {
            "APPOINTMENTS": "Appointments (aftaler).",
            "STAMKORT": "The stamkort and the patient's identity.",
            "PLANS": "Care plans and goals (planer og mål).",
        },
    )


PatientCpr = Annotated[
    str,
    strawberry.argument(description="The patient's CPR number, `DDMMYY-SSSS` (hyphen optional)."),
]
"""The ``cpr`` argument naming the patient, with its description."""


@graph_enum(
    "What kind of system a source is.",
    REGION="A region's hospitals (FHIR R4).",
    MUNICIPALITY="A municipality's health and care services (MedCom APD-DK).",
    GP="A GP practice (MedCom APD-DK).",
    REGISTER="A national register: CPR, SOR or Yderregisteret.",
)
class SourceKind(enum.Enum):
    REGION = "region"
    MUNICIPALITY = "municipality"
    GP = "gp"
    REGISTER = "register"


@strawberry.type(description="A source system that contributes to the overview.")
class Source:
    id: str = strawberry.field(description="Configured source id, e.g. `rm`, `aarhus`, `gp-jml`.")
    name: str = strawberry.field(description="Display name of the source.")
    kind: SourceKind = strawberry.field(description="Region, municipality, GP or register.")


@strawberry.type(description="How one source answered for this overview.")
class SourceState:
    id: str = strawberry.field(description="Configured source id.")
    name: str = strawberry.field(description="Display name of the source.")
    kind: SourceKind = strawberry.field(description="Region, municipality, GP or register.")
    status: SourceStatus = strawberry.field(description="OK, or why its data is absent or old.")
    fetched_at: datetime | None = strawberry.field(
        description="When the data shown from this source was fetched (older when STALE)."
    )
    refused_documents: int = strawberry.field(
        description="How many documents this source sent that break their format's rules "
        "(APD-DK 2.0.1, FHIR R4) and are therefore not shown; the rest of its data is. Each "
        "rule broken is named in an error with code `DOCUMENT_REFUSED`. Told to the patient and "
        "their relatives; always 0 for a clinician (unless overriding blocks), since a refused "
        "document may be one a block withholds."
    )


@strawberry.type(description="A postal address.")
class Address:
    lines: list[str] = strawberry.field(description="Street lines.")
    postcode: str | None = strawberry.field(description="Postcode (postnummer).")
    city: str | None = strawberry.field(description="City (by).")

    @classmethod
    def of(cls, a: records.Address | None) -> Address | None:
        return None if a is None else cls(lines=list(a.lines), postcode=a.postcode, city=a.city)


@strawberry.type(description="A health-care organisation or unit, identified by its SOR id.")
class Organization:
    sor: str | None = strawberry.field(
        description="SOR id (urn:oid:1.2.208.176.1.1), or a ydernummer for some GP documents."
    )
    name: str | None = strawberry.field(description="Name of the organisation or unit.")

    @classmethod
    def of(cls, o: records.OrgRef | None) -> Organization | None:
        return None if o is None else cls(sor=o.sor, name=o.name)


@strawberry.type(description="Where a page sits in its list (Relay connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="More items come before this page.")
    start_cursor: str | None = strawberry.field(
        description="The first item's cursor: pass it as `before` (with `last`) for the page "
        "before. Null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last item's cursor: pass it as `after` (with `first`) for the next "
        "page. Null on an empty page."
    )


@strawberry.type(description="Something the viewer should know about this overview.")
class Notice:
    code: NoticeCode = strawberry.field(description="What the notice is about.")
    message: str = strawberry.field(description="Text for the user.")
