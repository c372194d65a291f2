"""``/activate/<token>``: the reseller's four-step activation stepper, and the bad-link pages."""

from __future__ import annotations

from nicegui import ui

from services import activation, new_contracts
from services.activation import ActivationView, StaleDraft
from services.errors import (
    Forbidden,
    InvitationAlreadyActivated,
    InvitationExpired,
    InvitationNotFound,
    InvitationProblem,
    InvitationRevoked,
    StepIncomplete,
    ValidationFailed,
)
from services.markdown import SafeHtml
from services.throttle import TooManyAttempts
from ui.auth import current_user, login_url, sign_in, signed_in_user_id
from ui.calls import ServerBusy, client_address, open_link, perform, respond_with, user_agent
from ui.components import (
    RenderFailed,
    agreement_text,
    markdown_view,
    password_field,
    plain_agreement_text,
    render_markdown,
)
from ui.theme import Heading, MessageSpot, card, page_frame

STEPS = {
    activation.STEP_AGREEMENT: ("agreement", "Review the contract", "description"),
    activation.STEP_USER: ("user", "User properties", "person"),
    activation.STEP_COMPANY: ("company", "Company properties", "business"),
    activation.STEP_ACTIVATE: ("activate", "Activate the contract", "verified"),
}

LINK_PROBLEMS: dict[type[InvitationProblem], tuple[str, str]] = {
    InvitationNotFound: (
        "Activation link not valid",
        "This link does not open any invitation. Check that you copied the whole link from the message you "
        "received, or ask your distributor to send you a new activation link.",
    ),
    InvitationExpired: (
        "Activation link expired",
        "This activation link is past its expiry date. Ask your distributor to send you a new one.",
    ),
    InvitationRevoked: (
        "Activation link revoked",
        "Your distributor has withdrawn this activation link. Ask your distributor for a new one if you "
        "still need to activate your portal.",
    ),
    InvitationAlreadyActivated: (
        "Portal already activated",
        "This portal has already been activated with this link. Sign in to use it.",
    ),
}


def too_many_attempts_page(problem: TooManyAttempts) -> None:
    """Shown to a client that tried too many unknown links (HTTP 429, with ``Retry-After``)."""
    respond_with(429, retry_after_seconds=problem.retry_after.total_seconds())
    with page_frame("Too many attempts"), card():
        Heading("Too many attempts").mark("link-problem")
        ui.label(f"{problem.message} If you have a link from your distributor, check that you copied all of it.")


def server_busy_page(token: str, busy: ServerBusy) -> None:
    """Shown when the server could not open the link just now (it is restarting a worker, or shutting down)."""
    respond_with(503, retry_after_seconds=5)
    with page_frame("Please try again"), card():
        Heading("Please try again").mark("server-busy")
        ui.label(f"{busy} Nothing you saved is lost.").classes("text-slate-700")
        ui.link("Open the link again", f"/activate/{token}").classes(
            "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"
        )


def link_problem_page(problem: InvitationProblem) -> None:
    """A clear page saying what is wrong with the link and what to do next: HTTP 404 for a link that never
    existed, 410 for one that did (expired, revoked, used)."""
    respond_with(404 if isinstance(problem, InvitationNotFound) else 410)
    title, advice = LINK_PROBLEMS[type(problem)]
    with page_frame(title), card():
        Heading(title).mark("link-problem")
        ui.label(advice).classes("text-slate-700")
        if isinstance(problem, InvitationAlreadyActivated):
            ui.link("Sign in", "/login").classes(
                "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"
            ).mark("sign-in")


