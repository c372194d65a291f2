"""Signing in, the portal's access rule, and signing out."""

from __future__ import annotations

import httpx
import pytest
from nicegui.testing import User

from portal_testing.factories import EMAIL, PASSWORD, RESELLER, Portal
from ui.auth import safe_next


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


async def sign_out(user: User, origin: str = "http://test") -> int:
    """Press Sign out: a form POST (the simulated user cannot submit forms)."""
    response = await user.http_client.post("/logout", headers={"Origin": origin})
    return response.status_code


async def test_sign_out_ends_the_session(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/login")
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)
    assert await sign_out(user) == 303
    await user.open("/portal")
    await user.should_see("Sign in to your reseller portal.", retries=30)


async def test_sign_out_is_a_post_from_this_site_only(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/login")
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)
    await user.open("/logout")  # a link or an image cannot sign anyone out
    assert await sign_out(user, origin="https://evil.example") == 403
    await user.open("/portal")
    await user.should_see(marker="next-step", retries=30)


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "/%09/evil.example/",
        "javascript:alert(1)",
        "/activate/../../evil",
        "/login",
    ],
)
def test_next_is_a_page_of_this_site_or_nothing(next_path: str) -> None:
    from urllib.parse import unquote

    assert safe_next(unquote(next_path)) is None
    assert safe_next("/distributor/partners?x=1") == "/distributor/partners?x=1"


async def test_next_parameter_never_leads_to_another_site(user: User, app_portal: Portal) -> None:
    app_portal.activate(app_portal.invite())
    await user.open("/login?next=/%09/evil.example/")
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)
    assert user.client is not None and user.client.request is not None
    assert user.client.request.url.path == "/portal"


async def test_signing_in_gives_the_browser_a_new_session(user: User, app_portal: Portal) -> None:
    """A session cookie planted before sign-in is worth nothing after it (session fixation)."""
    app_portal.activate(app_portal.invite())
    await user.open("/login")
    planted = dict(user.http_client.cookies)
    await sign_in(user, EMAIL, PASSWORD)
    await user.should_see(marker="next-step", retries=30)
    assert dict(user.http_client.cookies)["session"] != planted["session"]
    async with httpx.AsyncClient(
        transport=user.http_client._transport, base_url=str(user.http_client.base_url), cookies=planted
    ) as attacker:
        response = await attacker.get("/portal", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"].startswith("/login")


async def test_home_page_offers_sign_in(user: User) -> None:
    await user.open("/")
    await user.should_see("Welcome to the Reseller Portal")
