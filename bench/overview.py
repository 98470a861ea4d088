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

Example::

    python -m bench.overview --requests 200 --persona citizen-multi --profile
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import gc
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bench._sim import start_simulators, stop_simulators
from connectors.registry import PersonResult, SourceResult
from domain.access import may_view
from domain.entered import StamkortState
from domain.records import AppointmentRecord, GoalRecord, PlanRecord
from domain.settings import Settings
from gateway.app import create_app
from gateway.auth import TokenVerifier, mint_token
from gateway.config import load_settings
from gateway.demo import claims_for, seed
from resolvers.calendar import local_date
from resolvers.context import Services
from resolvers.merge import FAR_FUTURE, encode_cursor, merge_appointments
from resolvers.overview import REGISTERS
from simulators.population import build_population
from store.db import upgrade
from store.repositories import Repositories

ROOT = Path(__file__).resolve().parent.parent
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

Call = Callable[[], Awaitable[bytes]]


# --- a minimal ASGI client: lifespan and one-shot HTTP requests ------------------------------


class AsgiClient:
    """Drives an ASGI app in this process: its lifespan, then requests with a full body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._lifespan: asyncio.Task[None] | None = None

    async def _lifespan_step(self, message: str, expect: str) -> None:
        assert self._lifespan is not None
        await self._to_app.put({"type": message})
        reply = asyncio.ensure_future(self._from_app.get())
        await asyncio.wait({reply, self._lifespan}, return_when=asyncio.FIRST_COMPLETED)
        if not reply.done():
            reply.cancel()
            self._lifespan.result()  # raises what the lifespan raised
            raise RuntimeError(f"lifespan ended without {expect}")
        if reply.result()["type"] != expect:
            raise RuntimeError(f"lifespan: {reply.result()}")

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self._lifespan = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app.put))
        await self._lifespan_step("lifespan.startup", "lifespan.startup.complete")

    async def shutdown(self) -> None:
        await self._lifespan_step("lifespan.shutdown", "lifespan.shutdown.complete")
        assert self._lifespan is not None
        await self._lifespan

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        raw_headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": dict(self.state),
        }
        done = asyncio.get_running_loop().create_future()
        pending = [{"type": "http.request", "body": body, "more_body": False}]
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            if pending:
                return pending.pop()
            await done  # like a server: the client disconnects once the response is complete
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and not done.done():
                    done.set_result(None)

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


# --- the hand-written aggregation -----------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _statuses(
    settings: Settings, results: Sequence[SourceResult[Any]], person: PersonResult
) -> list[dict[str, Any]]:
    worst: dict[str, SourceResult[Any]] = {}
    for r in results:
        seen = worst.get(r.source)
        if seen is None or seen.status == "OK":
            worst[r.source] = r
    for sub in person.results:
        worst.setdefault(sub.source, sub)
    names = [(s.id, s.name) for s in settings.sources] + list(REGISTERS)
    out = []
    for sid, name in names:
        got = worst.get(sid)
        out.append(
            {
                "id": sid,
                "name": name,
                "status": got.status if got else "NOT_REQUESTED",
                "fetchedAt": _iso(got.fetched_at) if got else None,
            }
        )
    return out


def overview_document(
    settings: Settings,
    cpr: str,
    first: int,
    appointments: Sequence[SourceResult[AppointmentRecord]],
    plans: Sequence[SourceResult[PlanRecord]],
    goals: Sequence[SourceResult[GoalRecord]],
    person: PersonResult,
    stamkort: StamkortState,
) -> dict[str, Any]:
    """The overview as the GraphQL query above shapes it, built directly from the records."""
    names = {s.id: s.name for s in settings.sources}
    configs = {s.id: s for s in settings.sources}
    merged = merge_appointments((configs[r.source], r.records) for r in appointments)
    page = merged[:first]
    nodes = [
        {
            "id": f"{r.source}:{r.id}",
            "start": _iso(r.start),
            "end": _iso(r.end),
            "status": r.status.name,
            "title": r.title,
            "source": {"id": r.source, "name": names[r.source]},
            "organization": (
                {"sor": r.organization.sor, "name": r.organization.name} if r.organization else None
            ),
        }
        for r in page
    ]
    plan_records = sorted(
        (p for res in plans for p in res.records),
        key=lambda p: (p.period_start or FAR_FUTURE, f"{p.source}:{p.id}"),
    )
    goal_records = sorted(
        (g for res in goals for g in res.records),
        key=lambda g: (g.start or date.max, f"{g.source}:{g.id}"),
    )
    found, practice = person.person, person.practice
    relatives = stamkort.values.get("relatives")
    return {
        "patient": {"cpr": cpr, "name": found.name if found else None},
        "stamkort": {
            "name": found.name if found else None,
            "healthInsuranceGroup": found.insurance_group if found else None,
            "gp": {"name": practice.name, "phone": practice.phone} if practice else None,
            "relatives": {
                "value": relatives.value,
                "provenance": {
                    "enteredByRole": relatives.provenance.role,
                    "enteredAt": _iso(relatives.entered_at),
                },
            }
            if relatives
            else None,
        },
        "appointments": {
            "totalCount": len(merged),
            "nodes": nodes,
            "pageInfo": {
                "hasNextPage": len(merged) > first,
                "endCursor": encode_cursor(page[-1]) if page else None,
            },
        },
        "plans": [
            {
                "id": f"{p.source}:{p.id}",
                "title": p.title,
                "status": p.status,
                "organization": {"name": p.organization.name} if p.organization else None,
                "activities": [
                    {
                        "title": a.title,
                        "appointmentIds": [f"{p.source}:{i}" for i in a.appointment_ids],
                    }
                    for a in p.activities
                ],
            }
            for p in plan_records
        ],
        "goals": [
            {
                "id": f"{g.source}:{g.id}",
                "description": g.description,
                "targets": [{"detail": t.detail, "dueDate": _iso(t.due)} for t in g.targets],
            }
            for g in goal_records
        ],
        "sources": _statuses(settings, [*appointments, *plans, *goals], person),
    }


async def handwritten(
    services: Services, verifier: TokenVerifier, token: str, cpr: str, first: int
) -> bytes:
    """One overview without GraphQL: verify, fan out, merge, serialise."""
    principal = await verifier.verify(token)
    may_view(principal, cpr, local_date(datetime.now(UTC)))
    sources = services.sources
    appointments, plans, goals, person, stamkort = await asyncio.gather(
        asyncio.gather(*(sources.appointments(s, cpr) for s in sources.appointment_sources)),
        asyncio.gather(*(sources.plans(s, cpr) for s in sources.plan_sources)),
        asyncio.gather(*(sources.goals(s, cpr) for s in sources.plan_sources)),
        sources.person_with_gp(cpr),
        services.stamkort.stamkort(cpr),
    )
    doc = overview_document(
        services.settings, cpr, first, appointments, plans, goals, person, stamkort
    )
    return json.dumps({"data": {"patientOverview": doc}}, separators=(",", ":")).encode()


# --- measuring ------------------------------------------------------------------------------


@dataclasses.dataclass
class Leg:
    """What one leg measured: CPU and wall seconds, each request's latency, degraded answers."""

    cpu_s: float = 0.0
    wall_s: float = 0.0
    latencies: list[float] = dataclasses.field(default_factory=list)
    degraded: int = 0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def degraded(body: bytes) -> bool:
    """An answer with errors or with a source not OK (e.g. a timeout) is not comparable."""
    doc = json.loads(body)
    return "errors" in doc or any(
        s["status"] != "OK" for s in doc["data"]["patientOverview"]["sources"]
    )


