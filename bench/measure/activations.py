"""4: complete activations per second through the service layer, against the hashing limit."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import func, select

from bench.harness import CORES, Result, cpu_seconds, measured, new_database
from bench.instances import walk_activation
from data.models import Invitation
from portal_testing.factories import PASSWORD, open_portal
from services import throttle, workers
from services.security import hash_password


def measure(counts: dict[str, int]) -> list[Result]:
    """4: complete activations per second through the service layer (argon2id included), run the way the server
    runs them: each step's service in a worker process (``services.workers``), one per core."""
    url = new_database("activations")
    portal = open_portal(url, upgrade=False)
    hash_times = []
    for _ in range(7):
        start = time.perf_counter()
        hash_password(PASSWORD)
        hash_times.append(time.perf_counter() - start)
    limit = CORES / statistics.median(hash_times)
    warm_up = [portal.invite() for _ in range(2 * CORES)]  # first-use imports and caches in every worker
    tokens = [portal.invite() for _ in range(counts["activations"])]
    workers.start(CORES, url, throttle.Limits(), wait=True)

    def step(action: Callable[..., Any], *args: object, **kwargs: object) -> Any:
        return workers.submit(action, None, args, kwargs).result()

    def activate(numbered: tuple[int, str]) -> None:
        number, token = numbered
        walk_activation(step, token, f"throughput{number}@bench.example", f"Throughput {number} Ltd")

    try:
        with ThreadPoolExecutor(max_workers=2 * CORES) as pool:  # enough callers to keep every worker busy
            list(pool.map(activate, enumerate(warm_up, start=len(tokens))))
            # Where the CPU goes: the workers' time per activation, and this process's (the callers, pickling).
            worker_pids = workers.pids()
            workers_before, caller_before = sum(map(cpu_seconds, worker_pids)), time.process_time()
            start = time.perf_counter()
            list(pool.map(activate, enumerate(tokens)))
            elapsed = time.perf_counter() - start
            rate = len(tokens) / elapsed
            worker_cpu = (sum(map(cpu_seconds, worker_pids)) - workers_before) / len(tokens)
            caller_cpu = (time.process_time() - caller_before) / len(tokens)
            busy = worker_cpu * len(tokens) / (elapsed * len(worker_pids))
    finally:
        workers.stop()
    with portal.session() as session:
        activated = session.exec(select(func.count()).select_from(Invitation).where(Invitation.status == "activated"))
        assert activated.one() == len(warm_up) + len(tokens), "not every activation completed"
    portal.engine.dispose()
    return [
        measured(
            "4",
            "Activations completed per second (service layer, argon2id included)",
            rate,
            limit,
            "/s",
            f"limit = {CORES} cores ÷ {statistics.median(hash_times) * 1000:.1f} ms per hash; CPU per activation: "
            f"{worker_cpu * 1000:.1f} ms in the workers (busy {busy:.0%} of the time), {caller_cpu * 1000:.1f} ms "
            "in the calling process",
        )
    ]
