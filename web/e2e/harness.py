"""The end-to-end tests' world: the simulators and the gateway, for real, on ephemeral ports.

    python web/e2e/harness.py --state-dir DIR --out DIR/world.json

Everything binds 127.0.0.1 only. ``DIR`` gets a fresh SQLite database, the demo signing key and
``var/demo.json`` (the demo seed, as ``spo demo`` makes it); ``--out`` gets the gateway's URL and
the personas' tokens once the gateway answers. The page is the built ``web/dist``. "Today" is
the machine's, or ``SPO_TEST_TODAY`` (as in the Python suite). SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
from dataclasses import replace
from pathlib import Path

import uvicorn

from domain.clock import SYSTEM_CLOCK, Clock, ShiftedClock
from gateway.app import create_app
from gateway.cli import server_options
from gateway.config import load_settings
from gateway.demo import persona_tokens, seed, write_demo_json
from simulators import server
from simulators.population import build_population
from store.engine import make_engine, upgrade
from store.repositories import Repositories

HOST = "127.0.0.1"


def _clock() -> Clock:
    day = os.environ.get("SPO_TEST_TODAY")
    return ShiftedClock.parse(day) if day else SYSTEM_CLOCK


async def run(state_dir: Path, out: Path) -> None:
    os.chdir(state_dir)  # var/ (signing key, demo.json) lives here, as under `spo demo`
    clock = _clock()
    pop = build_population(clock=clock)
    sims = await server.start(pop, HOST, 0)
    os.environ.update(
        {
            "SPO_DATABASE_URL": f"sqlite+aiosqlite:///{state_dir / 'spo.db'}",
            "SPO_UPSTREAM_BASE": sims.base_url,
            "SPO_DEV_MODE": "1",
            "SPO_HOST": HOST,
        }
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    settings = replace(load_settings(), port=port)
    try:
        await upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            await seed(Repositories.open(engine), pop)
        finally:
            await engine.dispose()
        gateway = f"http://{HOST}:{port}"
        personas = persona_tokens(settings, pop)
        simulators = [{"source": s, "url": f"{sims.base_url}/{s}"} for s in server.SOURCES]
        write_demo_json(Path("var/demo.json"), f"{gateway}/graphql", personas, simulators)
        options = {**server_options(settings), "log_level": "warning", "access_log": False}
        srv = uvicorn.Server(uvicorn.Config(create_app(settings, clock), **options))
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: setattr(srv, "should_exit", True))
        # Written before it listens: the tests wait for /healthz, then read it.
        doc = {"gateway": gateway, "pid": os.getpid(), "personas": personas}
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        tmp.replace(out)
        await srv.serve(sockets=[sock])
    finally:
        sock.close()
        await sims.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.state_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(run(args.state_dir.resolve(), args.out.resolve()))


if __name__ == "__main__":
    main()
