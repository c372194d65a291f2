"""The house's floors, checked on the source: imports point down (bench → ui → services → data), never up and
never round in a circle. Every import counts, a function's local import included (that is how a circle hides)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (``from a import b`` counts as ``a`` and as ``a.b``, since
    ``b`` may be a module)."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(folder: str) -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / folder).rglob("*.py"))}


def test_the_walk_sees_local_imports() -> None:
    source = ROOT / "tests" / "unit" / "test_layers.py"
    assert "ast" in imported_modules(source)
    tree = ast.parse("def f():\n    from data.models import Account\n")
    assert any(isinstance(node, ast.ImportFrom) and node.module == "data.models" for node in ast.walk(tree))


def test_services_import_one_another_without_a_circle() -> None:
    modules = modules_under("services")
    graph = {name: sorted(imported_modules(path) & modules.keys() - {name}) for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = " → ".join([*trail[trail.index(name) :], name])
            raise AssertionError(f"services import each other in a circle: {cycle}")
        if name in done:
            return
        for target in graph[name]:
            if target.rsplit(".", 1)[-1] != "__init__" and target != name.rsplit(".", 1)[0]:
                visit(target, [*trail, name])
        done.add(name)

    for name in graph:
        visit(name, [])
