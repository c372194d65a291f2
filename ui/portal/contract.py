"""``/portal/contract``: **Your contract**: the service contract exactly as signed, with its evidence, and a download
of the same as a Markdown file. A terminated reseller sees the termination date and reason here, and nothing else
of the portal (no navigation: every other portal page sends it here)."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.errors import NotFound
from services.portal import contract as portal_contract
from ui.auth import act, require, signed_in_only
from ui.components.actions import action_button
from ui.components.agreement import agreement_text
from ui.components.focus import announce
from ui.portal.shell import CONTRACT_PATH, portal_frame
from ui.theme import Heading, card, format_time, not_found_page, page_frame


def _facts(facts: list[tuple[str, str, str]]) -> None:
    with ui.element("dl").classes("grid grid-cols-1 sm:grid-cols-[14rem_1fr] gap-x-4 gap-y-1 w-full m-0"):
        for label, value, marker in facts:
            with ui.element("dt").classes("text-slate-600"):
                ui.label(label)
            with ui.element("dd").classes("text-slate-900 m-0 break-words whitespace-pre-line min-w-0"):
                ui.label(value).classes("break-words").mark(marker)


async def contract_page() -> RedirectResponse | None:
    user = await require("reseller", CONTRACT_PATH)
    if isinstance(user, RedirectResponse):
        return user
    try:
        contract = await act(portal_contract.my_contract)
    except NotFound:
        not_found_page("No contract", "Your company has no signed service contract.")
        return None
    title = f"Service contract {contract.contract_id}"
    frame = (
        portal_frame(f"{title} · Your contract", None)
        if contract.active
        else page_frame(f"{title} · Your contract", signed_in=True, wide=True)
    )

    @signed_in_only
    async def download() -> None:
        file_name, document = await act(portal_contract.contract_document)
        ui.download.content(document, file_name, "text/markdown; charset=utf-8")
        announce(f"Downloading {file_name}")

    with frame:
        if not contract.active:
            with card().style("border-left: 4px solid var(--q-negative)").props('role="status"'):
                Heading("Your service contract was terminated").mark("contract-terminated")
                _facts(
                    [
                        ("Terminated at", format_time(contract.terminated_at), "terminated-at"),
                        ("Reason", contract.termination_reason or "No reason was recorded.", "termination-reason"),
                    ]
                )
                ui.label(
                    f"Reseller features are unavailable while you have no active service contract. Contact "
                    f"{contract.distributor_name} to be contracted again."
                ).classes("text-slate-700")
        with card():
            Heading("Your contract" if contract.active else title, 1 if contract.active else 2)
            _facts(
                [
                    ("Contract ID", contract.contract_id, "contract-id"),
                    ("Status", contract.status.capitalize(), "contract-status"),
                    ("Reseller", contract.company_name, "contract-company"),
                    ("Distributor", contract.distributor_name, "contract-distributor"),
                    ("Agreement", f"{contract.agreement_title}, version {contract.agreement_version}", "agreement"),
                    ("Agreement text SHA-256", contract.agreement_sha256, "agreement-sha256"),
                    ("SHA-256 of the text accepted", contract.accepted_sha256 or "—", "accepted-sha256"),
                    ("Signed by", f"{contract.signee_name or '—'} ({contract.signee_email or '—'})", "signee"),
                    ("Signed at", format_time(contract.signed_at), "signed-at"),
                    ("Signed from", contract.client_address or "—", "client-address"),
                    ("Browser", contract.user_agent or "—", "user-agent"),
                ]
            )
            ui.label(
                "The file holds this evidence and the agreement's text exactly as signed (Markdown, UTF-8)."
            ).classes("text-slate-700")
            action_button("Download signed contract", download, kind="secondary", icon="download").classes(
                "self-start"
            ).mark("download-contract")
        with card():
            Heading(f"{contract.agreement_title} (version {contract.agreement_version})", 2)
            await agreement_text(contract.agreement_text)
    return None
