"""The soak's memory watch: RSS curves of the gateway processes, and what grew inside them.

From the outside (the soak's process): ``sample_rss`` reads ``VmRSS`` from ``/proc/<pid>/status``
of each gateway process every ``--rss-every`` seconds, and ``memory_report`` says what it was at
the end of the warm-up, at 10, 20, 30 minutes and at the end, how much it grew after the warm-up,
and PASS/FAIL against the goal: less than 5 % growth over 30 minutes after the first 5.

From the inside (``start_tracing``, run by the gateway's launcher in ``bench/replica.py`` once the
gateway is imported, when ``python -m bench.soak --tracemalloc``): ``tracemalloc.start(25)``, the
traced total every few seconds to ``<dir>/tracemalloc-<pid>.tsv``, and every ``--snapshot-every``
seconds a snapshot compared with the previous one and with the first (``compare_to(..,
'traceback')``, top 20) plus the object counts by type that changed, to
``<dir>/tracemalloc-<pid>-<n>.txt``. A traced total that stays flat while RSS grows points at the
allocator (fragmentation, arenas), not at a leak in Python objects.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

GOAL_GROWTH = 0.05  # at most 5 % ...
GOAL_WINDOW_S = 1800.0  # ... over 30 minutes after the warm-up
CHECKPOINTS_S = (600.0, 1200.0, 1800.0)  # besides the end of the warm-up and the end
SMOOTH_S = 30.0  # a checkpoint is the median of the samples this close to it (GC and arena noise)

# The launcher's switches (bench/replica.py); bench-only, no product code reads them.
TRACE_DIR_ENV = "SPO_BENCH_TRACEMALLOC"
TRACE_EVERY_ENV = "SPO_BENCH_SNAPSHOT_EVERY"
TRIM_EVERY_ENV = "SPO_BENCH_MALLOC_TRIM_EVERY"
STATS_DIR_ENV = "SPO_BENCH_MALLOCSTATS"
GC_FREEZE_ENV = "SPO_BENCH_GC_FREEZE"


def rss_kb(pid: int) -> int:
    """The process's resident memory in KiB (Linux ``/proc``), 0 if it cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, flags=re.M)
    return int(found.group(1)) if found else 0


@dataclass
class RssCurve:
    """One process's RSS over the soak: ``(seconds since the load began, KiB)`` samples."""

    pid: int
    samples: list[tuple[float, int]] = field(default_factory=list)

    def at(self, t: float) -> float | None:
        """The median RSS (KiB) of the samples within ``SMOOTH_S`` of ``t``; None if none."""
        near = [kb for s, kb in self.samples if abs(s - t) <= SMOOTH_S and kb > 0]
        return statistics.median(near) if near else None

    @property
    def end_s(self) -> float:
        return self.samples[-1][0] if self.samples else 0.0

    def slope_kib_per_min(self, since_s: float) -> float:
        """The least-squares slope of RSS after ``since_s``, KiB per minute (0 if too few)."""
        points = [(s, kb) for s, kb in self.samples if s >= since_s and kb > 0]
        if len(points) < 3:
            return 0.0
        return statistics.linear_regression(*zip(*points, strict=True)).slope * 60.0


async def sample_rss(
    pids: Sequence[int], every_s: float, until: float, curves: dict[int, RssCurve]
) -> None:
    """Append each pid's RSS to ``curves`` every ``every_s`` until ``until`` (monotonic)."""
    started = time.monotonic()
    for pid in pids:
        curves.setdefault(pid, RssCurve(pid))
    while True:
        now = time.monotonic()
        for pid in pids:
            curves[pid].samples.append((now - started, rss_kb(pid)))
        if now >= until:
            return
        await asyncio.sleep(min(every_s, max(0.0, until - now)))


def warmup_for(seconds: float, warmup_s: float) -> float:
    """The warm-up actually used: ``warmup_s``, or a third of a run too short for it."""
    return warmup_s if seconds > 2 * warmup_s else seconds / 3


def _mib(kb: float | None) -> str:
    return "?" if kb is None else f"{kb / 1024:.1f} MiB"


