"""NiceGUI parses a ``.props()`` string and evaluates every prop whose name starts with ``:`` as JavaScript, so a
user's text inside such a string is script injection; ``.classes()`` and ``.style()`` strings are parsed too. This
walks every module of ``ui/`` and fails on any such call whose argument is built from data: an f-string, a
concatenation, ``%`` or ``.format()``, or any name that is not a module-level constant (UPPER_CASE). Data goes into
``element.props[name] = value`` instead, which is never parsed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARSED_STRING_METHODS = {"props", "classes", "style", "default_props", "default_classes", "default_style"}
# Calls whose argument the browser runs or renders as markup: only constants, ever.
SCRIPT_AND_MARKUP_CALLS = {"run_javascript", "add_head_html", "add_body_html", "add_css", "markdown"}


def _is_constant(node: ast.expr) -> bool:
    """A string literal, or a value read from an UPPER_CASE module constant (never data)."""
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Attribute):
        return node.attr.isupper() or _is_constant(node.value)
    if isinstance(node, ast.IfExp):
        return _is_constant(node.body) and _is_constant(node.orelse)
    if isinstance(node, ast.Subscript):
        return _is_constant(node.value)
    return False


def unsafe_calls(source: str, filename: str) -> list[str]:
    """Every ``.props/.classes/.style(...)`` call in ``source`` with an argument that is not a constant."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in PARSED_STRING_METHODS:
            continue
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        if not all(_is_constant(argument) for argument in arguments):
            shown = ast.unparse(arguments[0]) if arguments else ""
            found.append(f"{filename}:{node.lineno}: .{node.func.attr}({shown})")
    return found


def html_calls(source: str, filename: str) -> list[str]:
    """Every ``ui.html(...)`` outside ``markdown_view`` and every script or markup call with a non-constant."""
    found = []
    tree = ast.parse(source, filename)
    allowed = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef) and function.name == "markdown_view"
        for node in ast.walk(function)
    }
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "html" and id(node) not in allowed:
            found.append(f"{filename}:{node.lineno}: ui.html outside markdown_view")
        if node.func.attr in SCRIPT_AND_MARKUP_CALLS and not all(_is_constant(a) for a in node.args):
            found.append(f"{filename}:{node.lineno}: .{node.func.attr}() with data")
    return found


def test_html_reaches_a_page_only_from_the_safe_renderer_and_no_script_is_built_from_data() -> None:
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        offenders += html_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert offenders == [], "\n".join(offenders)


def test_no_props_classes_or_style_string_is_built_from_data() -> None:
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        offenders += unsafe_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert offenders == [], "data in a parsed props/classes/style string:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "snippet",
    [
        "dialog.props(f'aria-label=\"{title}\"')",
        "dialog.props('aria-label=\"' + title + '\"')",
        "dialog.props('aria-label=\"%s\"' % title)",
        "dialog.props('aria-label=\"{}\"'.format(title))",
        "dialog.props(label)",
        "badge.classes(f'rounded {STATUS_CLASSES[status]}')",
        "card.style(style=f'width: {width}')",
    ],
)
def test_the_check_catches_every_way_of_building_the_string(snippet: str) -> None:
    assert unsafe_calls(snippet, "example.py"), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "dialog.props('transition-duration=0')",
        "badge.classes(STATUS_CLASSES[status])",
        "frame.classes(WIDE)",
        "dialog.props(remove='maximized')",
        "dialog.props['aria-label'] = title",
    ],
)
def test_constants_and_the_props_dictionary_are_allowed(snippet: str) -> None:
    assert unsafe_calls(snippet, "example.py") == [], snippet
