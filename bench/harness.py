"""What every measurement of ``python -m bench`` shares: the counts per mode, each target written once (its text
and its check come from one row of :data:`TARGETS`), the databases, the server and the browser it starts, and
small readers of /proc."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from playwright.async_api import Browser, Playwright

from portal_testing.databases import Databases
from portal_testing.factories import open_portal
from portal_testing.launch import CHROMIUM_FLAGS, Server, chromium_executable
from portal_testing.servers import postgres_cluster

COUNTS = {
    "full": {
        "clients": 20,
        "per_client": 5,
        "transitions": 100,
        "requests": 2000,
        "concurrency": 50,
        "activations": 64,
        "instance_activations": 48,
        "memory_clients": 50,
        "cycles": 500,
        "invitations": 100_000,
        "queries": 50,
        "cold_starts": 5,
        "lag_bursts": 5,
    },
    "quick": {
        "clients": 6,
        "per_client": 5,
        "transitions": 40,
        "requests": 200,
        "concurrency": 50,
        "activations": 16,
        "instance_activations": 12,
        "memory_clients": 6,
        "cycles": 8,
        "invitations": 10_000,
        "queries": 20,
        "cold_starts": 1,
        "lag_bursts": 3,
    },
    "tiny": {
        "clients": 2,
        "per_client": 2,
        "transitions": 3,
        "requests": 20,
        "concurrency": 5,
        "activations": 2,
        "instance_activations": 2,
        "memory_clients": 2,
        "cycles": 2,
        "invitations": 100,
        "queries": 3,
        "cold_starts": 1,
        "lag_bursts": 1,
    },
}

CORES = os.cpu_count() or 1

STALLS: dict[str, int] = {}  # where the server's event loop was while it was late (measurement 3)

DATABASES: list[Databases] = []  # the PostgreSQL server of a --db postgresql run (empty: SQLite files)

DIALECTS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Target:
    """A target, written once: at most (``≤``) or at least (``≥``) ``bound`` times the floor (``of``: what the
    floor is called), at most ``bound`` in the result's unit, or ``within`` ``bound`` % either way."""

    kind: Literal["≤ floor", "≥ floor", "≤", "within"]
    bound: float
    of: str = "floor"

    def text(self, unit: str) -> str:
        if self.kind == "≤ floor":
            return f"≤ {self.bound:g}× {self.of}"
        if self.kind == "≥ floor":
            return f"≥ {self.bound:g}× {self.of}"
        if self.kind == "≤":
            return f"≤ {self.bound:g} {unit}"
        return f"within {self.bound:g}%"

    def met(self, ours: float, floor: float | None) -> bool:
        if self.kind == "≤":
            return ours <= self.bound
        if self.kind == "within":
            return abs(ours) <= self.bound
        assert floor is not None, "a target against the floor needs a floor"
        return ours <= self.bound * floor if self.kind == "≤ floor" else ours >= self.bound * floor


TARGETS = {
    "1a": Target("≤ floor", 1.5),
    "1b": Target("≤ floor", 2),
    "2": Target("≥ floor", 0.7),
    "3": Target("≤", 20),
    "4": Target("≥ floor", 0.7, of="hashing limit"),
    "4b": Target("≥ floor", 0.9, of="one instance"),
    "5a": Target("≤ floor", 1.5),
    "5b": Target("within", 10),
    "6a": Target("≤", 100),
    "6b": Target("≤", 100),
    "7": Target("≤ floor", 1.5),
}


@dataclass
class Result:
    """One row of the table."""

    number: str
    name: str
    ours: float
    floor: float | None
    unit: str
    target: str
    met: bool
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.ours / self.floor if self.floor else None


def measured(number: str, name: str, ours: float, floor: float | None, unit: str, note: str = "") -> Result:
    """A measurement's row, judged by its target in :data:`TARGETS`."""
    target = TARGETS[number]
    return Result(number, name, ours, floor, unit, target.text(unit), target.met(ours, floor), note)


def dialect() -> str:
    return DATABASES[0].dialect if DATABASES else "sqlite"


