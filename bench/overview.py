"""``make bench``: the gateway against a hand-written aggregation, both behind uvicorn, measured
from outside.

Setup, all on 127.0.0.1: the simulated sources in their own process (``bench/_sim.py``) with set
latencies (``LATENCY_MS``, through each simulator's ``_faults``); SQLite in a temporary folder
(or ``--database-url``), migrated and seeded as the demo is, plus a treatment-place block on
citizen-multi that withholds something from clinician-auh; then per cache mode (``warm``: TTLs of
a day, ``cold``: TTL 0, every search goes upstream) and per worker count, two server trees on
ephemeral ports, started with the same settings and uvicorn options:

* **gateway**: ``spo serve --workers N`` (``python -m gateway.cli``), ``POST /graphql``;
* **hand-written**: ``python -m bench.handapp --workers N``: the gateway's own app and lifespan
  with ``POST /overview`` (``bench/handwritten.py``: the same token check, tenancy, scope,
  fan-out, merge, decision and access-log append, without GraphQL).

Before anything is timed, both legs' answers are compared for every overview persona (data and
errors; only ``fetchedAt``, which depends on the gateway's task order, is left out).

Each run is a closed-loop client (``bench/measure.py``) at concurrency c for ``--seconds`` (at
most ``--max-requests``), after a warm-up; runs alternate legs and repeat ``--repeats`` times,
and figures are medians over repeats. CPU per request is the server tree's utime + stime
(``bench/servers.py``), latency the client's. The slowest source (Aarhus, 80 ms) is also timed
directly with the same search the connector sends. ``floor`` is measured inside the hand-written
server (``POST /floor``): decoding the records as the cache stores them and serialising the same
response. Results: ``var/bench.json`` (figures and every run), a table on stdout, and
``var/bench.png`` (``bench/report.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.hazmat.primitives.asymmetric import ec

from bench import queries
from bench._sim import start_simulators, stop_simulators
from bench.configfile import public_pem, write_config
from bench.measure import Request, Run, closed_loop, signature
from bench.report import figures, plot, table
from bench.servers import Server
from domain.blocks import Block, BlockKind
from gateway.config import load_settings
from gateway.demo import claims_for, seed
from gateway.tokens import mint_token
from simulators.population import Persona, Population, build_population
from store.engine import make_engine, upgrade
from store.repositories import Repositories

LATENCY_MS = {
    "rm": 20,
    "rn": 50,
    "aarhus": 80,
    "frederikshavn": 50,
    "gp-jml": 20,
    "cpr": 20,
    "stamdata": 20,
}
SLOWEST = "aarhus"
KID = "bench-key"
CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"


@dataclass(frozen=True)
class Case:
    """One thing to ask: a persona, the query, and whether the hand-written leg does it too."""

    name: str
    persona: str
    calendar_view: str | None = None

    @property
    def both_legs(self) -> bool:
        return self.calendar_view is None


CASES = (
    Case("citizen-multi", "citizen-multi"),
    Case("clinician-auh", "clinician-auh"),
    Case("citizen-history", "citizen-history"),
    Case("history-day", "citizen-history", "DAY"),
    Case("history-week", "citizen-history", "WEEK"),
)


def _requests(
    case: Case, persona: Persona, token: str, first: int, gateway: Server, hand: Server
) -> dict[str, Request]:
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    if case.calendar_view:
        body: dict[str, Any] = {
            "query": queries.CALENDAR,
            "variables": {"cpr": persona.cpr, "view": case.calendar_view, "first": first},
        }
    else:
        body = {"query": queries.OVERVIEW, "variables": {"cpr": persona.cpr, "first": first}}
    out = {"gateway": Request(f"{gateway.url}/graphql", json.dumps(body).encode(), headers)}
    if case.both_legs:
        hand_body = json.dumps({"cpr": persona.cpr, "first": first}).encode()
        out["hand-written"] = Request(f"{hand.url}/overview", hand_body, headers)
    return out


async def _post(session: aiohttp.ClientSession, req: Request) -> bytes:
    async with session.post(req.url, data=req.body, headers=dict(req.headers)) as resp:
        body = await resp.read()
        if resp.status != 200:
            raise SystemExit(f"{req.url} answered {resp.status}: {body[:300]!r}")
        return body


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    data = doc.get("data") or {}
    for s in (data.get("patientOverview") or {}).get("sources") or []:
        s.pop("fetchedAt", None)  # which cached fetch it comes from depends on task order
    errors = sorted(
        (e["message"], e.get("path"), (e.get("extensions") or {}).get("code"))
        for e in doc.get("errors") or []
    )
    return {"data": data, "errors": errors}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


async def check_same(session: aiohttp.ClientSession, case: Case, reqs: dict[str, Request]) -> bool:
    """Both legs must give the same answer. Returns whether it is a whole one (every source
    OK); a degraded answer (a source timed out under load, say) is reported, not compared."""
    answers = {leg: await _post(session, r) for leg, r in reqs.items()}
    for leg, req in reqs.items():
        req.whole = signature(answers[leg])
    got = {leg: _comparable(json.loads(body)) for leg, body in answers.items()}
    gateway = got["gateway"]
    overview = gateway["data"].get("patientOverview") or {}
    statuses = {s["id"]: s["status"] for s in overview.get("sources") or []}
    if not overview or any(v != "OK" for v in statuses.values()):
        print(f"  WARNING {case.name}: a degraded answer, not compared: {statuses}", flush=True)
        return False
    if "hand-written" in got and got["hand-written"] != gateway:
        for leg, doc in got.items():
            _write(Path(f"var/bench-{case.name}-{leg}.json"), json.dumps(doc, indent=1))
        raise SystemExit(f"{case.name}: the legs' answers differ (var/bench-{case.name}-*.json)")
    return True


async def _set_latencies(session: aiohttp.ClientSession, sim_url: str) -> None:
    for source, ms in LATENCY_MS.items():
        fault = {"mode": "latency", "ms": ms}
        async with session.post(f"{sim_url}/{source}/_faults", json=fault) as resp:
            if resp.status != 200:
                raise SystemExit(f"cannot set {source}'s latency: {resp.status}")


async def _seed(database_url: str, pop: Population) -> None:
    """The demo's state, and a block in force that withholds part of citizen-multi's data from
    clinician-auh: her data from Aalborg's hospital (a treatment-place block)."""
    await upgrade(database_url)
    engine = make_engine(database_url)
    try:
        store = Repositories.open(engine)
        await seed(store, pop)
        multi, now = pop.persona("citizen-multi"), datetime.now(UTC)
        aalborg = next(o.sor for o in pop.orgs.values() if o.name == "Aalborg Universitetshospital")
        if not any(b.sor == aalborg for b in await store.blocks.list_blocks(multi.cpr)):
            await store.blocks.add(
                Block.new(
                    patient_cpr=multi.cpr,
                    kind=BlockKind.TREATMENT_PLACE,
                    valid_from=now - timedelta(days=1),
                    valid_to=None,
                    authorisation_id=None,
                    sor=aalborg,
                    include_subunits=True,
                    period_start=None,
                    period_end=None,
                    created_by=multi.cpr,
                    created_by_role="citizen",
                    now=now,
                )
            )
    finally:
        await engine.dispose()


