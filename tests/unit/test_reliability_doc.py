"""docs/RELIABILITY.md names, for each fault, the tests that show it: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`|`(test_\w+)`")


def named_tests(document: Path) -> list[tuple[str, str | None]]:
    """Each ``path::test`` and each bare ``test`` (in the file named last before it) in the document."""
    found: list[tuple[str, str | None]] = []
    for line in document.read_text(encoding="utf-8").splitlines():
        current: str | None = None
        for path, test, bare in REFERENCE.findall(line):
            if path:
                current = path
                found.append((path, test or None))
            elif current is not None:
                found.append((current, bare))
    return found


def test_every_test_the_reliability_page_names_exists() -> None:
    named = named_tests(ROOT / "docs" / "RELIABILITY.md")
    assert len(named) > 30
    for path, test in named:
        source = ROOT / path
        assert source.exists(), f"docs/RELIABILITY.md names {path}, which does not exist"
        if test is not None:
            assert re.search(rf"^(async )?def {test}\(", source.read_text(encoding="utf-8"), re.M), (
                f"docs/RELIABILITY.md names {path}::{test}, which does not exist"
            )
