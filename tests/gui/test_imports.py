"""How the window's modules import each other, read from their source: the self-test reaches the store only
through the service layer, like every view, and no two GUI modules import each other (also not inside a
function, as app.py and self_test.py once did)."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "autosync_desktop" / "gui"
PACKAGE = "autosync_desktop"
BELOW_SERVICES = ("store", "sync", "connectors", "notify", "secrets")


def _module_name(path: Path) -> str:
    parts = path.relative_to(GUI.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (functions included), as dotted names; `from a import b`
    counts as both `a` and `a.b` (b may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _gui_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in GUI.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules and m != name and not name.startswith(f"{m}.")}
            for name, path in modules.items()}


def test_the_self_test_reaches_the_store_only_through_services() -> None:
    imported = _imports(GUI / "self_test.py")
    below = sorted(m for m in imported if m.split(".")[:2] in ([PACKAGE, layer] for layer in BELOW_SERVICES))
    assert below == []
    assert f"{PACKAGE}.gui.app" not in imported


def test_no_gui_module_imports_one_that_imports_it_back() -> None:
    graph = _gui_graph()
    assert f"{PACKAGE}.gui.self_test" in graph[f"{PACKAGE}.gui.app"]  # the graph sees function-level imports

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in graph[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        return seen

    cycles = sorted(name for name in graph if name in reachable(name))
    assert cycles == []
