"""The follow-up side's layer edges are a test: the services never import the synthetic-data builder or
the doors (web, FHIR, CLI) above them, and the follow-up engine stands apart from the care process's
services and storage. Function-level imports count: a lazy import is still an edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import canrehab

ROOT = Path(canrehab.__file__).parent
# package -> packages it must never import (directly or in a function)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "services": ("canrehab.synth", "canrehab.web", "canrehab.fhir", "canrehab.cli"),
    "followup": (
        "canrehab.services",
        "canrehab.store",
        "canrehab.synth",
        "canrehab.web",
        "canrehab.fhir",
        "canrehab.cli",
    ),
}


def imports(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(p for package in FORBIDDEN for p in (ROOT / package).rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_upward_or_sideways_import(path: Path) -> None:
    forbidden = FORBIDDEN[path.relative_to(ROOT).parts[0]]
    bad = [m for m in imports(path) if any(m == f or m.startswith(f + ".") for f in forbidden)]
    assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"
