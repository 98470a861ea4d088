"""One benchmark run: a closed-loop client at concurrency c against one server, for a bounded
time, and what it measured — requests, latencies (client side), and the server's CPU.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from bench.servers import Server


@dataclass
class Request:
    """One request the client repeats."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    # What a whole answer looks like (``signature`` of the answer checked before the run); an
    # answer that differs is counted as degraded: a source or the database gave up under load.
    whole: tuple[int, bool] | None = None


def signature(body: bytes) -> tuple[int, bool]:
    """How many sources answered OK and whether there are errors: cheap, and format-blind
    enough for both legs' JSON (compact or not)."""
    compact = body.replace(b'": "', b'":"')
    return compact.count(b'"status":"OK"'), b'"errors"' in body


@dataclass
class Run:
    """What one run measured."""

    leg: str
    persona: str
    cache: str
    concurrency: int
    workers: int
    repeat: int
    requests: int = 0
    failed: int = 0
    degraded: int = 0
    compared: bool = True  # the legs' answers were checked equal (and whole) before this run
    seconds: float = 0.0
    cpu_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / max(1, self.requests)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        del out["latencies_ms"]
        out |= {
            "cpu_ms": round(self.cpu_ms, 3),
            "throughput": round(self.throughput, 2),
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
        }
        return out


async def _one(session: aiohttp.ClientSession, req: Request) -> tuple[bool, bool]:
    """Whether the request succeeded, and whether its answer was whole."""
    async with session.post(req.url, data=req.body, headers=dict(req.headers)) as resp:
        body = await resp.read()
        return resp.status == 200, req.whole is None or signature(body) == req.whole


async def closed_loop(
    session: aiohttp.ClientSession,
    req: Request,
    run: Run,
    server: Server | None,
    *,
    seconds: float,
    max_requests: int,
    min_requests: int = 1,
) -> Run:
    """``run.concurrency`` clients, each sending the next request when its last one answered,
    until ``seconds`` pass (but at least ``min_requests`` were sent, unless 4 times ``seconds``
    pass) or ``max_requests`` were sent. CPU is the server tree's, over the same interval."""
    sent = 0
    start = time.monotonic()

    def more() -> bool:
        elapsed = time.monotonic() - start
        if sent >= max_requests or elapsed >= 4 * seconds:
            return False
        return elapsed < seconds or sent < min_requests

    async def client() -> None:
        nonlocal sent
        while more():
            sent += 1
            t0 = time.perf_counter()
            try:
                ok, whole = await _one(session, req)
            except (aiohttp.ClientError, TimeoutError):
                ok, whole = False, False
            run.latencies_ms.append(1000 * (time.perf_counter() - t0))
            run.failed += not ok
            run.degraded += ok and not whole

    cpu0 = server.cpu_s() if server else 0.0
    wall0 = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(run.concurrency)))
    run.seconds = time.perf_counter() - wall0
    run.cpu_s = (server.cpu_s() - cpu0) if server else 0.0
    run.requests = len(run.latencies_ms)
    return run


def median_of(runs: list[Run], value: str) -> float:
    """The median over repeats of a run's property (``cpu_ms``, ``throughput``, ``p50``…)."""
    got = [
        r.percentile(float(value[1:]) / 100) if value.startswith("p") else getattr(r, value)
        for r in runs
    ]
    return statistics.median(got) if got else float("nan")
