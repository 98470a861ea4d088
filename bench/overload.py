"""Overload: one replica at 200 concurrent overviews, with and without ``[limits] max_in_flight``.

``python -m bench.overload`` starts the simulated sources in their own process (with the
benchmark's latencies), then for each bound (``--bounds``, 0 = none) one gateway process
(``spo serve``, cold: every source asked each time) and ``--concurrency`` clients that each send
``--per-client`` overviews of citizen-multi one after the other — bounded in count, loopback only.
It prints, per bound: how many were answered (200) and refused (503), the p50/p99 latency of
each, and how many answers were complete (no source timed out).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.hazmat.primitives.asymmetric import ec

from bench import queries
from bench._sim import start_simulators, stop_simulators
from bench.configfile import public_pem, write_config
from bench.overview import KID, _seed, _set_latencies
from bench.servers import Server
from gateway.config import load_settings
from gateway.demo import claims_for
from gateway.tokens import mint_token
from simulators.population import build_population


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _client(
    session: aiohttp.ClientSession, url: str, token: str, cpr: str, n: int, out: list[Any]
) -> None:
    body = {"query": queries.OVERVIEW, "variables": {"cpr": cpr, "first": 50}}
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(n):
        start = time.perf_counter()
        async with session.post(f"{url}/graphql", json=body, headers=headers) as r:
            payload = await r.json(content_type=None)
            out.append((r.status, time.perf_counter() - start, bool(payload.get("errors"))))


async def run(args: argparse.Namespace, sim_url: str, tmp: Path) -> None:
    pop = build_population()
    key = ec.generate_private_key(ec.SECP256R1())
    database_url = f"sqlite+aiosqlite:///{tmp}/overload.db"
    await _seed(database_url, pop)
    multi = pop.persona("citizen-multi")
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        await _set_latencies(session, sim_url)
        print(f"{args.concurrency} concurrent x {args.per_client}, cold citizen-multi overview")
        print("bound  | 200   p50 ms  p99 ms  complete | 503   p50 ms  p99 ms | wall s")
        for bound in args.bounds:
            (tmp / str(bound)).mkdir()
            config = write_config(
                tmp / str(bound), public_pem(key), cache_ttl_s=0.0, max_in_flight=bound
            )
            env = {
                "SPO_CONFIG": str(config),
                "SPO_UPSTREAM_BASE": sim_url,
                "SPO_DATABASE_URL": database_url,
            }
            auth = load_settings({"SPO_CONFIG": str(config)}).auth
            token = mint_token(key, auth, claims_for(multi), kid=KID)
            gateway = await Server.launch(
                f"gateway-{bound}", ["-m", "gateway.cli", "serve"], env, tmp
            )
            try:
                results: list[Any] = []
                start = time.perf_counter()
                await asyncio.gather(
                    *(
                        _client(session, gateway.url, token, multi.cpr, args.per_client, results)
                        for _ in range(args.concurrency)
                    )
                )
                wall = time.perf_counter() - start
            finally:
                await gateway.stop()
            ok = [t * 1000 for s, t, _ in results if s == 200]
            busy = [t * 1000 for s, t, _ in results if s == 503]
            complete = sum(1 for s, _, e in results if s == 200 and not e)
            print(
                f"{bound or 'none':<6} | {len(ok):<5} {_pct(ok, 0.5):>6.0f}  {_pct(ok, 0.99):>6.0f}"
                f"  {complete:>8} | {len(busy):<5} {_pct(busy, 0.5):>6.0f}  "
                f"{_pct(busy, 0.99):>6.0f} | {wall:.1f}"
            )
            others = len(results) - len(ok) - len(busy)
            if others:
                print(f"       ({others} other statuses)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bounds", type=int, nargs="+", default=[0, 64])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--per-client", type=int, default=5)
    args = parser.parse_args(argv)
    proc, sim_url = start_simulators()
    try:
        with tempfile.TemporaryDirectory(prefix="spo-overload-") as tmp:
            asyncio.run(run(args, sim_url, Path(tmp)))
    finally:
        stop_simulators(proc)


if __name__ == "__main__":
    main()
