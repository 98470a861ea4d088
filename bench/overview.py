"""The gateway's CPU per overview request, against a hand-written aggregation of the same sources.

``make bench`` (``python -m bench.overview``) starts the simulated sources in a separate process
(``bench/_sim.py``; their CPU is not counted), then, in this process and for each persona, times
N sequential overview requests, after a warm-up, for two legs:

* **gateway**: ``create_app(settings)`` driven in-process through its ASGI interface (a minimal
  ASGI client; no HTTP to the gateway), a citizen's bearer token and the full overview query.
* **hand-written**: what a careful engineer would write without GraphQL: the same token check,
  the same ``Sources`` (the running gateway's own connectors, cache and aiohttp session) fetched
  with ``asyncio.gather``, ``merge_appointments``, and a dict of the same fields through
  ``json.dumps``. Its JSON is checked against the gateway's before anything is timed.

The legs alternate in ``--rounds`` blocks so drift hits both alike. CPU is ``time.process_time``
(every thread of this process, so aiosqlite's too); latency is wall time per request. With
``--cache warm`` (the default) every source is served from the memory cache (TTLs raised so
nothing expires mid-run); ``--cache cold`` sets every TTL to 0, so each request goes upstream.
``--profile [gateway|hand-written]`` runs one leg under cProfile instead and prints where its
CPU goes: the top entries by cumulative and own time, and own time summed by module.

The pieces: ``bench/asgi.py`` (the ASGI client), ``bench/handwritten.py`` (the other leg) and
``bench/measure.py`` (timing, checks, the profile).

Example::

    python -m bench.overview --requests 200 --persona citizen-multi --profile
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec

from bench._sim import start_simulators, stop_simulators
from bench.asgi import AsgiClient
from bench.configfile import public_pem
from bench.handwritten import handwritten
from bench.measure import Leg, check_same, profile, run_block
from domain.settings import Settings
from gateway.app import create_app
from gateway.auth import TokenVerifier
from gateway.config import load_settings
from gateway.demo import claims_for, seed
from gateway.tokens import mint_token
from resolvers.context import Services
from simulators.population import build_population
from store.engine import upgrade
from store.repositories import Repositories

PERSONAS = ("citizen-multi", "citizen-history")
KID = "bench-key"
QUERY = """
query Overview($cpr: String!, $first: Int!) {
  patientOverview(cpr: $cpr) {
    patient { cpr name }
    stamkort {
      name healthInsuranceGroup
      gp { name phone }
      relatives { value provenance { enteredByRole enteredAt } }
    }
    appointments(first: $first) {
      totalCount
      nodes { id start end status title source { id name } organization { sor name } }
      pageInfo { hasNextPage endCursor }
    }
    plans { id title status organization { name } activities { title appointmentIds } }
    goals { id description targets { detail dueDate } }
    sources { id name status fetchedAt }
  }
}
"""


def make_settings(tmp: Path, sim_url: str, cache: str) -> Settings:
    base = load_settings(
        {
            "SPO_UPSTREAM_BASE": sim_url,
            "SPO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.db",
            "SPO_DEV_MODE": "0",
            "SPO_CACHE_URL": "memory://",
        }
    )
    ttl = 24 * 3600.0 if cache == "warm" else 0.0
    return dataclasses.replace(
        base,
        auth=dataclasses.replace(base.auth, public_key_files=(str(tmp / "trusted.pem"),)),
        sources=tuple(dataclasses.replace(s, cache_ttl_s=ttl) for s in base.sources),
        cpr=dataclasses.replace(base.cpr, cache_ttl_s=ttl),
        stamdata=dataclasses.replace(base.stamdata, cache_ttl_s=ttl),
    )


async def bench(args: argparse.Namespace, sim_url: str, tmp: Path) -> list[tuple[str, Leg, Leg]]:
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp / "trusted.pem").write_bytes(public_pem(key))
    settings = make_settings(tmp, sim_url, args.cache)
    await upgrade(settings.database_url)
    pop = build_population()
    client = AsgiClient(create_app(settings))
    await client.startup()
    try:
        services: Services = client.app.state.services
        verifier: TokenVerifier = client.app.state.verifier
        # citizen-multi's relatives, as in the demo
        await seed(Repositories.open(client.app.state.engine), pop)
        out = []
        for persona_id in args.persona:
            persona = pop.persona(persona_id)
            token = mint_token(key, settings.auth, claims_for(persona), kid=KID)
            body = json.dumps(
                {"query": QUERY, "variables": {"cpr": persona.cpr, "first": args.first}}
            ).encode()
            headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}

            async def gateway(body: bytes = body, headers: dict[str, str] = headers) -> bytes:
                status, answer = await client.post("/graphql", body, headers)
                if status != 200:
                    raise SystemExit(f"the gateway answered {status}: {answer[:500]!r}")
                return answer

            async def by_hand(token: str = token, cpr: str = persona.cpr) -> bytes:
                return await handwritten(services, verifier, token, cpr, args.first)

            for _ in range(args.warmup):
                await gateway()
                await by_hand()
            check_same(await gateway(), await by_hand())
            if args.profile:
                leg = gateway if args.profile == "gateway" else by_hand
                await profile(persona_id, args.profile, leg, args.requests)
                continue
            gw, hw = Leg(), Leg()
            per_round = max(1, args.requests // args.rounds)
            for _ in range(args.rounds):
                await run_block(gateway, per_round, gw)
                await run_block(by_hand, per_round, hw)
            check_same(await gateway(), await by_hand())
            out.append((persona_id, gw, hw))
        return out
    finally:
        await client.shutdown()


def report(args: argparse.Namespace, rows: list[tuple[str, Leg, Leg]]) -> None:
    print(
        f"\noverview requests: {args.requests} per leg after {args.warmup} warm-up, "
        f"cache {args.cache}, first: {args.first}, {args.rounds} alternating rounds"
    )
    head = f"{'persona':16} {'leg':13} {'CPU ms/req':>10} {'wall p50 ms':>11} {'wall p99 ms':>11}"
    print(head)
    print("-" * len(head))
    for persona_id, gw, hw in rows:
        for name, leg in (("gateway", gw), ("hand-written", hw)):
            print(
                f"{persona_id:16} {name:13} {leg.cpu_ms:10.2f} "
                f"{leg.percentile(0.50):11.2f} {leg.percentile(0.99):11.2f}"
            )
        if gw.degraded or hw.degraded:
            print(
                f"{persona_id:16} WARNING: degraded answers (errors or a source not OK): "
                f"gateway {gw.degraded}, hand-written {hw.degraded}; the numbers do not compare"
            )
        ratio = gw.cpu_ms / hw.cpu_ms
        median = statistics.median(gw.latencies) / statistics.median(hw.latencies)
        print(f"{persona_id:16} {'ratio':13} {ratio:9.2f}x {median:10.2f}x")
        print()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.overview", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per leg")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per leg first")
    parser.add_argument("--rounds", type=int, default=4, help="alternating blocks per leg")
    parser.add_argument("--first", type=int, default=500, help="appointments page size")
    parser.add_argument("--cache", choices=("warm", "cold"), default="warm")
    parser.add_argument(
        "--persona", action="append", choices=PERSONAS, help="repeatable; default: all"
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="gateway",
        choices=("gateway", "hand-written"),
        help="cProfile one leg (default: the gateway) instead of timing both",
    )
    args = parser.parse_args(argv)
    args.persona = args.persona or list(PERSONAS)
    if args.requests < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("--requests and --rounds must be positive, --warmup not negative")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    proc, sim_url = start_simulators()
    try:
        with tempfile.TemporaryDirectory(prefix="spo-bench-") as tmp:
            rows = asyncio.run(bench(args, sim_url, Path(tmp)))
    finally:
        stop_simulators(proc)
    if rows:
        report(args, rows)


if __name__ == "__main__":
    main()