def new_database(label: str) -> str:
    """The URL of a new, empty database at the newest schema: a SQLite file, or a database on the run's
    PostgreSQL server."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    if DATABASES:
        return DATABASES[0].new(folder)
    url = f"sqlite:///{folder / 'portal.db'}"
    open_portal(folder / "portal.db").engine.dispose()
    return url


def database_env() -> dict[str, str]:
    """A server's PORTAL_DATABASE_URL on PostgreSQL (on SQLite each server has its own file in its data dir)."""
    return {"PORTAL_DATABASE_URL": new_database("server")} if DATABASES else {}


@contextlib.contextmanager
def database_server(name: str) -> Iterator[None]:
    """For ``--db postgresql``: a throwaway PostgreSQL cluster for the run (``PORTAL_BENCH_POSTGRES_URL`` names
    an existing server instead); every measurement gets its own database on it."""
    if name == "sqlite":
        yield
        return
    configured = os.environ.get("PORTAL_BENCH_POSTGRES_URL")
    with contextlib.nullcontext(configured) if configured else postgres_cluster() as url:
        DATABASES.append(Databases.postgresql(url))
        try:
            yield
        finally:
            DATABASES.clear()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def steal_ms() -> float:
    """CPU time the hypervisor took from this machine so far (all CPUs; /proc/stat's steal column)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    return int(fields[8]) * 1000 / os.sysconf("SC_CLK_TCK")


def fresh_server(label: str) -> Server:
    server = Server(
        Path(tempfile.mkdtemp(prefix=f"bench-{label}-")),
        extra_env={"PORTAL_LINK_GUESS_LIMIT": "1000000", **database_env()},
        command=("-m", "bench.server"),
    )
    server.start()
    return server


def invitation_urls(server: Server, count: int) -> list[str]:
    """``count`` activation links on the server's database (issued through the service layer)."""
    portal = server.portal()
    tokens = [portal.invite(company_name=f"Bench {n} Ltd") for n in range(count)]
    portal.engine.dispose()
    return [f"{server.base_url}/activate/{token}" for token in tokens]


BROWSER_NICENESS = 10


async def launch_browser(playwright: Playwright) -> Browser:
    """Chromium at nice 10. Resellers' browsers run on their own machines; here they share the server's two
    cores, and at normal priority their rendering would delay the server's event loop (lag, transitions) in
    a way no deployment sees. Niced, they use the CPU the server leaves idle. Chromium raises the priority of
    its own browser and GPU processes where it may (nice -8 as root), so it starts without that privilege
    (``setpriv`` drops CAP_SYS_NICE) where ``setpriv`` exists."""
    executable = chromium_executable() or playwright.chromium.executable_path
    unprivileged = "setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice " if shutil.which("setpriv") else ""
    wrapper = Path(tempfile.mkdtemp(prefix="bench-chromium-")) / "chromium"
    wrapper.write_text(f'#!/bin/sh\nexec {unprivileged}nice -n {BROWSER_NICENESS} {shlex.quote(executable)} "$@"\n')
    wrapper.chmod(0o755)
    return await playwright.chromium.launch(executable_path=str(wrapper), args=CHROMIUM_FLAGS)


CLICK_AND_WAIT = """async ([buttonText, selector, condition]) => {
    const visible = (element) => element && element.offsetParent !== null;
    const button = [...document.querySelectorAll(selector)]
        .find((b) => visible(b) && b.textContent.trim() === buttonText);
    const done = new Function(condition);
    const start = performance.now();
    await new Promise((resolve) => {
        const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(); } });
        observer.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
        button.click();
    });
    return performance.now() - start;
}"""

FULL_NAME_VISIBLE = (
    "const e = document.querySelector('input[aria-label=\"Full name\"]'); return !!e && e.offsetParent !== null;"
)

EMAIL_VISIBLE = (
    "const e = document.querySelector('input[aria-label=\"Email\"]'); return !!e && e.offsetParent !== null;"
)

COMPANY_VISIBLE = (
    "const e = document.querySelector('input[aria-label=\"Company name\"]'); return !!e && e.offsetParent !== null;"
)

FLOOR_FLIPPED = "return document.querySelector('.floor-label').textContent === window.__expect;"