def memory_report(
    curves: Iterable[RssCurve], warmup_s: float, traced: dict[int, list[tuple[float, int]]]
) -> tuple[list[str], bool]:
    """The memory lines of the soak's report, and whether the RSS goal failed.

    A window shorter than 30 minutes is reported with its growth projected to 30 minutes from
    the slope, as an indication; only a full 30-minute window can fail the soak.
    """
    lines: list[str] = []
    failed = False
    for curve in curves:
        end = curve.end_s
        points = [warmup_s, *(c for c in CHECKPOINTS_S if c < end - SMOOTH_S), end]
        marks = ", ".join(f"{t / 60:.1f} min {_mib(curve.at(t))}" for t in points)
        lines.append(f"gateway RSS       pid {curve.pid}: {marks}")
        base, last = curve.at(warmup_s), curve.at(end)
        window = end - warmup_s
        if base is None or last is None or window <= 0:
            lines.append("memory verdict    ? (too few RSS samples)")
            continue
        growth = (last - base) / base
        slope = curve.slope_kib_per_min(warmup_s)
        lines.append(
            f"memory window     {warmup_s / 60:.1f}-{end / 60:.1f} min ({window / 60:.1f} min "
            f"after the warm-up): {growth * 100:+.1f} % ({(last - base) / 1024:+.1f} MiB), "
            f"slope {slope / 1024:+.2f} MiB/min"
        )
        trace = traced.get(curve.pid)
        if trace:
            t_base = _nearest(trace, warmup_s)
            t_end = _nearest(trace, end)
            lines.append(
                f"traced (Python)   {_mib(t_base)} at {warmup_s / 60:.1f} min, {_mib(t_end)} at "
                f"the end ({((t_end - t_base) / t_base * 100) if t_base else 0:+.1f} %)"
            )
        if window >= GOAL_WINDOW_S - SMOOTH_S:
            ok = growth < GOAL_GROWTH
            failed = failed or not ok
            lines.append(
                f"memory verdict    {'PASS' if ok else 'FAIL'}: {growth * 100:+.1f} % over "
                f"{window / 60:.0f} min (goal < {GOAL_GROWTH * 100:.0f} % over 30 min)"
            )
        else:
            projected = slope * GOAL_WINDOW_S / 60 / base
            lines.append(
                f"memory verdict    {'pass' if projected < GOAL_GROWTH else 'fail'} "
                f"(indicative: {projected * 100:+.1f} % projected to 30 min from a "
                f"{window / 60:.1f} min window; run 35 min for the verdict)"
            )
    return lines, failed


def _nearest(series: list[tuple[float, int]], t: float) -> float:
    return float(min(series, key=lambda p: abs(p[0] - t))[1])


def write_curves(path: Path, curves: Iterable[RssCurve]) -> None:
    """The RSS samples as TSV (seconds, pid, KiB), for plotting or a before/after table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = ["seconds\tpid\trss_kb"]
    rows += [f"{s:.1f}\t{c.pid}\t{kb}" for c in curves for s, kb in c.samples]
    path.write_text("\n".join(rows) + "\n", "utf-8")


def read_traced(directory: Path, pid: int, started_at: float) -> list[tuple[float, int]]:
    """The traced totals a gateway wrote (``start_tracing``), on the soak's time base."""
    try:
        text = (directory / f"tracemalloc-{pid}.tsv").read_text("utf-8")
    except OSError:
        return []
    out = []
    for row in text.splitlines()[1:]:
        wall, traced_kb, _rss = row.split("\t")
        out.append((float(wall) - started_at, int(traced_kb)))
    return out


# --- inside the gateway process --------------------------------------------------------------


def start_from_env(env: Mapping[str, str]) -> None:
    """What the launcher calls first when a ``SPO_BENCH_*`` switch is set."""
    if env.get(TRACE_DIR_ENV):
        start_tracing(env[TRACE_DIR_ENV], float(env.get(TRACE_EVERY_ENV, "300")))
    if env.get(TRIM_EVERY_ENV):
        start_trimming(float(env[TRIM_EVERY_ENV]))
    if env.get(STATS_DIR_ENV):
        start_mallocstats(env[STATS_DIR_ENV], float(env.get(TRACE_EVERY_ENV, "60")))
    if env.get(GC_FREEZE_ENV):
        # Everything imported so far moves to the permanent generation: full collections then
        # weigh only what the requests made, and so come sooner.
        gc.freeze()


