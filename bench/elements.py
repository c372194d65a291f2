"""``python -m bench.elements`` — NiceGUI's cost per element on the server, with NiceGUI's own
``expects_arguments`` and with the portal's cached one (``ui/speedups.py``), alternately (a diagnostic).

Builds a card of labels, inputs and buttons (the kinds the wizard is made of) in one client, repeatedly, and
prints the median time per element of each variant."""

from __future__ import annotations

import argparse
import statistics
import time

from nicegui import Client, helpers, ui
from nicegui.page import page

from ui import speedups


def time_per_element(client: Client, rounds: int) -> float:
    """Seconds per element to build ``rounds`` cards of 60 elements."""
    start = time.perf_counter()
    for _ in range(rounds):
        with client, ui.card():
            for _ in range(20):
                ui.label("Label").classes("text-sm").props('role="note"')
                ui.input("Email").props("outlined")
                ui.button("Next", on_click=lambda: None)
    return (time.perf_counter() - start) / (rounds * 60)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.elements", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="alternating measurements of each (default 5)")
    repeats = parser.parse_args(argv).repeats
    client = Client(page(""), request=None)
    times: dict[str, list[float]] = {"NiceGUI's expects_arguments": [], "cached expects_arguments": []}
    for _ in range(repeats):
        helpers.expects_arguments = speedups._original
        times["NiceGUI's expects_arguments"].append(time_per_element(client, 10))
        speedups.install()
        times["cached expects_arguments"].append(time_per_element(client, 10))
        client.content.clear()
    for name, values in times.items():
        print(f"{name}: {statistics.median(values) * 1e6:.0f} µs per element (median of {len(values)})")


if __name__ == "__main__":
    main()
