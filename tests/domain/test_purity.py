"""The domain core is pure: it imports no storage, web, FHIR, follow-up or service code and does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import canrehab.domain

DOMAIN = Path(canrehab.domain.__file__).parent
FORBIDDEN_PREFIXES = (
    "canrehab.store",
    "canrehab.web",
    "canrehab.fhir",
    "canrehab.followup",
    "canrehab.services",
    "canrehab.synth",
    "canrehab.cli",
    "canrehab.config",
    "canrehab.instruments",
    "canrehab.codes",
    "sqlalchemy",
    "fastapi",
    "os",
    "pathlib",
    "yaml",
    "json",
    "io",
)


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_no_forbidden_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.append(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            pytest.fail(f"{path.name} opens a file")
    bad = [m for m in imported if any(m == p or m.startswith(p + ".") for p in FORBIDDEN_PREFIXES)]
    assert bad == [], f"{path.name} imports {bad}"
