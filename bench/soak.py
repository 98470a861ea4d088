"""A bounded soak: concurrent overviews for several personas while random faults come and go.

The simulators run in this process and the gateway in its own OS process (``GatewayProcess``, so
its memory is its own), both on 127.0.0.1 ephemeral ports. For ``--seconds`` (default 180),
``--concurrency`` clients ask for a persona's overview in a loop while a chaos task switches
random faults (latency, 5xx/429, resets, hangs, malformed and hostile payloads) on random
simulators. Among the personas is ``clinician-blocked``, whom citizen-multi has blocked: every
one of their answers must withhold every guarded field. At the end it prints requests, gateway
5xx, block violations, p50/p99 latency and the gateway's RSS at start and end, and exits 1 if
there was any 5xx, unanswered request or block violation.

    python -m bench.soak --seconds 30 --concurrency 16

State is a throw-away SQLite file and the in-memory cache unless ``--database-url`` /
``--cache-url`` say otherwise. Every source's cache TTL is ``--cache-ttl`` (1 s), so that upstream
calls, and the faults, keep happening. The gateway's own log (where upstream failures are
recorded in detail) goes to ``--log`` (``var/soak-gateway.log``).
The pieces: ``bench/load.py`` (the clients and the report), ``bench/chaos.py`` (the faults),
``bench/replica.py`` (``GatewayProcess``) and ``bench/configfile.py`` (``write_config``); the last
two are also what ``tests/test_replicas.py`` starts replicas with.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import aiohttp
from cryptography.hazmat.primitives.asymmetric import ec

from bench.chaos import chaos
from bench.configfile import public_pem, write_config
from bench.load import PERSONAS, Tally, ask, client, report
from bench.replica import GatewayProcess

KID = "soak-key"


def rng_from(seed: float) -> random.Random:
    """A seeded generator: a reproducible load pattern, nothing to do with cryptography."""
    return random.Random(seed)  # noqa: S311


def fresh_log(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


async def soak(args: argparse.Namespace) -> int:
    from gateway.config import load_settings
    from gateway.demo import claims_for, seed
    from gateway.tokens import mint_token
    from simulators import server
    from simulators.population import build_population
    from store.engine import make_engine, upgrade
    from store.repositories import Repositories

    rng = rng_from(args.seed)
    pop = build_population()
    sims = await server.start(pop, "127.0.0.1", 0)
    tally = Tally()
    try:
        with tempfile.TemporaryDirectory(prefix="spo-soak-") as tmp:
            key = ec.generate_private_key(ec.SECP256R1())
            config = write_config(Path(tmp), public_pem(key), cache_ttl_s=args.cache_ttl)
            database_url = args.database_url or f"sqlite+aiosqlite:///{tmp}/soak.db"
            env = {
                "SPO_CONFIG": str(config),
                "SPO_DATABASE_URL": database_url,
                "SPO_CACHE_URL": args.cache_url,
                "SPO_UPSTREAM_BASE": sims.base_url,
                "SPO_DEV_MODE": "0",
            }
            settings = load_settings(env)
            await upgrade(database_url)
            engine = make_engine(database_url)
            try:
                await seed(
                    Repositories.open(engine), pop
                )  # the block on clinician-blocked, among others
            finally:
                await engine.dispose()
            tokens = {
                p: (
                    mint_token(key, settings.auth, claims_for(pop.persona(p)), kid=KID),
                    pop.persona(p).cpr,
                )
                for p, _ in PERSONAS
            }
            log_path = fresh_log(Path(args.log))
            gateway = await GatewayProcess.start(env, log_path)
            try:
                await run(args, gateway, sims.base_url, tokens, rng, tally)
            finally:
                await gateway.stop()
    finally:
        await sims.close()
    print(report(args, tally))
    return 1 if tally.server_errors or tally.unanswered or tally.violations else 0


async def run(
    args: argparse.Namespace,
    gateway: GatewayProcess,
    sim_url: str,
    tokens: Mapping[str, tuple[str, str]],
    rng: random.Random,
    tally: Tally,
) -> None:
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    connector = aiohttp.TCPConnector(limit=args.concurrency + 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # One quiet round first, so "start" is the gateway warmed up, not half imported.
        for persona, (token, cpr) in tokens.items():
            async with ask(session, gateway.url, token, cpr) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"warm-up for {persona} failed: HTTP {resp.status}")
        tally.rss_start_kb = gateway.rss_kb()
        print(
            f"soak: {args.seconds:g} s, concurrency {args.concurrency}, seed {args.seed}, "
            f"gateway pid {gateway.proc.pid} on {gateway.url} (log {gateway.log_path})",
            flush=True,
        )
        until = time.monotonic() + args.seconds
        started = time.monotonic()
        await asyncio.gather(
            chaos(session, sim_url, rng_from(rng.random()), args.fault_every, until, tally.faults),
            *(
                client(session, gateway.url, tokens, rng_from(rng.random()), until, tally)
                for _ in range(args.concurrency)
            ),
        )
        tally.elapsed_s = time.monotonic() - started
        tally.rss_end_kb = gateway.rss_kb()
        if gateway.proc.poll() is not None:
            raise RuntimeError(f"the gateway died during the soak:\n{gateway.tail()}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=180.0, help="how long (default 180)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients (default 16)")
    parser.add_argument(
        "--fault-every", type=float, default=2.0, help="seconds between faults (0: none)"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    parser.add_argument("--request-timeout", type=float, default=15.0, help="client timeout (s)")
    parser.add_argument("--database-url", default=None, help="default: a throw-away SQLite file")
    parser.add_argument(
        "--cache-ttl", type=float, default=1.0, help="every source's cache TTL (default 1 s)"
    )
    parser.add_argument("--cache-url", default="memory://", help="memory:// or redis://...")
    parser.add_argument("--log", default="var/soak-gateway.log", help="the gateway's own log")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 3600 or args.concurrency < 1 or args.concurrency > 256:
        parser.error("--seconds must be in (0, 3600] and --concurrency in [1, 256]")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    return args


def main(argv: list[str] | None = None) -> None:
    sys.exit(asyncio.run(soak(parse_args(argv))))


if __name__ == "__main__":
    main()
