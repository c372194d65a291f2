"""Two instances of the portal serving one portal: each is ``python main.py`` on its own port, both on one
PostgreSQL database (a throwaway cluster) and one Redis (NiceGUI's per-user storage, and the session secret the
first instance stores there), started as the issue says: PORTAL_DATABASE_URL, PORTAL_REDIS_URL and a port.
Driven by real Chromium. Cookies do not depend on the port, so one browser carries its session from A to B as it
would behind a proxy that sends it sometimes to one instance and sometimes to the other."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from data.models import Account, AccountKind, InvitationStatus, User
from portal_testing.factories import PASSWORD, Portal, open_portal
from portal_testing.launch import ROOT, Server
from portal_testing.servers import free_port, postgres_cluster, redis_server
from tests.e2e.distributor import replayable
from tests.e2e.wizard import Wizard

pytestmark = pytest.mark.skipif(
    not os.environ.get("PORTAL_TEST_POSTGRES_URL") and not Path("/usr/lib/postgresql").exists(),
    reason="needs PostgreSQL (scripts/test.sh installs and starts it)",
)


@pytest.fixture(scope="module")
def shared_database() -> Iterator[tuple[str, str]]:
    """A PostgreSQL database brought to the newest schema with ``python main.py db upgrade`` (as an operator
    does once per release), and a Redis; yields their URLs."""
    with postgres_cluster() as server_url, redis_server() as redis_url:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE DATABASE portal")
        admin.dispose()
        database_url = server_url.rsplit("/", 1)[0] + "/portal"
        upgraded = subprocess.run(
            [sys.executable, "main.py", "db", "upgrade"],
            cwd=ROOT,
            env={**os.environ, "PORTAL_DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert upgraded.returncode == 0, upgraded.stderr
        created = subprocess.run(  # the first distributor, as docs/DEPLOYMENT.md has the operator make it
            [
                sys.executable,
                "main.py",
                "distributor",
                "create",
                "Mighty Mick's LLC",
                "--admin-email",
                "admin@mightymicks.example",
                "--password-stdin",
            ],
            cwd=ROOT,
            env={**os.environ, "PORTAL_DATABASE_URL": database_url},
            input=PASSWORD,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert created.returncode == 0, created.stderr
        yield database_url, redis_url


@pytest.fixture(scope="module")
def instances(shared_database: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Instances A and B on the shared database (which neither seeds: a configured database never gets the demo)."""
    database_url, redis_url = shared_database
    shared = {"PORTAL_DATABASE_URL": database_url, "PORTAL_REDIS_URL": redis_url}
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            instance = Server(tmp_path_factory.mktemp(f"instance-{name}"), extra_env=shared)
            instance.start()
            started.append(instance)
        yield started
    finally:
        for instance in started:
            instance.stop()


@pytest.fixture(scope="module")
def database(instances: list[Server], shared_database: tuple[str, str]) -> Iterator[Portal]:
    """Direct access to the shared database, for arranging and checking data."""
    portal = open_portal(shared_database[0], upgrade=False)
    yield portal
    portal.engine.dispose()


def on(instance: Server, url: str) -> str:
    """The same link, served by ``instance``."""
    return instance.base_url + "/" + url.split("/", 3)[3]


def sign_in(page: Page, instance: Server, email: str) -> None:
    page.goto(f"{instance.base_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{instance.base_url}/distributor/invitations")


def test_both_instances_serve_one_portal(instances: list[Server], shared_database: tuple[str, str]) -> None:
    a, b = instances
    for instance in (a, b):
        banner = instance.output_path.read_text()
        assert "Reseller Portal on" in banner and "Demo:" not in banner  # PORTAL_DEMO=1 never seeds PostgreSQL
        password = make_url(shared_database[0]).password
        assert password is None or str(password) not in banner  # the database password is never printed
    url = a.invite("--company", "Seen Everywhere Ltd")
    for instance in (a, b):
        assert "Traceback" not in instance.log_path.read_text()
    assert url.startswith(a.base_url)


def test_signed_in_on_a_is_signed_in_on_b_and_signing_out_on_a_ends_it_on_b(
    instances: list[Server], browser: Browser
) -> None:
    a, b = instances
    email = a.distributor_user("ops-two-instances@mightymicks.example")
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, a, email)
        page.goto(f"{b.base_url}/distributor/invitations")
        expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
        expect(page).to_have_url(f"{b.base_url}/distributor/invitations")
        signed_in_cookies = context.cookies()

        page.goto(f"{a.base_url}/logout")
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(f"{a.base_url}/login")
        page.goto(f"{b.base_url}/distributor/invitations")
        expect(page).to_have_url(f"{b.base_url}/login?next=/distributor/invitations")
    finally:
        context.close()
    replay = browser.new_context()  # the cookie from before signing out on A, replayed on B
    try:
        replay.add_cookies(replayable(signed_in_cookies))
        replayed = replay.new_page()
        replayed.goto(f"{b.base_url}/distributor/invitations")
        expect(replayed).to_have_url(f"{b.base_url}/login?next=/distributor/invitations")
    finally:
        replay.close()


