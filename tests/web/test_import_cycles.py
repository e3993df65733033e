"""No import cycle: among the modules of ``canrehab.web``, nor among canrehab's packages. Imports are read
with ``ast`` (module level and inside functions); ``if TYPE_CHECKING:`` blocks are left out, since they are
never run."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import canrehab

ROOT = Path(canrehab.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The canrehab modules that ``module`` imports when it runs (``from a import b``: ``a.b`` if that
    is a module, else ``a``)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        for name in names:
            target = _resolve(name) if name.startswith("canrehab") else None
            if target and target != module:
                found.add(target)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_web_package_imports_one_that_imports_it_back() -> None:
    web = {m for m in MODULES if m == "canrehab.web" or m.startswith("canrehab.web.")}
    graph = {m: {t for t in imports_of(m) if t in web} for m in web}
    assert cycles(graph) == []


def test_no_import_cycle_between_the_web_and_fhir_packages() -> None:
    def package(module: str) -> str:
        return ".".join(module.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for module in MODULES:
        graph.setdefault(package(module), set()).update(
            package(t) for t in imports_of(module) if package(t) != package(module)
        )
    assert not [c for c in cycles(graph) if "canrehab.web" in c or "canrehab.fhir" in c]


def test_only_the_entry_points_import_the_app_factory() -> None:
    importers = sorted(m for m in MODULES if "canrehab.web.app" in imports_of(m))
    assert importers == ["canrehab.web.cli"]
