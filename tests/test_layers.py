"""The layers are a rule with a test: every import of every module of canrehab (at module level and inside
functions; ``if TYPE_CHECKING:`` blocks aside, they never run) follows the table of allowed package edges, and
neither the packages nor the modules form a cycle. The table is explained in docs/architecture.md."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import canrehab

ROOT = Path(canrehab.__file__).parent

# Package -> the packages it may import. Data flows down: web and fhir -> services -> store -> domain;
# codes and instruments are data (loaded into domain definitions); config is settings; followup stands
# apart from the care side (it reads published, pseudonymised data; the services publish into it and the
# statistics pages are a door onto it); synth builds demo and synthetic data on top of everything; the cli
# wires the commands.
ALLOWED: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "codes": frozenset({"domain"}),
    "instruments": frozenset({"domain"}),
    "config": frozenset(),
    "store": frozenset({"domain", "codes", "config"}),
    "services": frozenset({"store", "domain", "codes", "instruments", "config", "followup"}),
    "fhir": frozenset({"services", "domain", "codes", "instruments", "config"}),
    "web": frozenset({"services", "domain", "codes", "instruments", "config", "fhir", "followup"}),
    "followup": frozenset({"domain", "codes", "config"}),
    "synth": frozenset(
        {"services", "store", "domain", "codes", "instruments", "config", "followup", "web", "fhir"}
    ),
    "cli": frozenset(
        {"services", "store", "domain", "codes", "instruments", "config", "followup", "web", "synth"}
    ),
    "__init__": frozenset(),
}


def module_name(path: Path) -> str:
    parts = ["canrehab", *path.relative_to(ROOT).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node``, leaving out the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for orelse in child.orelse:
                yield orelse
                yield from _walk(orelse)
            continue
        yield child
        yield from _walk(child)


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The canrehab modules that ``name`` imports (``from a import b`` is ``a.b`` where that is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from a import b``: the module a.b where there is one, else (a name defined in a) the module a
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target.startswith("canrehab") and target != name:
                found.add(target)
    return found


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return graph()


def test_every_package_is_in_the_table() -> None:
    packages = {package_of(m) for m in modules()}
    assert packages <= set(ALLOWED), f"packages without a row in ALLOWED: {sorted(packages - set(ALLOWED))}"


def test_every_import_follows_the_allowed_package_edges(edges: dict[str, set[str]]) -> None:
    bad = sorted(
        f"{source} -> {target}"
        for source, targets in edges.items()
        for target in targets
        if package_of(target) != package_of(source)
        and package_of(target) != "__init__"
        and package_of(target) not in ALLOWED[package_of(source)]
    )
    assert bad == [], "imports against the layer table:\n" + "\n".join(bad)


def test_no_cycle_among_packages(edges: dict[str, set[str]]) -> None:
    packages: dict[str, set[str]] = {}
    for source, targets in edges.items():
        packages.setdefault(package_of(source), set()).update(
            package_of(t) for t in targets if package_of(t) != package_of(source)
        )
    assert cycles(packages) == []


def test_no_cycle_among_modules(edges: dict[str, set[str]]) -> None:
    found = cycles(edges)
    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_only_the_entry_points_import_the_app_factory(edges: dict[str, set[str]]) -> None:
    """``canrehab.web.app`` wires everything; a module below it that imported it back would be a cycle. The
    one other importer is the demo build's second process, which imports the app (nothing of it is called) so
    that a first start compiles the web modules while the region is written; the cycle tests above hold that
    nothing the app imports reaches back to it."""
    importers = sorted(m for m, targets in edges.items() if "canrehab.web.app" in targets)
    assert importers == ["canrehab.synth.demo", "canrehab.web.cli"]


def test_the_walker_sees_imports_inside_functions_and_skips_type_checking_blocks(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from canrehab.web import app\n"
        "def f():\n    from canrehab.store import db\n",
        encoding="utf-8",
    )
    found = imports_of("canrehab.sample", source, {"canrehab.web.app", "canrehab.store.db", "canrehab.store"})
    assert found == {"canrehab.store.db"}
