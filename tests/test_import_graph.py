"""The package's import graph has no cycles: every arrow points down.

Built from the source with ast (no import is executed), counting imports at any depth, including the
ones inside functions that only hide a cycle from the interpreter. A package's __init__ is its own
node, so `tariffs/__init__.py` re-exporting the engine does not make every module depend on itself.
"""
from __future__ import annotations

import ast
from pathlib import Path

import tariffs

ROOT = Path(tariffs.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                # `from tariffs.engine import pipeline` names a module; `from tariffs.x import f` names x.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target.startswith("tariffs"):
                    graph[name].add(target.removesuffix(".__init__"))
    return {k.removesuffix(".__init__"): v for k, v in graph.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Depth-first search; the first cycle found, as a list of modules from one back to itself."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_graph_is_built_from_the_source():
    graph = import_graph()
    # A known downward arrow, so an empty graph cannot pass the cycle test by accident.
    assert "tariffs.rules.ruleset" in graph["tariffs.engine.measures"]
    assert "tariffs.engine.pipeline" in graph


def test_find_cycle_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles_in_tariffs():
    # The package roots re-export (tariffs/__init__ -> engine.pipeline); a module importing the root package
    # is an upward arrow in itself, so the roots stay in the graph as ordinary nodes.
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_rules_layer_does_not_import_the_engine():
    # rules/ is below engine/: the data model and its queries never reach up into the pricers.
    graph = import_graph()
    upward = sorted(f"{m} -> {t}" for m, ts in graph.items() if m.startswith("tariffs.rules") for t in ts
                    if t.startswith("tariffs.engine"))
    assert upward == []
