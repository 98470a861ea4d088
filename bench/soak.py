"""A bounded soak: concurrent overviews for several personas while random faults come and go.

The simulators run in this process and the gateway in its own OS process (``GatewayProcess``, so
its memory is its own), both on 127.0.0.1 ephemeral ports. For ``--seconds`` (default 2100: a
5-minute warm-up, then the 30 minutes the memory goal is about), ``--concurrency`` clients ask
for a persona's overview in a loop while a chaos task switches random faults (latency, 5xx/429,
resets, hangs, malformed and hostile payloads) on random simulators. Among the personas is
``clinician-blocked``, whom citizen-multi has blocked: every one of their answers must withhold
every guarded field. At the end it prints requests, gateway 5xx, block violations, p50/p99
latency and the gateway's RSS curve (``bench/memory.py``: sampled every ``--rss-every`` s; at the
end of the ``--warmup``, at 10, 20, 30 minutes and the end; its growth after the warm-up and
PASS/FAIL against < 5 % over 30 minutes), and exits 1 if there was any 5xx, unanswered request
or block violation, or a full 30-minute window grew 5 % or more.

    python -m bench.soak --seconds 30 --concurrency 16
    python -m bench.soak --tracemalloc          # and what grew: var/soak-memory/*.txt

State is a throw-away SQLite file and the in-memory cache unless ``--database-url`` /
``--cache-url`` say otherwise. Every source's cache TTL is ``--cache-ttl`` (1 s), so that upstream
calls, and the faults, keep happening. The gateway's own log (where upstream failures are
recorded in detail) goes to ``--log`` (``var/soak-gateway.log``), the RSS samples to
``--memory-dir`` (``var/soak-memory/rss.tsv``), with the tracemalloc reports when asked for.
``--gateway-env KEY=VALUE`` (e.g. ``MALLOC_ARENA_MAX=2``) and ``--malloc-trim SECONDS`` are for
telling allocator growth from a leak.
The pieces: ``bench/load.py`` (the clients and the report), ``bench/chaos.py`` (the faults),
``bench/memory.py`` (the RSS curve and tracing), ``bench/replica.py`` (``GatewayProcess``) and
``bench/configfile.py`` (``write_config``); the last two are also what
``tests/test_replicas.py`` starts replicas with.
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
from bench.memory import (
    GC_FREEZE_ENV,
    STATS_DIR_ENV,
    TRACE_DIR_ENV,
    TRACE_EVERY_ENV,
    TRIM_EVERY_ENV,
    RssCurve,
    memory_report,
    read_traced,
    sample_rss,
    warmup_for,
    write_curves,
)
from bench.replica import GatewayProcess

KID = "soak-key"


def rng_from(seed: float) -> random.Random:
    """A seeded generator: a reproducible load pattern, nothing to do with cryptography."""
    return random.Random(seed)  # noqa: S311


def fresh_log(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def fresh_memory_dir(path: Path) -> Path:
    """``path``, emptied of an earlier soak's RSS samples and tracemalloc reports."""
    path.mkdir(parents=True, exist_ok=True)
    for old in (*path.glob("tracemalloc-*"), *path.glob("mallocstats-*"), *path.glob("rss.tsv")):
        old.unlink()
    return path


def memory_env(args: argparse.Namespace, memory_dir: Path) -> dict[str, str]:
    """The gateway's environment for ``--tracemalloc``, ``--malloc-trim``, ``--gateway-env``."""
    env = dict(kv.split("=", 1) for kv in args.gateway_env)
    if args.tracemalloc:
        env[TRACE_DIR_ENV] = str(memory_dir.resolve())
        env[TRACE_EVERY_ENV] = str(args.snapshot_every)
    if args.malloc_trim:
        env[TRIM_EVERY_ENV] = str(args.malloc_trim)
    if args.mallocstats:
        env[STATS_DIR_ENV] = str(memory_dir.resolve())
        env[TRACE_EVERY_ENV] = str(args.snapshot_every)
    if args.gc_freeze:
        env[GC_FREEZE_ENV] = "1"
    return env


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
    curves: dict[int, RssCurve] = {}
    memory_dir = fresh_memory_dir(Path(args.memory_dir))
    started_at = 0.0
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
            gateway = await GatewayProcess.start({**env, **memory_env(args, memory_dir)}, log_path)
            try:
                started_at = await run(args, gateway, sims.base_url, tokens, rng, tally, curves)
            finally:
                await gateway.stop()
    finally:
        await sims.close()
    write_curves(memory_dir / "rss.tsv", curves.values())
    traced = {pid: read_traced(memory_dir, pid, started_at) for pid in curves}
    lines, memory_failed = memory_report(
        curves.values(), warmup_for(args.seconds, args.warmup), traced
    )
    print(report(args, tally, lines, memory_failed))
    failed = tally.server_errors or tally.unanswered or tally.violations or memory_failed
    return 1 if failed else 0


