"""Running service actions: each in its own session, and in the server in a pool of worker processes.

NiceGUI runs every connected browser on one event loop. A service action is Python (SQLAlchemy, validation)
and sometimes argon2id; in a thread of the server process it would compete with that loop for the GIL, and
every reseller would wait. In worker processes it competes only for a core.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from sqlmodel import Session

from data import db
from services import audit, faults, rules, throttle

R = TypeVar("R")
# Workers yield the CPU to the server process: when hashes fill every core, the event loop that serves every
# browser still gets a core the moment it has work (Linux weighs nice 10 at about a tenth of nice 0).
WORKER_NICENESS = 10
_pool: ProcessPoolExecutor | None = None
_setup: tuple[int, str, throttle.Limits] | None = None
_started: list[Future[int]] = []


def run_action(action: Callable[..., R], origin: str | None, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> R:
    """``action(session, *args, **kwargs)`` in a new session, with audit events naming ``origin``; a database
    error comes out as the domain error a person can act on (:mod:`services.faults`)."""
    with audit.acting_from(origin), faults.as_domain_errors(), db.new_session() as session:
        return action(session, *args, **kwargs)


def start(workers: int, database_url: str, limits: throttle.Limits, *, wait: bool = False) -> None:
    """Run service actions in ``workers`` processes from now on (the server does, at start-up). The processes
    are started at once; ``wait`` waits until every one is ready."""
    global _pool, _setup
    _setup = (workers, database_url, limits)
    _pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_prepare_worker,
        initargs=(database_url, limits),
    )
    _started[:] = [_pool.submit(os.getpid) for _ in range(workers)]  # each submit starts a process while none idle
    if wait:
        for process in _started:
            process.result()


def stop() -> None:
    """Stop the worker processes (at server shutdown)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def ready() -> bool:
    """Whether service actions can run now (the worker processes have started up, or there are none)."""
    return _pool is None or all(process.done() for process in _started)


def pids() -> list[int]:
    """The worker processes' IDs (those started so far), for measuring them."""
    return [process.result() for process in _started if process.done() and not process.exception()]


def running() -> bool:
    """Whether actions run in worker processes (otherwise the caller runs them in a thread)."""
    return _pool is not None


def submit(
    action: Callable[[Session], R] | Callable[..., R],
    origin: str | None,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> Future[R]:
    """Hand ``action`` to a worker process. Raises :class:`BrokenProcessPool` when a worker died (killed, out
    of memory); then call :func:`replace_if_broken`."""
    if _pool is None:
        raise RuntimeError("the worker processes are not running; call start() first")
    return _pool.submit(run_action, action, origin, args, dict(kwargs))


def replace_if_broken() -> None:
    """Replace the pool if a worker died (a broken pool refuses new work), so that one lost worker does not
    take the server's service calls with it. A healthy pool is kept: several callers may have seen one death."""
    if _pool is None or _setup is None:
        return
    try:
        _pool.submit(os.getpid)
    except BrokenProcessPool:
        stop()
        start(*_setup)


def _prepare_worker(database_url: str, limits: throttle.Limits) -> None:
    """In a new worker process: end with the server, and use the server's database and limits."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: SIGTERM when the server dies, even by SIGKILL
    if os.getppid() == 1:  # the server died before the request took effect
        os._exit(0)
    os.nice(WORKER_NICENESS)
    db.configure(database_url)
    throttle.configure(limits)
    rules.load_common_passwords()  # before the first reseller's password, not while they wait
