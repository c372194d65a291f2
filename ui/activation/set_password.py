"""``/set-password/<token>``: a directly created reseller's representative sets a password, accepts the
service agreement and lands signed in on the portal."""

from __future__ import annotations

from nicegui import ui

from services.distributor import partners
from services.errors import SetPasswordLinkProblem, ValidationFailed
from services.throttle import TooManyAttempts
from ui.auth import sign_in
from ui.calls import client_address, open_link, perform, respond_with, user_agent
from ui.components.actions import BusyState, action_button
from ui.components.agreement import agreement_text
from ui.components.fields import Form
from ui.theme import Heading, card, page_frame


async def set_password_page(token: str) -> None:
    """The set-password page, or a clear page saying why the link cannot be used."""
    address, agent = client_address(), user_agent()
    try:
        view = await open_link(partners.open_set_password_link, token, client_address=address)
    except (SetPasswordLinkProblem, TooManyAttempts) as problem:
        if isinstance(problem, TooManyAttempts):
            respond_with(429, retry_after_seconds=problem.retry_after.total_seconds())
        else:
            respond_with(404 if isinstance(problem, partners.UnknownSetPasswordLink) else 410)
        name = getattr(problem, "distributor_name", None)
        with page_frame("Link not usable"), card():
            Heading("Set-password link not usable").mark("link-problem")
            if name:
                ui.label(f"From {name}").classes("text-slate-700 -mt-2").mark("link-distributor")
            ui.label(problem.message).classes("text-slate-700")
            ui.link("Sign in", "/login").classes("text-primary font-medium")
        return
    with page_frame("Set your password"), card():
        Heading(f"Welcome, {view.full_name}")
        ui.label(
            f"{view.distributor_name} created a reseller portal for {view.company_name}. Set your password "
            "and accept the service agreement to start."
        ).classes("text-slate-700")
        form = Form()
        form.summary_spot()
        email = form.text("email", "Email", value=view.email)
        email.props("readonly")
        Heading(f"{view.agreement_title} (version {view.agreement_version})", 2)
        await agreement_text(view.agreement_text)
        password = form.password("password").mark("password")
        accepted = form.checkbox("accepted", "I have read and accepted the agreement").mark("accepted")

        async def submit() -> None:
            form.clear_errors()
            try:
                done = await perform(
                    partners.set_password,
                    token,
                    password=password.value,
                    accepted=bool(accepted.value),
                    client_address=address,
                    user_agent=agent,
                )
            except ValidationFailed as failure:
                form.show_errors(failure.errors)
                return
            except SetPasswordLinkProblem as problem:
                ui.notify(problem.message, type="warning")
                ui.navigate.to(f"/set-password/{token}")
                return
            sign_in(done.user_id, "/portal")

        busy = BusyState()
        form.on_submit(lambda: busy.press(submit))
        action_button("Set password and activate", submit, busy=busy).classes("self-start").mark("set-password-submit")