async def run_block(call: Call, n: int, leg: Leg) -> None:
    """``n`` requests; the CPU spent checking the answers is taken out again."""
    gc.collect()
    checking = 0.0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        body = await call()
        leg.latencies.append(time.perf_counter() - t0)
        c0 = time.process_time()
        leg.degraded += degraded(body)
        checking += time.process_time() - c0
    leg.cpu_s += time.process_time() - cpu0 - checking
    leg.wall_s += time.perf_counter() - wall0


def _without_fetched_at(data: Any) -> Any:
    # Which cached fetch a source's fetchedAt comes from depends on the gateway's task order.
    for s in data["patientOverview"]["sources"]:
        s.pop("fetchedAt")
    return data


def check_same(gateway_body: bytes, hand_body: bytes) -> None:
    got = json.loads(gateway_body)
    if "errors" in got:
        raise SystemExit(f"the gateway answered with errors: {got['errors']}")
    mine = json.loads(hand_body)
    if _without_fetched_at(got["data"]) != _without_fetched_at(mine["data"]):
        (Path(tempfile.gettempdir()) / "bench-gateway.json").write_bytes(gateway_body)
        (Path(tempfile.gettempdir()) / "bench-handwritten.json").write_bytes(hand_body)
        raise SystemExit("the hand-written JSON differs from the gateway's (both in $TMPDIR)")


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
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp / "trusted.pem").write_bytes(pem)
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


async def profile(persona_id: str, leg: str, call: Call, n: int) -> None:
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
        f"\n== {persona_id}: {leg} under cProfile, {n} requests: {cpu_ms:.2f} ms CPU each "
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
