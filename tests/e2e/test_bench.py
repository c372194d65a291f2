"""The benchmark harness runs end to end on the tiniest counts, so that it cannot rot. Its targets are
judged by ``python -m bench``, never here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_bench_runs_on_tiny_counts_and_prints_its_summary_last(database: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "NICEGUI_", "PYTEST_"))}
    if os.environ.get("PORTAL_CHROMIUM"):
        env["PORTAL_CHROMIUM"] = os.environ["PORTAL_CHROMIUM"]
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--output", "-", "--db", database],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("bench: ") and "/11 targets met" in last
    for number in ["1a", "1b", "2", "3", "4", "4b", "5a", "5b", "6a", "6b", "7"]:
        assert f"{number}=" in last
