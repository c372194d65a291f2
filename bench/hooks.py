"""Measurement hooks for ``python -m bench``: a bare NiceGUI page as the floor to compare against, an event-loop
lag monitor, and a burst of password hashes. Mounted only by the benchmark's own launcher (``bench/server.py``),
never by the product; every parameter is bounded, since the endpoints need no sign-in."""

from __future__ import annotations

import asyncio
import gc
import statistics
import sys
import threading
import time
import traceback
from collections import Counter, deque
from pathlib import Path
from typing import Annotated

from fastapi import Query
from nicegui import Client, app, ui

TICK = 0.005  # seconds between the monitor's wake-ups
HASH_BURST_MAX = 64  # hashes in one burst: 4× the 16 resellers of measurement 3
_lags: deque[float] = deque(maxlen=100_000)


_heartbeat = [0.0]
_stalls: Counter[str] = Counter()


async def _monitor() -> None:
    loop = asyncio.get_running_loop()
    threading.Thread(target=_watchdog, args=(threading.get_ident(),), daemon=True).start()
    while True:
        start = loop.time()
        _heartbeat[0] = time.monotonic()
        await asyncio.sleep(TICK)
        _lags.append(max(0.0, loop.time() - start - TICK))


def _watchdog(loop_thread: int) -> None:
    """Where the event loop is when it has not ticked for 20 ms: the profile behind the lag figure."""
    while True:
        time.sleep(0.005)
        if time.monotonic() - _heartbeat[0] > 0.02:
            frame = sys._current_frames().get(loop_thread)
            stack = traceback.extract_stack(frame)[-6:] if frame else []
            _stalls[" <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(stack))] += 1


def floor_page() -> None:
    """The floor: a bare NiceGUI page whose button flips a label."""
    label = ui.label("off").classes("floor-label")
    ui.button("Flip", on_click=lambda: label.set_text("on" if label.text == "off" else "off"))


_gc_pauses: list[tuple[int, float]] = []  # (generation, seconds) of each garbage collection
_gc_started = [0.0]


def _time_collections(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc_pauses.append((info["generation"], time.perf_counter() - _gc_started[0]))


def lag_report(reset: bool = False, raw: bool = False) -> dict[str, object]:
    """Event-loop lag since the last reset, in milliseconds, and the garbage collections in that time; ``raw``
    adds every tick's lag (to combine several measurements)."""
    values = sorted(_lags)
    pauses = list(_gc_pauses)
    if reset:
        _lags.clear()
        _gc_pauses.clear()
    if not values:
        return {
            "samples": 0,
            "p50_ms": 0.0,
            "p99_ms": 0.0,
            "max_ms": 0.0,
            "values_ms": [],
            "collections": 0,
            "longest_collection_ms": 0.0,
        }
    return {
        **({"values_ms": [value * 1000 for value in values]} if raw else {}),
        "samples": len(values),
        "p50_ms": statistics.median(values) * 1000,
        "p99_ms": values[min(len(values) - 1, int(len(values) * 0.99))] * 1000,
        "max_ms": values[-1] * 1000,
        "collections": len(pauses),
        "longest_collection_ms": max((seconds for _, seconds in pauses), default=0.0) * 1000,
        "collections_ms": sum(seconds for _, seconds in pauses) * 1000,
    }


def stalls_report(reset: bool = False) -> dict[str, int]:
    """The most frequent event-loop stacks seen while the loop was late."""
    report = dict(_stalls.most_common(15))
    if reset:
        _stalls.clear()
    return report


def clients_report() -> dict[str, int]:
    """How many browser pages the server still holds: connected, or disconnected and within NiceGUI's reconnect
    timeout. Lets the memory measurement wait for exactly that instead of sleeping. (Pages fetched without
    JavaScript, like those of the HTTP measurement, never connect; NiceGUI prunes them after 60 s.)"""
    held = [c for c in Client.instances.values() if c.has_socket_connection or c._delete_tasks]
    return {"clients": len(held)}


def prune_report() -> dict[str, int]:
    """Drop the pages that were fetched but never connected (what NiceGUI does by itself after 60 s), then
    collect garbage: each HTTP measurement starts from the same server state instead of paying for the
    previous one's thousands of pages."""
    before = len(Client.instances)
    Client.prune_instances(client_age_threshold=0)
    gc.collect()
    return {"pruned": before - len(Client.instances), "left": len(Client.instances)}


def hash_in_worker(_session: object, password: str) -> None:
    """A worker's share of a burst: one argon2id hash, as step 2 does."""
    from services.security import hash_password

    hash_password(password)


async def hash_burst(count: Annotated[int, Query(ge=1, le=HASH_BURST_MAX)] = 16) -> dict[str, int]:
    """``count`` (1 to :data:`HASH_BURST_MAX`) password hashes at once in the server's worker processes, with no
    browser involved: the lag the portal itself causes while it hashes (``python -m bench.lag``)."""
    from services import workers

    password = "purple elephant marching slowly"  # noqa: S105 - a fixed benchmark input, hashed and dropped
    await asyncio.gather(
        *(asyncio.wrap_future(workers.submit(hash_in_worker, None, (password,), {})) for _ in range(count))
    )
    return {"hashed": count}


def register() -> None:
    """Add the floor page, the lag endpoint and start the monitor."""
    ui.page("/_bench/floor")(floor_page)
    app.get("/_bench/lag")(lag_report)
    app.get("/_bench/stalls")(stalls_report)
    app.get("/_bench/clients")(clients_report)
    app.get("/_bench/prune")(prune_report)
    app.get("/_bench/hash-burst")(hash_burst)
    app.on_startup(lambda: asyncio.get_running_loop().create_task(_monitor()))
    gc.callbacks.append(_time_collections)
