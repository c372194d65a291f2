"""Email settings and the mail command line: PORTAL_SMTP_URL and PORTAL_MAIL_FROM validated, the SMTP password
never shown; STARTTLS against a real TLS server; ``mail list`` / ``mail show`` over the demo's .eml files."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from data.settings import Settings
from portal_testing.factories import Portal
from services.distributor.invitations import invite
from services.mail.sender import FileTransport, Sender, SmtpTransport
from tests.mail_server import MailServer, _free_port
from tests.unit.test_cli import run_cli

SMTP_PASSWORD = "hunter2-very-secret"


def test_smtp_url_and_sender_are_validated_and_the_password_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    for wrong in ("http://mail.example", "smtp://", f"smtp://user:{SMTP_PASSWORD}@mail.example:port"):
        monkeypatch.setenv("PORTAL_SMTP_URL", wrong)
        with pytest.raises(SystemExit) as stopped:
            Settings.from_env()
        assert "PORTAL_SMTP_URL" in str(stopped.value) and SMTP_PASSWORD not in str(stopped.value)
    monkeypatch.setenv("PORTAL_SMTP_URL", f"smtps://user:{SMTP_PASSWORD}@mail.example")
    settings = Settings.from_env()
    assert SMTP_PASSWORD not in repr(settings) and SMTP_PASSWORD not in str(settings)
    assert SMTP_PASSWORD not in repr(SmtpTransport(settings.smtp_url.get_secret_value()))  # type: ignore[union-attr]
    monkeypatch.setenv("PORTAL_MAIL_FROM", "Portal\r\nBcc: everyone@example.com")
    with pytest.raises(SystemExit, match="PORTAL_MAIL_FROM"):
        Settings.from_env()
    monkeypatch.setenv("PORTAL_MAIL_FROM", "Mighty Portal <portal@mighty.example>")
    assert Settings.from_env().mail_from == "Mighty Portal <portal@mighty.example>"
    monkeypatch.delenv("PORTAL_MAIL_FROM")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.mighty.example")
    assert Settings.from_env().mail_from == "Reseller Portal <no-reply@portal.mighty.example>"


def test_a_password_is_never_sent_without_tls() -> None:
    with pytest.raises(ValueError, match="never sent without TLS"):
        SmtpTransport(f"smtp://user:{SMTP_PASSWORD}@127.0.0.1:25?tls=none")


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[MailServer, Path]]:
    """aiosmtpd that requires STARTTLS, with a certificate for 127.0.0.1 made here."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    server = MailServer(_free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        yield server, cert_path
    finally:
        controller.stop()


def test_smtp_url_sends_over_starttls_and_checks_the_certificate(
    portal: Portal, tls_server: tuple[MailServer, Path]
) -> None:
    server, cert = tls_server
    invite(portal.uow(), portal.distributor_user(), invitee_email="tls@acme.example", send_email=True)
    unverified = Sender(SmtpTransport(f"smtp://127.0.0.1:{server.port}"), uow_factory=portal.uow)
    assert unverified.deliver_due() == 0  # a certificate nobody vouches for: not sent, retried later
    assert server.to("tls@acme.example") == []
    trusted = SmtpTransport(f"smtp://127.0.0.1:{server.port}?cafile={cert}")
    from tests.unit.test_outbox import emails, lapse_leases

    lapse_leases(portal)
    with portal.session() as session:
        for row in emails(portal):
            row.next_attempt_at = row.created_at
            session.add(row)
        session.commit()
    assert Sender(trusted, uow_factory=portal.uow).deliver_due() == 1
    assert len(server.wait_for("tls@acme.example")) == 1


@pytest.mark.sqlite_only
def test_mail_list_and_show_print_the_demo_emails(portal: Portal, tmp_path: Path) -> None:
    invite(portal.uow(), portal.distributor_user(), invitee_email="demo@acme.example", send_email=True)
    Sender(FileTransport(tmp_path / "mail"), uow_factory=portal.uow).deliver_due()
    env_dir = tmp_path
    listed = run_cli(env_dir, "mail", "list")
    assert listed.returncode == 0, listed.stderr
    assert "demo@acme.example" in listed.stdout and "invites you" in listed.stdout
    email_id = next(line.split()[0] for line in listed.stdout.splitlines() if line.startswith("EM-"))
    shown = run_cli(env_dir, "mail", "show", email_id)
    assert shown.returncode == 0, shown.stderr
    assert "To: demo@acme.example" in shown.stdout and "/activate/" in shown.stdout
    missing = run_cli(env_dir, "mail", "show", "EM-000-000-000-000")
    assert missing.returncode == 2 and "no email" in missing.stderr


def test_the_tokens_of_emailed_links_never_reach_a_log_line() -> None:
    from ui.logs import safe_text

    token = "A" * 20 + "b-" + "c" * 21  # 43 characters, the shape of a link token
    for path in ("activate", "set-password", "reset-password", "confirm-email"):
        line = safe_text(f"GET /{path}/{token}x HTTP/1.1")  # also a token a character off
        assert token not in line and f"/{path}/[redacted]" in line
        cut = safe_text(f"GET /{path}/{token[:20]} HTTP/1.1")  # a link cut short still holds most of a token
        assert token[:20] not in cut and f"/{path}/[redacted]" in cut
