"""5a and 5b: the server's memory per connected client against the floor page's, and after many
connect/disconnect cycles."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx
from playwright.async_api import Browser, Page, async_playwright

from bench.harness import Result, fresh_server, invitation_urls, launch_browser, measured, rss_kib
from portal_testing.launch import Server

CYCLES_AT_ONCE = 2

LOADS_AT_ONCE = 4


async def until_disconnected(server: Server, timeout: float = 30) -> None:
    """Wait until the server has let go of every client (NiceGUI keeps a closed page's client for its 3 s
    reconnect timeout)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        while (await http.get("/_bench/clients")).json()["clients"] > 0:
            assert time.monotonic() < deadline, "the server kept clients of closed pages"
            await asyncio.sleep(0.1)  # polling the server's client count


@dataclass
class ServerMemory:
    per_client_kib: float
    before_cycles_kib: int = 0
    after_cycles_kib: int = 0


async def server_memory(browser: Browser, kind: str, counts: dict[str, int], cycles: int) -> ServerMemory:
    """RSS growth per connected client on a fresh server showing the floor page or the wizard, then the RSS
    before and after ``cycles`` connect/disconnect cycles."""
    server = await asyncio.to_thread(fresh_server, f"memory-{kind}")
    try:
        assert server.process is not None
        pid = server.process.pid
        if kind == "floor":
            url, ready = f"{server.base_url}/_bench/floor", "Flip"
        else:
            url, ready = (await asyncio.to_thread(invitation_urls, server, 1))[0], "Next"

        async def connect(page: Page) -> None:
            await page.goto(url)
            await page.get_by_role("button", name=ready, exact=True).first.wait_for()

        async def cycle() -> None:
            context = await browser.new_context()
            await connect(await context.new_page())
            await context.close()

        await cycle()  # warm up: first-use imports and caches
        await until_disconnected(server)
        start = rss_kib(pid)
        context = await browser.new_context()
        pages = [await context.new_page() for _ in range(counts["memory_clients"])]
        gate = asyncio.Semaphore(LOADS_AT_ONCE)  # 50 pages loading at once outrun Playwright's 30 s on 2 cores

        async def connect_in_turn(page: Page) -> None:
            async with gate:
                await connect(page)

        await asyncio.gather(*(connect_in_turn(page) for page in pages))
        memory = ServerMemory((rss_kib(pid) - start) / counts["memory_clients"])
        await context.close()
        if cycles:
            await until_disconnected(server)
            memory.before_cycles_kib = rss_kib(pid)
            for done in range(0, cycles, CYCLES_AT_ONCE):
                await asyncio.gather(*(cycle() for _ in range(min(CYCLES_AT_ONCE, cycles - done))))
            await until_disconnected(server)
            memory.after_cycles_kib = rss_kib(pid)
        return memory
    finally:
        server.stop()


async def measure(counts: dict[str, int]) -> list[Result]:
    """5: RSS per connected client (ours on one fresh server, the floor on another, side by side: RSS does not
    depend on timing), and after connect/disconnect cycles."""
    async with async_playwright() as playwright:
        browser = await launch_browser(playwright)
        floor, ours = await asyncio.gather(
            server_memory(browser, "floor", counts, cycles=0),
            server_memory(browser, "ours", counts, cycles=counts["cycles"]),
        )
        await browser.close()
    before_cycles, after_cycles = ours.before_cycles_kib, ours.after_cycles_kib
    cycles_note = f"{before_cycles / 1024:.1f} MiB before, {after_cycles / 1024:.1f} MiB after"
    per_client = {"floor": floor.per_client_kib, "ours": ours.per_client_kib}
    growth = (after_cycles - before_cycles) / before_cycles
    return [
        measured(
            "5a",
            f"Server memory per connected wizard client ({counts['memory_clients']} clients)",
            per_client["ours"],
            max(per_client["floor"], 1.0),
            "KiB",
            "RSS growth ÷ clients",
        ),
        measured(
            "5b",
            f"RSS after {counts['cycles']} connect/disconnect cycles vs before",
            growth * 100,
            None,
            "%",
            cycles_note,
        ),
    ]
