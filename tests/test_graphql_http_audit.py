"""graphql-http's server audit (the GraphQL-over-HTTP spec's conformance suite) against a real
gateway: all 61 audits pass.

Four of them ask ``__type`` (introspection), which production refuses (``[graphql]
introspection`` defaults to ``dev_mode``): with introspection on every audit passes, and with it
off exactly those four fail and nothing else.

The audit is an npm package run by node (``tests/conformance/``: ``package.json``, its lock and
``audit.mjs``); ``make test`` installs it with ``npm ci``. Without node the test is skipped;
with node but without the install it fails, saying how to install it.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from domain.clock import Clock
from domain.settings import Settings
from tests.gatewayfixtures import running_gateway

CONFORMANCE = Path(__file__).parent / "conformance"
AUDITS = 61
# The audits whose query asks ``__type``: refused, as any introspection, when it is off.
ASK_INTROSPECTION = {"2EA1", "28B9", "D6D5", "6A70"}


def introspection(on: bool) -> Callable[[Settings], Settings]:
    return lambda s: replace(s, graphql=replace(s.graphql, introspection=on))


async def audit(tmp_path: Path, clock: Clock, template: Path, *, on: bool) -> dict[str, Any]:
    """graphql-http's audit report on a real gateway with introspection ``on`` or off."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: graphql-http's audit (an npm package) needs it")
    assert (CONFORMANCE / "node_modules" / "graphql-http").is_dir(), (
        "graphql-http is not installed: run `make test` (or `npm ci --prefix tests/conformance`)"
    )
    async with running_gateway(tmp_path, clock, template=template, tune=introspection(on)) as gw:
        env = {
            **os.environ,
            "SPO_AUDIT_URL": f"{gw.url}/graphql",
            "SPO_AUDIT_TOKEN": gw.token("citizen-multi"),
        }
        # A subprocess of the event loop: the gateway under audit serves on this same loop.
        proc = await asyncio.create_subprocess_exec(
            node,
            "audit.mjs",
            cwd=CONFORMANCE,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    report: dict[str, Any] = json.loads(out)
    for failure in report["failures"]:
        print(f"{failure['id']} {failure['status']}: {failure['name']}\n    {failure['reason']}")
    return report


async def test_every_audit_passes(tmp_path: Path, clock: Clock, migrated_template: Path) -> None:
    report = await audit(tmp_path, clock, migrated_template, on=True)
    assert report["total"] == AUDITS
    assert report["ok"] == AUDITS, [f["id"] for f in report["failures"]]


async def test_without_introspection_only_the_audits_that_ask_for_it_fail(
    tmp_path: Path, clock: Clock, migrated_template: Path
) -> None:
    report = await audit(tmp_path, clock, migrated_template, on=False)
    assert report["total"] == AUDITS
    assert {f["id"] for f in report["failures"]} == ASK_INTROSPECTION