def test_a_new_password_on_a_signs_out_the_users_session_on_b(instances: list[Server], browser: Browser) -> None:
    """Sessions live in Redis; the user's session version lives in the database, which every instance reads for
    every page and action: a password changed through A ends another browser's session on B."""
    a, b = instances
    email = a.distributor_user("ops-new-password@mightymicks.example")
    changer, other = browser.new_context(), browser.new_context()
    try:
        on_a, on_b = changer.new_page(), other.new_page()
        sign_in(on_a, a, email)
        sign_in(on_b, b, email)
        on_a.goto(f"{a.base_url}/account")
        on_a.get_by_label("Current password", exact=True).first.fill(PASSWORD)
        on_a.get_by_label("New password", exact=True).fill("seven green turtles dancing at noon")
        on_a.get_by_role("button", name="Change password").click()
        expect(on_a.get_by_text("Your password was changed; other sessions were signed out.").first).to_be_visible()
        on_b.reload()
        expect(on_b).to_have_url(f"{b.base_url}/login?next=/distributor/invitations")
        on_a.goto(f"{b.base_url}/distributor/invitations")  # the session that changed it stays, on B too
        expect(on_a.get_by_role("heading", name="Invitations")).to_be_visible()
    finally:
        changer.close()
        other.close()


def session_lifetimes(redis_url: str) -> dict[str, int]:
    """Each browser session's storage in Redis and the seconds it has left (-1: it never expires)."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        return {key.decode(): int(client.ttl(key)) for key in client.scan_iter("portal:user-*")}


def test_a_session_in_redis_expires_with_its_cookie_and_each_request_renews_both(
    instances: list[Server], shared_database: tuple[str, str], browser: Browser
) -> None:
    """NiceGUI keeps a user's storage in Redis forever; here it lives as long as the session cookie that leads to
    it (Max-Age, renewed by every response, on either instance), so an abandoned session is not kept for ever."""
    import redis

    from ui.app import SESSION_MAX_AGE_SECONDS

    a, b = instances
    redis_url = shared_database[1]
    email = a.distributor_user("ops-lifetime@mightymicks.example")
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, a, email)
        [cookie] = [cookie for cookie in context.cookies() if cookie["name"] == "session"]
        assert abs(cookie["expires"] - time.time() - SESSION_MAX_AGE_SECONDS) < 120  # the cookie's lifetime
        lifetimes = session_lifetimes(redis_url)
        assert lifetimes and all(0 < left <= SESSION_MAX_AGE_SECONDS for left in lifetimes.values()), lifetimes
        for instance in (b, a, b):  # requests that change nothing (B loads the session the first time only)
            with redis.Redis.from_url(redis_url) as client:  # as if the last request was long ago
                for key in lifetimes:
                    client.expire(key, 60)
            page.goto(f"{instance.base_url}/distributor/invitations")
            expect(page.get_by_role("heading", name="Invitations")).to_be_visible()
            renewed = session_lifetimes(redis_url)
            assert max(renewed.values()) > SESSION_MAX_AGE_SECONDS - 120, (instance.base_url, renewed)
    finally:
        context.close()


def test_an_activation_started_on_a_is_finished_on_b_and_signed_in_on_both(
    instances: list[Server], database: Portal, page: Page
) -> None:
    a, b = instances
    url = a.invite("--company", "Walked Across Ltd")
    wizard = Wizard(page)
    page.goto(on(a, url))
    wizard.agree("walker@across.example")
    wizard.user_properties()
    page.goto(on(b, url))  # the draft is in the shared database: B resumes at step 3
    wizard.company("Walked Across Ltd")
    wizard.sign_and_activate("Walked Across Ltd")
    expect(page).to_have_url(f"{b.base_url}/portal")
    page.goto(f"{a.base_url}/portal")
    expect(page.get_by_text("Walked Across Ltd").first).to_be_visible()
    expect(page).to_have_url(f"{a.base_url}/portal")


def test_two_browsers_pressing_activate_through_a_and_b_create_exactly_one_account(
    instances: list[Server], database: Portal, browser: Browser
) -> None:
    a, b = instances
    url = a.invite("--company", "Racing Across Ltd")
    token = url.rsplit("/", 1)[1]
    database.walk_to(token, 4, email="racer@across.example", company="Racing Across Ltd")
    with database.session() as session:
        resellers_before = session.exec(
            select(func.count()).select_from(Account).where(Account.kind == AccountKind.RESELLER)
        ).one()
    contexts = [browser.new_context() for _ in range(2)]
    try:
        pages = [context.new_page() for context in contexts]
        wizards = [Wizard(page) for page in pages]
        for page, wizard, instance in zip(pages, wizards, (a, b), strict=True):
            page.goto(on(instance, url))
            wizard.checkbox("I sign this service contract on behalf of Racing Across Ltd").click()
        for wizard in wizards:  # both clicks go out before either activation has answered
            wizard.button("Activate").click(no_wait_after=True)
        for page in pages:
            expect(
                page.get_by_role("heading", name="Hub and Marketplace Creation").or_(
                    page.get_by_role("heading", name="Portal already activated")
                )
            ).to_be_visible()
        assert len([page for page in pages if page.url.endswith("/portal")]) == 1
    finally:
        for context in contexts:
            context.close()
    with database.session() as session:
        resellers = session.exec(
            select(func.count()).select_from(Account).where(Account.kind == AccountKind.RESELLER)
        ).one()
        users = session.exec(select(func.count()).select_from(User).where(User.email == "racer@across.example")).one()
    assert resellers == resellers_before + 1 and users == 1
    assert database.invitation_for(token).status == InvitationStatus.ACTIVATED


class Proxy(NamedTuple):
    address: str
    log: Path  # what HAProxy logs (to standard output here, instead of syslog)


@pytest.fixture(scope="module")
def proxy(instances: list[Server], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """deploy/haproxy.cfg in front of A and B (on this test's ports)."""
    haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if haproxy is None:
        pytest.skip("HAProxy is not installed (apt-get install haproxy)")
    port = free_port()
    config = (ROOT / "deploy" / "haproxy.cfg").read_text()
    config = config.replace("log /dev/log local0", "log stdout format raw local0").replace(
        "bind :80", f"bind 127.0.0.1:{port}"
    )
    for name, instance in zip(("a", "b"), instances, strict=True):
        port_before = {"a": "8081", "b": "8082"}[name]
        config = config.replace(f"127.0.0.1:{port_before} check", f"127.0.0.1:{instance.port} check")
    folder = tmp_path_factory.mktemp("haproxy")
    (folder / "haproxy.cfg").write_text(config)
    log = (folder / "haproxy.log").open("wb")
    process = subprocess.Popen([haproxy, "-db", "-f", str(folder / "haproxy.cfg")], stdout=log, stderr=subprocess.PIPE)
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:  # readiness probe: both instances pass HAProxy's health check
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            answers = set()
            for _ in range(4):
                with contextlib.suppress(OSError), urllib.request.urlopen(f"{address}/healthz", timeout=2) as reply:  # noqa: S310
                    answers.add(reply.status)
            if answers == {200}:
                break
            assert time.monotonic() < deadline, "HAProxy did not pass requests on"
            time.sleep(0.2)
        yield Proxy(address, folder / "haproxy.log")
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_behind_the_shipped_haproxy_config_a_reseller_activates_with_both_instances_up(
    proxy: Proxy, instances: list[Server], browser: Browser
) -> None:
    """Through deploy/haproxy.cfg: each browser sticks to one instance (else its page's websocket would reach an
    instance that never built the page, and Next would do nothing); browsers are spread over both."""
    a, _ = instances
    served_by: set[str] = set()
    for number in range(2):
        company = f"Proxied {number} Ltd"
        url = a.invite("--company", company)
        context = browser.new_context()
        try:
            page = context.new_page()
            wizard = Wizard(page)
            page.goto(proxy.address + "/" + url.split("/", 3)[3])
            wizard.agree(f"proxied{number}@behind.example")
            wizard.user_properties()
            wizard.company(company)
            wizard.sign_and_activate(company)
            expect(page).to_have_url(f"{proxy.address}/portal")
            served_by.update(cookie["value"] for cookie in context.cookies() if cookie["name"] == "portal_instance")
        finally:
            context.close()
    assert served_by == {"a", "b"}  # round robin for new browsers, then sticky


def test_the_shipped_haproxy_config_logs_no_token_and_drops_a_forwarded_prefix(
    proxy: Proxy, instances: list[Server]
) -> None:
    """HAProxy's httplog wrote every activation link's token to syslog; a browser's X-Forwarded-Prefix made
    NiceGUI load the page's scripts from the browser's chosen host."""
    a, _ = instances
    url = a.invite("--company", "Logged Ltd")
    token = url.rsplit("/", 1)[1]
    prefixed = {"X-Forwarded-Prefix": "//evil.example"}
    request = urllib.request.Request(f"{proxy.address}/activate/{token}", headers=prefixed)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
        page = reply.read().decode()
    handover = f"{proxy.address}/session/start?ticket={token}"
    with contextlib.suppress(OSError), urllib.request.urlopen(handover, timeout=30):  # noqa: S310
        pass
    assert "evil.example" not in page
    log = proxy.log
    deadline = time.monotonic() + 10
    while "/activate/REDACTED" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    assert token not in log.read_text()