async def time_slowest(
    session: aiohttp.ClientSession, sim_url: str, cpr: str, args: argparse.Namespace
) -> Run:
    """The slowest source, asked directly what the connector asks it (one 250-entry page)."""
    query = f"patient.identifier={CPR_SYSTEM}|{cpr}&status=current,superseded&_count=250"
    url = f"{sim_url}/{SLOWEST}/xds/DocumentReference?{query}"
    run = Run(SLOWEST, "citizen-multi", "direct", 1, 0, 0)
    for _ in range(args.slowest_requests):
        t0 = asyncio.get_running_loop().time()
        async with session.get(url) as resp:
            await resp.read()
            run.failed += resp.status != 200
        run.latencies_ms.append(1000 * (asyncio.get_running_loop().time() - t0))
    run.requests = len(run.latencies_ms)
    return run


def _plan(args: argparse.Namespace, cache: str, workers: int) -> Iterator[tuple[Case, int]]:
    for case in CASES:
        if args.case and case.name not in args.case:
            continue
        if workers > 1 and case.name != "citizen-multi":
            continue  # the workers figure is the citizen overview's throughput
        for c in args.concurrency:
            if workers > 1 and c == 1:
                continue
            yield case, c


@dataclass
class Bench:
    """What every run shares: the arguments, the client session, the personas and tokens."""

    args: argparse.Namespace
    session: aiohttp.ClientSession
    pop: Population
    tokens: dict[str, str]
    runs: list[Run]

    async def case(
        self, case: Case, cache: str, c: int, workers: int, gateway: Server, hand: Server
    ) -> None:
        """Check the legs agree, then ``--repeats`` rounds of a warm-up and a timed run each."""
        args = self.args
        persona = self.pop.persona(case.persona)
        reqs = _requests(case, persona, self.tokens[case.persona], args.first, gateway, hand)
        for req in reqs.values():  # a cold source's first answer may come late (a timeout)
            await closed_loop(
                self.session,
                req,
                Run("", "", cache, c, workers, -1),
                None,
                seconds=args.seconds,
                max_requests=c,
            )
        compared = False
        for _ in range(3):
            compared = await check_same(self.session, case, reqs)
            if compared:
                break
        for repeat in range(args.repeats):
            for leg, req in reqs.items():
                warm_up = Run(leg, case.name, cache, c, workers, -1)
                most = c if cache == "cold" else max(2 * c, args.warmup)
                await closed_loop(
                    self.session, req, warm_up, None, seconds=args.seconds, max_requests=most
                )
                run = Run(leg, case.name, cache, c, workers, repeat, compared=compared)
                server = gateway if leg == "gateway" else hand
                await closed_loop(
                    self.session,
                    req,
                    run,
                    server,
                    seconds=args.seconds,
                    max_requests=args.max_requests,
                    min_requests=args.min_requests,
                )
                self.runs.append(run)
                print(_line(run), flush=True)


