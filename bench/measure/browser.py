"""1a, 1b and 3: step transitions against Back, one client and many, and the event-loop lag while many
activations hash passwords at once; in real Chromium against one server."""

from __future__ import annotations

import asyncio
import statistics
from itertools import chain

import httpx
from playwright.async_api import Page, async_playwright

from bench.harness import (
    CLICK_AND_WAIT,
    COMPANY_VISIBLE,
    EMAIL_VISIBLE,
    FLOOR_FLIPPED,
    FULL_NAME_VISIBLE,
    STALLS,
    Result,
    invitation_urls,
    launch_browser,
    measured,
    percentile,
    steal_ms,
)
from portal_testing.factories import FULL_NAME, PASSWORD
from portal_testing.launch import Server


async def floor_transitions(page: Page, count: int) -> list[float]:
    times = []
    for _ in range(count):
        await page.evaluate(
            "window.__expect = document.querySelector('.floor-label').textContent === 'off' ? 'on' : 'off'"
        )
        times.append(await page.evaluate(CLICK_AND_WAIT, ["Flip", "button", FLOOR_FLIPPED]))
    return times


async def step_transitions(page: Page, count: int) -> tuple[list[float], list[float]]:
    """Next on *Review the contract* (saved on the server) until *User properties* shows, then Back (the same
    stepper change without a service call: where the time goes). Returns both lists of times."""
    forward, back = [], []
    for _ in range(count):
        forward.append(await page.evaluate(CLICK_AND_WAIT, ["Next", "button", FULL_NAME_VISIBLE]))
        back.append(await page.evaluate(CLICK_AND_WAIT, ["Back", "button", EMAIL_VISIBLE]))
    return forward, back


async def open_wizard(page: Page, url: str, email: str) -> None:
    await page.goto(url)
    await page.get_by_label("Email", exact=True).fill(email)
    await page.get_by_role("checkbox", name="I have read and accepted the agreement").click()


async def measure(server: Server, counts: dict[str, int]) -> list[Result]:
    results: list[Result] = []
    clients = counts["clients"]
    urls = invitation_urls(server, clients)
    async with async_playwright() as playwright:
        browser = await launch_browser(playwright)
        contexts = [await browser.new_context() for _ in range(clients)]
        pages = [await context.new_page() for context in contexts]

        # 1: one client, then all clients at once; the floor the same way on the bare page.
        await asyncio.gather(*(page.goto(f"{server.base_url}/_bench/floor") for page in pages))
        floor_one = await floor_transitions(pages[0], counts["transitions"])
        floor_many = list(chain(*await asyncio.gather(*(floor_transitions(p, counts["per_client"]) for p in pages))))
        await asyncio.gather(
            *(
                open_wizard(page, url, f"bench{n}@bench.example")
                for n, (page, url) in enumerate(zip(pages, urls, strict=True))
            )
        )
        ours_one, back_one = await step_transitions(pages[0], counts["transitions"])
        walked = await asyncio.gather(*(step_transitions(p, counts["per_client"]) for p in pages))
        ours_many = list(chain(*(forward for forward, _ in walked)))
        back_many = list(chain(*(back for _, back in walked)))
        # The floor is Back: the same stepper change without a service call, so that the ratio is what the service
        # adds. The label flip on a bare page (the floor before) is reported beside it.
        results.append(
            measured(
                "1a",
                "Step transition (Next → next step visible) against Back (the same change without a service "
                "call), 1 client: p50",
                statistics.median(ours_one),
                statistics.median(back_one),
                "ms",
                f"p95 {percentile(ours_one, 0.95):.1f} ms (Back {percentile(back_one, 0.95):.1f}); "
                f"{len(ours_one)} transitions; a label flip on a bare page: p50 {statistics.median(floor_one):.1f} ms",
            )
        )
        results.append(
            measured(
                "1b",
                f"Step transition against Back, {clients} concurrent clients: p50",
                statistics.median(ours_many),
                statistics.median(back_many),
                "ms",
                f"p95 {percentile(ours_many, 0.95):.1f} ms (Back {percentile(back_many, 0.95):.1f}); "
                f"{len(ours_many)} transitions; a label flip on a bare page: p50 "
                f"{statistics.median(floor_many):.1f} ms",
            )
        )

        # 3: event-loop lag while up to 16 resellers save a password (argon2id) at the same moment; repeated, since
        # one burst gives a few hundred ticks and its p99 is then the third-worst tick.
        hashing = pages[: min(16, clients)]
        for page in hashing:
            await page.evaluate(CLICK_AND_WAIT, ["Next", "button", FULL_NAME_VISIBLE])
            await page.get_by_label("Full name", exact=True).fill(FULL_NAME)
            await page.get_by_label("Password", exact=True).fill(PASSWORD)
        lags: list[float] = []
        stolen, collections, longest_collection = 0.0, 0, 0.0
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            await http.get("/_bench/stalls", params={"reset": True})
            for burst in range(counts["lag_bursts"]):
                if burst:  # back to User properties on every page, with a new password to hash
                    for page in hashing:
                        await page.evaluate(CLICK_AND_WAIT, ["Back", "button", FULL_NAME_VISIBLE])
                        await page.get_by_role("button", name="Change password").click()
                        await page.get_by_label("Password", exact=True).fill(PASSWORD)
                await http.get("/_bench/lag", params={"reset": True})
                before = steal_ms()
                await asyncio.gather(
                    *(p.evaluate(CLICK_AND_WAIT, ["Next", "button", COMPANY_VISIBLE]) for p in hashing)
                )
                stolen += steal_ms() - before
                burst_lag = (await http.get("/_bench/lag", params={"raw": True})).json()
                lags += burst_lag["values_ms"]
                collections += burst_lag["collections"]
                longest_collection = max(longest_collection, burst_lag["longest_collection_ms"])
            STALLS.update((await http.get("/_bench/stalls")).json())
        lag_p99 = percentile(lags, 0.99)
        results.append(
            measured(
                "3",
                f"Event-loop lag while {len(hashing)} activations hash passwords at once "
                f"({counts['lag_bursts']} bursts): p99",
                lag_p99,
                None,
                "ms",
                f"max {max(lags):.1f} ms over {len(lags)} ticks of 5 ms; the VM's CPUs were stolen by "
                f"its host for {stolen:.0f} ms of the bursts; {collections} garbage collections, the "
                f"longest {longest_collection:.1f} ms",
            )
        )
        for context in contexts:
            await context.close()
        await browser.close()
    return results
