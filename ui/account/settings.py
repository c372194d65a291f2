"""``/account``: Account settings for every signed-in user: full name, password (the current one required),
email (changed through a link sent to the new address), and the notifications the user gets."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.account import passwords, profile
from services.errors import ValidationFailed
from ui.auth import act, current_user, keep_session_after_password_change, login_url, signed_in_only
from ui.components.actions import BusyState, action_button
from ui.components.fields import Form
from ui.components.focus import announce
from ui.theme import DISTRIBUTOR_NAV, Heading, card, page_frame

PATH = "/account"


async def account_settings_page() -> RedirectResponse | None:
    user = await current_user()
    if user is None:
        return RedirectResponse(login_url(PATH))
    settings = await act(profile.account_settings)
    nav = DISTRIBUTOR_NAV if user.account_kind == "distributor" else (("Portal", "/portal"),)
    with page_frame("Account settings", signed_in=True, nav=nav, current=PATH):
        with card():
            Heading("Account settings")
            ui.label(f"Signed in as {settings.email}.").classes("text-slate-700").mark("signed-in-as")
        with card():
            Heading("Your name", 2)
            name_form = Form()
            name_form.summary_spot()
            full_name = name_form.text("full_name", "Full name", value=settings.full_name, autocomplete="name")

            @signed_in_only
            async def save_name() -> None:
                name_form.clear_errors()
                try:
                    await act(profile.change_full_name, full_name=full_name.value)
                except ValidationFailed as failure:
                    name_form.show_errors(failure.errors)
                    return
                announce("Your name was saved.")
                ui.notify("Your name was saved.", type="positive")

            name_busy = BusyState()
            name_form.on_submit(lambda: name_busy.press(save_name))
            action_button("Save name", save_name, busy=name_busy).classes("self-start")
        with card():
            Heading("Password", 2)
            ui.label("Changing it signs out every other browser where you are signed in.").classes("text-slate-700")
            password_form = Form()
            password_form.summary_spot()
            current = password_form.password(
                "current_password", "Current password", autocomplete="current-password", hint=None
            )
            new = password_form.password("new_password", "New password")

            @signed_in_only
            async def change_password() -> None:
                password_form.clear_errors()
                try:
                    changed = await act(
                        passwords.change_password, current_password=current.value, new_password=new.value
                    )
                except ValidationFailed as failure:
                    password_form.show_errors(failure.errors)
                    return
                keep_session_after_password_change(changed.session_version)
                current.value = new.value = ""
                announce("Your password was changed; other sessions were signed out.")
                ui.notify("Your password was changed; other sessions were signed out.", type="positive")

            password_busy = BusyState()
            password_form.on_submit(lambda: password_busy.press(change_password))
            action_button("Change password", change_password, busy=password_busy).classes("self-start")
        with card():
            Heading("Email address", 2)
            pending = ui.label("").classes("text-slate-700").mark("pending-email")
            if settings.pending_email:
                pending.text = f"Waiting for confirmation: {settings.pending_email}."
            email_form = Form()
            email_form.summary_spot()
            new_email = email_form.text("new_email", "New email address", input_type="email", autocomplete="email")
            email_password = email_form.password(
                "password", "Current password", autocomplete="current-password", hint=None
            )

            @signed_in_only
            async def change_email() -> None:
                email_form.clear_errors()
                try:
                    said = await act(
                        profile.request_email_change, new_email=new_email.value, password=email_password.value
                    )
                except ValidationFailed as failure:
                    email_form.show_errors(failure.errors)
                    return
                email_password.value = ""
                pending.text = said
                announce(said)

            email_busy = BusyState()
            email_form.on_submit(lambda: email_busy.press(change_email))
            action_button("Send confirmation link", change_email, busy=email_busy).classes("self-start")
        if settings.switches:
            with card():
                Heading("Email notifications", 2)
                for switch in settings.switches:
                    _notification_switch(switch)
    return None


def _notification_switch(switch: profile.Switch) -> None:
    box = ui.checkbox(switch.label, value=switch.enabled).mark(f"notify-{switch.topic}")

    @signed_in_only
    async def changed() -> None:
        try:
            enabled = await act(profile.switch_notification, topic=switch.topic, enabled=bool(box.value))
        except ValidationFailed as failure:
            ui.notify(next(iter(failure.errors.values())), type="warning")
            return
        announce("Saved: " + ("on" if enabled else "off"))

    box.on_value_change(changed)