async def bench(args: argparse.Namespace, sim_url: str, tmp: Path) -> dict[str, Any]:
    pop = build_population()
    key = ec.generate_private_key(ec.SECP256R1())
    database_url = args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    await _seed(database_url, pop)
    trusted = write_config(tmp, public_pem(key))  # the settings every server reads, but TTLs
    auth = load_settings({"SPO_CONFIG": str(trusted)}).auth
    tokens = {
        c.persona: mint_token(key, auth, claims_for(pop.persona(c.persona)), kid=KID) for c in CASES
    }
    floor_ms = float("nan")
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await _set_latencies(session, sim_url)
        slowest = await time_slowest(session, sim_url, pop.persona("citizen-multi").cpr, args)
        run = Bench(args, session, pop, tokens, [slowest])
        for cache in args.cache:
            (tmp / cache).mkdir()
            ttl = 86400.0 if cache == "warm" else 0.0
            env = {
                # No admission bound: the hand-written leg has none, and c=50 would pass it.
                "SPO_CONFIG": str(
                    write_config(tmp / cache, public_pem(key), cache_ttl_s=ttl, max_in_flight=0)
                ),
                "SPO_UPSTREAM_BASE": sim_url,
                "SPO_DATABASE_URL": database_url,
                "SPO_CACHE_URL": "memory://",
            }
            for workers in args.workers if cache == "warm" else [1]:
                name = f"{cache}-{workers}w"
                gateway = await Server.launch(
                    f"gateway-{name}",
                    ["-m", "gateway.cli", "serve", "--workers", str(workers)],
                    env,
                    tmp,
                )
                try:
                    hand = await Server.launch(
                        f"hand-{name}",
                        ["-m", "bench.handapp", "--workers", str(workers)],
                        env,
                        tmp,
                    )
                    try:
                        for case, c in _plan(args, cache, workers):
                            await run.case(case, cache, c, workers, gateway, hand)
                        if cache == "warm" and workers == 1:
                            floor_ms = await _floor(session, hand, pop, tokens, args)
                    finally:
                        await hand.stop()
                finally:
                    await gateway.stop()
    return {"runs": run.runs, "floor_ms": floor_ms}


