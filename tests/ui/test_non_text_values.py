"""A browser can send any JSON value for any field (an object for a text input, a word for a number): each gets a
field error where it was typed, never an exception that fails the handler unseen."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from portal_testing.factories import Portal
from tests.ui.test_activation_stepper import input_of, stepper_of, until
from tests.ui.test_distributor_pages import open_create_invitation


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], 42, True])
async def test_each_step_refuses_a_value_that_is_not_text_with_a_field_error(
    user: User, app_portal: Portal, value: object, caplog: pytest.LogCaptureFixture
) -> None:
    token = app_portal.invite()
    await user.open(f"/activate/{token}")
    await user.should_see("Activate your reseller portal")
    input_of(user, "email").value = value
    user.find(marker="accepted").click()
    user.find(marker="next-agreement").click()
    await until(lambda: input_of(user, "email").error)
    input_of(user, "email").value = "jane@example.com"
    user.find(marker="next-agreement").click()
    await until(lambda: stepper_of(user).value == "user")
    input_of(user, "full-name").value = value
    input_of(user, "password").value = value
    user.find(marker="next-user").click()
    await until(lambda: input_of(user, "full-name").error and input_of(user, "password").error)
    assert "Traceback" not in caplog.text


async def test_sign_in_with_values_that_are_not_text_is_an_ordinary_failure(user: User, app_portal: Portal) -> None:
    await user.open("/login")
    email, password = (element for element in user.find(ui.input).elements)
    email.value, password.value = {"$ne": None}, ["x"]
    user.find("Sign in").trigger("click")
    await user.should_see("Enter your email address.", retries=30)  # not text: as good as nothing typed
    await user.should_see("Enter your password.")


async def test_create_invitation_refuses_days_that_are_not_a_whole_number(user: User, app_portal: Portal) -> None:
    await open_create_invitation(user, app_portal)
    expiry = user.find(marker="invite-expiry").elements.pop()
    assert isinstance(expiry, ui.input)
    for typed in ("2.5", 2.5, "two"):  # not a whole number of days: refused, never rounded
        expiry.value = typed
        user.find(marker="create-invitation-submit").click()
        await until(lambda: expiry.error)
        assert expiry.error == "Enter a whole number of days, from 1 to 90."
        expiry.error = None
    expiry.value = "120"  # beyond the maximum: refused, never cut to 90
    user.find(marker="create-invitation-submit").click()
    await until(lambda: expiry.error)
    assert expiry.error == "An invitation expires in 1 to 90 days."
