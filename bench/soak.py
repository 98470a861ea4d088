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
``GatewayProcess`` and ``write_config`` are also what ``tests/test_replicas.py`` starts replicas
with.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# The gateway process: ``create_app(load_settings())`` served by uvicorn on a listening socket
# inherited from the parent as file descriptor ``argv[1]``. The parent binds the ephemeral port
# itself, so it knows the port without parsing logs and no other process can take it meanwhile.
# ``SPO_TEST_TODAY`` (the test suite's day, see tests/conftest.py) moves its clock there too.
LAUNCHER = """
import asyncio, os, socket, sys
import uvicorn
from domain.clock import SYSTEM_CLOCK, ShiftedClock
from gateway.app import create_app
from gateway.config import load_settings
day = os.environ.get("SPO_TEST_TODAY")
clock = ShiftedClock.parse(day) if day else SYSTEM_CLOCK
sock = socket.socket(fileno=int(sys.argv[1]))
config = uvicorn.Config(create_app(load_settings(), clock), log_level="warning", lifespan="on")
asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
"""
KID = "soak-key"
OVERVIEW = """query($cpr: String!) { patientOverview(cpr: $cpr) {
  patient { name }
  stamkort { name gp { name } }
  appointments(first: 50) { totalCount nodes { id start title source { id } } }
  plans { title }
  goals { description }
  sources { id status }
  notices { code }
} }"""
GUARDED = ("patient", "stamkort", "appointments", "plans", "goals")
BLOCKED = "clinician-blocked"
# clinician-blocked is weighted up so that honouring the block is tested on many requests.
PERSONAS = (
    ("citizen-multi", 2),
    ("relative-multi", 1),
    ("clinician-auh", 2),
    ("clinician-homecare-aarhus", 1),
    ("clinician-gp", 1),
    (BLOCKED, 3),
    ("citizen-group2", 1),
    ("citizen-protected", 1),
    ("citizen-history", 1),
)
APD_SOURCES = ("aarhus", "frederikshavn", "gp-jml")
TARGETS = ("rm", "rn", *APD_SOURCES, "cpr", "stamdata")


def write_config(
    directory: Path, public_key_pem: bytes, *, cache_ttl_s: float | None = None
) -> Path:
    """Write ``config.toml`` to ``directory``: the embedded default, trusting only this key.

    Dev mode is off, so the demo key is not trusted. ``cache_ttl_s`` replaces every source's
    and register's cache TTL (the soak keeps it short, so upstream faults keep mattering).
    Returns the file's path, for ``SPO_CONFIG``.
    """
    key_file = directory / "trusted.pem"
    key_file.write_bytes(public_key_pem)
    raw = tomllib.loads(resources.files("gateway").joinpath("default.toml").read_text("utf-8"))
    raw["dev_mode"] = False
    raw["auth"]["public_key_files"] = [str(key_file)]
    if cache_ttl_s is not None:
        for table in (*raw["sources"], raw["cpr"], raw["stamdata"]):
            table["cache_ttl_s"] = cache_ttl_s
    path = directory / "config.toml"
    path.write_text(_toml(raw), "utf-8")
    return path