class ActivationWizard:
    """The stepper. Each **Next** calls one service, which saves the step before the stepper moves on."""

    def __init__(
        self, token: str, view: ActivationView, address: str | None, agent: str | None, agreement_html: SafeHtml | None
    ) -> None:
        self.token = token
        self.view = view
        self.agreement_html = agreement_html
        self.address = address
        self.agent = agent
        self.changing_password = not view.password_set
        self.saving = False  # a step's Next is running: a second click waits for its answer instead
        self.fields: dict[str, ui.input] = {}  # the inputs built so far, by the service's field name
        self.messages: dict[str, MessageSpot] = {}  # the checkboxes' messages built so far, likewise
        # A step's content is built when the step is first shown: most visits never go back to every step,
        # and each element costs server time and memory for as long as the reseller stays connected.
        self.builders = {
            activation.STEP_AGREEMENT: self._agreement_step,
            activation.STEP_USER: self._user_step,
            activation.STEP_COMPANY: self._company_step,
            activation.STEP_ACTIVATE: self._activate_step,
        }
        with ui.stepper().props("vertical flat").classes("w-full") as self.stepper:
            self.steps = {
                number: ui.step(name, title=title, icon=icon) for number, (name, title, icon) in STEPS.items()
            }
        self.show(view.furthest_step)

    # ----------------------------------------------------------------- steps

    def _agreement_step(self) -> None:
        view = self.view
        if view.note_to_signee:
            with ui.card().classes("w-full bg-blue-50 shadow-none p-3").props('role="note"'):
                ui.label(f"Note from {view.distributor_name}").classes("text-sm font-semibold text-slate-800")
                ui.label(view.note_to_signee).classes("whitespace-pre-line text-slate-800").mark("note")
        Heading(f"{view.agreement_title} (version {view.agreement_version})", 3).mark("agreement-title")
        if self.agreement_html is not None:
            markdown_view(self.agreement_html)
        else:  # shown as written, every character of it
            plain_agreement_text(view.agreement_text)
        self.email = self.fields["email"] = (
            ui.input("Email", value=view.email)
            .props("type=email autocomplete=email outlined")
            .classes("w-full")
            .mark("email")
        )
        self.accepted = ui.checkbox("I have read and accepted the agreement", value=view.accepted).mark("accepted")
        self.messages["accepted"] = MessageSpot(self.accepted)
        ui.button("Next", on_click=self.save_agreement).classes("self-start mt-2").mark("next-agreement")

    def _user_step(self) -> None:
        self.full_name = self.fields["full_name"] = (
            ui.input("Full name", value=self.view.full_name)
            .props("autocomplete=name outlined maxlength=200")
            .classes("w-full")
            .mark("full-name")
        )
        with ui.row().classes("w-full items-center gap-2") as self.password_set_row:
            ui.icon("check_circle").classes("text-positive")
            ui.label("Password is set.").classes("text-slate-800")
            ui.button("Change password", on_click=self._change_password).props("flat no-caps").mark("change-password")
        self.password = self.fields["password"] = password_field()
        self._show_password_field(self.changing_password)
        with ui.stepper_navigation():
            ui.button("Back", on_click=lambda: self.go_to(activation.STEP_AGREEMENT)).props("flat").mark("back-user")
            ui.button("Next", on_click=self.save_user).mark("next-user")

    def _company_step(self) -> None:
        self.company_name = self.fields["company_name"] = (
            ui.input("Company name", value=self.view.company_name)
            .props(
                "autocomplete=organization outlined maxlength=200 "
                'hint="Your legal entity name with its type, for example Champions Corp or Acme GmbH."'
            )
            .classes("w-full")
            .mark("company-name")
        )
        with ui.stepper_navigation():
            ui.button("Back", on_click=lambda: self.go_to(activation.STEP_USER)).props("flat").mark("back-company")
            ui.button("Next", on_click=self.save_company).mark("next-company")

    def _activate_step(self) -> None:
        ui.label("Check what you entered, then sign and activate.").classes("text-slate-700")
        with ui.column().classes("w-full gap-2"):
            self.review_contract = self._review_row("Contract", activation.STEP_AGREEMENT, "review-contract")
            self.review_email = self._review_row("Email", activation.STEP_AGREEMENT, "review-email")
            self.review_name = self._review_row("Full name", activation.STEP_USER, "review-full-name")
            self._review_row("Password", activation.STEP_USER, "review-password").text = "Set"
            self.review_company = self._review_row("Company name", activation.STEP_COMPANY, "review-company")
        self.signed = ui.checkbox("").mark("signed")
        self.messages["signed"] = MessageSpot(self.signed)
        with ui.stepper_navigation():
            ui.button("Back", on_click=lambda: self.go_to(activation.STEP_COMPANY)).props("flat").mark("back-activate")
            self.activate_button = ui.button("Activate", on_click=self.activate).mark("activate")

    def _review_row(self, label: str, step: int, marker: str) -> ui.label:
        with ui.row().classes("w-full items-start justify-between gap-2 border-b border-slate-200 pb-2 no-wrap"):
            with ui.column().classes("gap-0 min-w-0"):
                ui.label(label).classes("text-sm text-slate-600")
                value = ui.label("").classes("text-slate-900 font-medium break-all").mark(marker)
            edit = ui.button("Edit", on_click=lambda: self.go_to(step)).props("flat dense no-caps")
            edit.props["aria-label"] = f"Edit {label.lower()}"
            edit.mark(f"edit-{marker.removeprefix('review-')}")
        return value

    # ----------------------------------------------------------------- behaviour

    def show(self, step: int) -> None:
        """Open ``step``, building its content the first time; the review always shows what is saved."""
        if not self.steps[step].default_slot.children:
            with self.steps[step]:
                self.builders[step]()
        if step == activation.STEP_ACTIVATE:
            self._refresh_review()
        self.stepper.value = STEPS[step][0]

    def go_to(self, step: int) -> None:
        """Show a step the reseller has already reached (Back and Edit never lose data)."""
        if step <= self.view.furthest_step:
            self.show(step)

    def _refresh_review(self) -> None:
        view = self.view
        self.review_contract.text = (
            f"{view.agreement_title}, version {view.agreement_version}, from {view.distributor_name}"
        )
        self.review_email.text = view.email
        self.review_name.text = view.full_name
        self.review_company.text = view.company_name
        self.signed.text = f"I sign this service contract on behalf of {view.company_name or 'my company'}"

    def _change_password(self) -> None:
        self._show_password_field(True)
        self.password.run_method("focus")

    def _show_password_field(self, show: bool) -> None:
        self.changing_password = show
        self.password.visible = show
        self.password_set_row.visible = not show

    def _clear_errors(self, *inputs: ui.input) -> None:
        for element in inputs:
            element.error = None
        for message in self.messages.values():
            message.show(None)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for field, message in errors.items():
            if field in self.fields:
                self.fields[field].error = message
            elif field in self.messages:
                self.messages[field].show(message)
        if "password" in errors and "password" in self.fields:
            self._show_password_field(True)

    async def _save(self, action: object, next_step: int, *inputs: ui.input, **values: object) -> bool:
        """Call one step's service with the draft revision this page shows; on success move on, otherwise show
        what is wrong where it is wrong."""
        if self.saving:  # a double click: the first click's save answers for both
            return False
        self.saving = True
        self._clear_errors(*inputs)
        try:
            self.view = await perform(  # type: ignore[call-overload]
                action, self.token, client_address=self.address, revision=self.view.revision, **values
            )
        except StaleDraft as stale:
            self.show_saved(stale.view)
            return False
        except ValidationFailed as failure:
            self._show_errors(failure.errors)
            return False
        except StepIncomplete as incomplete:
            ui.notify(f"Please complete step {incomplete.step} first.", type="warning")
            self.go_to(incomplete.step)
            return False
        except InvitationProblem:
            ui.navigate.to(f"/activate/{self.token}")  # the link's page says what happened
            return False
        except ServerBusy as busy:
            ui.notify(f"{busy} What you typed is still here.", type="negative")
            return False
        finally:
            self.saving = False
        self.show(next_step)
        return True

    def show_saved(self, view: ActivationView) -> None:
        """Another window saved this draft meanwhile, so nothing was saved from this one: show what is saved
        now on every step built so far, untick the signature, and say so."""
        self.view = view
        if "email" in self.fields:
            self.email.value = view.email
            self.accepted.value = view.accepted
        if "full_name" in self.fields:
            self.full_name.value = view.full_name
            self.password.value = ""
            self._show_password_field(not view.password_set)
        if "company_name" in self.fields:
            self.company_name.value = view.company_name
        if "signed" in self.messages:
            self._refresh_review()
            self.signed.value = False
            self.messages["signed"].show(activation.STALE_DRAFT)
        ui.notify(activation.STALE_DRAFT, type="warning")

    async def save_agreement(self) -> None:
        """Step 1's **Next**."""
        await self._save(
            activation.accept_agreement,
            activation.STEP_USER,
            self.email,
            email=self.email.value,
            accepted=bool(self.accepted.value),
            user_agent=self.agent,
        )

    async def save_user(self) -> None:
        """Step 2's **Next**. An untouched password field keeps the password already set."""
        password = self.password.value if self.changing_password else None
        if await self._save(
            activation.save_user_properties,
            activation.STEP_COMPANY,
            self.full_name,
            self.password,
            full_name=self.full_name.value,
            password=password,
        ):
            self.password.value = ""
            self._show_password_field(False)

    async def save_company(self) -> None:
        """Step 3's **Next**."""
        await self._save(
            activation.save_company_properties,
            activation.STEP_ACTIVATE,
            self.company_name,
            company_name=self.company_name.value,
        )

    async def activate(self) -> None:
        """**Activate**: create the account, sign the contract, sign the reseller in, open the portal."""
        self._clear_errors()
        self.activate_button.disable()
        try:
            portal = await perform(
                activation.activate,
                self.token,
                signed=bool(self.signed.value),
                revision=self.view.revision,
                client_address=self.address,
                user_agent=self.agent,
            )
        except StaleDraft as stale:  # another window changed the details: sign only what this page shows
            self.show_saved(stale.view)
            return
        except ValidationFailed as failure:
            if "email" in failure.errors:  # taken meanwhile: the email is on the first step
                self.go_to(activation.STEP_AGREEMENT)
            self._show_errors(failure.errors)
            return
        except StepIncomplete as incomplete:
            ui.notify(f"Please complete step {incomplete.step} first.", type="warning")
            self.go_to(incomplete.step)
            return
        except InvitationProblem:
            ui.navigate.to(f"/activate/{self.token}")
            return
        except ServerBusy as busy:
            ui.notify(f"{busy} Press Activate again.", type="negative")
            return
        finally:
            self.activate_button.enable()
        sign_in(portal.user_id, "/portal")


