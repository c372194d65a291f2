"""``/activate/<token>``: the reseller's four-step activation stepper, and the bad-link pages."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from services.activation import steps as activation
from services.activation.steps import STALE_DRAFT, ActivationView, StaleDraft
from services.distributor import new_contracts
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
from ui.calls import ServerBusy, browser_key, client_address, open_link, perform, respond_with, user_agent
from ui.components.actions import Action, BusyState, action_button
from ui.components.agreement import (
    RenderFailed,
    agreement_text,
    markdown_view,
    plain_agreement_text,
    render_markdown,
)
from ui.components.fields import Form
from ui.components.focus import announce, move_focus
from ui.theme import Heading, card, page_frame

STEPS = {  # the stepper's name and icon for each step
    activation.STEP_AGREEMENT: ("agreement", "description"),
    activation.STEP_USER: ("user", "person"),
    activation.STEP_COMPANY: ("company", "business"),
    activation.STEP_ACTIVATE: ("activate", "verified"),
}
LINK_PROBLEMS: dict[type[InvitationProblem], tuple[str, str]] = {
    InvitationNotFound: (
        "Activation link not valid",
        "This link does not open any invitation. Check that you copied the whole link from the message you "
        "received, or ask your distributor to send you a new activation link.",
    ),
    InvitationExpired: (
        "Activation link expired",
        "This activation link is past its expiry date. Ask {distributor} to send you a new one.",
    ),
    InvitationRevoked: (
        "Activation link revoked",
        "{Distributor} has withdrawn this activation link. Ask {distributor} for a new one if you still need "
        "to activate your portal.",
    ),
    InvitationAlreadyActivated: (
        "Portal already activated",
        "This portal has already been activated with this link. Sign in to use it.",
    ),
}


def step_heading(step: int) -> str:
    """A step's heading: where the reseller is, and what the step is about."""
    return f"Step {step} of {len(STEPS)} — {activation.STEP_TITLES[step]}"


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
    name = problem.distributor_name
    advice = advice.format(distributor=name or "your distributor", Distributor=name or "Your distributor")
    with page_frame(title), card():
        Heading(title).mark("link-problem")
        if name:
            ui.label(f"From {name}").classes("text-slate-700 -mt-2").mark("link-distributor")
        ui.label(advice).classes("text-slate-700")
        if isinstance(problem, InvitationAlreadyActivated):
            ui.link("Sign in", "/login").classes(
                "self-start bg-primary text-white no-underline rounded px-4 py-2 font-medium"
            ).mark("sign-in")


