"""Security, checked against the real server: headers, cookies, sessions, rate limits, hostile input in
URLs and fields, and logs that never hold a secret."""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Server
from tests.e2e.distributor import sign_in, unique_email
from tests.e2e.wizard import Wizard
from tests.helpers import PASSWORD


def fetch(url: str) -> tuple[int, dict[str, str], list[str], str]:
    """Status, headers (lower-case names), Set-Cookie values and body, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(url, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        headers = {name.lower(): value for name, value in response.headers.items()}
        cookies = response.headers.get_all("set-cookie") or []
        return response.status, headers, cookies, response.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with small rate limits and an https base URL (cookies must be Secure)."""
    running = Server(
        tmp_path_factory.mktemp("strict"),
        extra_env={
            "PORTAL_LINK_GUESS_LIMIT": "3",
            "PORTAL_SIGN_IN_ACCOUNT_LIMIT": "2",
            "PORTAL_SIGN_IN_ADDRESS_LIMIT": "50",
            "PORTAL_BASE_URL": "https://portal.example",
        },
    )
    running.start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/activate/not-a-token",
        "/set-password/nope",
        "/portal",
        "/distributor/invitations",
        "/_nicegui/auto/static/does-not-exist.js",
    ],
)
def test_every_response_forbids_framing_and_sniffing(server: Server, path: str) -> None:
    status, headers, _, _ = fetch(server.base_url + path)
    assert status < 500
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"


def test_activation_pages_leak_no_referrer_and_are_never_cached(server: Server) -> None:
    url = server.invite()
    for target in (url, f"{server.base_url}/set-password/whatever"):
        status, headers, _, _ = fetch(target)
        assert status == 200
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite(server: Server) -> None:
    _, _, cookies, _ = fetch(f"{server.base_url}/login")
    [session] = [c for c in cookies if c.startswith("session=")]
    assert "httponly" in session.lower() and "samesite=lax" in session.lower()
    assert "secure" not in session.lower()  # plain http here


def test_session_cookie_is_secure_behind_https(strict_server: Server) -> None:
    _, _, cookies, _ = fetch(f"{strict_server.base_url}/login")
    [session] = [c for c in cookies if c.startswith("session=")]
    assert "; secure" in session.lower()


def test_signing_out_ends_the_session_on_the_server(server: Server, browser: Browser) -> None:
    url = server.invite("--company", "Session Ltd")
    context = browser.new_context()
    page = context.new_page()
    page.goto(url)
    wizard = Wizard(page)
    email = unique_email("session")
    wizard.agree(email)
    wizard.user_properties()
    wizard.company("Session Ltd")
    wizard.sign_and_activate("Session Ltd")
    expect(page.get_by_role("heading", name="Hub and Marketplace Creation")).to_be_visible()
    stolen = context.cookies()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/login$"))
    context.close()
    replay = browser.new_context()
    replay.add_cookies(stolen)  # the cookie from before signing out, replayed
    replayed = replay.new_page()
    replayed.goto(f"{server.base_url}/portal")
    expect(replayed).to_have_url(re.compile("/login"))
    replay.close()


def test_guessing_links_gets_a_too_many_attempts_page(strict_server: Server, page: Page) -> None:
    for n in range(3):
        page.goto(f"{strict_server.base_url}/activate/guess-{n}")
        expect(page.get_by_role("heading", name="Activation link not valid")).to_be_visible()
    real = strict_server.invite().replace("https://portal.example", strict_server.base_url)
    page.goto(real)
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_text("Try again in 1 minute")).to_be_visible()


def test_failed_sign_ins_get_a_growing_wait(strict_server: Server, page: Page) -> None:
    email = strict_server.distributor_user(unique_email("locked"))
    for _ in range(2):
        sign_in(page, strict_server.base_url, email, "not the right password")
        expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()
    sign_in(page, strict_server.base_url, email, PASSWORD)
    expect(page.get_by_text(re.compile(r"Too many attempts\. Try again in \d+ minutes?\."))).to_be_visible()


