"""Running service actions: each with its own unit of work, and in the server in worker processes.

NiceGUI runs every connected browser on one event loop. A service action is Python (SQLAlchemy, validation)
and sometimes argon2id; in a thread of the server process it would compete with that loop for the GIL, and
every reseller would wait. In worker processes it competes only for a core.

One dead worker fails at most the call it was running. Each worker is a process of its own with a thread in the
server that hands it one call at a time from a queue all workers share, so no call is bound to a worker before
that worker is free. A worker that dies (killed, out of memory) fails its own call with :class:`WorkerLost` and
is replaced by its thread while the other workers keep serving; one that died idle is replaced before it takes
a call, and the call runs on the new process. (``concurrent.futures.ProcessPoolExecutor`` instead fails every
call in flight and every later call when any one of its processes dies.)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_ends
from typing import Any, TypeVar

from data import db
from services import audit, rules, throttle
from services.errors import DomainError
from services.unit_of_work import UnitOfWork

R = TypeVar("R")
log = logging.getLogger("portal.workers")
# Workers yield the CPU to the server process: when hashes fill every core, the event loop that serves every
# browser still gets a core the moment it has work (Linux weighs nice 10 at about a tenth of nice 0).
WORKER_NICENESS = 10
IDLE_CHECK_S = 1.0  # how soon a worker that died idle is noticed (and replaced)
RESTART_WAITS_S = (0.5, 1, 2, 5, 10, 30)  # between attempts to start a worker that fails to start
_spawn = multiprocessing.get_context("spawn")


class WorkerLost(RuntimeError):
    """The worker process running the call died (killed, out of memory) before it answered. Its transaction
    either committed or left nothing behind; the caller cannot tell which, so it asks the person to retry."""


class WorkersUnavailable(RuntimeError):
    """No worker process runs, and none could be started (the server is stopping, or a worker cannot open the
    database)."""


def run_action(action: Callable[..., R], origin: str | None, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> R:
    """``action(uow, *args, **kwargs)`` with a new unit of work, with audit events naming ``origin`` (the unit of
    work turns a database error into the domain error a person can act on)."""
    with audit.acting_from(origin):
        return action(UnitOfWork(), *args, **kwargs)


@dataclass
class _Call:
    action: Callable[..., Any]
    origin: str | None
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    future: Future[Any]


class _Worker:
    """One worker process and the server thread that feeds it calls and replaces it when it dies."""

    def __init__(self, pool: _Pool, number: int) -> None:
        self.pool = pool
        self.number = number
        self.process: multiprocessing.process.BaseProcess | None = None
        self.connection: Connection | None = None
        self.pid: int | None = None
        self.started = threading.Event()  # the first start is over (ready or failed)
        self.broken = False  # its last start failed; it retries, and takes no call meanwhile
        self.thread = threading.Thread(target=self._serve, name=f"service worker {number}", daemon=True)

    @property
    def alive(self) -> bool:
        """Whether its process runs (seen through the process's sentinel, which never reaps it)."""
        process = self.process
        return process is not None and not wait_for_ends([process.sentinel], timeout=0)

    def _start(self) -> bool:
        """Start a new process and wait until it has opened the database; ``False`` if it could not."""
        self._discard()
        parent, child = _spawn.Pipe()
        process = _spawn.Process(
            target=_worker_main,
            args=(child, self.pool.database_url, self.pool.limits),
            name=f"service worker {self.number}",
            daemon=True,
        )
        process.start()
        child.close()  # only the worker holds its end now, so its death is seen here as end of file
        try:
            kind, detail = parent.recv()
        except (EOFError, OSError):
            kind, detail = "failed", f"exit code {process.exitcode}"
        if kind != "ready":
            log.warning("service worker %s could not start: %s", self.number, detail)
            parent.close()
            process.join(timeout=5)
            self.broken = True
            return False
        self.process, self.connection, self.pid = process, parent, int(detail)
        self.broken = False
        return True

    def _discard(self) -> None:
        if self.connection is not None:
            self.connection.close()
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join(timeout=5)
        self.process = self.connection = self.pid = None

    def _start_until_it_works(self) -> bool:
        """Start a process, retrying with growing waits; ``False`` only when the pool is stopping."""
        attempt = 0
        while not self.pool.stopping:
            if self._start():
                return True
            self.pool.fail_waiting_calls_if_no_worker_runs()
            time.sleep(RESTART_WAITS_S[min(attempt, len(RESTART_WAITS_S) - 1)])
            attempt += 1
        return False

    def _serve(self) -> None:
        started = self._start()
        self.started.set()
        if not started and not self._start_until_it_works():
            return
        while not self.pool.stopping:
            try:
                call = self.pool.calls.get(timeout=IDLE_CHECK_S)
            except queue.Empty:
                if not self.alive and not self.pool.stopping:  # died while idle: replace it before the next call
                    log.warning("service worker %s (pid %s) died while idle; starting another", self.number, self.pid)
                    if not self._start_until_it_works():
                        break
                continue
            if call is None:  # stop()
                break
            if call.future.set_running_or_notify_cancel():
                self._run(call)
        self._discard()

    def _run(self, call: _Call) -> None:
        request = (call.action, call.origin, call.args, call.kwargs)
        first: tuple[str, Any] = ("error", WorkerLost("the service worker died before it ran the call"))
        for attempt in range(2):
            if not self.alive and not self._start_until_it_works():
                call.future.set_exception(WorkersUnavailable("the service workers are stopping"))
                return
            assert self.connection is not None
            try:
                self.connection.send(request)
                first = self.connection.recv()  # "started" once it has the call (or the answer, if unreadable)
                break
            except (EOFError, OSError):
                # It died before it took the call, so the call never started: a new process may run it.
                log.warning(
                    "service worker %s (pid %s) was dead before its call; starting another", self.number, self.pid
                )
                self._discard()
                if attempt:
                    call.future.set_exception(WorkerLost("the service worker died before it ran the call"))
                    return
            except Exception as error:  # the call cannot be pickled: a programming error
                call.future.set_exception(error)
                return
        answer = first
        if first[0] == "started":
            assert self.connection is not None
            try:
                answer = self.connection.recv()
            except (EOFError, OSError):
                log.warning(
                    "service worker %s (pid %s) died running %s; starting another",
                    self.number,
                    self.pid,
                    getattr(call.action, "__qualname__", call.action),
                )
                call.future.set_exception(WorkerLost("the service worker died while it ran the call"))
                if not self.pool.stopping:
                    self._start_until_it_works()
                return
            except Exception as error:  # the answer cannot be unpickled here
                call.future.set_exception(error)
                return
        outcome, value = answer
        if outcome == "ok":
            call.future.set_result(value)
        else:
            call.future.set_exception(value)


class _Pool:
    """The worker processes and the queue of calls they share."""

    def __init__(self, workers: int, database_url: str, limits: throttle.Limits) -> None:
        self.database_url = database_url
        self.limits = limits
        self.calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self.stopping = False
        self.workers = [_Worker(self, number) for number in range(1, workers + 1)]
        for worker in self.workers:
            worker.thread.start()

    def fail_waiting_calls(self, reason: str) -> None:
        while True:
            try:
                call = self.calls.get_nowait()
            except queue.Empty:
                return
            if call is None:  # a stop request for a worker's thread: leave it to that thread
                self.calls.put(None)
                return
            if call.future.set_running_or_notify_cancel():
                call.future.set_exception(WorkersUnavailable(reason))

    @property
    def broken(self) -> bool:
        """Every worker failed to start (each retries): a call would wait with no end in sight."""
        return all(worker.broken for worker in self.workers)

    def fail_waiting_calls_if_no_worker_runs(self) -> None:
        if self.broken:
            self.fail_waiting_calls("no service worker can start")

    def stop(self) -> None:
        self.stopping = True
        for _ in self.workers:
            self.calls.put(None)
        self.fail_waiting_calls("the server is stopping")
        for worker in self.workers:
            process = worker.process
            if process is not None and process.is_alive():
                process.terminate()
        for worker in self.workers:
            worker.thread.join(timeout=10)


_pool: _Pool | None = None


def start(workers: int, database_url: str, limits: throttle.Limits, *, wait: bool = False) -> None:
    """Run service actions in ``workers`` processes from now on (the server does, at start-up). The processes
    are started at once; ``wait`` waits until every one has started (or failed to)."""
    global _pool
    stop()
    _pool = _Pool(workers, database_url, limits)
    if wait:
        for worker in _pool.workers:
            worker.started.wait()


def stop() -> None:
    """Stop the worker processes (at server shutdown). A call waiting for a worker fails with
    :class:`WorkersUnavailable`; one running on a worker fails with :class:`WorkerLost`."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.stop()


def ready() -> bool:
    """Whether service actions can run now: no workers (calls run in threads), or every worker has started
    once and at least one is running."""
    pool = _pool
    return pool is None or (all(worker.started.is_set() for worker in pool.workers) and running_count() > 0)


def started() -> bool:
    """Whether every worker has been through its first start (whether or not it worked)."""
    pool = _pool
    return pool is None or all(worker.started.is_set() for worker in pool.workers)


def running_count() -> int:
    """How many worker processes are running now."""
    pool = _pool
    return 0 if pool is None else sum(1 for worker in pool.workers if worker.alive)


def size() -> int:
    """How many worker processes there should be."""
    pool = _pool
    return 0 if pool is None else len(pool.workers)


def pids() -> list[int]:
    """The running worker processes' IDs, for measuring them and for fault-injection tests."""
    pool = _pool
    return [] if pool is None else [w.pid for w in pool.workers if w.pid is not None and w.alive]


def running() -> bool:
    """Whether actions run in worker processes (otherwise the caller runs them in a thread)."""
    return _pool is not None


def submit(
    action: Callable[[UnitOfWork], R] | Callable[..., R],
    origin: str | None,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> Future[R]:
    """Queue ``action`` for the next free worker process. The future fails with :class:`WorkerLost` when that
    worker dies running it, and with :class:`WorkersUnavailable` when no worker runs and none can start."""
    pool = _pool
    if pool is None:
        raise RuntimeError("the worker processes are not running; call start() first")
    future: Future[R] = Future()
    if pool.broken:
        future.set_exception(WorkersUnavailable("no service worker can start"))
        return future
    pool.calls.put(_Call(action, origin, tuple(args), dict(kwargs), future))
    return future


def _worker_main(connection: Connection, database_url: str, limits: throttle.Limits) -> None:
    """A worker process: set up, say so, then run one call at a time until the server closes the pipe."""
    try:
        _prepare_worker(database_url, limits)
    except BaseException as error:  # reported to the server, which logs why the worker could not start
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    connection.send(("ready", os.getpid()))
    while True:
        try:
            action, origin, args, kwargs = connection.recv()
        except (EOFError, OSError):
            return  # the server is gone or stopped this worker
        except Exception as error:  # the call cannot be unpickled here
            connection.send(("error", RuntimeError(f"the service call could not be read: {error!r}")))
            continue
        connection.send(("started", None))  # from here on, a death of this process may leave the call half run
        try:
            answer: tuple[str, object] = ("ok", run_action(action, origin, args, kwargs))
        except Exception as error:
            # A bug's traceback goes with it, to be logged by the server (through its log filters), not here.
            answer = ("error", error if isinstance(error, DomainError) else _WithTraceback(error))
        try:
            connection.send(answer)
        except Exception as error:  # the answer cannot be pickled
            connection.send(("error", RuntimeError(f"the service's answer could not be sent back: {error!r}")))


class RemoteTraceback(Exception):
    """Where in the worker process an unexpected error was raised (the ``__cause__`` of that error here)."""

    def __str__(self) -> str:
        return str(self.args[0])


def _with_remote_traceback(error: BaseException, remote: str) -> BaseException:
    error.__cause__ = RemoteTraceback(remote)
    return error


class _WithTraceback:
    """An error sent from a worker together with its traceback, as ``concurrent.futures`` does."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.remote = "".join(traceback.format_exception(error))

    def __reduce__(self) -> tuple[object, ...]:
        return _with_remote_traceback, (self.error, f'\n"""\n{self.remote}"""')


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
