"""One aiohttp server hosting every simulated source, each under its own base path.

``/<source>/fhir/...`` (FHIR R4), ``/<source>/xds/...`` (APD-DK documents), ``/cpr/...`` and
``/stamdata/...``. Each source is its own sub-application with its own fault state, so
``POST /rm/_faults`` slows Region Midtjylland and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aiohttp import web

from simulators import apd, cpr, faults, fhir, search, stamdata
from simulators.population import Population

APPOINTMENT_PROTOCOL = {
    "rm": "fhir",
    "rn": "fhir",
    "aarhus": "apd",
    "frederikshavn": "apd",
    "gp-jml": "apd",
}
SOURCES = tuple(APPOINTMENT_PROTOCOL)
# Each source's own sub-application by id, on the root application (its state, e.g. the
# periods searched, is read there).
SOURCE_APPS = web.AppKey("source_apps", dict)
REGISTERS = ("cpr", "stamdata")


def source_app(pop: Population, source: str) -> web.Application:
    """The simulator of one source: FHIR for plans (and regions' appointments), APD for the rest."""
    app = web.Application()
    faults.install(app)
    search.install(app)
    fhir.add_routes(app, pop, source, appointments=APPOINTMENT_PROTOCOL[source] == "fhir")
    if APPOINTMENT_PROTOCOL[source] == "apd":
        apd.add_routes(app, pop, source)
    return app


def register_app(pop: Population, register: str) -> web.Application:
    app = web.Application()
    faults.install(app)
    (cpr if register == "cpr" else stamdata).add_routes(app, pop)
    return app


def make_app(pop: Population, sources: Iterable[str] = SOURCES) -> web.Application:
    """The whole simulated world: one sub-application per source and register."""
    root = web.Application()
    root[SOURCE_APPS] = {}
    for source in sources:
        root[SOURCE_APPS][source] = sub = source_app(pop, source)
        root.add_subapp(f"/{source}/", sub)
    for register in REGISTERS:
        root.add_subapp(f"/{register}/", register_app(pop, register))
    return root


@dataclass(frozen=True, slots=True)
class Running:
    runner: web.AppRunner
    base_url: str

    async def close(self) -> None:
        await self.runner.cleanup()


async def start(pop: Population, host: str = "127.0.0.1", port: int = 0) -> Running:
    """Start the simulators on ``host:port`` (0 = an ephemeral port) and return the base URL."""
    runner = web.AppRunner(make_app(pop), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    return Running(runner, f"http://{host}:{bound}")
