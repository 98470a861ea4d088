"""Another gateway on the `gateway` fixture's sources, database and key, with other settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from gateway.app import create_app
from tests.gatewayfixtures import Gateway, start_uvicorn


@asynccontextmanager
async def with_graphql(gw: Gateway, **graphql: bool) -> AsyncIterator[str]:
    """Serve ``gw``'s settings with the ``[graphql]`` switches off but those given; yields the
    base URL."""
    switches: dict[str, Any] = {"introspection": False, "suggestions": False, "graphiql": False}
    switches.update(graphql)
    settings = replace(gw.settings, graphql=replace(gw.settings.graphql, **switches))
    server, task, url = await start_uvicorn(create_app(settings))
    try:
        yield url
    finally:
        server.should_exit = True
        await task
