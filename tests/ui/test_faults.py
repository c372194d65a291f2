"""When a service call cannot run (its worker died, the database cannot be written), every page and every button
says so clearly, keeps what was typed, and a retry works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nicegui import ui
from nicegui.testing import User

from data.models import InvitationStatus
from portal_testing.factories import PASSWORD, Portal
from services.distributor import invitations as distributor_invitations
from tests.ui.test_distributor_pages import sign_in
from ui import calls

RESTARTING = "The server is restarting; please try again in a moment."


class Outage:
    """Service calls that cannot run, as when a worker dies: NiceGUI's io_bound answers None ("cancelled")."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.working = calls.run.io_bound

    def start(self) -> None:
        async def cannot_run(*_args: object, **_kwargs: object) -> None:
            return None

        self.monkeypatch.setattr(calls.run, "io_bound", cannot_run)

    def end(self) -> None:
        self.monkeypatch.setattr(calls.run, "io_bound", self.working)


@pytest.fixture
def outage(monkeypatch: pytest.MonkeyPatch) -> Iterator[Outage]:
    yield Outage(monkeypatch)


async def test_sign_in_that_cannot_run_says_so_and_keeps_what_was_typed(
    user: User, app_portal: Portal, outage: Outage
) -> None:
    app_portal.distributor_user(email="mick@mighty.example")
    await user.open("/login")
    outage.start()
    user.find("Email").type("mick@mighty.example")
    user.find("Password").type(PASSWORD)
    user.find("Sign in").trigger("click")
    await user.should_see(f"{RESTARTING} What you typed is still here.", retries=30)
    email = user.find("Email").elements.pop()
    password = user.find("Password").elements.pop()
    assert isinstance(email, ui.input) and isinstance(password, ui.input)
    assert (email.value, password.value) == ("mick@mighty.example", PASSWORD)
    outage.end()
    user.find("Sign in").trigger("click")  # the retry works
    await user.should_see("Create invitation", retries=30)


async def test_revoke_that_cannot_run_says_so_and_a_retry_revokes(
    user: User, app_portal: Portal, outage: Outage
) -> None:
    actor = app_portal.distributor_user(email="mick@mighty.example")
    issued = distributor_invitations.invite(app_portal.uow(), actor, company_name="Revoke Me Inc")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Revoke Me Inc", retries=30)
    outage.start()
    user.find(marker=f"revoke-{issued.invitation.id}").click()
    await user.should_see(marker="confirm", retries=30)
    user.find(marker="confirm").click()
    await user.should_see(f"{RESTARTING} What you typed is still here.", retries=30)
    assert app_portal.invitation_for(issued.token).status == InvitationStatus.PENDING
    outage.end()
    user.find(marker=f"revoke-{issued.invitation.id}").click()
    await user.should_see(marker="confirm", retries=30)
    user.find(marker="confirm").click()
    await user.should_see("Invitation revoked", retries=30)
    assert app_portal.invitation_for(issued.token).status == InvitationStatus.REVOKED


async def test_a_page_that_cannot_be_built_now_says_please_try_again(
    user: User, app_portal: Portal, outage: Outage, pages_with_error_statuses: list[int]
) -> None:
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Create invitation", retries=30)
    outage.start()
    await user.open("/distributor/partners")
    assert pages_with_error_statuses[-1] == 503  # not a 500 showing ServerBusy
    await user.should_see("Please try again")
    await user.should_see(f"{RESTARTING} Nothing you saved is lost.")
    await user.should_not_see("ServerBusy")
    outage.end()
    await user.open("/distributor/partners")
    await user.should_see("Resellers you invited or created, and resellers with a signed service contract.")
