"""Rate limits: guessing links and failed sign-ins, with small limits."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

import pytest
from sqlmodel import select

from data.models import AuditEvent, FailedAttempt
from data.models.types import utcnow
from portal_testing.factories import EMAIL, PASSWORD, Portal
from services import accounts, throttle
from services.activation import steps as activation
from services.actors import SignedInUser
from services.distributor import partners
from services.distributor.partners import UnknownSetPasswordLink
from services.errors import AuthenticationFailed, InvitationNotFound
from services.throttle import Limits, SlowDown, TooManyAttempts

SMALL = Limits(
    link_guesses_per_address=3,
    sign_in_failures_per_account=3,
    sign_in_failures_per_account_everywhere=6,
    sign_in_failures_per_address=5,
    window=timedelta(minutes=15),
    first_delay=timedelta(minutes=1),
    longest_delay=timedelta(minutes=8),
)


def guess() -> str:
    """A well-formed token that opens nothing (what a guesser would try)."""
    return secrets.token_urlsafe(32)


def link_attempts(portal: Portal) -> int:
    with portal.session() as session:
        return len(session.exec(select(FailedAttempt).where(FailedAttempt.kind == throttle.LINK)).all())


def test_guessing_links_is_slowed_past_the_limit_and_an_unknown_link_then_gets_too_many_attempts(
    portal: Portal,
) -> None:
    real = portal.invite()
    for _ in range(3):
        with pytest.raises(InvitationNotFound):
            activation.open_invitation(portal.uow(), guess(), client_address="198.51.100.66", limits=SMALL)
    with pytest.raises(SlowDown) as slowed:
        activation.open_invitation(portal.uow(), guess(), client_address="198.51.100.66", limits=SMALL)
    assert slowed.value.seconds == SMALL.link_slowdown.total_seconds()
    with pytest.raises(TooManyAttempts) as blocked:  # after the pause
        activation.open_invitation(portal.uow(), guess(), client_address="198.51.100.66", limits=SMALL, slowed=True)
    assert blocked.value.message == "Too many attempts. Try again in 15 minutes."
    assert link_attempts(portal) == 3  # past the limit nothing more is written: the count stays bounded
    # another client is not affected
    assert activation.open_invitation(portal.uow(), real, client_address="198.51.100.67", limits=SMALL)


def test_a_valid_link_always_opens_even_from_an_address_past_the_limit(portal: Portal) -> None:
    """Third parties (a page on another site, someone behind the same proxy) can slow a visitor, never lock
    them out of their link."""
    real = portal.invite()
    for _ in range(10):
        with contextlib.suppress(InvitationNotFound, SlowDown, TooManyAttempts):
            activation.open_invitation(portal.uow(), guess(), client_address="198.51.100.68", limits=SMALL)
    with pytest.raises(SlowDown):
        activation.open_invitation(portal.uow(), real, client_address="198.51.100.68", limits=SMALL)
    view = activation.open_invitation(portal.uow(), real, client_address="198.51.100.68", limits=SMALL, slowed=True)
    assert view.distributor_name


@pytest.mark.parametrize(
    "junk", ["junk", "", "x" * 42, "x" * 44, "x" * 42 + "!", "x" * 42 + "\x00", "\udc80" * 43, "../" * 15]
)
def test_malformed_links_are_neither_looked_up_nor_counted(portal: Portal, junk: str) -> None:
    """20 ``<img src=".../activate/junk">`` on another site's page cost its visitors nothing."""
    real = portal.invite()
    for _ in range(10):
        with pytest.raises(InvitationNotFound):
            activation.open_invitation(portal.uow(), junk, client_address="198.51.100.69", limits=SMALL)
        with pytest.raises(UnknownSetPasswordLink):
            partners.open_set_password_link(portal.uow(), junk, client_address="198.51.100.69", limits=SMALL)
    assert link_attempts(portal) == 0
    assert activation.open_invitation(portal.uow(), real, client_address="198.51.100.69", limits=SMALL)


