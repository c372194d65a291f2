"""Agreement Markdown on pages: rendered by the one safe renderer, off the event loop, once per text."""

from __future__ import annotations

import threading

import pytest
from nicegui import ui
from nicegui.testing import User

from portal_testing.factories import Portal
from services import markdown
from tests.ui.test_activation_stepper import until
from tests.ui.test_distributor_pages import sign_in
from ui.components import agreement as components


@pytest.fixture
def renderings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The thread of every rendering, as it happens."""
    threads: list[int] = []
    original = markdown.to_html

    def recording(text: str, field: str = "text") -> markdown.SafeHtml:
        threads.append(threading.get_ident())
        return original(text, field)

    monkeypatch.setattr(markdown, "to_html", recording)
    monkeypatch.setattr(components, "_rendered", type(components._rendered)())
    return threads


async def test_agreement_text_is_rendered_off_the_event_loop_and_once_per_text(
    user: User, app_portal: Portal, renderings: list[int]
) -> None:
    first, second = app_portal.invite(), app_portal.invite()
    await user.open(f"/activate/{first}")
    await user.should_see("Activate your reseller portal")
    [html] = [element for element in user.find(ui.html).elements]
    assert "<h1>" in html.content and "<strong>" in html.content  # the stock agreement, rendered
    await user.open(f"/activate/{second}")  # same agreement version: the rendering is reused
    await user.should_see("Activate your reseller portal")
    assert len(renderings) == 1
    assert renderings[0] != threading.get_ident()  # the test's event loop is the app's


async def test_preview_renders_safely_and_a_failure_is_a_field_error(
    user: User, app_portal: Portal, renderings: list[int]
) -> None:
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Create invitation", retries=30)
    await user.open("/distributor/agreements")
    await user.should_see("Create agreement", retries=30)
    user.find(marker="create-agreement").click()
    await user.should_see(marker="agreement-text", retries=30)
    editor = user.find(marker="agreement-text").elements.pop()
    assert isinstance(editor, ui.textarea)
    editor.set_value('# Terms\n\n<img src=x onerror="window.__pwned=1"> [site](https://example.com)')
    tabs = user.find(ui.tabs).elements.pop()
    tabs.set_value("Preview")  # the simulated user cannot click a tab
    await user.should_see(marker="agreement-preview-text", retries=50)
    [preview] = user.find(marker="agreement-preview-text").elements
    assert isinstance(preview, ui.html)
    assert "<h1>Terms</h1>" in preview.content and "&lt;img" in preview.content
    assert 'target="_blank"' in preview.content
    assert renderings and renderings[-1] != threading.get_ident()

    tabs.set_value("Write")
    editor.set_value("> " * 30 + "hidden")
    tabs.set_value("Preview")
    await until(lambda: editor.error)
    assert "nested too deeply" in (editor.error or "")


async def test_preview_renders_once_however_often_the_tabs_flip_and_never_past_the_longest_text(
    user: User, app_portal: Portal, renderings: list[int]
) -> None:
    """One distributor's Preview cannot queue renderings on the workers every user shares."""
    app_portal.distributor_user(email="mick@mighty.example")
    await sign_in(user, "mick@mighty.example")
    await user.should_see("Create invitation", retries=30)
    await user.open("/distributor/agreements")
    await user.should_see("Create agreement", retries=30)
    user.find(marker="create-agreement").click()
    await user.should_see(marker="agreement-text", retries=30)
    editor = user.find(marker="agreement-text").elements.pop()
    assert isinstance(editor, ui.textarea)
    tabs = user.find(ui.tabs).elements.pop()
    assert isinstance(tabs, ui.tabs)
    editor.set_value("# Terms\n\n" + "The reseller keeps records. " * 3_000)
    for tab in ("Preview", "Write", "Preview", "Write", "Preview"):
        tabs.set_value(tab)
    await user.should_see(marker="agreement-preview-text", retries=100)
    assert len(renderings) == 1

    tabs.set_value("Write")
    editor.set_value("*a" * 450_000)
    tabs.set_value("Preview")
    await until(lambda: editor.error)
    assert "at most 100,000 can be shown" in (editor.error or "") and len(renderings) == 1
