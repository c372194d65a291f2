"""``python main.py mail list`` and ``mail show ID``: the emails written as .eml files when no SMTP server is
configured (the demo), so that a person can follow every email's link."""

from __future__ import annotations

import argparse
import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from services.settings import Settings


class MailNotFound(Exception):
    pass


def add_commands(commands: argparse._SubParsersAction) -> None:
    mail = commands.add_parser("mail", help="the emails written to the data directory when no SMTP is configured")
    mail_commands = mail.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = mail_commands.add_parser("list", help="list the emails, newest first")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = mail_commands.add_parser("show", help="print one email's headers and plain text")
    show.add_argument("email_id", metavar="ID", help="the email's ID (EM-…), as mail list shows it")


def _read(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def _files(settings: Settings) -> list[Path]:
    if not settings.mail_dir.is_dir():
        return []
    return sorted(settings.mail_dir.glob("EM-*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)


def records(settings: Settings) -> list[dict[str, str]]:
    found = []
    for path in _files(settings):
        message = _read(path)
        found.append(
            {
                "id": path.stem,
                "date": str(message["Date"] or ""),
                "to": str(message["To"] or ""),
                "subject": str(message["Subject"] or ""),
            }
        )
    return found


def shown(settings: Settings, email_id: str) -> str:
    path = settings.mail_dir / f"{email_id.strip()}.eml"
    if not email_id.strip().startswith("EM-") or "/" in email_id or not path.is_file():
        raise MailNotFound(f"no email {email_id} in {settings.mail_dir} (python main.py mail list shows them)")
    message = _read(path)
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    headers = "\n".join(f"{name}: {message[name]}" for name in ("Message-ID", "Date", "From", "To", "Subject"))
    return f"{headers}\n\n{text}"