async def activation_page(token: str) -> None:
    """``/activate/<token>``: the stepper, resumed at the furthest step reached, or the bad-link page."""
    address, agent = client_address(), user_agent()
    try:
        view = await open_link(activation.open_invitation, token, client_address=address)
    except InvitationProblem as problem:
        link_problem_page(problem)
        return
    except TooManyAttempts as problem:
        too_many_attempts_page(problem)
        return
    except ServerBusy as busy:
        server_busy_page(token, busy)
        return
    if view.existing_account_id is not None:
        await new_contract_page(token, view, address, agent)
        return
    with page_frame("Activate your portal"), card():
        Heading("Activate your reseller portal")
        ui.label(f"Invited by {view.distributor_name}").classes("text-slate-700 -mt-2")
        ActivationWizard(token, view, address, agent, await _rendered_or_none(view.agreement_text))


async def _rendered_or_none(text: str) -> SafeHtml | None:
    try:
        return await render_markdown(text)
    except RenderFailed:
        return None


async def new_contract_page(token: str, view: ActivationView, address: str | None, agent: str | None) -> None:
    """A new contract offered to an existing reseller account: a user of it, signed in, reviews the agreement
    and signs; no new account is made."""
    user = await current_user()
    account = view.existing_account_name or "your company"
    with page_frame("Sign your new contract", signed_in=user is not None), card():
        Heading(f"A new service contract for {account}")
        ui.label(f"Offered by {view.distributor_name}").classes("text-slate-700 -mt-2")
        if user is None or user.account_id != view.existing_account_id:
            if user is None:
                ui.label(f"Sign in with your {account} account to review and sign it.").classes("text-slate-700")
                ui.link("Sign in", login_url(f"/activate/{token}")).classes(
                    "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"
                ).mark("sign-in")
            else:
                ui.label(
                    f"You are signed in as {user.full_name}, who is not a user of {account}. Sign out, then open "
                    "this link again and sign in as a user of it."
                ).classes("text-slate-700").mark("wrong-account")
            return
        if view.note_to_signee:
            with ui.card().classes("w-full bg-blue-50 shadow-none p-3").props('role="note"'):
                ui.label(f"Note from {view.distributor_name}").classes("text-sm font-semibold text-slate-800")
                ui.label(view.note_to_signee).classes("whitespace-pre-line text-slate-800").mark("note")
        Heading(f"{view.agreement_title} (version {view.agreement_version})", 2).mark("agreement-title")
        await agreement_text(view.agreement_text)
        accepted = ui.checkbox("I have read and accepted the agreement").mark("accepted")
        accepted_message = MessageSpot(accepted)
        signed = ui.checkbox(f"I sign this service contract on behalf of {account}").mark("signed")
        signed_message = MessageSpot(signed)

        async def submit() -> None:
            accepted_message.show(None)
            signed_message.show(None)
            user_id = signed_in_user_id()  # the session as it is now: signed out meanwhile signs nothing
            if user_id is None:
                ui.navigate.to(login_url(f"/activate/{token}"))
                return
            try:
                await perform(
                    new_contracts.sign_new_contract,
                    token,
                    user_id=user_id,
                    accepted=bool(accepted.value),
                    signed=bool(signed.value),
                    client_address=address,
                    user_agent=agent,
                )
            except ValidationFailed as failure:
                accepted_message.show(failure.errors.get("accepted"))
                signed_message.show(failure.errors.get("signed"))
                return
            except InvitationProblem:
                ui.navigate.to(f"/activate/{token}")  # the link's page says what happened
                return
            except Forbidden as problem:
                ui.notify(problem.message, type="warning")
                return
            ui.navigate.to("/portal")

        ui.button("Sign the contract", on_click=submit).classes("self-start").mark("sign-new-contract")
