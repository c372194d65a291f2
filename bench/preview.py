"""``python -m bench.preview`` — does the event loop keep answering while the largest agreement text allowed is
previewed? (Issue: one Preview must not freeze every tenant; the target is ``/healthz`` within 100 ms.)

Starts the server as ``python -m bench`` does, signs a distributor in with Chromium, writes the worst inputs
found for the renderer that it accepts (100,000 characters of ``![``, of ``[a](``, and a list of just under
:data:`services.markdown.ELEMENTS_MAX` items filling 100,000 characters) into the agreement editor and
opens **Preview**, while a thread asks ``/healthz`` every 20 ms. Prints, per input, the preview's time and the
``/healthz`` latency p50, p99 and maximum over the time the preview took."""

from __future__ import annotations

import argparse
import re
import threading
import time

import httpx
from playwright.sync_api import expect, sync_playwright

from bench.harness import fresh_server, percentile
from portal_testing.launch import CHROMIUM_FLAGS, chromium_executable, sign_in
from services.distributor.agreements import AGREEMENT_TEXT_MAX
from services.markdown import ELEMENTS_MAX

ITEMS = ELEMENTS_MAX - 10  # a list of this many items, and its <ul>, is just under the bound
INPUTS = {
    "![": ("![" * AGREEMENT_TEXT_MAX)[:AGREEMENT_TEXT_MAX],
    "[a](": ("[a](" * AGREEMENT_TEXT_MAX)[:AGREEMENT_TEXT_MAX],
    "list": ("- " + "a" * (AGREEMENT_TEXT_MAX // ITEMS - 3) + "\n") * ITEMS,
}


class HealthProbe(threading.Thread):
    """Asks ``/healthz`` every 20 ms and keeps each answer's latency (ms) while ``recording``."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.base_url = base_url
        self.latencies: list[float] = []
        self.recording = threading.Event()
        self.stopped = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            while not self.stopped.is_set():
                started = time.perf_counter()
                http.get("/healthz").raise_for_status()
                if self.recording.is_set():
                    self.latencies.append((time.perf_counter() - started) * 1000)
                time.sleep(0.02)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.preview", description=__doc__)
    parser.add_argument("--only", choices=sorted(INPUTS), help="one input instead of all three")
    args = parser.parse_args(argv)
    inputs = {args.only: INPUTS[args.only]} if args.only else INPUTS
    server = fresh_server("preview")
    email = server.distributor_user("bench-preview@example.com")
    probe = HealthProbe(server.base_url)
    probe.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_executable(), args=CHROMIUM_FLAGS, headless=True
            )
            page = browser.new_page()
            sign_in(page, server.base_url, email)
            expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
            page.goto(f"{server.base_url}/distributor/agreements")
            for name, text in inputs.items():
                page.get_by_role("button", name="Create agreement").click()
                dialog = page.get_by_role("dialog")
                dialog.get_by_label("Agreement text (Markdown)").fill(text)
                probe.latencies.clear()
                httpx.get(f"{server.base_url}/_bench/lag", params={"reset": True}).raise_for_status()
                httpx.get(f"{server.base_url}/_bench/stalls", params={"reset": True}).raise_for_status()
                probe.recording.set()
                started = time.perf_counter()
                dialog.get_by_role("tab", name="Preview").click()
                expect(dialog.locator(".agreement-text")).to_be_visible(timeout=60_000)
                took = time.perf_counter() - started
                probe.recording.clear()
                lat = probe.latencies
                loop = httpx.get(f"{server.base_url}/_bench/lag").json()
                stalls = httpx.get(f"{server.base_url}/_bench/stalls").json()
                print(
                    f"{len(text):,} characters of {name!r}: preview {took:.2f} s; /healthz p50 "
                    f"{percentile(lat, 0.5):.1f} ms, p99 {percentile(lat, 0.99):.1f} ms, max {max(lat):.1f} ms "
                    f"over {len(lat)} answers; event-loop lag p99 {loop['p99_ms']:.1f} ms, max {loop['max_ms']:.1f} ms"
                )
                for stack, count in list(stalls.items())[:3]:
                    print(f"    stalled {count}x at {stack}")
                dialog.get_by_role("tab", name="Write").click()
                dialog.get_by_role("button", name="Cancel").click()
                expect(page.get_by_role("dialog")).to_have_count(0)
                page.reload()
                expect(page.get_by_role("button", name=re.compile("Create agreement"))).to_be_visible()
            browser.close()
    finally:
        probe.stopped.set()
        server.stop()


if __name__ == "__main__":
    main()
