"""``/distributor/agreements``: the distributor's agreements (service and syndication), their versions, and
publishing."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.actors import SignedInUser
from services.distributor import agreements
from services.distributor.agreements import AgreementAction, AgreementSummary
from services.errors import ValidationFailed
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.agreement import RenderFailed, agreement_text, markdown_view, render_markdown
from ui.components.dialogs import Dialog
from ui.components.tables import Column, ResponsiveTable
from ui.theme import Heading, card, distributor_frame, format_time


class AgreementsPage:
    """Each agreement with its versions; publish a new version (previewed first) or create an agreement."""

    def __init__(self, actor: SignedInUser) -> None:
        self.actor = actor
        with card():
            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                Heading("Agreements").classes("grow")
                action_button("Create agreement", lambda: self.open_editor(None), icon="add").mark("create-agreement")
            ui.label(
                "New invitations use the latest version of your service agreement, and resellers enrolling a product "
                "accept the latest version of your syndication agreement. An invitation keeps the version it was "
                "created with, and a contract keeps the version that was signed."
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
                with ui.column().classes("grow min-w-0 gap-0"):
                    Heading(summary.title, 2).classes("break-words")
                    ui.label(summary.kind_label).classes("text-sm text-slate-700").mark(
                        f"agreement-kind-{summary.kind}"
                    )
                if AgreementAction.PUBLISH_VERSION in summary.allowed_actions:
                    publish = action_button(
                        "Publish new version", partial(self.open_editor, summary), kind="secondary", icon="publish"
                    ).mark(f"publish-{summary.agreement_id}")
                    publish.props["aria-label"] = f"Publish new version of {summary.title}"
            table = ResponsiveTable(
                [
                    Column("Version", "nowrap"),
                    Column("Status", "nowrap"),
                    Column("Published", "nowrap"),
                    Column("SHA-256", "nowrap"),
                    Column("Signed contracts", "nowrap"),
                    Column("Actions", "actions"),
                ],
                caption=f"Versions of {summary.title}",
            )
            for version in summary.versions:
                with table.row(key=version.version_id):
                    table.cell(f"Version {version.version}")
                    table.cell("Latest" if version.is_active else "Earlier")
                    table.cell(format_time(version.created_at))
                    table.cell(version.text_sha256[:12] + "…")
                    table.cell(version.contracts)
                    with table.cell():
                        action_button(
                            "View",
                            partial(self.view_text, version.version_id),
                            kind="flat",
                            label=f"View version {version.version} of {summary.title}",
                        )

    @signed_in_only
    async def view_text(self, version_id: str) -> None:
        version = await act(agreements.version_text, version_id)
        dialog = Dialog(f"Version {version.version}", width="wide")
        with dialog:
            await agreement_text(version.text, tall=True)
        dialog.cancel_button("Close")
        dialog.open()

    @signed_in_only
    async def open_editor(self, summary: AgreementSummary | None) -> None:
        """Publish a new version of ``summary`` (or create an agreement): write, preview, then publish. Escape or
        a click outside asks before throwing away what was typed."""
        text = ""
        if summary is not None:
            latest = next((v for v in summary.versions if v.is_active), summary.versions[0])
            text = (await act(agreements.version_text, latest.version_id)).text
        heading = "New agreement" if summary is None else f"Publish a new version of {summary.title}"
        dialog = Dialog(heading, maximized=True, width="full")
        form = dialog.form
        with dialog:
            title = None
            kind = None
            if summary is None:
                title = form.text("title", "Title").mark("agreement-title")
                kind = form.select(
                    "kind",
                    "Type",
                    agreements.KIND_LABELS,
                    value=agreements.SERVICE,
                    hint="A service agreement is signed to activate a portal; a syndication agreement is accepted "
                    "to enroll a product.",
                ).mark("agreement-kind")
            with ui.tabs().classes("w-full") as tabs:
                write_tab = ui.tab("Write")
                preview_tab = ui.tab("Preview").mark("preview-tab")
            with ui.tab_panels(tabs, value=write_tab).classes("w-full"):
                with ui.tab_panel(write_tab):
                    editor = form.textarea("text", "Agreement text (Markdown)", value=text, autogrow=False)
                    editor.mark("agreement-text")
                    editor.props('input-style="min-height: 50vh; font-family: monospace"')
                with ui.tab_panel(preview_tab):
                    preview = ui.column().classes("w-full").mark("agreement-preview")

        previewing = asyncio.Lock()

        async def show_preview() -> None:
            """The preview, by the same renderer (off the event loop) as the pages that show the text; one
            rendering at a time per editor (flipping the tabs queues no more), of the text as it is when done."""
            if tabs.value not in (preview_tab, preview_tab.props["name"]) or previewing.locked():
                return
            async with previewing:
                editor.error = None
                typed, html = None, None
                while typed != editor.value:  # typed on meanwhile: render what is there now
                    typed = editor.value
                    try:
                        html = await render_markdown(typed if isinstance(typed, str) else "")
                    except RenderFailed as failure:
                        tabs.set_value(write_tab)
                        form.show_errors({"text": failure.message})
                        return
                assert html is not None
                preview.clear()
                with preview:
                    markdown_view(html, tall=True).mark("agreement-preview-text")

        tabs.on_value_change(show_preview)

        @signed_in_only
        async def publish() -> None:
            try:
                if summary is None:
                    await act(
                        agreements.create_agreement,
                        title=title.value if title else "",
                        text=editor.value,
                        kind=kind.value if kind else agreements.SERVICE,
                        request_key=dialog.request_key,
                    )
                else:
                    await act(
                        agreements.publish_version,
                        summary.agreement_id,
                        text=editor.value,
                        request_key=dialog.request_key,
                    )
            except ValidationFailed as failure:
                if "text" in failure.errors:
                    tabs.set_value(write_tab)  # the field in error must be visible to take the focus
                raise
            ui.notify("Published", type="positive")
            dialog.close()
            await self.refresh()

        dialog.cancel_button()
        dialog.submit_button("Publish", publish, done_already=self.refresh).mark("publish-submit")
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