def _toml(doc: Mapping[str, Any]) -> str:
    """Enough TOML for the gateway's config: scalars, tables, arrays of tables, inline tables."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in doc.items() if not _is_table(v)]
    for name, value in doc.items():
        if isinstance(value, dict):
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in value.items())]
        elif _is_table(value):
            for item in value:
                lines += ["", f"[[{name}]]", *(f"{k} = {_toml_value(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON's escapes are all valid in a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"no TOML for {type(value).__name__}")


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass
class GatewayProcess:
    """One gateway replica in its own OS process, listening on 127.0.0.1."""

    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path

    @classmethod
    async def start(cls, env: Mapping[str, str], log_path: Path) -> GatewayProcess:
        """Start ``create_app(load_settings())`` with ``env`` added to this environment.

        Returns once ``/healthz`` answers; raises ``RuntimeError`` (with the log's tail) if the
        process exits or does not come up within 30 s.
        """
        gateway = cls._spawn(env, log_path)
        try:
            await gateway._wait_healthy(30.0)
        except BaseException:
            await gateway.stop()
            raise
        return gateway

    @classmethod
    def _spawn(cls, env: Mapping[str, str], log_path: Path) -> GatewayProcess:
        # Quick and synchronous: the child inherits the bound socket and the log file.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        with sock, log_path.open("ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed code
                [sys.executable, "-c", LAUNCHER, str(sock.fileno())],
                env={**os.environ, **env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
            )
        return cls(proc, f"http://127.0.0.1:{port}", log_path)

    async def _wait_healthy(self, within_s: float) -> None:
        until = time.monotonic() + within_s
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            while time.monotonic() < until:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"gateway exited with {self.proc.returncode}:\n{self.tail()}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return
                await asyncio.sleep(0.05)
        raise RuntimeError(f"gateway did not come up within {within_s} s:\n{self.tail()}")

    def rss_kb(self) -> int:
        """The process's resident memory in KiB (Linux ``/proc``), 0 if it cannot be read."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, flags=re.M)
        return int(found.group(1)) if found else 0

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def stop(self) -> None:
        """Stop the process (SIGTERM: graceful; SIGKILL after 10 s) and reap it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(self.proc.wait, 10.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        await asyncio.to_thread(self.proc.wait)


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    server_errors: int = 0
    unanswered: int = 0
    other_status: Counter[int] = field(default_factory=Counter)
    blocked_requests: int = 0
    violations: int = 0
    source_status: Counter[str] = field(default_factory=Counter)
    error_codes: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    rss_start_kb: int = 0
    rss_end_kb: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.unanswered


def honours_block(body: Mapping[str, Any]) -> bool:
    """Whether an answer to clinician-blocked withholds every guarded field."""
    overview = (body.get("data") or {}).get("patientOverview")
    return overview is None or all(overview.get(f) is None for f in GUARDED)


async def client(
    session: aiohttp.ClientSession,
    url: str,
    tokens: Mapping[str, tuple[str, str]],
    rng: random.Random,
    until: float,
    tally: Tally,
) -> None:
    names = [p for p, _ in PERSONAS]
    weights = [w for _, w in PERSONAS]
    while time.monotonic() < until:
        persona = rng.choices(names, weights)[0]
        token, cpr = tokens[persona]
        start = time.monotonic()
        try:
            async with session.post(
                f"{url}/graphql",
                json={"query": OVERVIEW, "variables": {"cpr": cpr}},
                headers={"Authorization": f"Bearer {token}"},
            ) as resp:
                status = resp.status
                body = await resp.json(content_type=None) if status == 200 else {}
        except (aiohttp.ClientError, TimeoutError, ValueError):
            tally.unanswered += 1
            continue
        tally.latencies.append(time.monotonic() - start)
        if status >= 500:
            tally.server_errors += 1
        elif status != 200:
            tally.other_status[status] += 1
        if status != 200:
            continue
        for err in body.get("errors") or []:
            tally.error_codes[(err.get("extensions") or {}).get("code", "?")] += 1
        overview = (body.get("data") or {}).get("patientOverview") or {}
        for s in overview.get("sources") or []:
            if s["status"] != "NOT_REQUESTED":
                tally.source_status[s["status"]] += 1
        if persona == BLOCKED:
            tally.blocked_requests += 1
            if not honours_block(body):
                tally.violations += 1


def random_fault(rng: random.Random, target: str) -> dict[str, Any]:
    """A random fault for ``target``'s simulator (``{"mode": "off"}`` a good part of the time)."""
    mode = rng.choices(
        ("off", "latency", "error", "reset", "hang", "malformed"), (4, 2, 2, 1, 1, 2)
    )[0]
    fault: dict[str, Any] = {"mode": mode, "rate": round(rng.uniform(0.2, 1.0), 2)}
    if mode == "latency":
        fault["ms"] = rng.randrange(50, 1500)
    elif mode == "error":
        if rng.random() < 0.3:
            fault.update(status=429, retry_after=rng.choice((0, 1, 5)))
        else:
            fault["status"] = rng.choice((500, 502, 503, 504))
    elif mode == "hang":
        fault["rate"] = round(rng.uniform(0.1, 0.5), 2)
    elif mode == "malformed":
        variants = ["truncated", "content-type", "utf8", "structure", "oversize"]
        if target in APD_SOURCES:
            variants += ["xml-bomb", "xxe"]
        fault["variant"] = rng.choice(variants)
        if fault["variant"] == "oversize":
            fault["rate"] = 0.1  # 20 MB per answer: the point is the cap, not the bandwidth
    return fault


async def chaos(
    session: aiohttp.ClientSession,
    sim_url: str,
    rng: random.Random,
    every_s: float,
    until: float,
    switched: Counter[str],
) -> None:
    """Switch a random fault on one or two random simulators every ``every_s`` seconds."""
    while every_s > 0 and time.monotonic() + every_s < until:
        for target in rng.sample(TARGETS, rng.choice((1, 2))):
            fault = random_fault(rng, target)
            async with session.post(f"{sim_url}/{target}/_faults", json=fault) as resp:
                resp.raise_for_status()
            switched[f"{fault['mode']}/{fault.get('variant', '')}".rstrip("/")] += 1
        await asyncio.sleep(every_s)
    for target in TARGETS:
        async with session.post(f"{sim_url}/{target}/_faults", json={"mode": "off"}) as resp:
            resp.raise_for_status()


def rng_from(seed: float) -> random.Random:
    """A seeded generator: a reproducible load pattern, nothing to do with cryptography."""
    return random.Random(seed)  # noqa: S311


def fresh_log(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def soak(args: argparse.Namespace) -> int:
    from gateway.auth import mint_token
    from gateway.config import load_settings
    from gateway.demo import claims_for, seed
    from simulators import server
    from simulators.population import build_population
    from store.db import make_engine, upgrade
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
            async with session.post(
                f"{gateway.url}/graphql",
                json={"query": OVERVIEW, "variables": {"cpr": cpr}},
                headers={"Authorization": f"Bearer {token}"},
            ) as resp:
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


def report(args: argparse.Namespace, tally: Tally) -> str:
    elapsed = tally.elapsed_s or args.seconds
    lines = [
        f"requests          {tally.requests}  ({tally.requests / elapsed:.1f}/s)",
        f"gateway 5xx       {tally.server_errors}",
        f"unanswered        {tally.unanswered}",
        f"other non-200     {dict(tally.other_status) or 0}",
        f"block violations  {tally.violations}  (of {tally.blocked_requests} {BLOCKED} requests)",
        f"latency p50       {percentile(tally.latencies, 0.50) * 1000:.0f} ms",
        f"latency p99       {percentile(tally.latencies, 0.99) * 1000:.0f} ms",
        f"latency max       {max(tally.latencies, default=0.0) * 1000:.0f} ms",
        f"gateway RSS       start {tally.rss_start_kb / 1024:.1f} MiB, "
        f"end {tally.rss_end_kb / 1024:.1f} MiB",
        f"faults switched   {sum(tally.faults.values())}  {dict(sorted(tally.faults.items()))}",
        f"source statuses   {dict(tally.source_status.most_common())}",
        f"error codes       {dict(tally.error_codes.most_common())}",
    ]
    verdict = (
        "PASS"
        if not (tally.server_errors or tally.unanswered or tally.violations)
        else "FAIL: 5xx, unanswered requests or block violations"
    )
    return "\n".join([*lines, verdict])


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