class ActivationWizard:
    """The stepper. Each **Next** calls one service, which saves the step before the stepper moves on. Each step
    is a :class:`Form` under a real heading ("Step 2 of 4 — User properties") that takes the focus when the step
    opens; **Edit** on the review comes straight back to the review after **Next** ("check your answers")."""

    def __init__(
        self, token: str, view: ActivationView, address: str | None, agent: str | None, agreement_html: SafeHtml | None
    ) -> None:
        self.token = token
        self.view = view
        self.agreement_html = agreement_html
        self.address = address
        self.agent = agent
        self.changing_password = not view.password_set
        self.returning_to_review = False  # an Edit from the review: Next goes back to it
        self.busy = BusyState()  # one step is shown at a time; its Back and Next share this
        self.forms: dict[int, Form] = {}
        self.headings: dict[int, Heading] = {}
        # A step's content is built when the step is first shown: most visits never go back to every step,
        # and each element costs server time and memory for as long as the reseller stays connected.
        self.builders = {
            activation.STEP_AGREEMENT: self._agreement_step,
            activation.STEP_USER: self._user_step,
            activation.STEP_COMPANY: self._company_step,
            activation.STEP_ACTIVATE: self._activate_step,
        }
        with ui.stepper().props("flat alternative-labels").classes("activation-stepper w-full") as self.stepper:
            self.steps = {
                number: ui.step(name, title=activation.STEP_TITLES[number], icon=icon)
                for number, (name, icon) in STEPS.items()
            }
        self.show(view.furthest_step, focus=False)

    # ----------------------------------------------------------------- steps

    def _begin_step(self, step: int) -> Form:
        """The step's heading and the place for its error summary."""
        heading = Heading(step_heading(step), 2).props("tabindex=-1").mark(f"step-heading-{step}")
        self.headings[step] = heading
        form = self.forms[step] = Form(heading_level=3)
        form.summary_spot()
        return form

    def _navigation(self, step: int, back_to: int | None, next_text: str, next_action: Action, marker: str) -> None:
        with ui.row().classes("w-full items-center gap-2 mt-2"):
            if back_to is not None:  # no service call: at once, unless Next is running
                back = ui.button("Back", on_click=lambda: None if self.busy.running else self.go_to(back_to))
                back.props("flat").mark(f"back-{STEPS[step][0]}")
                self.busy.add(back)
            button = action_button(next_text, next_action, busy=self.busy).mark(marker)
        self.forms[step].on_submit(lambda: self.busy.press(next_action))
        if step == activation.STEP_ACTIVATE:
            self.activate_button = button

    def _agreement_step(self) -> None:
        view = self.view
        form = self._begin_step(activation.STEP_AGREEMENT)
        if view.note_to_signee:
            with ui.card().classes("w-full bg-blue-50 shadow-none p-3").props('role="note"'):
                ui.label(f"Note from {view.distributor_name}").classes("text-sm font-semibold text-slate-800")
                ui.label(view.note_to_signee).classes("whitespace-pre-line text-slate-800").mark("note")
        Heading(f"{view.agreement_title} (version {view.agreement_version})", 3).mark("agreement-title")
        if self.agreement_html is not None:
            markdown_view(self.agreement_html)
        else:  # shown as written, every character of it
            plain_agreement_text(view.agreement_text)
        self.email = form.text("email", "Email", value=view.email, input_type="email", autocomplete="email")
        self.email.mark("email")
        self.accepted = form.checkbox("accepted", "I have read and accepted the agreement", value=view.accepted)
        self.accepted.mark("accepted")
        self._navigation(activation.STEP_AGREEMENT, None, "Next", self.save_agreement, "next-agreement")

    def _user_step(self) -> None:
        form = self._begin_step(activation.STEP_USER)
        self.full_name = form.text("full_name", "Full name", value=self.view.full_name, autocomplete="name")
        self.full_name.mark("full-name")
        with ui.row().classes("w-full items-center gap-2") as self.password_set_row:
            ui.icon("check_circle").classes("text-positive")
            ui.label("Password is set.").classes("text-slate-800")
            ui.button("Change password", on_click=self._change_password).props("flat no-caps").mark("change-password")
        self.password = form.password("password")
        self.password.mark("password")
        self._show_password_field(self.changing_password)
        self._navigation(activation.STEP_USER, activation.STEP_AGREEMENT, "Next", self.save_user, "next-user")

    def _company_step(self) -> None:
        form = self._begin_step(activation.STEP_COMPANY)
        self.company_name = form.text(
            "company_name",
            "Company name",
            value=self.view.company_name,
            autocomplete="organization",
            hint="Your legal entity name with its type, for example Champions Corp or Acme GmbH.",
        ).mark("company-name")
        self._navigation(activation.STEP_COMPANY, activation.STEP_USER, "Next", self.save_company, "next-company")

    def _activate_step(self) -> None:
        form = self._begin_step(activation.STEP_ACTIVATE)
        ui.label("Check what you entered, then sign and activate.").classes("text-slate-700")
        with ui.element("dl").classes("w-full flex flex-col gap-2 m-0"):
            self.review_contract = self._review_row("Contract", activation.STEP_AGREEMENT, "review-contract")
            self.review_email = self._review_row("Email", activation.STEP_AGREEMENT, "review-email")
            self.review_name = self._review_row("Full name", activation.STEP_USER, "review-full-name")
            self._review_row("Password", activation.STEP_USER, "review-password").text = "Set"
            self.review_company = self._review_row("Company name", activation.STEP_COMPANY, "review-company")
        self.signed = form.checkbox("signed", "").mark("signed")
        self._navigation(activation.STEP_ACTIVATE, activation.STEP_COMPANY, "Activate", self.activate, "activate")

    def _review_row(self, label: str, step: int, marker: str) -> ui.label:
        with ui.element("div").classes("w-full border-b border-slate-200 pb-2"):  # a term and its value, in the dl
            with ui.element("dt").classes("text-sm text-slate-600"):
                ui.label(label)
            with ui.element("dd").classes("m-0 flex items-start justify-between gap-2"):
                value = ui.label("").classes("text-slate-900 font-medium min-w-0 break-words").mark(marker)
                edit = ui.button("Edit", on_click=lambda: self.edit(step)).props("flat dense no-caps")
                edit.props["aria-label"] = f"Edit {label.lower()}"
                edit.mark(f"edit-{marker.removeprefix('review-')}")
        return value

    # ----------------------------------------------------------------- behaviour

    def show(self, step: int, *, focus: bool = True) -> None:
        """Open ``step``, building its content the first time; the review always shows what is saved. With
        ``focus`` (every change but the page's first), the step's heading takes the focus and is announced."""
        if not self.steps[step].default_slot.children:
            with self.steps[step]:
                self.builders[step]()
        if step == activation.STEP_ACTIVATE:
            self._refresh_review()
            self.returning_to_review = False
        self.stepper.value = STEPS[step][0]
        if focus:
            move_focus(self.headings[step])
            announce(step_heading(step))

    def go_to(self, step: int) -> None:
        """Show a step the reseller has already reached (Back and Edit never lose data)."""
        if step <= self.view.furthest_step:
            self.show(step)

    def edit(self, step: int) -> None:
        """**Edit** on the review: that step, then straight back to the review."""
        self.returning_to_review = True
        self.go_to(step)

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
        move_focus(self.password)

    def _show_password_field(self, show: bool) -> None:
        self.changing_password = show
        self.password.set_shown(show)
        self.password_set_row.visible = not show

    def show_saved(self, step: int, view: ActivationView) -> None:
        """Another window saved this draft meanwhile, so nothing was saved from this one: show what is saved now
        on every step built so far (the review refreshed, the signature unticked), and say so at the top of the
        step, where the focus goes."""
        self.view = view
        if activation.STEP_AGREEMENT in self.forms:
            self.email.value = view.email
            self.accepted.value = view.accepted
        if activation.STEP_USER in self.forms:
            self.full_name.value = view.full_name
            self.password.value = ""
            self._show_password_field(not view.password_set)
        if activation.STEP_COMPANY in self.forms:
            self.company_name.value = view.company_name
        if activation.STEP_ACTIVATE in self.forms:
            self._refresh_review()
            self.signed.value = False
        self.forms[step].show_problem(STALE_DRAFT)

    def _show_errors(self, step: int, errors: dict[str, str]) -> None:
        if "password" in errors and step == activation.STEP_USER:
            self._show_password_field(True)
        self.forms[step].show_errors(errors)

    async def _save(self, step: int, action: Callable[..., ActivationView], next_step: int, **values: object) -> bool:
        """Call one step's service; on success move on (back to the review after an Edit), otherwise show what is
        wrong where it is wrong. A press that arrives once its step has moved on (the second click of a double
        click, after a quick save) does nothing."""
        if self.stepper.value != STEPS[step][0]:
            return False
        self.forms[step].clear_errors()
        try:
            self.view = await perform(
                action, self.token, client_address=self.address, revision=self.view.revision, **values
            )
        except StaleDraft as stale:  # another window saved meanwhile: nothing was saved from this one
            self.show_saved(step, stale.view)
            return False
        except ValidationFailed as failure:
            self._show_errors(step, failure.errors)
            return False
        except StepIncomplete as incomplete:
            ui.notify(f"Please complete step {incomplete.step} first.", type="warning")
            self.go_to(incomplete.step)
            return False
        except InvitationProblem:
            ui.navigate.to(f"/activate/{self.token}")  # the link's page says what happened
            return False
        if self.returning_to_review and self.view.furthest_step >= activation.STEP_ACTIVATE:
            next_step = activation.STEP_ACTIVATE
        self.show(next_step)
        return True

    async def save_agreement(self) -> None:
        """Step 1's **Next**."""
        await self._save(
            activation.STEP_AGREEMENT,
            activation.accept_agreement,
            activation.STEP_USER,
            email=self.email.value,
            accepted=bool(self.accepted.value),
            user_agent=self.agent,
        )

    async def save_user(self) -> None:
        """Step 2's **Next**. An untouched password field keeps the password already set."""
        password = self.password.value if self.changing_password else None
        if await self._save(
            activation.STEP_USER,
            activation.save_user_properties,
            activation.STEP_COMPANY,
            full_name=self.full_name.value,
            password=password,
        ):
            self.password.value = ""
            self._show_password_field(False)

    async def save_company(self) -> None:
        """Step 3's **Next**."""
        await self._save(
            activation.STEP_COMPANY,
            activation.save_company_properties,
            activation.STEP_ACTIVATE,
            company_name=self.company_name.value,
        )

    async def activate(self) -> None:
        """**Activate**: create the account, sign the contract, sign the reseller in, open the portal."""
        self.forms[activation.STEP_ACTIVATE].clear_errors()
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
            self.show_saved(activation.STEP_ACTIVATE, stale.view)
            return
        except ValidationFailed as failure:
            if "email" in failure.errors:  # taken meanwhile: the email is on the first step
                self.go_to(activation.STEP_AGREEMENT)
                self._show_errors(activation.STEP_AGREEMENT, failure.errors)
            else:
                self._show_errors(activation.STEP_ACTIVATE, failure.errors)
            return
        except StepIncomplete as incomplete:
            ui.notify(f"Please complete step {incomplete.step} first.", type="warning")
            self.go_to(incomplete.step)
            return
        except InvitationProblem:
            ui.navigate.to(f"/activate/{self.token}")
            return
        sign_in(portal.user_id, "/portal")


