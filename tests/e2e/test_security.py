"""Security, checked against the real server: headers, cookies, sessions, rate limits, hostile input in
URLs and fields, and logs that never hold a secret."""

from __future__ import annotations

import re
import secrets
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from data.models import InvitationStatus
from portal_testing.factories import PASSWORD
from portal_testing.launch import ROOT, Server, sign_in
from tests.e2e.distributor import note_and_dismiss, replayable, unique_email
from tests.e2e.wizard import Wizard


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], list[str], str]:
    """Status, headers (lower-case names), Set-Cookie values and body, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30)  # noqa: S310
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
            "PORTAL_TRUSTED_PROXIES": "127.0.0.1",
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
    for target, expected in ((url, 200), (f"{server.base_url}/set-password/whatever", 404)):
        status, headers, _, _ = fetch(target)
        assert status == expected
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
    replay.add_cookies(replayable(stolen))  # the cookie from before signing out, replayed
    replayed = replay.new_page()
    replayed.goto(f"{server.base_url}/portal")
    expect(replayed).to_have_url(re.compile("/login"))
    replay.close()


def test_guessing_links_is_slowed_never_locks_out_a_valid_link_and_junk_does_not_count(
    strict_server: Server, page: Page
) -> None:
    """PORTAL_LINK_GUESS_LIMIT=3 here. Another site's page making its visitors' browsers open 20 junk links
    costs them nothing; well-formed guesses past the limit get 429, and the valid link still opens."""
    base = strict_server.base_url
    real = strict_server.invite().replace("https://portal.example", base)
    for n in range(20):
        assert fetch(f"{base}/activate/junk-{n}")[0] == 404
    assert fetch(real)[0] == 200
    for _ in range(3):
        assert fetch(f"{base}/activate/{secrets.token_urlsafe(32)}")[0] == 404
    page.goto(real)  # past the limit: answered after a pause, but answered
    expect(page.get_by_role("heading", name="Activate your reseller portal")).to_be_visible()
    status, headers, _, _ = fetch(f"{base}/activate/{secrets.token_urlsafe(32)}")
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 15 * 60
    page.goto(f"{base}/activate/{secrets.token_urlsafe(32)}")
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Try again in \d+ minutes?"))).to_be_visible()


def test_link_pages_answer_with_the_status_that_says_what_they_are(server: Server) -> None:
    base = server.base_url
    assert fetch(f"{base}/activate/not-a-token")[0] == 404
    assert fetch(f"{base}/activate/{secrets.token_urlsafe(32)}")[0] == 404
    assert fetch(f"{base}/set-password/{secrets.token_urlsafe(32)}")[0] == 404
    revoked = server.invite("--company", "Revoked Status Ltd")
    portal = server.portal()
    token = revoked.rsplit("/", 1)[1]
    portal.set_invitation(token, status=InvitationStatus.REVOKED)
    expired = server.invite("--company", "Expired Status Ltd").rsplit("/", 1)[1]
    portal.set_invitation(expired, expired=True)
    portal.engine.dispose()
    for url in (revoked, f"{base}/activate/{expired}"):
        status, _, _, body = fetch(url)
        assert status == 410 and "Activation link" in body


def test_the_recorded_client_address_comes_from_a_proxy_only_when_it_is_trusted(
    server: Server, strict_server: Server
) -> None:
    """By default no proxy is trusted: anything on the host could otherwise forge the address recorded as
    signing evidence. ``strict_server`` trusts 127.0.0.1 (PORTAL_TRUSTED_PROXIES)."""
    forged = {"X-Forwarded-For": "203.0.113.99"}
    seen = {}
    for running in (server, strict_server):
        url = running.invite().replace("https://portal.example", running.base_url)
        assert fetch(url, forged)[0] == 200
        portal = running.portal()
        seen[running.port] = portal.invitation_audit_addresses(url.rsplit("/", 1)[1])
        portal.engine.dispose()
    assert seen[server.port] == ["127.0.0.1"] and seen[strict_server.port] == ["203.0.113.99"]


def test_the_socket_accepts_only_this_sites_pages(server: Server) -> None:
    polling = f"{server.base_url}/_nicegui_ws/socket.io/?EIO=4&transport=polling"
    assert fetch(polling, {"Origin": "https://evil.example"})[0] == 400
    assert fetch(polling, {"Origin": server.base_url})[0] == 200


def test_a_planted_session_cookie_is_worth_nothing_after_sign_in(server: Server, browser: Browser) -> None:
    """Session fixation: a cookie set in the victim's browser before sign-in does not follow the victim in."""
    email = server.distributor_user(unique_email("fixation"))
    attacker = browser.new_context()
    attacker.new_page().goto(f"{server.base_url}/login")
    planted = attacker.cookies()
    victim = browser.new_context()
    victim.add_cookies(replayable(planted))
    victim_page = victim.new_page()
    sign_in(victim_page, server.base_url, email)
    expect(victim_page.get_by_role("heading", name="Invitations")).to_be_visible()
    assert {c["value"] for c in victim.cookies() if c["name"] == "session"} != {
        c["value"] for c in planted if c["name"] == "session"
    }
    attacker_page = attacker.new_page()
    attacker_page.goto(f"{server.base_url}/distributor/invitations")
    expect(attacker_page).to_have_url(re.compile("/login"))
    attacker.close()
    victim.close()


