"""The soak's clients: what they ask for (the overview, as each persona), what they saw, and
the report of it.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import aiohttp

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

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.unanswered


def honours_block(body: Mapping[str, Any]) -> bool:
    """Whether an answer to clinician-blocked withholds every guarded field."""
    overview = (body.get("data") or {}).get("patientOverview")
    return overview is None or all(overview.get(f) is None for f in GUARDED)


def ask(
    session: aiohttp.ClientSession, url: str, token: str, cpr: str
) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
    """POST the overview query for ``cpr`` to the gateway at ``url`` with ``token``."""
    return session.post(
        f"{url}/graphql",
        json={"query": OVERVIEW, "variables": {"cpr": cpr}},
        headers={"Authorization": f"Bearer {token}"},
    )


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
            async with ask(session, url, token, cpr) as resp:
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


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(args: argparse.Namespace, tally: Tally, memory: list[str], memory_failed: bool) -> str:
    """The soak's report; ``memory`` are ``bench.memory.memory_report``'s lines and verdict."""
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
        f"faults switched   {sum(tally.faults.values())}  {dict(sorted(tally.faults.items()))}",
        f"source statuses   {dict(tally.source_status.most_common())}",
        f"error codes       {dict(tally.error_codes.most_common())}",
        *memory,
    ]
    if tally.server_errors or tally.unanswered or tally.violations:
        verdict = "FAIL: 5xx, unanswered requests or block violations"
    elif memory_failed:
        verdict = "FAIL: the gateway's RSS grew 5 % or more over 30 minutes"
    else:
        verdict = "PASS"
    return "\n".join([*lines, verdict])
