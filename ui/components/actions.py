"""Buttons that run an action. Use :func:`action_button` for every button that changes something (Create,
Publish, Revoke, Next, Activate, Sign in): while its action runs it and the buttons it shares a
:class:`BusyState` with look and announce themselves disabled, and pressing them again does nothing, so a double
click never sends twice. They keep the keyboard focus meanwhile (a truly ``disabled`` button would drop it)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from ui.calls import ServerBusy

Action = Callable[[], Awaitable[Any] | Any]
BUTTON_KINDS = {  # how a button looks, by what it does
    "primary": "unelevated",
    "secondary": "outline",
    "flat": "flat",
    "danger": "unelevated color=negative",
    "danger-secondary": "outline color=negative",
    "danger-flat": "flat color=negative",
}
# A press on a button the server shows busy is not even sent (one that left before the server's "busy" arrived is
# dropped by the server's busy state).
ONE_PRESS = """(event) => {
  const button = event && event.target && event.target.closest ? event.target.closest(".q-btn") : null;
  if (!button || button.getAttribute("aria-disabled") !== "true") emit();
}"""
BUSY_CLASSES = "portal-busy"  # not Quasar's ``disabled``, which hides the focus outline


class BusyState:
    """The busy state shared by a group of buttons (a dialog's, a step's): while one of their actions runs, every
    one of them is shown disabled and ignores presses."""

    def __init__(self) -> None:
        self.running = False
        self.buttons: list[ui.button] = []

    def add(self, button: ui.button) -> None:
        self.buttons.append(button)

    def _show(self, busy: bool) -> None:
        for button in self.buttons:
            if button.is_deleted:
                continue
            if busy:
                button.classes(BUSY_CLASSES)
                button.props["aria-disabled"] = "true"
            else:
                button.classes(remove=BUSY_CLASSES)
                button.props["aria-disabled"] = None
            button.update()

    def press(self, action: Action) -> Awaitable[None] | None:
        """For an event handler: claim the busy state at once, before NiceGUI handles the next event (a double
        click's second press finds it taken), and return the coroutine that runs ``action`` (NiceGUI awaits what
        a handler returns). ``None`` when an action is running already."""
        if self.running:
            return None
        self.running = True
        self._show(True)
        return self._run(action)

    async def run(self, action: Action) -> bool:
        """Run ``action`` unless one is running already (then return ``False`` at once)."""
        claimed = self.press(action)
        if claimed is None:
            return False
        await claimed
        return True

    async def _run(self, action: Action) -> None:
        """A call the server could not run now (:class:`~ui.calls.ServerBusy`) is told to the person; what they
        typed stays."""
        try:
            result = action()
            if inspect.isawaitable(result):
                await result
        except ServerBusy as busy:
            ui.notify(f"{busy} What you typed is still here.", type="negative", multi_line=True)
        finally:
            self.running = False
            self._show(False)


def action_button(
    text: str,
    action: Action,
    *,
    kind: str = "primary",
    icon: str | None = None,
    busy: BusyState | None = None,
    label: str | None = None,
) -> ui.button:
    """A button running ``action`` once at a time (see the module's docstring). ``kind``: one of
    :data:`BUTTON_KINDS`; ``busy``: a state shared with other buttons; ``label``: the accessible name when the
    text alone is ambiguous in a list ("Revoke invitation IN-…"), set safely (never parsed)."""
    state = busy or BusyState()
    button = ui.button(text, icon=icon).props(BUTTON_KINDS[kind])
    button.on("click", lambda: state.press(action), js_handler=ONE_PRESS)
    if label:
        button.props["aria-label"] = label
    state.add(button)
    return button
