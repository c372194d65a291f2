"""The emails the portal sends, each as plain text and HTML. Every value a person typed (names, notes, company
names) is escaped in the HTML; a subject never carries a link or a token, and only the email to the link's
owner carries the link."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime

from services.mail import config

PRODUCT = "Reseller Portal"


@dataclass(frozen=True)
class Message:
    kind: str
    recipient: str
    subject: str
    text: str
    html: str
    about_id: str | None = None


def _subject(text: str) -> str:
    """A subject on one line (names are refused with line breaks at input; this is the last guard)."""
    return " ".join(text.split())[:300]


def _page(paragraphs: list[str], link: tuple[str, str] | None = None) -> str:
    """The HTML part: each paragraph escaped, and one button-like link."""
    body = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    if link is not None:
        label, url = link
        body += (
            f'<p><a href="{html.escape(url, quote=True)}" style="display:inline-block;padding:10px 16px;'
            f'background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px">{html.escape(label)}</a></p>'
            f"<p>Or copy this address into your browser:<br>{html.escape(url)}</p>"
        )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;color:#0f172a;line-height:1.5">{body}'
        f'<p style="color:#475569">{html.escape(PRODUCT)}</p></body></html>'
    )


def _text(paragraphs: list[str], link: tuple[str, str] | None = None) -> str:
    lines = list(paragraphs)
    if link is not None:
        lines.append(f"{link[0]}:\n{link[1]}")
    lines.append(f"-- \n{PRODUCT}")
    return "\n\n".join(lines) + "\n"


def _message(kind: str, recipient: str, subject: str, paragraphs: list[str], link=None, about_id=None) -> Message:  # type: ignore[no-untyped-def]
    return Message(kind, recipient, _subject(subject), _text(paragraphs, link), _page(paragraphs, link), about_id)


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def invitation(
    *,
    recipient: str,
    invitation_id: str,
    distributor: str,
    company: str | None,
    note: str | None,
    expires_at: datetime,
    token: str,
) -> Message:
    """The activation link, to the invitee."""
    url = f"{config.current().base_url}/activate/{token}"
    paragraphs = [
        f"{distributor} invites {company or 'you'} to activate a reseller portal and sign its service contract.",
    ]
    if note:
        paragraphs.append(f"A note from {distributor}:\n{note}")
    paragraphs.append(f"The link works until {_when(expires_at)}. Do not forward it: whoever opens it can sign.")
    return _message(
        "invitation",
        recipient,
        f"{distributor} invites you to the {PRODUCT}",
        paragraphs,
        ("Activate your portal", url),
        invitation_id,
    )


def set_password(
    *, recipient: str, full_name: str, distributor: str, company: str, expires_at: datetime, token: str, about_id: str
) -> Message:
    """The set-password link of a directly created reseller account, to its representative."""
    url = f"{config.current().base_url}/set-password/{token}"
    return _message(
        "set_password",
        recipient,
        f"{distributor} created a {PRODUCT} account for {company}",
        [
            f"Hello {full_name},",
            f"{distributor} created a reseller account for {company} with you as its representative. Set your "
            "password and sign the service contract to start.",
            f"The link works once, until {_when(expires_at)}.",
        ],
        ("Set your password", url),
        about_id,
    )


def password_reset(*, recipient: str, full_name: str, token: str, expires_at: datetime, user_id: str) -> Message:
    """A password-reset link, to the user who asked (or whose distributor sent it)."""
    url = f"{config.current().base_url}/reset-password/{token}"
    return _message(
        "password_reset",
        recipient,
        f"Reset your {PRODUCT} password",
        [
            f"Hello {full_name},",
            "Someone asked to reset the password of your account. If it was not you, ignore this email: your "
            "password stays as it is.",
            f"The link works once, until {_when(expires_at)}.",
        ],
        ("Choose a new password", url),
        user_id,
    )


def password_changed(*, recipient: str, full_name: str, user_id: str) -> Message:
    """The notice after a password was changed or reset (no link)."""
    return _message(
        "password_changed",
        recipient,
        f"Your {PRODUCT} password was changed",
        [
            f"Hello {full_name},",
            "The password of your account was just changed, and every other session was signed out.",
            "If you did not do this, reset your password at once with Forgot password? on the sign-in page, "
            "and tell your administrator.",
        ],
        about_id=user_id,
    )


def confirm_new_email(*, recipient: str, full_name: str, token: str, expires_at: datetime, user_id: str) -> Message:
    """The confirmation link, to the new address."""
    url = f"{config.current().base_url}/confirm-email/{token}"
    return _message(
        "confirm_email",
        recipient,
        f"Confirm your new {PRODUCT} email address",
        [
            f"Hello {full_name},",
            "Confirm that this is your new email address for signing in to the portal.",
            f"The link works once, until {_when(expires_at)}.",
        ],
        ("Confirm this address", url),
        user_id,
    )


def email_change_notice(*, recipient: str, full_name: str, new_email: str, user_id: str) -> Message:
    """To the old address: the email is being changed (no link)."""
    return _message(
        "email_change_notice",
        recipient,
        f"Your {PRODUCT} email address is being changed",
        [
            f"Hello {full_name},",
            f"Someone signed in to your account asked to change its email address to {new_email}. The change "
            "takes effect once the new address is confirmed.",
            "If you did not ask for this, change your password at once and tell your administrator.",
        ],
        about_id=user_id,
    )


def reseller_activated(
    *, recipient: str, full_name: str, reseller: str, about_id: str, page: str, signee: str
) -> Message:
    """To a distributor's user: a reseller activated its portal (no link to anything secret)."""
    return _message(
        "reseller_activated",
        recipient,
        f"{reseller} activated its reseller portal",
        [
            f"Hello {full_name},",
            f"{signee} activated the reseller portal of {reseller} and signed its service contract ({about_id}).",
            "You get this email because reseller activations are switched on in your Account settings.",
        ],
        ("See the details", f"{config.current().base_url}{page}"),
        about_id,
    )


def colleague_invited(
    *, recipient: str, full_name: str, distributor: str, inviter: str, token: str, expires_at: datetime, user_id: str
) -> Message:
    """To a distributor's new user: set a password (the same link as a reset)."""
    url = f"{config.current().base_url}/reset-password/{token}"
    return _message(
        "colleague_invited",
        recipient,
        f"{inviter} added you to {distributor} on the {PRODUCT}",
        [
            f"Hello {full_name},",
            f"{inviter} added you as a user of {distributor}. Choose your password to sign in.",
            f"The link works once, until {_when(expires_at)}.",
        ],
        ("Choose your password", url),
        user_id,
    )
