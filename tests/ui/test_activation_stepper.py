"""The activation stepper, driven through NiceGUI's simulated user."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from data.models import InvitationStatus
from data.models import User as PortalUser
from portal_testing.factories import EMAIL, FULL_NAME, PASSWORD, RESELLER, Portal
from services.activation import steps as activation
from ui import calls


async def until(condition: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait until ``condition()`` is true: steps save in a worker thread, so the UI moves on a moment later."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def stepper_of(user: User) -> ui.stepper:
    return user.find(ui.stepper).elements.pop()


def input_of(user: User, marker: str) -> ui.input:
    element = user.find(marker=marker).elements.pop()
    assert isinstance(element, ui.input)
    return element


async def fill_step_one(user: User, email: str = EMAIL) -> None:
    user.find(marker="email").clear().type(email)
    user.find(marker="accepted").click()
    user.find(marker="next-agreement").click()
    await until(lambda: stepper_of(user).value == "user")


async def test_demo_link_is_seeded_and_opens_the_first_step(user: User, app_portal: Portal) -> None:
    token = app_portal.invite()
    await user.open(f"/activate/{token}")
    await user.should_see("Activate your reseller portal")
    titles = [step.props["title"] for step in sorted(user.find(ui.step).elements, key=lambda step: step.id)]
    assert titles == ["Review the contract", "User properties", "Company properties", "Activate the contract"]
    await user.should_see("Mighty Mick's LLC Reseller Service Agreement (version 1)")
    await user.should_see("I have read and accepted the agreement")


async def test_happy_path_to_the_portal(user: User, app_portal: Portal) -> None:
    token = app_portal.invite(company_name=RESELLER, note_to_signee="Welcome, champions!")
    await user.open(f"/activate/{token}")
    await user.should_see("Welcome, champions!")
    await fill_step_one(user)
    user.find(marker="full-name").type(FULL_NAME)
    user.find(marker="password").type(PASSWORD)
    user.find(marker="next-user").click()
    await until(lambda: stepper_of(user).value == "company")
    assert input_of(user, "company-name").value == RESELLER  # pre-filled by the distributor
    user.find(marker="next-company").click()
    await until(lambda: stepper_of(user).value == "activate")
    await user.should_see(EMAIL)
    await user.should_see(f"I sign this service contract on behalf of {RESELLER}")
    user.find(marker="signed").click()
    user.find(marker="activate").click()
    await user.should_see(marker="next-step", retries=20)
    await user.should_see("Hub and Marketplace Creation")
    await user.should_see(RESELLER)
    with app_portal.session() as session:
        created = session.exec(select(PortalUser).where(PortalUser.email == EMAIL)).one()
    assert created.full_name == FULL_NAME
    assert app_portal.invitation_for(token).status == InvitationStatus.ACTIVATED


async def test_step_one_errors_appear_next_to_their_fields(user: User, app_portal: Portal) -> None:
    token = app_portal.invite()
    await user.open(f"/activate/{token}")
    user.find(marker="email").type("not an email")
    user.find(marker="next-agreement").click()
    email_input = input_of(user, "email")
    await until(lambda: email_input.error)
    assert "valid email" in (email_input.error or "")
    await user.should_see("Tick the box to confirm you have read and accepted the agreement.")
    checkbox = user.find(marker="accepted").elements.pop()
    siblings = checkbox.parent_slot.children  # type: ignore[union-attr]  # a placed element has a slot
    message = siblings[siblings.index(checkbox) + 1]
    assert isinstance(message, ui.label) and message.text.startswith("Tick the box")  # right under the checkbox
    assert stepper_of(user).value == "agreement"
    await fill_step_one(user)
    assert email_input.error is None
    await user.should_not_see("Tick the box to confirm you have read and accepted the agreement.")


async def test_step_two_errors_and_password_policy(user: User, app_portal: Portal) -> None:
    token = app_portal.invite()
    app_portal.walk_to(token, activation.STEP_USER)
    await user.open(f"/activate/{token}")
    user.find(marker="password").type("too short")
    user.find(marker="next-user").click()
    name_input, password_input = input_of(user, "full-name"), input_of(user, "password")
    await until(lambda: name_input.error)
    assert name_input.error == "Enter your full name."
    assert "at least 15" in (password_input.error or "")
    assert stepper_of(user).value == "user"
    user.find(marker="full-name").type(FULL_NAME)
    user.find(marker="password").clear().type(PASSWORD)
    user.find(marker="next-user").click()
    await until(lambda: stepper_of(user).value == "company")
    assert name_input.error is None and password_input.error is None


async def test_company_step_explains_the_legal_entity_type(user: User, app_portal: Portal) -> None:
    token = app_portal.invite()
    app_portal.walk_to(token, activation.STEP_COMPANY)
    await user.open(f"/activate/{token}")
    user.find(marker="company-name").clear().type("Champions")
    user.find(marker="next-company").click()
    company_input = input_of(user, "company-name")
    await until(lambda: company_input.error)
    assert "legal entity type" in (company_input.error or "")
    assert "Champions Corp" in (company_input.error or "")  # with examples
    user.find(marker="company-name").clear().type("Champions Corp")
    user.find(marker="next-company").click()
    await until(lambda: stepper_of(user).value == "activate")
    await user.should_see("I sign this service contract on behalf of Champions Corp")


async def test_reopening_resumes_at_the_furthest_step_with_password_shown_as_set(
    user: User, app_portal: Portal
) -> None:
    token = app_portal.invite()
    app_portal.walk_to(token, activation.STEP_ACTIVATE)
    await user.open(f"/activate/{token}")
    await user.should_see(FULL_NAME)
    stepper = stepper_of(user)
    assert stepper.value == "activate"
    user.find(marker="edit-full-name").click()
    assert stepper.value == "user"
    await user.should_see("Password is set.")
    assert input_of(user, "full-name").value == FULL_NAME
    await user.should_not_see(marker="password")
    user.find(marker="change-password").click()
    await user.should_see(marker="password")


async def test_back_never_loses_data(user: User, app_portal: Portal) -> None:
    token = app_portal.invite()
    app_portal.walk_to(token, activation.STEP_COMPANY)
    await user.open(f"/activate/{token}")
    stepper = stepper_of(user)
    user.find(marker="company-name").clear().type("Typed But Not Saved Inc")
    user.find(marker="back-company").click()
    assert stepper.value == "user"
    assert input_of(user, "full-name").value == FULL_NAME
    user.find(marker="next-user").click()  # no new password: the one set is kept
    await until(lambda: stepper.value == "company")
    assert input_of(user, "company-name").value == "Typed But Not Saved Inc"


async def test_a_link_revoked_mid_flow_stops_at_the_next_step(user: User, app_portal: Portal) -> None:
    token = app_portal.invite()
    app_portal.walk_to(token, activation.STEP_COMPANY)
    await user.open(f"/activate/{token}")
    app_portal.set_invitation(token, status=InvitationStatus.REVOKED)
    user.find(marker="next-company").click()
    await user.should_see("Activation link revoked", retries=20)


async def test_bad_link_pages(user: User, app_portal: Portal, pages_with_error_statuses: list[int]) -> None:
    """Each bad link keeps its page, and answers with the HTTP status that says what it is."""
    await user.open("/activate/not-a-real-token")
    await user.should_see("Activation link not valid")
    await user.open("/activate/" + "A" * 43)  # well-formed, unknown
    await user.should_see("Activation link not valid")
    expired = app_portal.invite()
    app_portal.set_invitation(expired, expired=True)
    await user.open(f"/activate/{expired}")
    await user.should_see("Activation link expired")
    revoked = app_portal.invite()
    app_portal.set_invitation(revoked, status=InvitationStatus.REVOKED)
    await user.open(f"/activate/{revoked}")
    await user.should_see("Activation link revoked")
    used = app_portal.invite()
    app_portal.activate(used)
    await user.open(f"/activate/{used}")
    await user.should_see("Portal already activated")
    assert pages_with_error_statuses[-5:] == [404, 404, 410, 410, 410]
    user.find(marker="sign-in").click()
    await user.should_see("Sign in to your reseller portal.", retries=30)


async def test_a_server_that_cannot_run_the_step_keeps_what_was_typed(
    user: User, app_portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = app_portal.invite()
    await user.open(f"/activate/{token}")
    await fill_step_one(user)
    user.find(marker="full-name").type(FULL_NAME)

    async def shutting_down(*_args: object, **_kwargs: object) -> None:
        return None  # what NiceGUI's run.io_bound returns when the app is shutting down

    monkeypatch.setattr(calls.run, "io_bound", shutting_down)
    user.find(marker="next-user").click()
    await user.should_see("The server is restarting; please try again in a moment. What you typed is still here.")
    assert stepper_of(user).value == "user"
    assert input_of(user, "full-name").value == FULL_NAME
    await user.open(f"/activate/{token}")
    await user.should_see("Please try again")
    await user.should_see("Nothing you saved is lost.")


async def test_activate_from_a_stale_review_signs_nothing_and_shows_what_is_saved(
    user: User, app_portal: Portal
) -> None:
    token = app_portal.invite()
    shown = app_portal.walk_to(token, activation.STEP_ACTIVATE, company="Test5 Inc.")
    await user.open(f"/activate/{token}")  # this tab shows the review: Jane Doe, Test5 Inc.
    await user.should_see("I sign this service contract on behalf of Test5 Inc.")
    view = activation.save_user_properties(
        app_portal.uow(), token, full_name="Clubber Lang", password=None, revision=shown
    )
    activation.save_company_properties(
        app_portal.uow(), token, company_name="Lang Holdings LLC", revision=view.revision
    )
    user.find(marker="signed").click()
    user.find(marker="activate").click()
    await user.should_see("The details changed in another window; check them again.", retries=20)
    await user.should_see("I sign this service contract on behalf of Lang Holdings LLC")
    assert user.find(marker="review-full-name").elements.pop().text == "Clubber Lang"  # type: ignore[attr-defined]  # the marked element is a label / checkbox
    assert user.find(marker="signed").elements.pop().value is False  # type: ignore[attr-defined]  # the marked element is a label / checkbox
    assert app_portal.invitation_for(token).status == InvitationStatus.IN_PROGRESS
    user.find(marker="signed").click()  # having seen them, the signee signs the details now shown
    user.find(marker="activate").click()
    await user.should_see(marker="next-step", retries=20)
    await user.should_see("Lang Holdings LLC")


async def test_a_step_saved_from_a_stale_page_saves_nothing_and_shows_what_is_saved(
    user: User, app_portal: Portal
) -> None:
    token = app_portal.invite()
    shown = app_portal.walk_to(token, activation.STEP_COMPANY)
    await user.open(f"/activate/{token}")
    user.find(marker="back-company").click()  # this tab shows step 2 with Jane Doe
    activation.save_user_properties(app_portal.uow(), token, full_name="Clubber Lang", password=None, revision=shown)
    user.find(marker="full-name").clear().type("Apollo Creed")
    user.find(marker="next-user").click()
    await user.should_see("The details changed in another window; check them again.", retries=20)
    assert input_of(user, "full-name").value == "Clubber Lang"
    assert stepper_of(user).value == "user"
    assert app_portal.revision(token) == shown + 1  # only the other tab's save
