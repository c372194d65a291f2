"""Where the keyboard focus goes, and what a screen reader is told, when a page changes without loading anew.

Every page made with :func:`ui.theme.page_frame` has one :class:`FocusManager`. Use :func:`move_focus` after a
change that a sighted person notices by looking (a new step, a field in error, an error summary) and
:func:`announce` for news that has no place to put the focus ("Invitation revoked", "Step 2 of 4"). Dialogs
need neither: :class:`ui.components.dialogs.Dialog` moves the focus in and back by itself."""

from __future__ import annotations

import weakref

from nicegui import Client, context
from nicegui.element import Element

_managers: weakref.WeakKeyDictionary[Client, FocusManager] = weakref.WeakKeyDictionary()


class FocusManager(Element, component="portal_focus.js"):
    """The page's live region and focus mover; its script also gives every dialog its focus behaviour (page
    behind inert, Tab kept inside, focus back to the opener on close). Made once per page by ``page_frame``."""

    def __init__(self) -> None:
        super().__init__()
        _managers[context.client] = self


def _manager() -> FocusManager | None:
    try:
        manager = _managers.get(context.client)
    except RuntimeError:  # not on a page
        return None
    return None if manager is None or manager.is_deleted else manager


def move_focus(element: Element) -> None:
    """Move the keyboard focus to ``element`` as soon as the browser shows it: to the element itself when it can
    take the focus (a heading gets ``tabindex=-1``), else to its first field or button."""
    manager = _manager()
    if manager is not None:
        manager.run_method("focus", element.id)


def announce(message: str) -> None:
    """Tell screen readers ``message`` through the page's polite live region (also when it repeats)."""
    manager = _manager()
    if manager is not None:
        manager.run_method("announce", message)
