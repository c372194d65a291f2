"""``/forgot-password``, ``/reset-password/<token>`` and ``/confirm-email/<token>``: getting back into an account
and confirming a new email address, all through links sent by email."""

from __future__ import annotations

from nicegui import ui
from nicegui.element import Element

from services.account import passwords, profile
from services.account.links import AccountLinkInvalid
from services.errors import ValidationFailed
from services.throttle import TooManyAttempts
from ui.calls import client_address, open_link, perform, respond_with
from ui.components.actions import BusyState, action_button
from ui.components.fields import Form
from ui.components.focus import announce, move_focus
from ui.theme import Heading, card, page_frame


async def forgot_password_page() -> None:
    """Ask for a reset link. The answer is the same whether or not the email has an account, and the work behind
    it runs in a service worker either way (never on the event loop)."""
    address = client_address()
    with page_frame("Forgot password"), card().classes("max-w-md mx-auto"):
        Heading("Forgot your password?")
        ui.label("Give the email you sign in with; we will send it a link to choose a new password.").classes(
            "text-slate-700"
        )
        form = Form()
        form.summary_spot()
        email = form.text("email", "Email", input_type="email", autocomplete="email")
        answer = ui.label("").classes("text-slate-800 font-medium").mark("reset-answer")
        answer.props["role"] = "status"
        answer.set_visibility(False)

        async def submit() -> None:
            form.clear_errors()
            try:
                said = await perform(passwords.request_password_reset, email.value, client_address=address)
            except ValidationFailed as failure:
                form.show_errors(failure.errors)
                return
            answer.text = said  # a role=status region: read out as it changes
            answer.set_visibility(True)

        busy = BusyState()
        form.on_submit(lambda: busy.press(submit))
        action_button("Send reset link", submit, busy=busy).classes("self-start")
        ui.link("Back to sign in", "/login").classes("self-start text-primary font-medium")


def _link_problem(problem: Exception) -> None:
    if isinstance(problem, TooManyAttempts):
        respond_with(429, retry_after_seconds=problem.retry_after.total_seconds())
    else:
        respond_with(410)
    with page_frame("Link not usable"), card():
        Heading("This link cannot be used").mark("link-problem")
        ui.label(getattr(problem, "message", str(problem))).classes("text-slate-700")
        ui.link("Ask for a new link", "/forgot-password").classes("text-primary font-medium")


async def reset_password_page(token: str) -> None:
    """Choose a new password with the emailed link; afterwards, sign in with it."""
    address = client_address()
    try:
        view = await open_link(passwords.open_reset_link, token, client_address=address)
    except (AccountLinkInvalid, TooManyAttempts) as problem:
        _link_problem(problem)
        return
    with page_frame("Choose a new password"), card().classes("max-w-md mx-auto"):
        heading = Heading("Choose a new password")
        ui.label(f"For {view.full_name} ({view.email}). Every other session of yours will be signed out.").classes(
            "text-slate-700"
        )
        form = Form()
        form.summary_spot()
        password = form.password("password", "New password")
        done = ui.column().classes("gap-2")
        done.set_visibility(False)

        async def submit() -> None:
            form.clear_errors()
            try:
                await perform(passwords.reset_password, token, password=password.value, client_address=address)
            except ValidationFailed as failure:
                form.show_errors(failure.errors)
                return
            except AccountLinkInvalid as problem:
                form.show_problem(problem.message)
                return
            password.value = ""
            for element in (*form.fields.values(), button):
                if isinstance(element, Element):
                    element.set_visibility(False)
            heading.text = "Your password was changed"
            with done:
                ui.label("Sign in with your new password.").classes("text-slate-700")
                ui.link("Sign in", "/login").classes("text-primary font-medium").mark("sign-in-link")
            done.set_visibility(True)
            move_focus(heading)
            announce("Your password was changed.")

        busy = BusyState()
        form.on_submit(lambda: busy.press(submit))
        button = action_button("Set new password", submit, busy=busy).classes("self-start")


async def confirm_email_page(token: str) -> None:
    """The new address's confirmation link: a button confirms it (a mail scanner that opens links changes
    nothing), then the person is told."""
    address = client_address()
    try:
        await open_link(profile.open_email_confirmation, token, client_address=address)
    except (AccountLinkInvalid, TooManyAttempts) as problem:
        _link_problem(problem)
        return
    with page_frame("Confirm your new email"), card().classes("max-w-md mx-auto"):
        heading = Heading("Confirm your new email address")
        said = ui.label("Press Confirm to sign in with this address from now on.").classes("text-slate-700")

        async def confirm_it() -> None:
            try:
                new_email = await perform(profile.confirm_email_change, token, client_address=address)
            except AccountLinkInvalid as problem:
                said.text = problem.message
                move_focus(heading)
                return
            except ValidationFailed as failure:
                said.text = next(iter(failure.errors.values()))
                move_focus(heading)
                return
            button.set_visibility(False)
            heading.text = "Your email address was changed"
            said.text = f"Sign in with {new_email} from now on."
            move_focus(heading)
            announce("Your email address was changed.")

        button = action_button("Confirm", confirm_it).classes("self-start")
