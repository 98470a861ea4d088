"""``spo``: the gateway's command line.

spo demo                 simulators + gateway + demo personas (var/demo.json)
spo serve [--workers N]  the gateway alone (SPO_CONFIG / SPO_* settings), in N processes
spo simulate             the simulated sources alone
spo token PERSONA        a dev token for a demo persona
spo export-schema        print the GraphQL schema (SDL); --federation: the subgraph's
spo db upgrade           apply database migrations
spo audit verify         check the access log's hash chain
spo audit purge          delete entries past retention, keeping the chain verifiable
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import logging.config
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from domain.settings import ConfigError, Settings
from gateway import clitoken
from gateway.config import load_settings
from gateway.logs import FORMAT, logging_config

DEMO_JSON = Path("var/demo.json")
SIMULATOR_PORT = 8100


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        sys.exit(f"spo: configuration error: {exc}")


def server_options(settings: Settings) -> dict[str, Any]:
    # uvicorn's loop and HTTP parser are "auto": uvloop and httptools, both dependencies.
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": logging_config(fmt=settings.telemetry.log_format),
        "log_level": "info",
        "lifespan": "on",
    }


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    """uvicorn's configuration for ``spo serve``/``spo demo``: access log on, every log line
    through ``gateway.logs.RedactingFilter``."""
    return uvicorn.Config(app, **server_options(settings))


def _tracing() -> None:
    from gateway import tracing

    try:
        tracing.configure()
    except ConfigError as exc:
        sys.exit(f"spo: configuration error: {exc}")


def _app(settings: Settings) -> Any:
    """The gateway's app; what only building it can check (the trusted documents' manifests
    against the schema) stops start-up with a message, as the settings do."""
    from gateway.app import create_app

    try:
        return create_app(settings)
    except ConfigError as exc:
        sys.exit(f"spo: configuration error: {exc}")


async def _serve(settings: Settings) -> None:
    _tracing()
    await uvicorn.Server(server_config(_app(settings), settings)).serve()


def asgi_app() -> Any:
    """The gateway from the environment's settings: the factory ``spo serve`` names, so that
    each of its workers builds its own (``gateway/workers.py``)."""
    _tracing()  # in each worker: the SDK's exporter threads do not survive a new process
    return _app(_settings())


async def _demo(port: int) -> None:
    from gateway.demo import persona_tokens, seed, table, write_demo_json
    from simulators import server
    from simulators.population import build_population
    from store.engine import make_engine, upgrade
    from store.repositories import Repositories

    settings = _settings()
    pop = build_population()
    await upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        await seed(Repositories.open(engine), pop)
    finally:
        await engine.dispose()
    sims = await server.start(pop, "127.0.0.1", port)
    try:
        personas = persona_tokens(settings, pop)
        url = f"http://{settings.host}:{settings.port}/graphql"
        simulators = [
            {"source": s, "url": f"{sims.base_url}/{s}"}
            for s in (*server.SOURCES, *server.REGISTERS)
        ]
        write_demo_json(DEMO_JSON, url, personas, simulators)
        print(table(personas))
        print(
            f"\nTokens and simulator URLs: {DEMO_JSON}\nThe page: http://{settings.host}:"
            f"{settings.port}/  (pick a persona)\nGraphiQL: {url}  (Ctrl-C stops)\n",
            flush=True,
        )
        await _serve(settings)
    finally:
        await sims.close()


async def _simulate(port: int) -> None:
    from simulators import server
    from simulators.population import build_population

    sims = await server.start(build_population(), "127.0.0.1", port)
    print(f"simulators on {sims.base_url} (Ctrl-C stops)", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sims.close()


def export_schema(federation: bool = False) -> str:
    """The schema's SDL; ``federation``: the Federation 2 subgraph's, as ``_service { sdl }``
    gives it (both are Strawberry's printer over the same schema)."""
    from domain.settings import GraphQLSettings
    from resolvers.schema import build_schema

    return build_schema(graphql=GraphQLSettings(federation=federation)).as_str() + "\n"


async def _audit(action: str) -> int:
    from store.auditlog import AuditLog
    from store.engine import make_engine

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        log = AuditLog(engine)
        if action == "verify":
            result = await log.verify()
            if result.ok:
                print(f"access log intact: {result.checked} entries verified")
                return 0
            print(f"access log BROKEN at entry {result.first_broken_seq}: {result.reason}")
            return 1
        days = settings.policy.audit_retention_days
        purged = await log.purge(datetime.now(UTC) - timedelta(days=days))
        print(f"purged {purged} entries older than {days} days; chain anchor kept")
        return 0
    finally:
        await engine.dispose()


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="spo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="simulators + gateway + personas")
    demo.add_argument("--simulator-port", type=int, default=SIMULATOR_PORT)
    serve = sub.add_parser("serve", help="the gateway alone")
    serve.add_argument("--workers", type=_positive, default=1, help="worker processes (default 1)")
    sim = sub.add_parser("simulate", help="the simulated sources alone")
    sim.add_argument("--port", type=int, default=SIMULATOR_PORT)
    clitoken.add_parser(sub)
    export = sub.add_parser("export-schema", help="print the GraphQL schema")
    export.add_argument(
        "--federation", action="store_true", help="the Apollo Federation 2 subgraph's schema"
    )
    db = sub.add_parser("db", help="database")
    db.add_argument("action", choices=["upgrade"])
    audit = sub.add_parser("audit", help="access log")
    audit.add_argument("action", choices=["verify", "purge"])
    args = parser.parse_args(argv)
    if args.command in ("demo", "serve"):
        logging.config.dictConfig(logging_config(fmt=_settings().telemetry.log_format))
    else:
        logging.basicConfig(level=logging.INFO, format=FORMAT)
        logging.getLogger("alembic").setLevel(logging.WARNING)

    with contextlib.suppress(KeyboardInterrupt):
        if args.command == "demo":
            asyncio.run(_demo(args.simulator_port))
        elif args.command == "serve":
            from gateway import workers

            settings = _settings()
            _app(settings)  # once here: a setting that stops start-up does so before any worker
            options = server_options(settings)
            sys.exit(workers.serve(f"{__name__}:asgi_app", options, args.workers))
        elif args.command == "simulate":
            asyncio.run(_simulate(args.port))
        elif args.command == "token":
            clitoken.run(args, _settings())
        elif args.command == "export-schema":
            sys.stdout.write(export_schema(args.federation))
        elif args.command == "db":
            from store.engine import upgrade

            asyncio.run(upgrade(_settings().database_url))
            print("database is up to date")
        elif args.command == "audit":
            sys.exit(asyncio.run(_audit(args.action)))


if __name__ == "__main__":
    main()
