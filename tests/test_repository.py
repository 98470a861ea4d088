"""Repository hygiene that a reviewer could miss: only test CPR numbers anywhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("gateway", "resolvers", "connectors", "simulators", "tests", "bench")
FILES = ("README.md", "schema.graphql", "schema.federation.graphql", "pyproject.toml", "Makefile")
# DDMMYY-SSSS with a plausible day and month, hyphen optional, not part of a longer number.
CPR_LIKE = re.compile(
    r"(?<![0-9])(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}-?([0-9]{4})(?![0-9])"
)


def _texts() -> list[Path]:
    paths = [ROOT / f for f in FILES]
    for folder in FOLDERS:
        paths += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".toml", ".md"}]
    # Installed npm packages (tests/conformance/, tests/federation/) are not ours, nor committed.
    return [p for p in paths if p.is_file() and "node_modules" not in p.relative_to(ROOT).parts]


def test_only_medcom_style_test_cpr_numbers_appear() -> None:
    found = []
    for path in _texts():
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for match in CPR_LIKE.finditer(line):
                if int(match.group(1)) < 9990:
                    found.append(f"{path.relative_to(ROOT)}:{n}: {match.group(0)}")
    assert not found, "non-test CPR numbers:\n" + "\n".join(found)
