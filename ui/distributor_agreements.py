"""``/distributor/agreements``: the distributor's service agreements, their versions, and publishing."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services import agreements
from services.accounts import SignedInUser
from services.agreements import AgreementSummary
from services.errors import AlreadyDone, ValidationFailed
from services.requests import new_request_key
from ui.auth import act, require, signed_in_only
from ui.components import RenderFailed, Table, agreement_text, format_time, markdown_view, modal, render_markdown
from ui.theme import Heading, card, distributor_frame


class AgreementsPage:
    """Each agreement with its versions; publish a new version (previewed first) or create an agreement."""

    def __init__(self, actor: SignedInUser) -> None:
        self.actor = actor
        with card():
            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                Heading("Agreements").classes("grow")
                ui.button("Create agreement", icon="add", on_click=lambda: self.open_editor(None)).mark(
                    "create-agreement"
                )
            ui.label(
                "New invitations use the latest version. An invitation keeps the version it was created "
                "with, and a contract keeps the version that was signed."
            ).classes("text-slate-700")
        self.list = ui.column().classes("w-full gap-4")

    @signed_in_only
    async def refresh(self) -> None:
        summaries = await act(agreements.list_agreements)
        self.list.clear()
        with self.list:
            for summary in summaries:
                self._agreement(summary)

    def _agreement(self, summary: AgreementSummary) -> None:
        with card().mark(f"agreement-{summary.agreement_id}"):
            with ui.row().classes("w-full items-center gap-3 flex-wrap"):
                Heading(summary.title, 2).classes("grow")
                ui.button("Publish new version", icon="publish", on_click=lambda s=summary: self.open_editor(s)).props(
                    "outline"
                ).mark(f"publish-{summary.agreement_id}")
            table = Table(
                ["Version", "Status", "Published", "SHA-256", "Contracts", ""], caption=f"Versions of {summary.title}"
            )
            for version in summary.versions:
                with table.row():
                    table.cell(f"Version {version.version}")
                    table.cell("Latest" if version.is_active else "Earlier")
                    table.cell(format_time(version.created_at))
                    table.cell(version.text_sha256[:12] + "…")
                    table.cell(version.contracts)
                    with table.cell():
                        view = ui.button("View", on_click=lambda v=version.version_id: self.view_text(v))
                        view.props("flat dense")
                        view.props["aria-label"] = f"View version {version.version} of {summary.title}"

    @signed_in_only
    async def view_text(self, version_id: str) -> None:
        version = await act(agreements.version_text, version_id)
        with modal(f"Version {version.version}") as dialog, ui.card().classes("w-full max-w-3xl gap-2"):
            ui.label(f"Version {version.version}").classes("text-lg font-semibold text-slate-900")
            await agreement_text(version.text, tall=True)
            ui.button("Close", on_click=dialog.close).props("flat")
        dialog.open()

    @signed_in_only
    async def open_editor(self, summary: AgreementSummary | None) -> None:
        """Publish a new version of ``summary`` (or create an agreement): write, preview, then publish."""
        text = ""
        if summary is not None:
            latest = next((v for v in summary.versions if v.is_active), summary.versions[0])
            text = (await act(agreements.version_text, latest.version_id)).text
        heading = "New agreement" if summary is None else f"Publish a new version of {summary.title}"
        request_key = new_request_key()  # one per opening: pressing Publish twice publishes once
        with modal(heading, maximized=True) as dialog, ui.card().classes("w-full gap-2"):
            ui.label(heading).classes("text-lg font-semibold text-slate-900")
            title = None
            if summary is None:
                title = ui.input("Title").props("outlined maxlength=200").classes("w-full").mark("agreement-title")
            with ui.tabs().classes("w-full") as tabs:
                write_tab = ui.tab("Write")
                preview_tab = ui.tab("Preview").mark("preview-tab")
            with ui.tab_panels(tabs, value=write_tab).classes("w-full"):
                with ui.tab_panel(write_tab):
                    editor = (
                        ui.textarea("Agreement text (Markdown)", value=text)
                        .props("outlined")
                        .classes("w-full")
                        .mark("agreement-text")
                    )
                    editor.props('input-style="min-height: 50vh; font-family: monospace"')
                with ui.tab_panel(preview_tab):
                    preview = ui.column().classes("w-full").mark("agreement-preview")

            async def show_preview() -> None:
                """The preview, by the same renderer (off the event loop) as the pages that show the text."""
                if tabs.value not in (preview_tab, preview_tab.props["name"]):
                    return
                editor.error = None
                text = editor.value if isinstance(editor.value, str) else ""
                try:
                    html = await render_markdown(text)
                except RenderFailed as failure:
                    editor.error = failure.message
                    tabs.set_value(write_tab)
                    return
                preview.clear()
                with preview:
                    markdown_view(html, tall=True).mark("agreement-preview-text")

            tabs.on_value_change(show_preview)

            @signed_in_only
            async def publish() -> None:
                editor.error = None
                if title is not None:
                    title.error = None
                try:
                    if summary is None:
                        await act(
                            agreements.create_agreement,
                            title=title.value if title else "",
                            text=editor.value,
                            request_key=request_key,
                        )
                    else:
                        await act(
                            agreements.publish_version, summary.agreement_id, text=editor.value, request_key=request_key
                        )
                except AlreadyDone:  # an earlier press published it
                    if not dialog.is_deleted:  # (after a double click, the first press closed it already)
                        await self.refresh()
                        dialog.close()
                    return
                except ValidationFailed as failure:
                    if "title" in failure.errors and title is not None:
                        title.error = failure.errors["title"]
                    if "text" in failure.errors:
                        editor.error = failure.errors["text"]
                        tabs.set_value(write_tab)
                    return
                ui.notify("Published", type="positive")
                await self.refresh()
                dialog.close()  # last: closing deletes the dialog, and this handler with it

            with ui.row().classes("gap-2 justify-end w-full"):
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Publish", on_click=publish).mark("publish-submit")
        dialog.open()


async def agreements_page() -> RedirectResponse | None:
    """The distributor's agreements."""
    actor = await require("distributor", "/distributor/agreements")
    if isinstance(actor, RedirectResponse):
        return actor
    with distributor_frame("Agreements", "/distributor/agreements"):
        page = AgreementsPage(actor)
    await page.refresh()
    return None
