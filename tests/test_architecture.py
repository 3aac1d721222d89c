"""The layout's rules, read from the source: no import cycle between files or between packages, the
domain never imports Flask, and the product never imports `scripts/` (what people run by hand)."""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("core", "dispatch", "inventory", "care", "fieldwork", "setup_files", "api", "cli", "demo")
DOMAIN = ("core", "dispatch", "inventory", "care", "fieldwork", "setup_files")
# Inside these, each subpackage is a package of its own for the package-level rule.
SPLIT = ("dispatch", "api")
# The app factory and its list of features sit above every feature; the rest of api/ is below them.
COMPOSITION = ("api.app", "api.features")


def _modules() -> dict[str, Path]:
    found = {}
    for top in PRODUCT + ("scripts",):
        for path in (ROOT / top).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module `name` imports, anywhere in the file (function-local imports count too)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.add(full if full in modules else module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {m for m in _imports(name, path, modules) if m in modules and m != name}
            for name, path in modules.items()}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
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
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def package_of(module: str) -> str:
    if module in COMPOSITION:
        return "api.app"
    parts = module.split(".")
    if parts[0] in SPLIT and len(parts) > 2:
        return ".".join(parts[:2])
    if parts[0] in SPLIT and len(parts) == 2 and not (ROOT / parts[0] / parts[1]).is_dir():
        return parts[0]  # a plain module of dispatch/ or api/ belongs to the package itself
    return ".".join(parts[:2]) if parts[0] in SPLIT else parts[0]


def _package_graph(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, imported in edges.items():
        for other in imported:
            if package_of(module) != package_of(other):
                packages[package_of(module)].add(package_of(other))
    return packages


def test_no_file_imports_a_file_that_imports_it_back():
    assert _cycles(_graph()) == []


def test_no_package_imports_a_package_that_imports_it_back():
    assert _cycles(_package_graph(_graph())) == []


def test_the_domain_never_imports_flask():
    modules = _modules()
    offenders = {name: sorted(m for m in _imports(name, path, modules) if m.split(".")[0].startswith("flask"))
                 for name, path in modules.items() if name.split(".")[0] in DOMAIN}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_product_never_imports_scripts():
    edges = _graph()
    assert {name: sorted(m for m in imported if m.split(".")[0] == "scripts")
            for name, imported in edges.items()
            if name.split(".")[0] != "scripts" and any(m.split(".")[0] == "scripts" for m in imported)} == {}


def test_dependencies_point_down_the_layers():
    """api and cli on top, then care and fieldwork, then dispatch, then inventory, then core."""
    below = {"core": set(), "inventory": {"core"}, "dispatch": {"core", "inventory"},
             "care": {"core", "inventory", "dispatch"}, "fieldwork": {"core", "inventory", "dispatch"},
             "demo": set(PRODUCT) - {"api", "cli", "demo"}}
    wrong = {}
    for module, imported in _graph().items():
        top = module.split(".")[0]
        if top not in below:
            continue
        bad = sorted(m for m in imported if m.split(".")[0] not in below[top] | {top})
        if bad:
            wrong[module] = bad
    assert wrong == {}


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
