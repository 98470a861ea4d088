"""The locks (``make lock``) pin, with hashes, everything pyproject.toml asks for.

A dependency added to pyproject.toml without ``make lock`` fails here (and ``make install``'s
``pip check``), instead of being fetched unpinned on some machine later.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCKS = {"dev": ROOT / "requirements" / "dev.txt", "runtime": ROOT / "requirements" / "runtime.txt"}
# The target the locks are made for (Makefile LOCKFLAGS): CPython 3.11 on Linux.
TARGET = {"sys_platform": "linux", "python_version": "3.11", "python_full_version": "3.11.0"}

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def entries(lock: Path) -> dict[str, tuple[str, list[str]]]:
    """``{name: (version, hashes)}`` from a lock in pip's requirements format."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = ""
    for line in lock.read_text().splitlines():
        pin = _PIN.match(line)
        if pin:
            name = canonicalize_name(pin.group(1))
            assert name not in found, f"{lock.name}: {name} pinned twice"
            found[name] = (pin.group(2), [])
        elif line.strip().startswith("--hash="):
            found[name][1].append(line.strip().removeprefix("--hash=").rstrip(" \\"))
        else:
            stripped = line.strip()
            # Only pins, hashes and comments: no index URL, no editable, no unpinned name.
            assert not stripped or stripped.startswith("#"), f"{lock.name}: {line!r}"
    return found


def wanted(requirements: list[str]) -> set[str]:
    names: set[str] = set()
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate(TARGET):
            names.add(canonicalize_name(requirement.name))
    return names


RUNTIME = wanted(PYPROJECT["project"]["dependencies"])
DEV = wanted(PYPROJECT["project"]["optional-dependencies"]["dev"])
BUILD = wanted(PYPROJECT["build-system"]["requires"])


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_entry_is_pinned_with_sha256_hashes(lock: str) -> None:
    found = entries(LOCKS[lock])
    assert found
    for name, (_version, hashes) in found.items():
        assert hashes, f"{name} has no hash"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), name


@pytest.mark.parametrize(
    ("lock", "names"),
    [("runtime", RUNTIME | BUILD), ("dev", RUNTIME | DEV | BUILD)],
    ids=["runtime", "dev"],
)
def test_the_lock_holds_what_pyproject_asks_for(lock: str, names: set[str]) -> None:
    missing = names - set(entries(LOCKS[lock]))
    assert not missing, f"run make lock: {LOCKS[lock].name} lacks {sorted(missing)}"


def test_the_runtime_lock_is_the_dev_lock_s_subset() -> None:
    dev = entries(LOCKS["dev"])
    runtime = entries(LOCKS["runtime"])
    assert set(runtime) <= set(dev)
    for name, (version, _hashes) in runtime.items():
        assert dev[name][0] == version, f"{name}: runtime {version}, dev {dev[name][0]}"
    # Nothing only the tests need is in the image.
    for name in DEV - RUNTIME:
        assert name not in runtime, name
