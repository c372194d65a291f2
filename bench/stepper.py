"""``python -m bench.stepper`` — where a step transition's browser time goes (a diagnostic; no target).

Times, in Chromium at nice 10 like ``python -m bench``, a label flip on the floor page (alone, below the
agreement, below two inputs) and a step change with no service call in two steppers holding the portal's step 1
and 2 content: Quasar's (content mounted when a step opens) and one whose steps stay in the page and are only
shown or hidden. Prints the median of each."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

from playwright.async_api import async_playwright

from bench.harness import CLICK_AND_WAIT, EMAIL_VISIBLE, FLOOR_FLIPPED, FULL_NAME_VISIBLE, launch_browser
from portal_testing.launch import ROOT, free_port

FLIP_PAGES = ("floor", "floor-agreement", "floor-inputs")
STEPPERS = ("quasar", "shown-or-hidden")


async def measure(base_url: str, count: int) -> None:
    async with async_playwright() as playwright:
        browser = await launch_browser(playwright)
        page = await browser.new_page()
        for path in FLIP_PAGES:
            await page.goto(f"{base_url}/{path}")
            times = []
            for _ in range(count):
                await page.evaluate(
                    "window.__expect = document.querySelector('.floor-label').textContent === 'off' ? 'on' : 'off'"
                )
                times.append(await page.evaluate(CLICK_AND_WAIT, ["Flip", "button", FLOOR_FLIPPED]))
            print(f"{path}: label flip {statistics.median(times):.1f} ms")
        for path in STEPPERS:
            await page.goto(f"{base_url}/{path}")
            forward, back = [], []
            for _ in range(count):
                forward.append(await page.evaluate(CLICK_AND_WAIT, ["Next", "button", FULL_NAME_VISIBLE]))
                back.append(await page.evaluate(CLICK_AND_WAIT, ["Back", "button", EMAIL_VISIBLE]))
            print(
                f"{path} stepper: Next {statistics.median(forward):.1f} ms, Back {statistics.median(back):.1f} ms "
                "(no service call)"
            )
        await browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stepper", description=__doc__)
    parser.add_argument("--count", type=int, default=60, help="clicks per measurement (default 60)")
    count = parser.parse_args(argv).count
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "bench/stepper_pages.py"], cwd=ROOT, env={**os.environ, "PORT": str(port)}
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/floor", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the stepper pages did not start") from None
                time.sleep(0.1)
        asyncio.run(measure(f"http://127.0.0.1:{port}", count))
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
