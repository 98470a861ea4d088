"""Measuring a leg of the benchmark: CPU and wall time per request, answer checks, cProfile."""

from __future__ import annotations

import cProfile
import dataclasses
import gc
import json
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


Call = Callable[[], Awaitable[bytes]]


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