def test_only_our_exact_token_shape_is_well_formed() -> None:
    assert throttle.well_formed(secrets.token_urlsafe(32))
    for token in ("", "a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "+", "a" * 42 + "é", None, 12):
        assert not throttle.well_formed(token)


def test_valid_links_do_not_count_as_guesses(portal: Portal) -> None:
    real = portal.invite()
    for _ in range(10):
        activation.open_invitation(portal.uow(), real, client_address="198.51.100.70", limits=SMALL)


def sign_in(portal: Portal, email: str, password: str, address: str = "192.0.2.10") -> SignedInUser:
    return accounts.authenticate(portal.uow(), email, password, client_address=address, limits=SMALL)


def test_failed_sign_ins_are_limited_per_account_from_one_address_and_from_everywhere(portal: Portal) -> None:
    portal.activate(portal.invite())
    for n in range(3):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, EMAIL, "wrong password number " + str(n), address="198.51.100.7")
    with pytest.raises(TooManyAttempts) as blocked:
        sign_in(portal, EMAIL, PASSWORD, address="198.51.100.7")  # from there even the right password waits
    assert "Try again in 1 minute" in blocked.value.message
    # Unknown emails are limited the same way (no hint whether the account exists).
    for _ in range(3):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, "nobody@x.example", "whatever it is here", address="192.0.2.50")
    with pytest.raises(TooManyAttempts):
        sign_in(portal, "nobody@x.example", "whatever it is here", address="192.0.2.50")
    # Guessing one account from many addresses: past the account's limit from everywhere (6), every address waits.
    for n in range(3):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, EMAIL, "wrong password again " + str(n), address=f"192.0.2.{n}")
    with pytest.raises(TooManyAttempts):
        sign_in(portal, EMAIL, PASSWORD, address="192.0.2.99")


def test_a_stranger_with_the_email_cannot_keep_its_owner_out(portal: Portal) -> None:
    """Six wrong passwords every quarter hour from anywhere locked the owner out of its account for good."""
    portal.activate(portal.invite())
    for n in range(5):
        with contextlib.suppress(AuthenticationFailed, TooManyAttempts):
            sign_in(portal, EMAIL, "a stranger's guess " + str(n), address="203.0.113.66")
    assert sign_in(portal, EMAIL, PASSWORD, address="192.0.2.10").full_name  # the owner, from its own address


def test_failed_sign_ins_are_limited_per_address_across_accounts(portal: Portal) -> None:
    for n in range(5):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, f"user{n}@x.example", "a wrong password here", address="203.0.113.200")
    with pytest.raises(TooManyAttempts):
        sign_in(portal, "user9@x.example", "a wrong password here", address="203.0.113.200")


def test_delays_grow_and_are_capped_and_end(portal: Portal) -> None:
    key = throttle.address_key("192.0.2.200")
    with portal.session() as session:
        throttle.record_failure(session, throttle.SIGN_IN, [key] * 6)  # limit 3, three over
        session.commit()
    now = utcnow()
    with portal.session() as session:
        with pytest.raises(TooManyAttempts) as blocked:
            throttle.check(session, throttle.SIGN_IN, {key: 3}, limits=SMALL, now=now)
        assert timedelta(minutes=7) < blocked.value.retry_after <= timedelta(minutes=8)  # 1·2³ = 8 min (the cap)
        throttle.check(session, throttle.SIGN_IN, {key: 3}, limits=SMALL, now=now + timedelta(minutes=8, seconds=1))
        throttle.check(session, throttle.SIGN_IN, {key: 3}, limits=SMALL, now=now + timedelta(minutes=16))


def test_a_successful_sign_in_clears_the_account_count(portal: Portal) -> None:
    portal.activate(portal.invite())
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, EMAIL, "not the password at all")
    sign_in(portal, EMAIL, PASSWORD)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, EMAIL, "not the password at all")
    assert sign_in(portal, EMAIL, PASSWORD).full_name
    with portal.session() as session:
        events = session.exec(select(AuditEvent.action).where(AuditEvent.action.like("auth.%"))).all()  # type: ignore[attr-defined]  # sqlmodel types the column as str, not a column
    assert events.count("auth.sign_in_failed") == 4 and events.count("auth.sign_in") == 2


def test_one_argon2_verification_per_sign_in_whether_or_not_the_email_exists(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same work, so about the same time, for known and unknown emails (no user enumeration by timing)."""
    from services import security

    portal.activate(portal.invite())
    calls: list[str] = []
    original = security._passwords.verify

    def counting_verify(secret: str, hashed: str) -> bool:
        calls.append(hashed[:9])
        return original(secret, hashed)

    monkeypatch.setattr(security._passwords, "verify", counting_verify)
    for email in (EMAIL, "nobody@x.example"):
        with pytest.raises(AuthenticationFailed):
            sign_in(portal, email, "a wrong password here", address=f"192.0.2.{len(calls) + 100}")
    assert calls == ["$argon2id", "$argon2id"]
