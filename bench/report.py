"""The benchmark's figures (issue 10's goals), its table, and its chart (``var/bench.png``)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

from bench.measure import Run, median_of

# figure: (goal, "max" if the figure must stay at or below it, "min" if at or above)
GOALS: dict[str, tuple[float, str]] = {
    "cpu_ratio_citizen": (1.5, "max"),
    "cpu_ratio_clinician": (1.5, "max"),
    "p50_over_slowest_ms": (3.0, "max"),
    "p99_over_slowest_ms": (10.0, "max"),
    "history_page_ratio": (1.5, "max"),
    "cold_history_ms": (300.0, "max"),
    "clinician_citizen_throughput": (0.8, "min"),
    "workers_2_1_throughput": (1.8, "min"),
    "floor_ratio": (math.inf, "max"),  # no goal: how far above the floor the gateway is
}


def _runs(
    runs: list[Run], leg: str, persona: str, cache: str, c: int, workers: int = 1
) -> list[Run]:
    """The repeats of one case; ``c`` is the wanted concurrency, or the nearest that ran."""
    same = [
        r for r in runs if (r.leg, r.persona, r.cache, r.workers) == (leg, persona, cache, workers)
    ]
    if not same:
        return []
    nearest = min({r.concurrency for r in same}, key=lambda x: abs(x - c))
    return [r for r in same if r.concurrency == nearest]


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def figures(runs: list[Run], floor_ms: float) -> dict[str, float]:
    """The issue's figures, each a median over repeats (NaN when its runs were not made)."""

    def med(value: str, *case: object) -> float:
        return median_of(_runs(runs, *case), value)  # type: ignore[arg-type]

    gw, hw = "gateway", "hand-written"
    citizen_cpu = med("cpu_ms", gw, "citizen-multi", "warm", 10)
    slowest = [r for r in runs if r.cache == "direct"]
    out = {
        "cpu_ratio_citizen": _ratio(citizen_cpu, med("cpu_ms", hw, "citizen-multi", "warm", 10)),
        "cpu_ratio_clinician": _ratio(
            med("cpu_ms", gw, "clinician-auh", "warm", 10),
            med("cpu_ms", hw, "clinician-auh", "warm", 10),
        ),
        "p50_over_slowest_ms": med("p50", gw, "citizen-multi", "cold", 1)
        - median_of(slowest, "p50"),
        "p99_over_slowest_ms": med("p99", gw, "citizen-multi", "cold", 1)
        - median_of(slowest, "p99"),
        "history_page_ratio": _ratio(med("cpu_ms", gw, "citizen-history", "warm", 10), citizen_cpu),
        "history_page_ratio_cold": _ratio(
            med("cpu_ms", gw, "citizen-history", "cold", 10),
            med("cpu_ms", gw, "citizen-multi", "cold", 10),
        ),
        "cold_history_ms": med("p50", gw, "citizen-history", "cold", 1),
        "clinician_citizen_throughput": _ratio(
            med("throughput", gw, "clinician-auh", "warm", 50),
            med("throughput", gw, "citizen-multi", "warm", 50),
        ),
        "workers_2_1_throughput": _ratio(
            med("throughput", gw, "citizen-multi", "warm", 50, 2),
            med("throughput", gw, "citizen-multi", "warm", 50, 1),
        ),
        "floor_ratio": _ratio(citizen_cpu, floor_ms),
        "floor_cpu_ms": floor_ms,
    }
    return {k: round(v, 3) for k, v in out.items()}


def table(runs: list[Run], figs: dict[str, float]) -> str:
    """Medians per case and leg, then the figures against their goals."""
    cases: dict[tuple[str, str, int, int], dict[str, list[Run]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in runs:
        if r.cache != "direct":
            cases[(r.persona, r.cache, r.concurrency, r.workers)][r.leg].append(r)
    head = (
        f"{'case':16} {'cache':5} {'c':>3} {'w':>2} {'leg':13} {'CPU ms/req':>10} "
        f"{'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'degraded':>8}"
    )
    lines = ["", head, "-" * len(head)]
    for (persona, cache, c, w), legs in cases.items():
        for leg, rs in legs.items():
            lines.append(
                f"{persona:16} {cache:5} {c:3} {w:2} {leg:13} {median_of(rs, 'cpu_ms'):10.2f} "
                f"{median_of(rs, 'throughput'):8.1f} {median_of(rs, 'p50'):8.1f} "
                f"{median_of(rs, 'p99'):8.1f} {_share(rs):>8}"
            )
    slowest = [r for r in runs if r.cache == "direct"]
    lines += [
        "",
        f"slowest source ({slowest[0].leg}) directly: p50 {median_of(slowest, 'p50'):.1f} ms, "
        f"p99 {median_of(slowest, 'p99'):.1f} ms"
        if slowest
        else "",
        "",
        f"{'figure':30} {'value':>9} {'goal':>9}",
    ]
    for name, value in figs.items():
        goal = GOALS.get(name)
        if goal is None or math.isinf(goal[0]):
            lines.append(f"{name:30} {value:9.2f} {'':>9}")
            continue
        bound, kind = goal
        met = value <= bound if kind == "max" else value >= bound
        sign = "≤" if kind == "max" else "≥"
        lines.append(f"{name:30} {value:9.2f} {sign}{bound:8.2f}  {'met' if met else 'NOT MET'}")
    return "\n".join(lines)


def _share(runs: list[Run]) -> str:
    """The share of answers that were not whole (a source or the database gave up)."""
    if not all(r.compared for r in runs):
        return "n/c"  # the reference answer itself was degraded: the legs were not compared
    bad = sum(r.degraded + r.failed for r in runs)
    return f"{100 * bad / max(1, sum(r.requests for r in runs)):.0f}%" if bad else ""


def plot(runs: list[Run], path: Path) -> None:
    """CPU per request and p50 latency, gateway beside hand-written, per case (one worker)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted(
        {
            (r.persona, r.cache, r.concurrency)
            for r in runs
            if r.workers == 1 and r.cache != "direct"
        },
        key=lambda k: (k[1] != "warm", k[0], k[2]),
    )
    labels = [f"{p}\n{cache} c={c}" for p, cache, c in keys]
    fig, axes = plt.subplots(2, 1, figsize=(max(10, len(keys) * 0.7), 9), constrained_layout=True)
    width = 0.4
    for ax, value, title in (
        (axes[0], "cpu_ms", "server CPU per request (ms, utime+stime)"),
        (axes[1], "p50", "client latency p50 (ms)"),
    ):
        for i, leg in enumerate(("gateway", "hand-written")):
            heights = [median_of(_runs(runs, leg, *k), value) for k in keys]
            xs = [j + (i - 0.5) * width for j in range(len(keys))]
            ax.bar(xs, [0 if math.isnan(h) else h for h in heights], width, label=leg)
        ax.set_xticks(range(len(keys)), labels, rotation=60, ha="right", fontsize=7)
        ax.set_title(title)
        ax.legend()
    fig.suptitle("spo gateway vs hand-written aggregation (medians of repeats, 1 worker)")
    fig.savefig(path, dpi=110)
    plt.close(fig)
