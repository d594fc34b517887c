"""The import graph between areas of the application stays acyclic.

An *area* is a top-level package or module of ``clusterhub`` (core, tenancy, accounts, enterprises, events,
...). Each area's ``models`` modules are a node of their own (``events.models``), because models sit below
every service: they import only other models and ``tenancy.scoping``, and ``tenancy/cross_tenant.py`` (its
own node, ``cross_tenant``) may import them while the services import it. Both module-level AND
function-level imports count: an import moved into a function to dodge a cycle is still a cycle.

The allowed direction, bottom to top (an area may import the ones before it):

    extensions, config → models of every area → core's foundation → cross_tenant → regions → tenancy → core → audit →
    outbox → tokens → accounts → centers → webhooks → billing → api → enterprises → clusters → events →
    technoparks → projects → defenses → privacy → reporting → the app factory → cli, console

``reporting`` reads everything and nothing reads it; ``tenancy`` and ``core`` import nothing above them.
The test fails on any cycle between areas that is not made only of :data:`KNOWN_EXCEPTIONS` (empty now);
and it fails when a known exception is gone, so that the list only shrinks.
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_independent  # no database: run once, in the SQLite pass

PACKAGE = Path(__file__).resolve().parents[2] / "platform" / "clusterhub"

#: Modules that belong to the model layer of their area without being named ``models``.
MODEL_LAYER = {"tokens.scopes", "tenancy.scoping"}

#: Core modules every layer may use, models included: they import nothing of clusterhub but the
#: extensions, models and each other (refusals, signals, the unit of work, checked uploads and stored files,
#: the access declarations and permissions, the Redis store the caches share).
FOUNDATION = {
    "core.refusal",
    "core.signals",
    "core.unit_of_work",
    "core.uploads",
    "core.files",
    "core.access",
    "core.shared_store",
}

#: Imports against the allowed direction that exist today, as (importing area, imported area). Each is a
#: cycle to remove (by moving the code to its area, or by a signal connected in create_app); do not add.
#: Empty since issue 15: keep it so.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _node(module: str) -> str:
    """The graph node of a module given relative to ``clusterhub`` (``events.services`` → ``events``)."""
    if module == "tenancy.cross_tenant":
        return "cross_tenant"
    if module in FOUNDATION:
        return "core.foundation"
    parts = module.split(".") if module else ["__init__"]
    if len(parts) > 1 and ("models" in parts[1:] or module in MODEL_LAYER):
        return f"{parts[0]}.models"
    return parts[0]


def _exists(module: str) -> bool:
    path = PACKAGE.joinpath(*module.split(".")) if module else PACKAGE
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def import_edges() -> dict[tuple[str, str], list[str]]:
    """(importing node, imported node) → where, for every import of a clusterhub module in clusterhub."""
    edges = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        source = _node(".".join(parts))
        package = parts if is_package else parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = package[: len(package) - (node.level - 1)]
                    base = ".".join(base_parts + (node.module.split(".") if node.module else []))
                elif node.module and node.module.split(".")[0] == "clusterhub":
                    base = node.module.partition(".")[2]
                else:
                    continue
                for alias in node.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    targets.append(full if _exists(full) else base)
            elif isinstance(node, ast.Import):
                targets = [
                    a.name.partition(".")[2] for a in node.names if a.name.split(".")[0] == "clusterhub"
                ]
            for target in targets:
                imported = _node(target)
                if imported != source:
                    edges[(source, imported)].append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return edges


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for following in sorted(graph.get(node, ())):
            if state.get(following) == 1:
                return stack[stack.index(following) :] + [following]
            if following not in state:
                found = visit(following)
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


def test_the_graph_walk_sees_module_and_function_level_imports():
    edges = import_edges()
    assert ("events", "events") not in edges  # inside an area: not an edge
    assert ("events", "cross_tenant") in edges  # module level
    assert ("cross_tenant", "events.models") in edges
    assert ("reporting", "events.models") in edges
    assert ("billing", "outbox") in edges  # made only by an import inside a function


def test_no_import_cycle_between_areas():
    edges = import_edges()
    graph = defaultdict(set)
    for source, imported in edges:
        if (source, imported) not in KNOWN_EXCEPTIONS:
            graph[source].add(imported)
    cycle = _cycle(graph)
    if cycle:
        where = [
            f"{a} -> {b}: {', '.join(edges[(a, b)][:3])}" for a, b in zip(cycle, cycle[1:], strict=False)
        ]
        raise AssertionError("import cycle between areas:\n" + "\n".join(where))


def test_nothing_imports_reporting():
    edges = import_edges()
    importers = sorted(
        f"{source}: {edges[(source, imported)][0]}"
        for source, imported in edges
        if imported in ("reporting", "reporting.models")
        and source not in ("reporting", "reporting.models", "models", "__init__")
    )
    assert importers == []


def test_known_exceptions_still_exist():
    """When a cycle is removed, remove its line from KNOWN_EXCEPTIONS too: the list only shrinks."""
    edges = import_edges()
    assert sorted(KNOWN_EXCEPTIONS - set(edges)) == []


def test_the_application_imports_nothing_of_the_development_package():
    """Demo data and the benchmark live in ``clusterhub_dev``, which the wheel and the image leave out: no
    module of ``clusterhub`` may import it, at module level, inside a function, or by name (importlib, a
    gunicorn app string); and no demo or bench module is left in the application package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value]
            else:
                continue
            if any(name.split(".")[0].split(":")[0] == "clusterhub_dev" for name in names):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert found == []
    leftovers = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if p.stem in ("demo", "bench")]
    assert leftovers == [] and not (PACKAGE / "demo").exists()
