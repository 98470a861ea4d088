"""The gateway in-process: ``schema.execute`` over recorded sources, no servers.

``InProcessGateway`` has the test-facing API of ``tests.gatewayfixtures.Gateway`` that resolver
tests use (``query``, ``post``, ``token``, ``pop``, ``settings``, ``clock``, and
``app.state.services`` / ``app.state.engine``). What is real: the schema (``build_schema``), the
``Services`` the app's lifespan builds (SQLite store and access log — each test on a copy of one
database migrated per session —, the in-memory ``RecordCache``, ``Sources`` with its cache, result
folding and ownership), the ``TokenVerifier``, the request's deadline, the body checks and the
context and response shaping of the HTTP route (``gateway/app.py``). What is not: HTTP, and the
sources' transport (``tests/recorded.py``: the simulators' answers through the real connectors).

A test opts in with ``@pytest.mark.in_process`` (or a module's ``pytestmark``): its ``gateway``
fixture is then one of these (``tests/gatewayfixtures.py``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
import strawberry
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.requests import Request
from strawberry.types.graphql import OperationType

from connectors.cache import RecordCache
from connectors.protocols import ConnectorTable
from connectors.registry import Sources
from domain.clock import Clock
from domain.deadline import deadline_scope
from domain.errors import UpstreamError
from domain.settings import GraphQLSettings, Limits, Settings
from gateway.app import new_context, response_data
from gateway.auth import TokenVerifier, mint_token
from gateway.body import parse_request
from gateway.demo import claims_for
from resolvers.attempts import RefusalRecorder
from resolvers.context import Services, services_of
from resolvers.schema import build_schema
from simulators.population import Population
from store.database import settle
from store.engine import make_engine, upgrade
from store.repositories import Repositories
from tests.gatewayfixtures import TEST_KID, test_settings, trust, unhurried
from tests.recorded import SIM_BASE, World

ALLOWED = frozenset({OperationType.QUERY, OperationType.MUTATION})  # what a POST may run
# What the context's request says about the gateway (a feed's URL is made from it).
SCOPE = {
    "type": "http",
    "method": "POST",
    "scheme": "http",
    "server": ("gateway.test", 80),
    "path": "/graphql",
    "root_path": "",
    "query_string": b"",
    "headers": [(b"host", b"gateway.test"), (b"content-type", b"application/json")],
}


def build_services(
    settings: Settings, clock: Clock, session: aiohttp.ClientSession, connectors: ConnectorTable
) -> tuple[Services, Any]:
    """The ``Services`` (and engine) of ``create_app``'s lifespan, on ``connectors``."""
    db_timeout = settings.limits.database_timeout_s
    engine = make_engine(settings.database_url, timeout_s=db_timeout)
    cache_ = RecordCache(settings.cache_url, clock=clock.now)
    sources = Sources(settings, session, cache_, clock, connectors)
    repositories = Repositories.open(engine, timeout_s=db_timeout)
    window = timedelta(minutes=settings.policy.refused_log_window_minutes)
    refusals = RefusalRecorder(sources, repositories.access_log, window)
    services = services_of(settings, sources, repositories, refusals, clock)
    return services, engine


@cache
def schema_for(limits: Limits, graphql: GraphQLSettings) -> strawberry.Schema:
    """One schema per settings (it holds no request state), as ``create_app`` builds it."""
    return build_schema(limits, graphql)


@dataclass
class InProcessGateway:
    settings: Settings
    pop: Population
    clock: Clock
    key: ec.EllipticCurvePrivateKey
    verifier: TokenVerifier
    services: Services
    app: Any  # only ``app.state.services`` and ``app.state.engine``, as on the HTTP gateway
    failing: dict[str, UpstreamError] = field(default_factory=dict)

    def token(self, persona: str, **overrides: Any) -> str:
        claims = {**claims_for(self.pop.persona(persona)), **overrides}
        return mint_token(self.key, self.settings.auth, claims, kid=TEST_KID)

    async def post(self, body: Any, token: str | None) -> tuple[int, dict[str, Any]]:
        """What ``POST /graphql`` answers a valid token (a refused one raises ``AuthError``)."""
        assert token, "the in-process gateway runs only what a verified token asks"
        with deadline_scope(self.settings.limits.request_deadline_s):
            principal = await self.verifier.verify(token)
            request = parse_request(json.dumps(body).encode(), "application/json")
            result = await schema_for(self.settings.limits, self.settings.graphql).execute(
                request["query"],
                variable_values=request.get("variables"),
                context_value=new_context(principal, self.services, Request(dict(SCOPE))),
                operation_name=request.get("operationName"),
                allowed_operation_types=ALLOWED,
            )
        # Through JSON, as a client reads it.
        return 200, json.loads(json.dumps(response_data(result, self.services)))

    async def query(
        self, persona: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        status, body = await self.post(
            {"query": query, "variables": variables or {}}, self.token(persona)
        )
        assert status == 200, body
        return body

    def fail(self, source: str, error: UpstreamError | None) -> None:
        """From now on ``source`` raises ``error`` (``None``: answers again)."""
        if error is None:
            self.failing.pop(source, None)
        else:
            self.failing[source] = error


@asynccontextmanager
async def in_process_gateway(
    tmp_path: Path, clock: Clock, world: World, template: Path
) -> AsyncIterator[InProcessGateway]:
    """A gateway on a copy of the migrated ``template`` database, over ``world``'s sources."""
    database = tmp_path / "gw.db"
    shutil.copyfile(template, database)
    settings = unhurried(test_settings(tmp_path, SIM_BASE, f"sqlite+aiosqlite:///{database}"))
    key = ec.generate_private_key(ec.SECP256R1())
    trust(tmp_path, key)
    verifier = await TokenVerifier.create(settings.auth, dev_mode=settings.dev_mode)
    failing: dict[str, UpstreamError] = {}
    session = aiohttp.ClientSession()  # never used to connect: the sources are in-process
    services, engine = build_services(settings, clock, session, world.table(failing))
    app = SimpleNamespace(state=SimpleNamespace(services=services, engine=engine))
    try:
        yield InProcessGateway(
            settings, world.pop, clock, key, verifier, services, app, failing=failing
        )
    finally:
        # What the requests left running (a shared cache fill, a store call abandoned when
        # another failed) finishes first, as it would in a gateway that keeps running.
        await _others_done()
        await services.refusals.close()
        await services.sources.cache.close()
        await session.close()
        await settle()
        await engine.dispose()


async def _others_done(timeout_s: float = 10.0) -> None:
    others = asyncio.all_tasks() - {asyncio.current_task()}
    if others:
        await asyncio.wait(others, timeout=timeout_s)


@pytest.fixture(scope="session")
def simulated_world(clock: Clock) -> World:
    """The population and the simulators' answers, for the whole session."""
    return World.build(clock)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head, once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("template") / "gw.db"
    # A sync session fixture runs outside the tests' event loops, so it may run its own.
    asyncio.run(upgrade(f"sqlite+aiosqlite:///{path}"))
    return path
