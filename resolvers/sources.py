"""How the sources answered: one error per failed source, and the overview's ``sources`` list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from connectors.registry import SourceResult
from domain.errors import SourceStatus
from resolvers.context import Context
from resolvers.refusals import refused_counts, report_refusals
from resolvers.types import Source, SourceKind, SourceState

REGISTERS = (("cpr", "CPR-registret"), ("stamdata", "SOR og Yderregisteret"))


def report_failures(info: Info[Context, None], results: Iterable[SourceResult[Any]]) -> None:
    """Add one error per failed source (code and source only; details stay in our logs), and
    one per source and rule for documents it refused."""
    state = info.context.state
    results = tuple(results)
    for r in results:
        if r.error is None or r.status is SourceStatus.NOT_CONSENTED:
            continue
        message = (
            f"Source {r.source!r} is {r.status.lower().replace('_', ' ')}; showing data "
            f"fetched at {r.fetched_at:%Y-%m-%d %H:%M} UTC."
            if r.status is SourceStatus.STALE and r.fetched_at
            else f"Source {r.source!r} did not answer usefully; its data is missing."
        )
        state.report(
            (r.source, r.error.code),
            GraphQLError(message, path=info.path.as_list(), extensions=r.error.extensions),
        )
    report_refusals(info, results)


def source_types(ctx: Context) -> dict[str, Source]:
    """Every configured source and register, as the graph shows them."""
    settings = ctx.services.settings
    out = {s.id: Source(id=s.id, name=s.name, kind=SourceKind(s.kind)) for s in settings.sources}
    for sid, name in REGISTERS:
        out[sid] = Source(id=sid, name=name, kind=SourceKind.REGISTER)
    return out


def source_states(
    ctx: Context, types: Mapping[str, Source], results: Iterable[SourceResult[Any]]
) -> list[SourceState]:
    """Per source its first non-OK answer in this request, else OK; NOT_REQUESTED if unasked."""
    results = tuple(results)
    worst: dict[str, SourceResult[Any]] = {}
    for r in results:
        if r.source not in worst or worst[r.source].status is SourceStatus.OK:
            worst[r.source] = r
    refused = refused_counts(ctx.principal, ctx.state.scope, results)
    out = []
    for src in types.values():
        got = worst.get(src.id)
        out.append(
            SourceState(
                id=src.id,
                name=src.name,
                kind=src.kind,
                status=got.status if got else SourceStatus.NOT_REQUESTED,
                fetched_at=got.fetched_at if got else None,
                refused_documents=refused[src.id],
            )
        )
    return out
