"""The layers' imports, function-level ones included: no cycle runs through the models, the registry and compat."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mls_async"
LAYERS = (
    "mls_async.models",
    "mls_async._async.registry",
    "mls_async._sync.registry",
    "mls_async._artifacts",
    "mls_async.compat",
)


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module of the package that ``name`` imports anywhere in its file (inside functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    # the root package is the public facade over every layer, not a layer of its own
    return {module for module in found if module in known and module not in (name, "mls_async")}


def _cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                components.append(component)

    for module in graph:
        if module not in index:
            visit(module)
    return components


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_no_import_cycle_runs_through_the_models_the_registry_or_compat():
    for component in _cycles(_graph()):
        layered = sorted(m for m in component if m.startswith(LAYERS))
        assert not layered, f"an import cycle of {len(component)} modules runs through {layered}: {sorted(component)}"


def test_compat_depends_on_the_models_and_the_registry_on_neither():
    graph = _graph()
    assert "mls_async.models" in graph["mls_async.compat"]
    for lower in ("mls_async._artifacts", "mls_async._async.registry", "mls_async._sync.registry"):
        assert not {
            m
            for m in graph[lower]
            if m.startswith(("mls_async.models.", "mls_async.compat")) and m != "mls_async.models.extension"
        }, lower


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
