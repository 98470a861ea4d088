"""Where the gateway's CPU goes: ``python -m bench.profile`` runs N warm overviews through the
gateway in this process (``bench/asgi.py``: its ASGI interface, no HTTP; simulated sources in
their own process, without latency) under cProfile, and prints the top entries by cumulative and
own time, and own time summed by module. ``make bench`` measures; this explains.

Example::

    python -m bench.profile --persona citizen-history --requests 100
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import json
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from bench import queries
from bench._sim import start_simulators, stop_simulators
from bench.asgi import AsgiClient
from bench.configfile import public_pem
from domain.settings import RateLimitSettings
from gateway.app import create_app
from gateway.config import load_settings
from gateway.demo import claims_for, seed
from gateway.tokens import mint_token
from simulators.population import build_population
from store.engine import upgrade
from store.repositories import Repositories

ROOT = Path(__file__).resolve().parent.parent


async def run(args: argparse.Namespace, sim_url: str, tmp: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp / "trusted.pem").write_bytes(public_pem(key))
    base = load_settings(
        {
            "SPO_UPSTREAM_BASE": sim_url,
            "SPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
            "SPO_DEV_MODE": "0",
            "SPO_CACHE_URL": "memory://",
            "SPO_TRUSTED_DOCUMENTS": "optional",  # its own queries, not the page's
        }
    )
    settings = dataclasses.replace(
        base,
        auth=dataclasses.replace(base.auth, public_key_files=(str(tmp / "trusted.pem"),)),
        ratelimit=RateLimitSettings(per_principal="", per_address=""),  # one principal's load
    )
    await upgrade(settings.database_url)
    pop = build_population()
    client = AsgiClient(create_app(settings))
    await client.startup()
    try:
        await seed(Repositories.open(client.app.state.engine), pop)
        persona = pop.persona(args.persona)
        token = mint_token(key, settings.auth, claims_for(persona), kid="bench-key")
        variables = {"cpr": persona.cpr, "first": args.first}
        body = json.dumps({"query": queries.OVERVIEW, "variables": variables}).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

        async def call() -> bytes:
            status, answer = await client.post("/graphql", body, headers)
            if status != 200:
                raise SystemExit(f"the gateway answered {status}: {answer[:300]!r}")
            return answer

        for _ in range(args.warmup):
            await call()
        await profile(args.persona, call, args.requests)
    finally:
        await client.shutdown()


async def profile(persona_id: str, call: Callable[[], Awaitable[bytes]], n: int) -> None:
    """Run ``call`` ``n`` times under cProfile and print where the time goes.

    The profiler's clock is the wall clock (a CPU clock per event costs a system call and skews
    the result towards small functions); waiting shows up as ``select.epoll.poll``.
    """
    profiler = cProfile.Profile()
    cpu0, thread0 = time.process_time(), time.thread_time()
    profiler.enable()
    for _ in range(n):
        await call()
    profiler.disable()
    cpu_ms = 1000 * (time.process_time() - cpu0) / n
    thread_ms = 1000 * (time.thread_time() - thread0) / n
    print(
        f"\n== {persona_id}: the gateway under cProfile, {n} requests: {cpu_ms:.2f} ms CPU each "
        f"({thread_ms:.2f} ms in the event loop's thread, the rest in other threads such as "
        "aiosqlite's) =="
    )
    stats = pstats.Stats(profiler, stream=sys.stdout)
    for sort in ("cumulative", "tottime"):
        print(f"-- top 25 by {sort} (event loop thread only; coroutines' cumtime overlaps) --")
        stats.sort_stats(sort).print_stats(25)
    totals: dict[str, float] = defaultdict(float)
    waiting = 0.0
    for (file, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if "select.epoll" in function:
            waiting += row[2]
        else:
            totals[_module(file)] += row[2]
    whole = sum(totals.values()) or 1.0
    print(
        f"-- own time by module ({1000 * waiting / n:.2f} ms/request waiting in epoll left out) --"
    )
    for module, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:25]:
        print(f"{100 * seconds / whole:6.1f}%  {module}")


def _module(file: str) -> str:
    """A profile entry's file as a short module name: project file, package, or stdlib."""
    if file == "~":
        return "(C builtins, e.g. isinstance, json)"
    path = Path(file)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1]
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return f"stdlib: {path.parent.name if path.parent.name != 'lib' else ''}/{path.stem}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--persona", default="citizen-multi")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--first", type=int, default=50)
    args = parser.parse_args(argv)
    proc, sim_url = start_simulators()
    try:
        with tempfile.TemporaryDirectory(prefix="spo-profile-") as tmp:
            asyncio.run(run(args, sim_url, Path(tmp)))
    finally:
        stop_simulators(proc)


if __name__ == "__main__":
    main()
