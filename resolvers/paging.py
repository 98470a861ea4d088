"""Relay-style paging arguments (``first``/``after``, ``last``/``before``), shared by every
connection: their descriptions, their checks, and the page they pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

import strawberry

from domain.errors import BadInputError

__all__ = ["After", "Before", "First", "Last", "Page", "PageArgs", "page_args"]

T = TypeVar("T")

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size, counted from the start of the list (or from just after "
        "`after`). Used when neither `first` nor `last` is given, with the field's default."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Start just after this cursor (`pageInfo.endCursor`)."),
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Page size, counted back from the end of the list (or from just before "
        "`before`). Not together with `first`."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="End just before this cursor (`pageInfo.startCursor`)."),
]


@dataclass(frozen=True, slots=True)
class PageArgs:
    """A checked page request: ``size`` items from the start of the range between the cursors
    (``after``, ``before``), or from its end when ``backward`` (``last``)."""

    size: int
    after: str | None = None
    before: str | None = None
    backward: bool = False


def page_args(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    *,
    default: int,
    maximum: int,
) -> PageArgs:
    """The page asked for; ``BadInputError`` naming the argument when it cannot be given."""
    if first is not None and last is not None:
        raise BadInputError("Give 'first' or 'last', not both.", field="last")
    name, size = ("last", last) if last is not None else ("first", first)
    size = default if size is None else size
    if not 1 <= size <= maximum:
        raise BadInputError(f"'{name}' must be between 1 and {maximum}.", field=name)
    return PageArgs(size, after or None, before or None, backward=last is not None)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The items of one page, in list order, and whether the list goes on either side of it."""

    items: Sequence[T]
    has_previous: bool
    has_next: bool