async def run(
    args: argparse.Namespace,
    gateway: GatewayProcess,
    sim_url: str,
    tokens: Mapping[str, tuple[str, str]],
    rng: random.Random,
    tally: Tally,
    curves: dict[int, RssCurve],
) -> float:
    """Warm up, then load the gateway for ``--seconds``; returns when the load began (wall)."""
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    connector = aiohttp.TCPConnector(limit=args.concurrency + 4)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        # One quiet round first, so "start" is the gateway warmed up, not half imported.
        for persona, (token, cpr) in tokens.items():
            async with ask(session, gateway.url, token, cpr) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"warm-up for {persona} failed: HTTP {resp.status}")
        print(
            f"soak: {args.seconds:g} s, concurrency {args.concurrency}, seed {args.seed}, "
            f"gateway pid {gateway.proc.pid} on {gateway.url} (log {gateway.log_path})",
            flush=True,
        )
        until = time.monotonic() + args.seconds
        started = time.monotonic()
        started_at = time.time()
        await asyncio.gather(
            sample_rss([gateway.proc.pid], args.rss_every, until, curves),
            chaos(session, sim_url, rng_from(rng.random()), args.fault_every, until, tally.faults),
            *(
                client(session, gateway.url, tokens, rng_from(rng.random()), until, tally)
                for _ in range(args.concurrency)
            ),
        )
        tally.elapsed_s = time.monotonic() - started
        if gateway.proc.poll() is not None:
            raise RuntimeError(f"the gateway died during the soak:\n{gateway.tail()}")
        return started_at


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--seconds", type=float, default=2100.0, help="how long (default 2100: 5 + 30 min)"
    )
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
    memory = parser.add_argument_group("memory")
    memory.add_argument(
        "--warmup", type=float, default=300.0, help="seconds before RSS growth counts (300)"
    )
    memory.add_argument("--rss-every", type=float, default=10.0, help="RSS sampling period (10 s)")
    memory.add_argument(
        "--memory-dir", default="var/soak-memory", help="RSS samples, tracemalloc reports"
    )
    memory.add_argument(
        "--tracemalloc", action="store_true", help="trace allocations in the gateway (slower)"
    )
    memory.add_argument(
        "--snapshot-every", type=float, default=300.0, help="tracemalloc snapshot period (300 s)"
    )
    memory.add_argument(
        "--malloc-trim", type=float, default=0.0, help="call malloc_trim(0) every N s (0: never)"
    )
    memory.add_argument(
        "--mallocstats",
        action="store_true",
        help="pymalloc's arenas and the GC's counts every --snapshot-every s",
    )
    memory.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() in the gateway once it is imported"
    )
    memory.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="add to the gateway's environment, e.g. MALLOC_ARENA_MAX=2 (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.seconds > 3600 or args.concurrency < 1 or args.concurrency > 256:
        parser.error("--seconds must be in (0, 3600] and --concurrency in [1, 256]")
    if args.rss_every <= 0 or args.snapshot_every <= 0 or args.warmup < 0 or args.malloc_trim < 0:
        parser.error(
            "--rss-every and --snapshot-every must be > 0, --warmup and --malloc-trim >= 0"
        )
    if any("=" not in kv or not kv.split("=", 1)[0] for kv in args.gateway_env):
        parser.error("--gateway-env takes KEY=VALUE")
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1_000_000)
    return args


def main(argv: list[str] | None = None) -> None:
    sys.exit(asyncio.run(soak(parse_args(argv))))


if __name__ == "__main__":
    main()
