"""A real gateway for tests: simulators and uvicorn on 127.0.0.1 ephemeral ports, SQLite.

``gateway`` starts the simulated sources, migrates a fresh SQLite database and serves
``create_app(settings)`` over real HTTP; ``Gateway.query`` posts GraphQL with a persona's token
signed by a test key the gateway trusts. ``gateway_on_each_database`` does the same on each
backend of ``database_url`` (SQLite, and PostgreSQL when ``SPO_TEST_POSTGRES_URL`` is set).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from domain.clock import Clock
from domain.settings import Settings
from gateway.app import create_app
from gateway.auth import mint_token
from gateway.config import load_settings
from gateway.demo import claims_for
from simulators import server
from simulators.population import Population, build_population
from store.engine import upgrade

if TYPE_CHECKING:
    from tests.inprocess import InProcessGateway
    from tests.recorded import World

TEST_KID = "test-key"


class GraphQLGateway(Protocol):
    """What tests that only ask GraphQL questions need of a gateway, in-process or over HTTP."""

    settings: Settings
    pop: Population
    clock: Clock
    app: Any

    def token(self, persona: str, **overrides: Any) -> str: ...

    async def post(self, body: Any, token: str | None) -> tuple[int, dict[str, Any]]: ...

    async def query(
        self, persona: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]: ...


@dataclass
class Gateway:
    url: str
    settings: Settings
    pop: Population
    sim_url: str
    key: ec.EllipticCurvePrivateKey
    session: aiohttp.ClientSession
    app: Any
    clock: Clock

    def token(self, persona: str, **overrides: Any) -> str:
        claims = {**claims_for(self.pop.persona(persona)), **overrides}
        return mint_token(self.key, self.settings.auth, claims, kid=TEST_KID)

    async def post(self, body: Any, token: str | None) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.session.post(f"{self.url}/graphql", json=body, headers=headers) as r:
            return r.status, await r.json()

    async def query(
        self, persona: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        status, body = await self.post(
            {"query": query, "variables": variables or {}}, self.token(persona)
        )
        assert status == 200, body
        return body

    async def fault(self, source: str, mode: str, **kw: Any) -> None:
        async with self.session.post(
            f"{self.sim_url}/{source}/_faults", json={"mode": mode, **kw}
        ) as r:
            assert r.status == 200, await r.text()


async def start_uvicorn(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve())
    while not srv.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = srv.servers[0].sockets[0].getsockname()[1]
    return srv, task, f"http://127.0.0.1:{port}"


def test_settings(tmp_path: Path, sim_url: str, database_url: str, **env: str) -> Settings:
    key_file = tmp_path / "trusted.pem"
    settings = load_settings(
        {
            "SPO_UPSTREAM_BASE": sim_url,
            "SPO_DATABASE_URL": database_url,
            "SPO_DEV_MODE": "0",
            "SPO_CACHE_URL": "memory://",
            # Tests send their own queries; the ones about trusted documents require them.
            "SPO_TRUSTED_DOCUMENTS": "optional",
            **env,
        }
    )
    auth = replace(settings.auth, public_key_files=(str(key_file),))
    return replace(settings, auth=auth)


def trust(tmp_path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Make ``key`` the one the gateway of :func:`test_settings` trusts."""
    (tmp_path / "trusted.pem").write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def unhurried(settings: Settings, timeout_s: float = 10.0) -> Settings:
    """``settings`` with a deadline, source and database timeouts that no busy machine reaches:
    for tests about what the gateway answers (the ones about timeouts set their own, e.g. with
    ``tune``)."""
    return replace(
        settings,
        sources=tuple(replace(s, timeout_s=timeout_s) for s in settings.sources),
        cpr=replace(settings.cpr, timeout_s=timeout_s),
        stamdata=replace(settings.stamdata, timeout_s=timeout_s),
        limits=replace(
            settings.limits, request_deadline_s=3 * timeout_s, database_timeout_s=timeout_s
        ),
    )


@asynccontextmanager
async def running_gateway(
    tmp_path: Path,
    clock: Clock,
    database_url: str | None = None,
    *,
    serve_database_url: str | None = None,
    tune: Callable[[Settings], Settings] | None = None,
    template: Path | None = None,
) -> AsyncIterator[Gateway]:
    """Simulators and a gateway on ``database_url`` (a new SQLite file by default), migrated,
    on ``clock``, with :func:`unhurried` settings.

    ``serve_database_url`` is where the gateway itself connects, when that differs from where
    the migrations ran (e.g. through a proxy that a test makes hang); ``tune`` adjusts settings;
    ``template``, a migrated SQLite file, is copied for the new database instead of migrating it.
    """
    pop = build_population(clock=clock)
    sims = await server.start(pop)
    key = ec.generate_private_key(ec.SECP256R1())
    migrate = database_url is not None or template is None
    if database_url is None and template is not None:
        shutil.copyfile(template, tmp_path / "gw.db")  # a migrated database, as new
    database_url = database_url or f"sqlite+aiosqlite:///{tmp_path}/gw.db"
    settings = unhurried(test_settings(tmp_path, sims.base_url, serve_database_url or database_url))
    if tune is not None:
        settings = tune(settings)
    trust(tmp_path, key)
    if migrate:
        await upgrade(database_url)
    app = create_app(settings, clock)
    srv, task, url = await start_uvicorn(app)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    try:
        yield Gateway(url, settings, pop, sims.base_url, key, session, app, clock)
    finally:
        await session.close()
        srv.should_exit = True
        await task
        await sims.close()


@pytest.fixture
async def gateway(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    clock: Clock,
    simulated_world: World,
    migrated_template: Path,
) -> AsyncIterator[Gateway | InProcessGateway]:
    """A gateway on a new SQLite database: over HTTP and the simulators, or, for a test marked
    ``in_process``, in-process over their recorded answers (``tests/inprocess.py``)."""
    if request.node.get_closest_marker("in_process"):
        from tests.inprocess import in_process_gateway  # it builds on this module

        async with in_process_gateway(tmp_path, clock, simulated_world, migrated_template) as ip:
            yield ip
        return
    async with running_gateway(tmp_path, clock, template=migrated_template) as gw:
        yield gw


@pytest.fixture
async def gateway_on_each_database(
    tmp_path: Path, database_url: str, clock: Clock
) -> AsyncIterator[Gateway]:
    """A gateway on SQLite, and on PostgreSQL too when ``SPO_TEST_POSTGRES_URL`` is set."""
    async with running_gateway(tmp_path, clock, database_url) as gw:
        yield gw


def expired(gw: Gateway, persona: str) -> str:
    return mint_token(
        gw.key,
        gw.settings.auth,
        claims_for(gw.pop.persona(persona)),
        lifetime=timedelta(seconds=-120),
        kid=TEST_KID,
    )