async def activation_page(token: str) -> None:
    """``/activate/<token>``: the stepper, resumed at the furthest step reached, or the bad-link page."""
    address, agent = client_address(), user_agent()
    try:
        view = await open_link(activation.open_invitation, token, client_address=address, browser=browser_key())
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
    with page_frame(f"New contract for {account}", signed_in=user is not None), card():
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
        form = Form()
        form.summary_spot()
        form.checkbox("accepted", "I have read and accepted the agreement").mark("accepted")
        form.checkbox("signed", f"I sign this service contract on behalf of {account}").mark("signed")

        async def submit() -> None:
            form.clear_errors()
            user_id = signed_in_user_id()  # the session as it is now: signed out meanwhile signs nothing
            if user_id is None:
                ui.navigate.to(login_url(f"/activate/{token}"))
                return
            try:
                await perform(
                    new_contracts.sign_new_contract,
                    token,
                    user_id=user_id,
                    accepted=bool(form.fields["accepted"].submitted_value),
                    signed=bool(form.fields["signed"].submitted_value),
                    client_address=address,
                    user_agent=agent,
                )
            except ValidationFailed as failure:
                form.show_errors(failure.errors)
                return
            except InvitationProblem:
                ui.navigate.to(f"/activate/{token}")  # the link's page says what happened
                return
            except Forbidden as problem:
                form.show_problem(problem.message)
                return
            ui.navigate.to("/portal")

        action_button("Sign the contract", submit).classes("self-start").mark("sign-new-contract")
