"""The service worker pool's own cost: a trivial call's round trip (queue, pipe, pickling, a session opened and
closed in the worker), one caller at a time and from 8 callers at once. A diagnostic, no target.

Run: .venv/bin/python -m bench.workers [--calls N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from portal_testing.factories import open_portal
from services import throttle, workers


def worker_pid(_session: object) -> int:
    return os.getpid()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="calls per measurement (default 2000)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    args = parser.parse_args(argv)
    portal = open_portal(Path(tempfile.mkdtemp(prefix="bench-workers-")) / "portal.db")
    workers.start(args.workers, str(portal.engine.url), throttle.Limits(), wait=True)
    try:
        for _ in range(200):  # warm up every worker
            workers.submit(worker_pid, None, (), {}).result()
        times = []
        for _ in range(args.calls):
            start = time.perf_counter()
            workers.submit(worker_pid, None, (), {}).result()
            times.append((time.perf_counter() - start) * 1e6)
        with ThreadPoolExecutor(8) as callers:
            start = time.perf_counter()
            list(callers.map(lambda _: workers.submit(worker_pid, None, (), {}).result(), range(2 * args.calls)))
            rate = 2 * args.calls / (time.perf_counter() - start)
    finally:
        workers.stop()
        portal.engine.dispose()
    times.sort()
    print(
        f"{args.workers} workers: one caller {statistics.median(times):.0f} µs median, "
        f"{times[int(len(times) * 0.99)]:.0f} µs p99; 8 callers {rate:,.0f} calls/s"
    )


if __name__ == "__main__":
    main()
