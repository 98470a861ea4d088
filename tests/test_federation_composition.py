"""The subgraph composes: ``schema.federation.graphql`` and a sample "reminders" subgraph that
adds a field to ``PatientEntity`` make one supergraph, by Apollo's composition library.

``@apollo/composition`` (Elastic License 2.0, used here as a test tool only) is an npm package
run by node (``tests/federation/``: ``package.json``, its lock, ``compose.mjs`` and
``sample.graphql``); ``make test`` installs it with ``npm ci``. Without node the test is
skipped; with node but without the install it fails, saying how to install it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from graphql import ObjectTypeDefinitionNode, parse, print_ast

FEDERATION = Path(__file__).parent / "federation"
SCHEMA = Path(__file__).resolve().parent.parent / "schema.federation.graphql"


def compose(*paths: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: @apollo/composition (an npm package) needs it")
    assert (FEDERATION / "node_modules" / "@apollo" / "composition").is_dir(), (
        "@apollo/composition is not installed: run `make test` "
        "(or `npm ci --prefix tests/federation`)"
    )
    return subprocess.run(  # noqa: S603 - node, our script, our files
        [node, "compose.mjs", *map(str, paths)],
        cwd=FEDERATION,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def joins(supergraph: str, type_name: str) -> tuple[set[str], dict[str, str]]:
    """The subgraphs ``type_name`` is joined from, and each field's subgraph (when one)."""
    node = next(
        d
        for d in parse(supergraph).definitions
        if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == type_name
    )
    graphs = set()
    for d in node.directives or ():
        if d.name.value == "join__type":
            args = {a.name.value: print_ast(a.value) for a in d.arguments or ()}
            graphs.add(args["graph"])
            assert args.get("key") == '"cpr"', args
    owner = {}
    for field in node.fields or ():
        for d in field.directives or ():
            if d.name.value == "join__field":
                args = {a.name.value: print_ast(a.value) for a in d.arguments or ()}
                owner[field.name.value] = args["graph"]
    return graphs, owner


def test_the_subgraph_composes_with_a_sample_subgraph() -> None:
    done = compose()
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["hints"] == [], result["hints"]
    graphs, owner = joins(result["supergraphSdl"], "PatientEntity")
    assert graphs == {"OVERVIEW", "REMINDERS"}
    assert owner == {"overview": "OVERVIEW", "reminders": "REMINDERS"}


def test_a_subgraph_that_disagrees_on_the_key_does_not_compose(tmp_path: Path) -> None:
    # The failure path is real too: a sample whose key field has another type is refused.
    sample = (FEDERATION / "sample.graphql").read_text("utf-8")
    broken = tmp_path / "broken.graphql"
    broken.write_text(sample.replace("  cpr: String!\n", "  cpr: Int!\n", 1), "utf-8")
    done = compose(SCHEMA, broken)
    assert done.returncode == 1
    assert "cpr" in done.stderr
    assert done.stdout == ""