async def _floor(
    session: aiohttp.ClientSession,
    hand: Server,
    pop: Population,
    tokens: dict[str, str],
    args: argparse.Namespace,
) -> float:
    persona = pop.persona("citizen-multi")
    req = Request(
        f"{hand.url}/floor",
        json.dumps({"cpr": persona.cpr, "first": args.first, "n": 200}).encode(),
        {"content-type": "application/json", "authorization": f"Bearer {tokens[persona.id]}"},
    )
    return float(json.loads(await _post(session, req))["cpu_ms"])


def _line(run: Run) -> str:
    return (
        f"  {run.persona:16} {run.leg:13} {run.cache:5} c={run.concurrency:<3} "
        f"w={run.workers} #{run.repeat}: {run.requests:5} req, {run.cpu_ms:7.2f} ms CPU/req, "
        f"{run.throughput:7.1f} req/s, p50 {run.percentile(0.5):7.1f} ms, "
        f"p99 {run.percentile(0.99):7.1f} ms"
        + (f", {run.failed} FAILED" if run.failed else "")
        + (f", {run.degraded} degraded" if run.degraded else "")
    )


def _keep_logs(tmp: Path, out: Path) -> None:
    """The servers' logs, kept beside the results (the temporary folder goes)."""
    (out / "bench-logs").mkdir(parents=True, exist_ok=True)
    for log in tmp.glob("*.log"):
        (out / "bench-logs" / log.name).write_bytes(log.read_bytes())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.overview", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each timed run")
    parser.add_argument("--max-requests", type=int, default=2000, help="cap per timed run")
    parser.add_argument("--min-requests", type=int, default=5, help="per timed run, if time allows")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests before a run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case; figures are medians")
    parser.add_argument("--first", type=int, default=50, help="appointments page size")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cache", nargs="+", choices=("warm", "cold"), default=["warm", "cold"])
    parser.add_argument(
        "--case", action="append", choices=[c.name for c in CASES], help="repeatable; default all"
    )
    parser.add_argument("--slowest-requests", type=int, default=40)
    parser.add_argument("--database-url", help="e.g. postgresql+asyncpg://…; default: SQLite")
    parser.add_argument("--out", type=Path, default=Path("var"))
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.repeats < 1 or min(args.concurrency) < 1:
        parser.error("--seconds, --repeats and --concurrency must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    proc, sim_url = start_simulators()
    try:
        with tempfile.TemporaryDirectory(prefix="spo-bench-") as tmp:
            try:
                got = asyncio.run(bench(args, sim_url, Path(tmp)))
            finally:
                _keep_logs(Path(tmp), args.out)
    finally:
        stop_simulators(proc)
    runs: list[Run] = got["runs"]
    figures_of = figures(runs, got["floor_ms"])
    result = {
        "figures": figures_of,
        "latency_ms": LATENCY_MS,
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "runs": [r.summary() for r in runs],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(result, indent=1) + "\n")
    print(table(runs, figures_of))
    plot(runs, args.out / "bench.png")
    print(f"\n{args.out / 'bench.json'} and {args.out / 'bench.png'} written")


if __name__ == "__main__":
    main()
