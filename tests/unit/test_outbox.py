"""The outbox: emails written in their action's transaction, delivered by the sender to a real SMTP server
(aiosmtpd, started here), retried, never lost, at most doubled (with one Message-ID) by a kill -9."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import col, select

from data.models import OutboxEmail
from data.models.outbox import FAILED, QUEUED, SENT
from data.models.types import utcnow
from portal_testing.factories import Portal
from services.distributor.invitations import invite
from services.errors import AlreadyDone, ValidationFailed
from services.mail import config
from services.mail.sender import FileTransport, Sender, SmtpTransport
from tests.conftest import TEST_KEY
from tests.mail_server import MailServer, mail_server

ROOT = Path(__file__).resolve().parents[2]
INVITEE = "owner@acme.example"


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    with mail_server() as server:
        yield server


def sender(portal: Portal, url: str, **options: object) -> Sender:
    return Sender(SmtpTransport(url), uow_factory=portal.uow, **options)  # type: ignore[arg-type]


def emails(portal: Portal) -> list[OutboxEmail]:
    with portal.session() as session:
        return list(session.exec(select(OutboxEmail).order_by(col(OutboxEmail.created_at))).all())


def invite_by_email(portal: Portal, note: str = "Welcome aboard!", **more: object) -> str:
    actor = portal.distributor_user()
    issued = invite(
        portal.uow(),
        actor,
        invitee_email=INVITEE,
        company_name="Acme Inc.",
        note_to_signee=note,
        send_email=True,
        **more,  # type: ignore[arg-type]
    )
    return issued.token


def test_an_invitation_sent_by_email_reaches_the_smtp_server_with_its_link(portal: Portal, smtp: MailServer) -> None:
    token = invite_by_email(portal, note='<b>Bold</b> & "quoted" <script>alert(1)</script>')
    [queued] = emails(portal)
    assert queued.status == QUEUED and queued.recipient == INVITEE
    assert token.encode() not in portal.stored_bytes()  # sealed: the link is not in the database in clear

    assert sender(portal, smtp.url).deliver_due() == 1

    [received] = smtp.wait_for(INVITEE)
    message = received.message
    assert message["To"] == INVITEE
    assert message["From"] == "Reseller Portal <no-reply@portal.test>"
    assert message["Subject"] == "Mighty Mick's LLC invites you to the Reseller Portal"
    assert message["Message-ID"] == f"<{queued.id}@portal.test>"
    assert received.links() == [f"http://portal.test/activate/{token}"]
    assert "Mighty Mick's LLC" in received.text and "Acme Inc." in received.text
    assert '<b>Bold</b> & "quoted" <script>alert(1)</script>' in received.text  # plain text as typed
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; &lt;script&gt;" in received.html  # escaped
    assert "<script>" not in received.html
    assert token not in message["Subject"]
    [done] = emails(portal)
    assert done.status == SENT and done.sent_at is not None and done.sealed is None  # the text is forgotten


def test_an_email_is_written_only_if_its_action_commits(portal: Portal) -> None:
    actor = portal.distributor_user()
    options = {"invitee_email": INVITEE, "send_email": True, "request_key": "k" * 22}
    invite(portal.uow(), actor, **options)  # type: ignore[arg-type]
    with pytest.raises(AlreadyDone):  # the same request again: rolled back, email and all
        invite(portal.uow(), actor, **options)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):  # send by email without an email
        invite(portal.uow(), actor, send_email=True)
    with pytest.raises(ValidationFailed):  # an invitation refused in its transaction (its email is a user's)
        invite(portal.uow(), actor, invitee_email=portal_user_email(portal), send_email=True)
    assert [e.recipient for e in emails(portal) if e.kind == "invitation"] == [INVITEE]


def portal_user_email(portal: Portal) -> str:
    portal.activate(portal.invite())
    return "jane.doe@champions.example"


def test_a_temporary_failure_is_retried_later_and_a_refusal_is_given_up_with_the_reason(
    portal: Portal, smtp: MailServer
) -> None:
    invite_by_email(portal)
    smtp.refuse = "451 4.3.0 Try again later"
    assert sender(portal, smtp.url).deliver_due() == 0
    [waiting] = emails(portal)
    assert waiting.status == QUEUED and waiting.attempts == 1 and "451" in (waiting.last_error or "")
    assert waiting.next_attempt_at > utcnow() + timedelta(seconds=20)  # backoff: not before 30 s
    assert sender(portal, smtp.url).deliver_due() == 0  # not due yet: nothing is tried
    assert emails(portal)[0].attempts == 1

    with portal.session() as session:  # time passes
        row = session.get(OutboxEmail, waiting.id)
        assert row is not None
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        session.add(row)
        session.commit()
    smtp.refuse = None
    assert sender(portal, smtp.url).deliver_due() == 1
    assert emails(portal)[0].status == SENT and emails(portal)[0].attempts == 2
    assert len(smtp.to(INVITEE)) == 1

    smtp.refuse = "550 5.1.1 No such mailbox"
    invite_by_email(portal)
    assert sender(portal, smtp.url).deliver_due() == 0
    refused = emails(portal)[1]
    assert refused.status == FAILED and "550 5.1.1 No such mailbox" in (refused.last_error or "")
    assert refused.sealed is None


def test_an_unreachable_server_leaves_the_email_queued_with_the_reason(portal: Portal) -> None:
    with mail_server() as stopped:
        url = stopped.url
    invite_by_email(portal)
    assert sender(portal, url).deliver_due() == 0
    [waiting] = emails(portal)
    assert waiting.status == QUEUED and waiting.last_error == "The mail server refused the connection"


def test_two_senders_never_hold_one_email_at_once(portal: Portal, smtp: MailServer) -> None:
    for _ in range(12):
        invite_by_email(portal)
    first, second = sender(portal, smtp.url), sender(portal, smtp.url)
    claims: dict[str, list[str]] = {}

    def claim(name: str, who: Sender) -> None:
        claims[name] = [c.id for c in who.claim()]

    threads = [threading.Thread(target=claim, args=(n, s)) for n, s in (("a", first), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claims["a"]) & set(claims["b"])
    assert len(claims["a"]) + len(claims["b"]) == 12
    assert first.claim() == [] and second.claim() == []  # all leased


def run_crashing_sender(portal: Portal, url: str, moment: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.mail_crash", portal.url, url, moment, TEST_KEY.decode()],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -9, result.stderr.decode()  # killed by SIGKILL, as intended


def lapse_leases(portal: Portal) -> None:
    with portal.session() as session:
        for row in session.exec(select(OutboxEmail)).all():
            if row.lease_until is not None:
                row.lease_until = utcnow() - timedelta(seconds=1)
                session.add(row)
        session.commit()


def test_kill_9_between_sending_and_marking_sent_delivers_at_most_twice_with_one_message_id(
    portal: Portal, smtp: MailServer
) -> None:
    """The documented guarantee (RELIABILITY.md): at least once, at most twice after a crash, one Message-ID."""
    invite_by_email(portal)
    run_crashing_sender(portal, smtp.url, "after-send")
    [first] = smtp.wait_for(INVITEE)
    [leased] = emails(portal)
    assert leased.status == QUEUED and leased.lease_until is not None  # the crash left it claimed, not sent

    assert sender(portal, smtp.url).deliver_due() == 0  # the lease holds it while the crashed sender "may" run
    lapse_leases(portal)
    assert sender(portal, smtp.url).deliver_due() == 1
    assert sender(portal, smtp.url).deliver_due() == 0
    copies = smtp.to(INVITEE)
    assert len(copies) == 2
    assert {c.message["Message-ID"] for c in copies} == {f"<{leased.id}@portal.test>"}
    assert copies[0].links() == copies[1].links() == first.links()
    assert emails(portal)[0].status == SENT


def test_kill_9_between_queueing_and_sending_loses_nothing_and_sends_once(portal: Portal, smtp: MailServer) -> None:
    invite_by_email(portal)
    run_crashing_sender(portal, smtp.url, "before-send")
    assert smtp.to(INVITEE) == []
    lapse_leases(portal)
    assert sender(portal, smtp.url).deliver_due() == 1
    assert sender(portal, smtp.url).deliver_due() == 0
    assert len(smtp.to(INVITEE)) == 1


def test_without_smtp_emails_are_eml_files_only_their_owner_reads(portal: Portal, tmp_path: Path) -> None:
    token = invite_by_email(portal)
    mail_dir = tmp_path / "mail"
    files = Sender(FileTransport(mail_dir), uow_factory=portal.uow)
    assert files.deliver_due() == 1
    [written] = list(mail_dir.glob("*.eml"))
    assert written.stat().st_mode & 0o777 == 0o600
    assert mail_dir.stat().st_mode & 0o777 == 0o700
    assert written.name == f"{emails(portal)[0].id}.eml"
    assert f"/activate/{token}" in written.read_text()


def test_an_email_sealed_with_another_secret_is_failed_not_sent(portal: Portal, smtp: MailServer) -> None:
    invite_by_email(portal)
    other = config.MailConfig("http://portal.test", "Portal <p@portal.test>", Fernet.generate_key())
    config.configure(other)
    assert sender(portal, smtp.url).deliver_due() == 0
    [failed] = emails(portal)
    assert failed.status == FAILED and "secret" in (failed.last_error or "")
    assert smtp.to(INVITEE) == []
