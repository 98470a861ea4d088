"""GraphQL types shared by several resolvers: enums, organisations, addresses, pages, sources."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from domain import errors, records
from domain.access import Category

# The records' own enums, exposed to GraphQL; mypy sees them as the plain enums they are.
if TYPE_CHECKING:
    AppointmentStatus = records.AppointmentStatus
    Sector = records.Sector
    PersonStatus = records.PersonStatus
    DataCategory = Category
    SourceStatus = errors.SourceStatus
else:
    AppointmentStatus = strawberry.enum(
        records.AppointmentStatus,
        name="AppointmentStatus",
        description="Status of an appointment, as FHIR R4 defines it.",
    )
    Sector = strawberry.enum(
        records.Sector, name="Sector", description="The part of the health service a source is in."
    )
    PersonStatus = strawberry.enum(
        records.PersonStatus, name="PersonStatus", description="Civil status in the CPR register."
    )
    SourceStatus = strawberry.enum(
        errors.SourceStatus,
        name="SourceStatus",
        description="How a source answered in this request.",
    )
    DataCategory = strawberry.enum(
        Category,
        name="DataCategory",
        description="A category of patient data, as blocks and the access log speak of it.",
    )


@strawberry.enum(description="What kind of system a source is.")
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


@strawberry.type(description="Relay-style page information.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


@strawberry.type(description="Something the viewer should know about this overview.")
class Notice:
    code: str = strawberry.field(description="Stable code, e.g. `BLOCKED_BY_PATIENT`.")
    message: str = strawberry.field(description="Text for the user.")