def start_tracing(directory: str, every_s: float, sample_s: float = 10.0) -> None:
    """Trace allocations in this process and write what grew (see the module docstring).

    Runs in a daemon thread, so it needs nothing from the event loop and dies with the process.
    """
    tracemalloc.start(25)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    thread = threading.Thread(
        target=_trace_loop, args=(out, every_s, sample_s), name="tracemalloc", daemon=True
    )
    thread.start()


def _trace_loop(out: Path, every_s: float, sample_s: float) -> None:
    pid = os.getpid()
    series = out / f"tracemalloc-{pid}.tsv"
    series.write_text("wall\ttraced_kb\trss_kb\n", "utf-8")
    first: tracemalloc.Snapshot | None = None
    previous: tracemalloc.Snapshot | None = None
    types_before: Counter[str] = Counter()
    n = 0
    next_snapshot = time.monotonic() + every_s
    while True:
        time.sleep(sample_s)
        traced, _peak = tracemalloc.get_traced_memory()
        with series.open("a", encoding="utf-8") as f:
            f.write(f"{time.time():.1f}\t{traced // 1024}\t{rss_kb(pid)}\n")
        if time.monotonic() < next_snapshot:
            continue
        next_snapshot += every_s
        n += 1
        snapshot = _filtered(tracemalloc.take_snapshot())
        types_now = Counter(type(o).__qualname__ for o in gc.get_objects())
        report = [f"snapshot {n} at {time.strftime('%H:%M:%S')}: traced {traced / 2**20:.1f} MiB"]
        if previous is not None and first is not None:
            report += _top(
                "since the previous snapshot", snapshot.compare_to(previous, "traceback")
            )
            report += _top("since the first snapshot", snapshot.compare_to(first, "traceback"))
        grown = types_now.copy()
        grown.subtract(types_before)
        report.append("\n== object counts by type, change since the previous snapshot")
        report += [f"{d:+8d}  {types_now[t]:8d}  {t}" for t, d in grown.most_common(15) if d]
        (out / f"tracemalloc-{pid}-{n}.txt").write_text("\n".join(report) + "\n", "utf-8")
        first = first or snapshot
        previous, types_before = snapshot, types_now


def _filtered(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    return snapshot.filter_traces(
        (
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
        )
    )


def _top(title: str, stats: list[tracemalloc.StatisticDiff], limit: int = 20) -> list[str]:
    total = sum(s.size_diff for s in stats)
    lines = [f"\n== top {limit} {title} (all together {total / 1024:+.1f} KiB)"]
    for stat in stats[:limit]:
        lines.append(
            f"{stat.size_diff / 1024:+.1f} KiB ({stat.count_diff:+d} blocks), "
            f"now {stat.size / 1024:.1f} KiB in {stat.count} blocks"
        )
        lines += [f"    {line}" for line in stat.traceback.format(most_recent_first=True)]
    return lines


def start_trimming(every_s: float) -> None:
    """Call glibc's ``malloc_trim(0)`` every ``every_s`` s: an experiment on allocator growth."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))

    def trim() -> None:
        while True:
            time.sleep(every_s)
            libc.malloc_trim(0)

    threading.Thread(target=trim, name="malloc-trim", daemon=True).start()


def start_mallocstats(directory: str, every_s: float) -> None:
    """Every ``every_s`` s, append pymalloc's arena summary and the GC's counts to
    ``<dir>/mallocstats-<pid>.txt``: pymalloc arenas that stay while RSS grows mean
    fragmentation of Python's small-object heap; RSS growing past them, memory outside it."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)

    def loop() -> None:
        pid = os.getpid()
        path = out / f"mallocstats-{pid}.txt"
        while True:
            time.sleep(every_s)
            with tempfile.TemporaryFile("w+") as tmp:
                # _debugmallocstats writes to C stderr; lend it the file for the one call.
                saved = os.dup(2)
                os.dup2(tmp.fileno(), 2)
                try:
                    sys._debugmallocstats()
                finally:
                    os.dup2(saved, 2)
                    os.close(saved)
                tmp.seek(0)
                wanted = ("# arenas allocated current", "# arenas highwater", "# bytes in ")
                keep = [ln.strip() for ln in tmp if ln.startswith(wanted)]
            line = (
                f"{time.strftime('%H:%M:%S')} rss_kb={rss_kb(pid)} gc_count={gc.get_count()} "
                f"gc2={gc.get_stats()[2]} " + " | ".join(keep)
            )
            with path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")

    threading.Thread(target=loop, name="mallocstats", daemon=True).start()
