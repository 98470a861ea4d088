"""``organizations``: a search over SOR units, for choosing a treatment place to block."""

from __future__ import annotations

import enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.errors import BadInputError
from resolvers.context import Context
from resolvers.vocab import graph_enum

SEARCH_MIN, SEARCH_MAX = 2, 100
MAX_RESULTS = 50


@graph_enum(
    "Where a unit sits in the SOR tree.",
    OWNER="An owner: a region, a municipality.",
    INSTITUTION="An institution: a hospital, a practice, a care service.",
    UNIT="A unit of an institution: a department.",
)
class OrganizationLevel(enum.Enum):
    OWNER = "owner"
    INSTITUTION = "institution"
    UNIT = "unit"


@strawberry.type(description="A unit in SOR (Sundhedsvæsenets Organisationsregister).")
class OrganizationUnit:
    sor: str = strawberry.field(description="SOR id.")
    name: str = strawberry.field(description="Name of the unit.")
    level: OrganizationLevel = strawberry.field(description="Owner, institution or unit.")
    parent_sor: str | None = strawberry.field(
        description="SOR id of the unit above it; null for an owner."
    )


async def search_organizations(
    info: Info[Context, None],
    search: Annotated[
        str,
        strawberry.argument(
            description=f"Text to find in the unit's name (any case), or a SOR id; "
            f"{SEARCH_MIN}-{SEARCH_MAX} characters."
        ),
    ],
    first: Annotated[
        int, strawberry.argument(description=f"At most this many units (1-{MAX_RESULTS}).")
    ] = 20,
) -> list[OrganizationUnit]:
    text = search.strip()
    if not SEARCH_MIN <= len(text) <= SEARCH_MAX:
        raise BadInputError(
            f"'search' must be {SEARCH_MIN}-{SEARCH_MAX} characters.", field="search"
        )
    if not 1 <= first <= MAX_RESULTS:
        raise BadInputError(f"'first' must be between 1 and {MAX_RESULTS}.", field="first")
    units = await info.context.services.sources.search_units(text, first)
    return [
        OrganizationUnit(
            sor=u.sor, name=u.name, level=OrganizationLevel(u.level), parent_sor=u.parent_sor
        )
        for u in units
    ]
