"""The house's floors, checked on the source: imports point down (bench → ui → services → data), never up and
never round in a circle. Every import counts, a function's local import included (that is how a circle hides)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Every module ``path`` imports, anywhere in it (``from a import b`` counts as ``a`` and as ``a.b``, since
    ``b`` may be a module)."""
    found: set[str] = set()
    name = module_name(path, root)
    package = name.rsplit(".", 1)[0] if path.name != "__init__.py" else name
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


def modules_under(folder: str, root: Path = ROOT) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / folder).rglob("*.py"))}


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


def imports_from(folder: str, forbidden: str, root: Path = ROOT) -> list[str]:
    """Every ``folder/**/*.py`` module that imports ``forbidden`` or anything inside it."""
    return [
        f"{path.relative_to(root)} imports {target}"
        for path in modules_under(folder, root).values()
        for target in sorted(imported_modules(path, root))
        if target == forbidden or target.startswith(f"{forbidden}.")
    ]


def test_the_interface_imports_nothing_from_data() -> None:
    """Pages and the command line reach the database through services only (ui → services → data)."""
    assert imports_from("ui", "data") == []


def test_the_walk_finds_every_way_of_importing_data(tmp_path: Path) -> None:
    pages = tmp_path / "ui" / "deep"
    pages.mkdir(parents=True)
    (pages / "__init__.py").write_text("from .. import theme\n")
    (pages / "page.py").write_text("def load():\n    import data.db\n    from data.models import Account\n")
    (tmp_path / "ui" / "fine.py").write_text("from services import database\nimport dataclasses\n")
    assert imports_from("ui", "data", tmp_path) == [
        "ui/deep/page.py imports data.db",
        "ui/deep/page.py imports data.models",
        "ui/deep/page.py imports data.models.Account",
    ]


def test_the_benchmark_imports_nothing_from_the_tests() -> None:
    """bench/ and the helpers it shares with the tests (portal_testing/) stand without tests/."""
    assert imports_from("bench", "tests") + imports_from("portal_testing", "tests") == []
    assert imports_from("portal_testing", "bench") == []


def test_the_product_never_imports_the_measuring_gear() -> None:
    """The benchmark's hooks (unauthenticated endpoints) are mounted by bench/server.py only."""
    product = [*imports_from("ui", "bench"), *imports_from("services", "bench"), *imports_from("data", "bench")]
    assert product == []
    assert "bench" not in {name.split(".")[0] for name in imported_modules(ROOT / "main.py")}
    assert not [path for path in (ROOT / "ui").rglob("*.py") if "/_bench" in path.read_text(encoding="utf-8")]
