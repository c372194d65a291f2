"""The documentation a newcomer reads from a fresh clone: every link in it leads somewhere inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Markdown links and images, [text](target) and ![alt](target), and paths written as code that name a document.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`((?:\.\./)+[^`\s]+|docs/[^`\s]+\.(?:md|png))`")


def local_targets(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    targets = LINK.findall(text) + CODE_PATH.findall(text)
    return [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_resolves_inside_the_repository(document: Path) -> None:
    for target in local_targets(document):
        resolved = (document.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{document.name} points outside the repository: {target}"
        assert resolved.exists(), f"{document.name} links to a missing file: {target}"


def test_the_check_sees_links_that_point_outside() -> None:
    """The pattern finds the kind of reference the README once had (a spec beside the clone, not in it)."""
    assert CODE_PATH.findall("The product specification is `../shared/SPEC.md`.") == ["../shared/SPEC.md"]
    assert LINK.findall("see [the spec](../shared/SPEC.md)") == ["../shared/SPEC.md"]
