"""Signing in, the portal's access rule, and signing out."""

from __future__ import annotations

from nicegui.testing import User

from tests.helpers import EMAIL, PASSWORD, RESELLER, Portal


async def sign_in(user: User, email: str, password: str) -> None:
    user.find("Email").type(email)
    user.find("Password").type(password)
    user.find("Sign in").trigger("click")


async def test_portal_requires_sign_in_and_comes_back_after_it(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/portal")
    await user.should_see("Sign in to your reseller portal.", retries=30)
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)
    await user.should_see(RESELLER)
    await user.should_see("Hub and Marketplace Creation")


async def test_wrong_password_and_unknown_email_get_the_same_message(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/login")
    await sign_in(user, EMAIL, PASSWORD + "!")
    await user.should_see("The email or password is incorrect.", retries=30)
    await user.open("/login")
    await sign_in(user, "nobody@nowhere.example", PASSWORD)
    await user.should_see("The email or password is incorrect.", retries=30)
    await user.should_not_see(marker="next-step")


async def test_sign_out_ends_the_session(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/login")
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)
    user.find("Sign out").click()
    await user.should_see("Sign in to your reseller portal.", retries=30)
    await user.open("/portal")
    await user.should_see("Sign in to your reseller portal.", retries=30)


async def test_next_parameter_never_leads_to_another_site(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/login?next=//evil.example/")
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)


async def test_home_page_offers_sign_in(user: User) -> None:
    await user.open("/")
    await user.should_see("Welcome to the Reseller Portal")
