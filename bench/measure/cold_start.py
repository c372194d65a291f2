"""7: from starting the process to the first 200 on ``/``, against a bare NiceGUI hello world."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench.harness import Result, database_env, measured
from portal_testing.launch import ROOT
from portal_testing.servers import free_port


def measure(counts: dict[str, int]) -> list[Result]:
    """7: from starting the process to the first 200 on ``/``; the floor is a bare NiceGUI hello world."""

    def once(command: list[str], env: dict[str, str], port: int) -> float:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                        if response.status == 200:
                            return time.perf_counter() - start
                except OSError:
                    assert process.poll() is None, "the process died"
                    time.sleep(0.01)  # polling for the port to answer
        finally:
            process.terminate()
            process.wait()

    base = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "NICEGUI_", "PYTEST_"))}
    ours, floor = [], []
    for _ in range(counts["cold_starts"]):
        port = free_port()
        floor.append(once([sys.executable, "bench/hello.py"], {**base, "PORT": str(port)}, port))
        port = free_port()
        data = tempfile.mkdtemp(prefix="bench-cold-")
        env = {**base, "PORTAL_PORT": str(port), "PORTAL_DATA_DIR": data, "PORTAL_DEMO": "1", **database_env()}
        ours.append(once([sys.executable, "main.py"], env, port))
    return [
        measured(
            "7",
            "Cold start: `PORTAL_DEMO=1 python main.py` (empty database, demo seeded) to first 200 on /",
            statistics.median(ours) * 1000,
            statistics.median(floor) * 1000,
            "ms",
            "median of starts",
        )
    ]
