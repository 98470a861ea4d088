"""The soak's chaos: random faults switched on and off on random simulators."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from typing import Any

import aiohttp

APD_SOURCES = ("aarhus", "frederikshavn", "gp-jml")


TARGETS = ("rm", "rn", *APD_SOURCES, "cpr", "stamdata")


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
