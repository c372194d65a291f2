"""Modal dialogs: :class:`Dialog` for every dialog (a form, a viewer), :func:`confirm` before something that cannot
be undone, :func:`show_link_once` for a one-time link.

A dialog opens with the focus on its first field (a confirmation: on its safe button), keeps the focus inside
(the page behind is inert), gives it back to the control that opened it when it closes, submits on Enter in a
one-line field, asks before Escape or a click outside throws away what was typed, disables its buttons while its
action runs, and shows a :class:`~services.errors.ValidationFailed` next to its fields (with an error summary when
several fail). A page only says what goes in it::

    dialog = Dialog("Create invitation")
    with dialog:
        dialog.form.text("email", "Invitee email (optional)", input_type="email")
        ...
    dialog.cancel_button()
    dialog.submit_button("Create", create)  # create() raises ValidationFailed, or ends with dialog.close()
    dialog.open()
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Literal

from nicegui import context, ui
from nicegui.element import Element
from nicegui.events import GenericEventArguments

from services.errors import AlreadyDone, DomainError, SignedOut, ValidationFailed
from services.requests import new_request_key
from ui.components.actions import BusyState, action_button
from ui.components.fields import Form, TextField
from ui.theme import Heading

Dismiss = Literal["ask", "cancel", "never"]
DIALOG_WIDTHS = {"narrow": "max-w-md", "normal": "max-w-xl", "wide": "max-w-3xl", "full": "max-w-none"}
# Escape (unless a menu of a select is open: Escape closes the menu) and a press on the backdrop.
ESCAPE_PRESSED = '(e) => { if (e.key === "Escape" && !document.querySelector(".q-menu")) emit() }'
BACKDROP_PRESSED = '(e) => { if (e.target.classList && e.target.classList.contains("q-dialog__backdrop")) emit() }'
DISCARD_TITLE = "Discard what you typed?"
DISCARD_TEXT = "What you typed in this dialog has not been saved."


class Dialog:
    """A modal dialog (see the module's docstring). ``dismiss``: what Escape and a click outside do: ``"ask"``
    (close, asking first when something was typed), ``"cancel"`` (close: a confirmation's safe answer) or
    ``"never"`` (a one-time link must be acknowledged with its button)."""

    def __init__(
        self,
        title: str,
        *,
        width: str = "normal",
        maximized: bool = False,
        alert: bool = False,
        dismiss: Dismiss = "ask",
    ) -> None:
        # On the page's layout, so that refreshing a list does not take the dialog along.
        with context.client.layout:
            self.element = ui.dialog().props("transition-duration=0 persistent no-shake no-refocus")
        self.element.props["aria-label"] = title  # data never goes into a props string: NiceGUI would parse it
        if maximized:
            self.element.props("maximized")
        if alert:  # asks before something that cannot be undone
            self.element.props('role="alertdialog"')
        self.dismiss = dismiss
        # One per opening: pass it to the service the dialog's action calls, which does the request once (a
        # retry after a lost answer finds it done: AlreadyDone).
        self.request_key = new_request_key()
        self.busy = BusyState()
        self.form = Form(heading_level=3)
        self._asking = False
        self._initial_focus: Element | None = None
        with self.element:
            self.card = ui.card().classes("portal-dialog w-full gap-3").classes(DIALOG_WIDTHS[width])
            with self.card:
                self.heading = Heading(title, 2)
                self.form.summary_spot()
        self._actions: ui.row | None = None
        self.element.on("keydown", self._dismiss_requested, js_handler=ESCAPE_PRESSED)
        self.element.on("mousedown", self._dismiss_requested, js_handler=BACKDROP_PRESSED)
        self.element.on_value_change(self._closed)

    # ----------------------------------------------------------------- building

    def __enter__(self) -> Dialog:
        self.card.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.card.__exit__(kind, error, trace)

    @property
    def actions(self) -> ui.row:
        """The row of buttons at the bottom (made on first use)."""
        if self._actions is None:
            with self.card:
                self._actions = ui.row().classes("portal-dialog-actions w-full gap-2 justify-end")
        return self._actions

    def cancel_button(self, text: str = "Cancel") -> ui.button:
        """A button that closes the dialog without doing anything (no question asked: pressing it is the choice)."""
        with self.actions:
            return action_button(text, self.close, kind="flat", busy=self.busy)

    def submit_button(
        self,
        text: str,
        action: Callable[[], Awaitable[Any]],
        *,
        kind: str = "primary",
        done_already: Callable[[], Awaitable[Any]] | None = None,
    ) -> ui.button:
        """The dialog's main button, also pressed by Enter in a one-line field. ``action`` raises
        :class:`ValidationFailed` (shown next to the fields) or another domain error (shown at the top), or ends
        by closing the dialog. When the service says the request was done already (a retry of one whose answer
        was lost), the dialog closes, says so, and ``done_already`` (a list's refresh) runs."""

        async def submitting() -> None:
            self.form.clear_errors()
            try:
                await action()
            except AlreadyDone as done:
                self.close()
                ui.notify(done.message, type="info")
                if done_already is not None:
                    await done_already()
            except ValidationFailed as failure:
                self.form.show_errors(failure.errors)
            except SignedOut:
                raise
            except DomainError as error:
                self.form.show_problem(error.message)

        self.form.on_submit(lambda: self.busy.press(submitting))
        with self.actions:
            return action_button(text, submitting, kind=kind, busy=self.busy)

    def button(self, text: str, action: Callable[[], Any], *, kind: str = "flat") -> ui.button:
        """Another button in the row, sharing the dialog's busy state."""
        with self.actions:
            return action_button(text, action, kind=kind, busy=self.busy)

    def focus_first(self, element: Element) -> None:
        """Open with the focus on ``element`` instead of the first field (a confirmation's safe button)."""
        self._initial_focus = element

    # ----------------------------------------------------------------- behaviour

    def open(self) -> None:
        target = self._initial_focus or next(iter(self.form.fields.values()), None)
        if isinstance(target, Element):  # every field is an element
            target.props["autofocus"] = True
        self.element.open()

    def close(self) -> None:
        if not self.element.is_deleted:
            self.element.close()

    def replace_with_link(self, title: str, url: str, explanation: str) -> None:
        """End a dialog whose result is a new one-time link (an invitation, a reseller account): the link is shown
        by :func:`show_link_once` in place of this dialog, and the focus goes back to this dialog's opener when
        that one closes."""
        show_link_once(title, url, explanation)
        self.close()

    def open_for_link(
        self,
        submit: str,
        issue: Callable[[], Awaitable[tuple[str, str] | None]],
        *,
        title: str,
        refresh: Callable[[], Awaitable[Any]],
    ) -> ui.button:
        """Give a dialog whose result is a new one-time link its **Cancel** and ``submit`` buttons, and open it.
        ``issue`` calls the service and returns the link and what to say with it (``None``: nothing to show, e.g.
        the session ended); the link then replaces this dialog (:meth:`replace_with_link`) and ``refresh`` updates
        the list behind it, as it does when the request turns out to be done already. Returns the submit button."""

        async def issued() -> None:
            result = await issue()
            if result is not None:
                self.replace_with_link(title, *result)
                await refresh()

        self.cancel_button()
        button = self.submit_button(submit, issued, done_already=refresh)
        self.open()
        return button

    def submit(self, result: Any) -> None:
        """Close with ``result`` for whoever awaits :meth:`result`."""
        if not self.element.is_deleted:
            self.element.submit(result)

    async def result(self) -> Any:
        """Open, wait until the dialog is submitted or closed, and return what it was submitted with."""
        self.open()
        return await self.element

    @property
    def is_open(self) -> bool:
        return not self.element.is_deleted and bool(self.element.value)

    async def _dismiss_requested(self, _: GenericEventArguments | None = None) -> None:
        """Escape or a press outside."""
        if self.busy.running or self._asking or self.dismiss == "never":
            return
        if self.dismiss == "ask" and self.form.changed():
            self._asking = True
            try:
                discard = await confirm(DISCARD_TITLE, DISCARD_TEXT, "Discard", cancel="Keep editing")
            finally:
                self._asking = False
            if not discard:
                return
        if self.dismiss == "cancel":
            self.submit(False)
        else:
            self.close()

    def _closed(self, event: Any) -> None:
        if not getattr(event, "value", True) and not self.element.is_deleted:
            self.element.delete()  # the page script gives the focus back to the opener


async def confirm(title: str, text: str, action: str, *, cancel: str = "Cancel", danger: bool = True) -> bool:
    """Ask before ``action``; ``True`` when confirmed. Opens with the focus on the safe button, ``cancel``;
    Escape and a click outside choose it too."""
    dialog = Dialog(title, width="narrow", alert=True, dismiss="cancel")
    with dialog:
        ui.label(text).classes("text-slate-700")
    safe = dialog.button(cancel, lambda: dialog.submit(False), kind="flat").mark("cancel")
    dialog.button(action, lambda: dialog.submit(True), kind="danger" if danger else "primary").mark("confirm")
    dialog.focus_first(safe)
    return bool(await dialog.result())


# Copy in the click's own handler (browsers allow the Clipboard API only there, and only on https or localhost);
# when it is missing or refused, select the link so that Ctrl+C copies it. Says to the server whether it copied.
COPY_LINK = """async (e) => {
  const input = e.target.closest(".q-dialog").querySelector("input[data-one-time-link]");
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(input.value);
      copied = true;
    }
  } catch (error) {
    copied = false;
  }
  if (!copied) { input.focus(); input.select(); }
  emit(copied);
}"""
COPIED = "Link copied."
COPY_BY_HAND = "Your browser did not let the portal copy. The link is selected: press Ctrl+C (⌘C on a Mac) to copy it."


def show_link_once(title: str, url: str, explanation: str) -> Dialog:
    """A new link, shown once (only its hash is stored). Not closed by Escape or a click outside; **Copy link**
    checks that the copy worked and otherwise selects the link and says to press Ctrl+C; **Done** asks first when
    the link was never copied."""
    dialog = Dialog(title, dismiss="never")
    copied = False
    with dialog:
        ui.label(explanation).classes("text-slate-700")
        link = TextField("Link", value=url).mark("new-link")
        link.props("readonly")
        link.props["data-one-time-link"] = ""
        status = ui.label("").classes("text-sm text-slate-800").props('role="status"').mark("copy-status")

    def copy_done(event: GenericEventArguments) -> None:
        nonlocal copied
        if event.args is True:
            copied = True
            status.text = COPIED
        else:
            status.text = COPY_BY_HAND

    def copied_by_hand() -> None:
        nonlocal copied
        copied = True
        status.text = COPIED

    link.on("copy", copied_by_hand)

    async def done() -> None:
        if not copied and not await confirm(
            "Close without copying the link?",
            "The link is shown only now and cannot be shown again.",
            "Close without copying",
            cancel="Go back to the link",
        ):
            return
        dialog.close()

    with dialog.actions:
        copy = ui.button("Copy link", icon="content_copy").props("unelevated").mark("copy-link")
        copy.on("click", copy_done, js_handler=COPY_LINK)
        dialog.busy.add(copy)
    dialog.button("Done", done, kind="secondary").mark("link-done")
    dialog.focus_first(link)
    dialog.open()
    return dialog
