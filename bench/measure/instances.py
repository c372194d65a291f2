"""4b: activations per second through two instances against one, on one database."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import CORES, Result, measured, new_database
from portal_testing.factories import open_portal
from portal_testing.launch import ROOT


def measure(counts: dict[str, int]) -> list[Result]:
    """4b: activations per second through 1 instance and through 2 (same machine, same database): each instance
    a process with its own pool of service workers (``bench/instances.py``), the links split between them, all
    started at the same moment."""
    url = new_database("instances")
    portal = open_portal(url, upgrade=False)
    warm_up = 2 * CORES

    def rate(instances: int) -> float:
        per_instance = counts["instance_activations"] // instances
        folder = Path(tempfile.mkdtemp(prefix="bench-instances-"))
        processes = []
        for number in range(instances):
            tokens = [portal.invite(company_name=f"Instance {n} Ltd") for n in range(warm_up + per_instance)]
            (folder / f"{number}.txt").write_text("\n".join(tokens))
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.instances", url, str(folder / f"{number}.txt"), str(warm_up)],
                    cwd=ROOT,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        try:
            for process in processes:
                assert process.stdout is not None and process.stdout.readline().strip() == "ready"
            start = time.perf_counter()
            for process in processes:
                assert process.stdin is not None
                process.stdin.write("go\n")
                process.stdin.flush()
            for process in processes:
                assert process.stdout is not None and process.stdout.readline().strip() == "done"
            return per_instance * instances / (time.perf_counter() - start)
        finally:
            for process in processes:
                process.wait(timeout=60)

    one, two = rate(1), rate(2)
    portal.engine.dispose()
    return [
        measured(
            "4b",
            "Activations per second through 2 instances against 1 (same machine, same database)",
            two,
            one,
            "/s",
            f"{counts['instance_activations']} activations each way; every instance has {CORES} service workers, "
            f"so 2 instances put {2 * CORES} workers on {CORES} cores",
        )
    ]