def test_signing_out_is_a_post_and_ends_every_open_page_of_the_session(server: Server, browser: Browser) -> None:
    email = server.distributor_user(unique_email("two-tabs"))
    context = browser.new_context()
    first = context.new_page()
    sign_in(first, server.base_url, email)
    expect(first.get_by_role("heading", name="Invitations")).to_be_visible()
    second = context.new_page()
    second.goto(f"{server.base_url}/distributor/partners")
    expect(second.get_by_role("heading", name="Partners")).to_be_visible()
    assert fetch(f"{server.base_url}/logout")[0] == 200  # a GET (a link, an image) signs no one out
    first.get_by_role("button", name="Sign out").click()
    expect(first).to_have_url(re.compile("/login$"))
    expect(second).to_have_url(re.compile("/login"))  # the other tab is signed out too
    second.goto(f"{server.base_url}/distributor/partners")
    expect(second).to_have_url(re.compile("/login"))
    context.close()


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
    page.on("dialog", lambda dialog: note_and_dismiss(dialogs, dialog))
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
    desk.on("dialog", lambda dialog: note_and_dismiss(dialogs, dialog))
    sign_in(desk, server.base_url, server.distributor_user(unique_email("xss-desk")))
    expect(desk.get_by_text(company, exact=True).first).to_be_visible()
    desk.get_by_role("link", name="Partners").click()
    desk.get_by_role("link", name=company).click()
    expect(desk.get_by_text(full_name, exact=True).first).to_be_visible()
    assert desk.evaluate("window.__xss") is None and desk.locator("main img").count() == 0
    desk_context.close()
    assert dialogs == []


def test_hostile_urls_and_socket_messages_write_no_secret_and_no_line_of_their_own(server: Server, page: Page) -> None:
    """NiceGUI logs an unknown page's whole URL, and a browser's ``log`` message at the level it names; a URL
    with a token in it, a ``%0a`` in a URL, a ``critical`` log message or a malformed socket message must not
    leave a token, a forged line or a traceback in the log (the check is in the next test)."""
    url = server.invite()
    token = url.rsplit("/", 1)[1]
    for path in (f"/activate/{token}/x", f"/activate//{token}", f"/set-password/{token}/y", f"/x?ticket={token}"):
        assert fetch(server.base_url + path)[0] == 404
    for path in ("/%0aFORGED%20CRITICAL%20line", "/x%0d%0aFORGED%20again", "/%1b[31mFORGED%e2%80%ae"):
        assert fetch(server.base_url + path)[0] == 404
    page.goto(f"{server.base_url}/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.wait_for_function("window.did_handshake === true")
    page.evaluate(
        """() => {
        const s = window.socket, id = window.clientId;
        s.emit("log", {client_id: id, level: "critical", message: "x\\nFORGED from the browser"});
        s.emit("log", {client_id: id, level: "error", message: "y\\nFORGED error line"});
        s.emit("event", "garbage");
        s.emit("event", {client_id: 7});
        s.emit("event", {client_id: id, id: "x", listener_id: "y", args: ["{"]});
        s.emit("event", {client_id: id, id: 1, listener_id: "nope", args: ["{"]});
        s.emit("event");
        s.emit("handshake", {client_id: id});
        s.emit("javascript_response", [1, 2]);
        s.emit("ack", {client_id: id, next_message_id: "many"});
    }"""
    )
    page.get_by_label("Email", exact=True).fill("still@works.example")  # the page still works afterwards
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()
    logs = server.log_path.read_text()
    assert "Ignored a malformed" in logs
    assert not any(line.startswith("FORGED") for line in logs.splitlines())
    assert "\x1b" not in logs and "\u202e" not in logs


def test_a_flood_of_malformed_socket_messages_writes_a_few_lines(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> None:
    """30,000 malformed messages in a second from one anonymous page wrote 30,000 lines (3.3 MB) before the log
    budget; now the minute's first ten, and the rest counted."""
    flooded = Server(tmp_path_factory.mktemp("flood"))
    flooded.start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{flooded.base_url}/login")
        page.wait_for_function("window.did_handshake === true")
        page.evaluate("() => { for (let n = 0; n < 5000; n++) window.socket.emit('event', 'garbage' + n); }")
        page.get_by_label("Email", exact=True).fill("after@flood.example")  # handled after the flood: it is over
        page.get_by_label("Password", exact=True).fill("not the right password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("The email or password is incorrect.")).to_be_visible()
        context.close()
    finally:
        flooded.stop()
    lines = [line for line in flooded.log_path.read_text().splitlines() if "malformed" in line]
    assert 1 <= len(lines) <= 11, f"{len(lines)} lines"


def test_files_holding_data_or_sessions_are_private(server: Server, browser: Browser) -> None:
    email = server.distributor_user(unique_email("files"))
    context = browser.new_context()
    desk = context.new_page()
    sign_in(desk, server.base_url, email)
    expect(desk.get_by_role("heading", name="Invitations")).to_be_visible()
    context.close()
    sessions = server.data_dir / "sessions"
    assert list(sessions.glob("storage-user-*.json")), "session storage lives in the data directory"
    backup = server.data_dir / "copy.db"
    subprocess.run(
        [sys.executable, "main.py", "backup", str(backup)], cwd=ROOT, env=server.env, check=True, capture_output=True
    )
    private = [server.data_dir / name for name in ("portal.db", "portal.db-wal", "portal.db-shm", "session-secret")]
    private += [backup, *sessions.iterdir()]
    for path in private:
        assert path.exists() and (path.stat().st_mode & 0o077) == 0, f"{path.name} is readable by others"
    assert (sessions.stat().st_mode & 0o077) == 0


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
