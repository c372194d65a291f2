"""The real server in a subprocess, on a free port with its own data directory and database, and the Chromium
that drives it: what the browser tests (tests/e2e) and the benchmark (bench/) both start.

Chromium: ``PORTAL_CHROMIUM`` (set by scripts/test.sh), else /usr/bin/chromium, else Playwright's own
bundled browser where one is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page

from portal_testing.factories import PASSWORD, Portal, open_portal
from portal_testing.servers import free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """The Chromium to drive; ``None`` means Playwright's bundled browser."""
    configured = os.environ.get("PORTAL_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Server:
    """``python main.py`` in a subprocess, with its own data directory and port (``command``: what runs instead of
    ``main.py``, such as the benchmark's ``-m bench.server``)."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    log_dir: Path | None = None  # where its output goes (default: the data directory)
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    issued_urls: list[str] = field(default_factory=list)  # every link ``invite`` printed, for the log checks
    command: tuple[str, ...] = ("main.py",)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "NICEGUI_", "PYTEST_"))}
        env.update(PORTAL_DATA_DIR=str(self.data_dir), PORTAL_PORT=str(self.port), PORTAL_HOST="127.0.0.1")
        env.update(PORTAL_DEMO="1")  # as scripts/run.sh: a new database, seeded with the demo
        env.update(self.extra_env)
        return env

    @property
    def log_path(self) -> Path:
        """The server's logs (standard error)."""
        return (self.log_dir or self.data_dir) / "server.log"

    @property
    def output_path(self) -> Path:
        """What the server printed on standard output (the start-up banner)."""
        return (self.log_dir or self.data_dir) / "server.out"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.output_path.open("ab") as out, self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *self.command], cwd=ROOT, env=self.env, stdout=out, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output_path.read_text() + self.log_path.read_text()
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)  # readiness probe: poll until the server and its workers answer
        raise AssertionError(f"server did not start:\n{self.output_path.read_text()}{self.log_path.read_text()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cli(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``python main.py ARGS`` against this server's database and settings, its output captured."""
        return subprocess.run(
            [sys.executable, "main.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=check,
        )

    def invite(self, *args: str) -> str:
        """``python main.py invite`` against this server's database; returns the printed URL."""
        result = self.cli("invite", "--distributor", "Mighty Mick's LLC", *args)
        url = result.stdout.strip().splitlines()[-1]
        assert "/activate/" in url, result.stdout
        self.issued_urls.append(url)
        return url

    def distributor_user(self, email: str, distributor: str = "Mighty Mick's LLC") -> str:
        """``python main.py distributor create`` with the password piped in; returns the email."""
        password = f"{PASSWORD}\n"
        self.cli("distributor", "create", distributor, "--admin-email", email, "--password-stdin", stdin=password)
        return email

    def portal(self) -> Portal:
        """Direct access to the server's database (its SQLite file, or ``PORTAL_DATABASE_URL``), for arranging
        and checking data."""
        url = self.extra_env.get("PORTAL_DATABASE_URL")
        return open_portal(url, upgrade=False) if url else open_portal(self.data_dir / "portal.db")


def sign_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the server's ``/login`` in a driven browser's page."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
