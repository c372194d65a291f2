"""Regenerates docs/step-user-properties.png and docs/portal.png from the real app in real Chromium.

Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from portal_testing.launch import CHROMIUM_FLAGS, Server, chromium_executable  # noqa: E402
from tests.e2e.wizard import Wizard  # noqa: E402


def main() -> None:
    server = Server(Path(tempfile.mkdtemp(prefix="portal-shots-")))
    server.start()
    try:
        url = server.invite("--company", "Champions Corp", "--note", "Welcome aboard, Champions!")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.goto(url)
            wizard = Wizard(page)
            wizard.agree("jane.doe@champions.example")
            wizard.full_name.fill("Jane Doe")
            wizard.password.fill("purple elephant marching slowly")
            wizard.password.blur()
            page.wait_for_timeout(500)  # let the floating labels finish their animation (a picture, not a test)
            page.screenshot(path=ROOT / "docs" / "step-user-properties.png", full_page=True)
            wizard.button("Next").click()
            expect(wizard.company_name).to_be_visible()
            wizard.company("Champions Corp")
            wizard.sign_and_activate("Champions Corp")
            expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
            page.wait_for_timeout(300)
            page.screenshot(path=ROOT / "docs" / "portal.png", full_page=True)
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
