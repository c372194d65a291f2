"""2: opening activation links over HTTP at many concurrent clients, against the floor page."""

from __future__ import annotations

import asyncio
import time

import httpx

from bench.harness import Result, invitation_urls, measured, percentile
from portal_testing.launch import Server


async def measure(server: Server, counts: dict[str, int]) -> list[Result]:
    """2: GET /activate/<token> at 50 concurrent clients, each with its own token; the floor page likewise."""
    concurrency = counts["concurrency"]
    urls = [url.removeprefix(server.base_url) for url in invitation_urls(server, concurrency)]

    async def load(paths: list[str]) -> tuple[float, list[float]]:
        per_client = counts["requests"] // concurrency
        latencies: list[float] = []
        # Idle connections expire before uvicorn's 5 s keep-alive timeout closes them, so that none is reused just as
        # the server closes it (seen once as httpx.ReadError).
        limits = httpx.Limits(max_connections=concurrency, keepalive_expiry=4)
        async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) as http:

            async def client(path: str) -> None:
                for _ in range(per_client):
                    start = time.perf_counter()
                    response = await http.get(path)
                    latencies.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200

            start = time.perf_counter()
            await asyncio.gather(*(client(path) for path in paths))
            return len(latencies) / (time.perf_counter() - start), latencies

    async def prune() -> None:  # each load starts without the pages the one before left behind
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            (await http.get("/_bench/prune")).raise_for_status()

    async with httpx.AsyncClient(base_url=server.base_url) as http:  # warm up: first-use imports, caches
        for path in ("/_bench/floor", urls[0]):
            (await http.get(path)).raise_for_status()
    await prune()
    floor_rate, floor_latencies = await load(["/_bench/floor"] * concurrency)
    await prune()
    rate, latencies = await load(urls)
    return [
        measured(
            "2",
            f"Opening /activate/<token>, {concurrency} concurrent clients: requests/s",
            rate,
            floor_rate,
            "req/s",
            f"p95 {percentile(latencies, 0.95):.0f} ms (floor {percentile(floor_latencies, 0.95):.0f} ms); "
            f"{len(latencies)} requests",
        )
    ]
