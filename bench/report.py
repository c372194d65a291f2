"""The report of ``python -m bench``: the summary line, each database's results kept in
``docs/performance-<db>.json``, and ``docs/PERFORMANCE.md`` with the latest run of each database side by side
(followed by ``docs/PERFORMANCE-notes.md``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import CORES, DIALECTS, Result


def summarize(results: list[Result]) -> str:
    met = sum(r.met for r in results)
    return f"bench: {met}/{len(results)} targets met; " + ", ".join(
        f"{r.number}={r.ratio:.2f}x" if r.ratio is not None else f"{r.number}={r.ours:.1f}{r.unit}" for r in results
    )


def cell(r: Result | None) -> str:
    """One database's figure: ours, the floor and the ratio, and whether the target is met."""
    if r is None:
        return "—"
    figure = f"{r.ours:,.1f} {r.unit}"
    if r.floor is not None:
        figure += f" / {r.floor:,.1f} = {r.ratio:.2f}×"
    return figure + (" ✓" if r.met else " **✗**")


def report(
    results: list[Result], database: str, mode: str, elapsed: float, output: Path | None, only: set[str] | None = None
) -> str:
    """Keep this run's results in ``docs/performance-<db>.json`` and write ``PERFORMANCE.md`` with the latest run
    of each database side by side."""
    summary = summarize(results)
    if output is None:
        return summary
    command = (
        "python -m bench"
        + ("" if mode == "full" else f" --{mode}")
        + (f" --db {database}" if database != "sqlite" else "")
    )
    stored = output.with_name(f"performance-{database}.json")
    run: dict[str, Any] = {
        "command": command,
        "at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "cores": CORES,
        "seconds": round(elapsed),
        "results": [asdict(r) for r in results],
    }
    if only and stored.exists():  # a partial run (--only) replaces its own figures in the last full run's
        earlier = json.loads(stored.read_text())
        renewed = {r.number for r in results}
        kept = [r for r in earlier["results"] if r["number"] not in renewed]
        run = {
            **earlier,
            "command": f"{earlier['command']}, then {command} --only {' --only '.join(sorted(only))} at {run['at']}",
            "results": sorted(kept + run["results"], key=lambda r: r["number"]),
        }
    stored.write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n")
    runs = {}
    for name in DIALECTS:
        stored = output.with_name(f"performance-{name}.json")
        if stored.exists():
            runs[name] = json.loads(stored.read_text())
    by_number = {name: {r["number"]: Result(**r) for r in run["results"]} for name, run in runs.items()}
    numbers = sorted({number for results_of in by_number.values() for number in results_of})
    lines = [
        "# Performance",
        "",
        "The same measurements on the embedded SQLite database and on PostgreSQL, each against floors taken in the "
        "same run (see *How* below). Each cell: ours / floor = ratio, and whether the target is met.",
        "",
    ]
    lines += [
        f"- {DIALECTS[name]}: `{run['command']}` on {run['at']}, {run['cores']} cores, in {run['seconds']} s."
        for name, run in runs.items()
    ]
    lines += ["", "| # | measurement | target | " + " | ".join(DIALECTS[name] for name in runs) + " |"]
    lines.append("| --- | --- | --- | " + " | ".join("---" for _ in runs) + " |")
    for number in numbers:
        first = next(results_of[number] for results_of in by_number.values() if number in results_of)
        cells = " | ".join(cell(by_number[name].get(number)) for name in runs)
        lines.append(f"| {number} | {first.name} | {first.target} | {cells} |")
    lines += ["", "Notes (what each figure is made of):", ""]
    for number in numbers:
        for name in runs:
            r = by_number[name].get(number)
            if r is not None and r.note:
                lines.append(f"- {number}, {DIALECTS[name]}: {r.note}")
    lines += [""]
    lines += [f"`{DIALECTS[name]}: {summarize(list(by_number[name].values()))}`  " for name in runs]
    lines += [""]
    text = "\n".join(lines)
    notes = output.with_name("PERFORMANCE-notes.md")
    extra = notes.read_text() if notes.exists() else ""
    output.write_text(text + ("\n" + extra if extra else ""))
    return summary
