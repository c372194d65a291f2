"""``python -m bench`` — the portal measured against floors taken in the same run.

``--db postgresql`` runs the same measurements on PostgreSQL (a throwaway cluster the run starts and removes;
the default is the embedded SQLite). ``--quick`` uses smaller counts (under 2 minutes on 2 cores); ``--tiny``
only proves the harness works (used by the test suite). Keeps each database's results in
``docs/performance-<db>.json`` and writes ``docs/PERFORMANCE.md`` with both side by side (unless ``--output -``);
prints ``bench: N/M targets met`` last.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bench.harness import COUNTS, DIALECTS, STALLS, Result, database_server, fresh_server
from bench.measure import activations, browser, cold_start, http, instances, invitation_list, memory
from bench.report import report
from portal_testing.launch import ROOT, Server


@dataclass(frozen=True)
class Group:
    """A measurement group: its module's ``measure``, and whether it measures the run's shared server."""

    measure: Callable[..., list[Result] | Awaitable[list[Result]]]
    on_shared_server: bool = False


# Every group, in the order a run takes them; --only names them.
GROUPS = {
    "browser": Group(browser.measure, on_shared_server=True),
    "http": Group(http.measure, on_shared_server=True),
    "activations": Group(activations.measure),
    "instances": Group(instances.measure),
    "memory": Group(memory.measure),
    "list": Group(invitation_list.measure),
    "cold": Group(cold_start.measure),
}


async def run(mode: str, only: set[str]) -> list[Result]:
    counts = COUNTS[mode]
    results: list[Result] = []
    shared: Server | None = None
    chosen = [name for name in GROUPS if name in only]
    try:
        for position, name in enumerate(chosen):
            group = GROUPS[name]
            started = time.perf_counter()
            if group.on_shared_server:
                shared = shared or fresh_server("main")
                outcome = group.measure(shared, counts)
            else:
                outcome = group.measure(counts)
            results += await outcome if isinstance(outcome, Awaitable) else outcome
            print(f"bench: {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr)
            if shared is not None and not any(GROUPS[later].on_shared_server for later in chosen[position + 1 :]):
                shared.stop()  # the groups that measure it are done
                shared = None
    finally:
        if shared is not None:
            shared.stop()
    return sorted(results, key=lambda r: r.number)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_const", const="quick", dest="mode")
    group.add_argument("--tiny", action="store_const", const="tiny", dest="mode")
    parser.add_argument("--output", default="docs/PERFORMANCE.md", help="where to write the table ('-': nowhere)")
    parser.add_argument("--only", action="append", choices=tuple(GROUPS), help="run only these groups (repeatable)")
    parser.add_argument("--db", choices=tuple(DIALECTS), default="sqlite", help="the database (default: sqlite)")
    args = parser.parse_args(argv)
    mode = args.mode or "full"
    started = time.perf_counter()
    with database_server(args.db):
        results = asyncio.run(run(mode, set(args.only or GROUPS)))
    output = None if args.output == "-" else ROOT / args.output
    if STALLS and os.environ.get("BENCH_SHOW_STALLS"):
        for stack, count in STALLS.items():
            print(f"{count:5d}  {stack}")
    print(report(results, args.db, mode, time.perf_counter() - started, output, set(args.only or ())))


if __name__ == "__main__":
    main()