NASTY_PATH_PARTS = [
    "%00",
    "%0d%0aSet-Cookie:%20x=1",
    "..%2f..%2fetc%2fpasswd",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%27%20OR%201%3D1--",
    "%E2%80%AE",
    "%F0%9F%91%A9",
    "%ED%A0%80",
    "x" * 20_000,
    "%",
    "%%",
    "%C0%AF",
]


@pytest.fixture(scope="module")
def lenient_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that lets one client try many bad links (the fuzzing below is not an attack to stop)."""
    running = Server(tmp_path_factory.mktemp("lenient"), extra_env={"PORTAL_LINK_GUESS_LIMIT": "100000"})
    running.start()
    yield running
    running.stop()


@pytest.mark.parametrize("part", NASTY_PATH_PARTS)
def test_hostile_url_parameters_never_give_a_server_error(lenient_server: Server, part: str) -> None:
    server = lenient_server
    for path in (
        f"/activate/{part}",
        f"/set-password/{part}",
        f"/login?next={part}",
        f"/distributor/invitations/{part}",
        f"/distributor/partners/{part}",
        f"/{part}",
    ):
        status, _, _, body = fetch(server.base_url + path)
        assert status < 500, (path[:80], status)
        assert "Traceback" not in body


def test_html_and_script_in_names_are_shown_as_text_and_never_run(server: Server, browser: Browser) -> None:
    company = '<img src=x onerror="window.__xss=1"> Inc'
    full_name = "<script>window.__xss=2</script> Mallory"
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server.invite())
    wizard = Wizard(page)
    wizard.agree(unique_email("xss"))
    wizard.user_properties(full_name=full_name)
    wizard.company(company)
    expect(page.get_by_text(full_name, exact=True)).to_be_visible()
    wizard.sign_and_activate(company)
    expect(page.get_by_role("heading", name=company)).to_be_visible()
    expect(page.get_by_text(f"Signed in as {full_name}", exact=False)).to_be_visible()
    assert page.evaluate("window.__xss") is None and page.locator("main img").count() == 0
    context.close()

    desk_context = browser.new_context()
    desk = desk_context.new_page()
    desk.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(desk, server.base_url, server.distributor_user(unique_email("xss-desk")))
    expect(desk.get_by_text(company, exact=True).first).to_be_visible()
    desk.get_by_role("link", name="Partners").click()
    desk.get_by_role("link", name=company).click()
    expect(desk.get_by_text(full_name, exact=True).first).to_be_visible()
    assert desk.evaluate("window.__xss") is None and desk.locator("main img").count() == 0
    desk_context.close()
    assert dialogs == []


def test_logs_never_hold_a_token_a_password_or_a_hash(
    server: Server, strict_server: Server, lenient_server: Server
) -> None:
    """Runs after the other tests of this module, on the logs of every server they used."""
    secrets_seen: set[str] = {PASSWORD, "not the right password"}
    for running in (server, strict_server, lenient_server):
        connection = sqlite3.connect(running.data_dir / "portal.db")
        secrets_seen.update(row[0] for row in connection.execute("SELECT password_hash FROM user") if row[0])
        secrets_seen.update(row[0] for row in connection.execute("SELECT token_hash FROM invitation"))
        connection.close()
        secrets_seen.update(_tokens_printed_by_the_command_line(running))
    for running in (server, strict_server, lenient_server):
        logs = running.log_path.read_text()
        assert logs.strip() == "" or "Traceback" not in logs
        for secret in secrets_seen:
            assert secret not in logs, f"a secret is in {running.log_path}"
        banner = running.output_path.read_text()  # only the start-up banner, with the demo's own link
        assert PASSWORD not in banner and not any(h in banner for h in secrets_seen if h.startswith("$argon2"))


def _tokens_printed_by_the_command_line(running: Server) -> set[str]:
    """Every activation token the tests got from ``python main.py invite`` (kept by the Server helper)."""
    return {urllib.parse.urlsplit(url).path.rsplit("/", 1)[1] for url in running.issued_urls}


def test_no_secret_files_are_world_readable(server: Server) -> None:
    secret = Path(server.data_dir) / "session-secret"
    assert secret.exists() and (secret.stat().st_mode & 0o077) == 0
