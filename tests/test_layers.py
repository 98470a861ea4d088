"""The layers hold: each package imports only those below it (the contracts in pyproject.toml).

gateway > resolvers > connectors | store > domain; simulators import domain only. The contracts
are checked over the real import graph (import-linter, function-level imports included), and
shown to fail on a tree that breaks one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(directory: Path) -> tuple[int, str]:
    """Run import-linter in its own process on the packages in ``directory``."""
    env = {**os.environ, "PYTHONPATH": str(directory)}
    done = subprocess.run(  # noqa: S603 - our own virtualenv's script, fixed arguments
        [str(LINT), "--no-cache", "--config", "pyproject.toml"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_code_keeps_every_layer_contract() -> None:
    code, out = _lint(ROOT)
    assert code == 0, out
    assert "3 kept, 0 broken" in out


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("domain/records.py", "from gateway import app"),  # domain imports nothing of ours
        ("connectors/registry.py", "import store.db"),  # side by side, never each other
        ("store/db.py", "def f():\n    from resolvers import query"),  # lazy imports count
        ("simulators/cpr.py", "from connectors import cpr"),
    ],
)
def test_an_upward_or_sideways_import_breaks_a_contract(
    tmp_path: Path, module: str, line: str
) -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    packages = {"domain", "store", "connectors", "resolvers", "gateway", "simulators", "bench"}
    assert set(config["root_packages"]) == packages
    for package in packages:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for name in ("domain/records.py", "connectors/registry.py", "connectors/cpr.py"):
        (tmp_path / name).write_text("")
    for name in ("store/db.py", "resolvers/query.py", "gateway/app.py", "simulators/cpr.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text("utf-8"))
    assert _lint(tmp_path)[0] == 0  # the same tree without the import keeps every contract
    (tmp_path / module).write_text(line + "\n")
    code, out = _lint(tmp_path)
    assert code == 1, out
    assert "BROKEN" in out
