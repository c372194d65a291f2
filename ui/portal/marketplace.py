"""``/marketplace``: the reseller's **Hubs** (register, edit, delete one no marketplace uses) and **Marketplaces**
(create with a short wizard — general, hubs, summary — and edit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from fastapi.responses import RedirectResponse
from nicegui import ui

from services.errors import AlreadyDone, DomainError, InvalidState, ValidationFailed
from services.portal import hubs, marketplaces, regions
from services.portal.hubs import HUB_TYPES, HubView
from services.portal.marketplaces import MarketplaceView
from ui.auth import act, signed_in_only
from ui.components.actions import action_button
from ui.components.dialogs import Dialog, confirm
from ui.components.fields import CheckboxField, TextField
from ui.components.focus import announce, move_focus
from ui.components.tables import Column, ResponsiveTable
from ui.portal.shell import MARKETPLACE_PATH, portal_frame, portal_user
from ui.theme import Heading, card

Refresh = Callable[[], Awaitable[None]]
HUB_HINTS = {
    "name": "At most 100 characters, for example Web shop or Billing platform.",
    "type": "API: your own system, connected through the API. Commerce platform: a web shop or billing platform.",
    "instance_id": "The hub's identifier in your system. Each of your hubs has its own.",
}
STEP_TITLES = {1: "General", 2: "Hubs", 3: "Summary"}
GENERAL_FIELDS = ("name", "description", "currency", "countries")


def open_hub_dialog(hub: HubView | None, after: Refresh) -> Dialog:
    """**Register hub** (``hub`` is ``None``) or **Edit hub**: name, type, instance ID, description."""
    dialog = Dialog("Register hub" if hub is None else f"Edit hub {hub.name}")
    with dialog:
        form = dialog.form
        form.text("name", "Name", value=hub.name if hub else "", hint=HUB_HINTS["name"]).mark("hub-name")
        form.select("type", "Type", HUB_TYPES, value=hub.type if hub else None, hint=HUB_HINTS["type"]).mark("hub-type")
        form.text("instance_id", "Instance ID", value=hub.instance_id if hub else "", hint=HUB_HINTS["instance_id"])
        form.textarea(
            "description",
            "Description (optional)",
            value=(hub.description or "") if hub else "",
            hint="Plain text, at most 2,000 characters.",
        )

    @signed_in_only
    async def save() -> None:
        values = dialog.form.values()
        if hub is None:
            saved = await act(hubs.register_hub, **values, request_key=dialog.request_key)
            news = f"Hub {saved.name} registered"
        else:
            saved = await act(hubs.edit_hub, hub.hub_id, **values)
            news = f"Hub {saved.name} saved"
        dialog.close()
        announce(news)
        await after()

    dialog.cancel_button()
    dialog.submit_button("Register" if hub is None else "Save", save, done_already=after)
    dialog.open()
    return dialog


class MarketplaceWizard:
    """**Create marketplace** (or edit one): a dialog of three steps, *General* → *Hubs* → *Summary*. Each **Next**
    asks the service to check its step; the summary shows everything with an **Edit** back to each part, which
    returns to the summary; **Create** (or **Save**) saves it all. With no hub yet, the *Hubs* step offers to
    register one in place."""

    def __init__(self, hub_list: list[HubView], after: Refresh, marketplace: MarketplaceView | None = None) -> None:
        self.after = after
        self.marketplace = marketplace
        self.hub_list = hub_list
        self.step = 1
        self.returning_to_summary = False
        title = "Create marketplace" if marketplace is None else f"Edit marketplace {marketplace.name}"
        self.dialog = Dialog(title, width="wide")
        self.form = self.dialog.form
        self.form.on_submit(lambda: self.dialog.busy.press(self.save if self.step == 3 else self.next))
        self.containers: dict[int, ui.column] = {}
        self.headings: dict[int, Heading] = {}
        with self.dialog:
            for number, name in STEP_TITLES.items():
                with ui.column().classes("w-full gap-3") as container:
                    heading = Heading(f"Step {number} of {len(STEP_TITLES)} — {name}", 3).props("tabindex=-1")
                    heading.mark(f"marketplace-step-{number}")
                    self.headings[number] = heading
                self.containers[number] = container
            self._general()
            with self.containers[2]:
                self.hubs_spot = ui.column().classes("w-full gap-3")
            self._hubs()
            with self.containers[3]:
                self.summary_spot = ui.element("dl").classes("w-full flex flex-col gap-2 m-0")
        busy = self.dialog.busy
        with self.dialog.actions:
            self.back_button = action_button("Back", self.back, kind="flat", busy=busy).mark("marketplace-back")
        self.cancel = self.dialog.cancel_button()
        with self.dialog.actions:
            self.next_button = action_button("Next", self.next, busy=busy).mark("marketplace-next")
            self.save_button = action_button("Create" if marketplace is None else "Save", self.save, busy=busy)
            self.save_button.mark("marketplace-save")
        self._show(1, focus=False)
        self.dialog.open()

    # ----------------------------------------------------------------- steps

    def _general(self) -> None:
        marketplace = self.marketplace
        with self.containers[1]:
            self.form.text("name", "Name", value=marketplace.name if marketplace else "", hint="Unique among yours.")
            self.form.textarea(
                "description",
                "Description (optional)",
                value=(marketplace.description or "") if marketplace else "",
                hint="Plain text, at most 2,000 characters.",
            )
            currency_hint = "Type to search, for example USD or dollar."
            if marketplace is not None and marketplace.currency_locked:
                currency_hint = "It cannot change: this marketplace has listings."
            self.form.select(
                "currency",
                "Currency",
                regions.currencies(),
                value=marketplace.currency if marketplace else None,
                hint=currency_hint,
                searchable=True,
            )
            self.form.select(
                "countries",
                "Countries",
                regions.countries(),
                value=list(marketplace.countries) if marketplace else [],
                hint="One or more. Type to search, for example Germany or DE.",
                searchable=True,
                multiple=True,
            )

    def _hubs(self) -> None:
        """The hubs step's content, built anew when a hub was registered in place."""
        for name in [name for name in self.form.fields if name.startswith(("use.", "external_id."))]:
            self.form.remove(name)
        self.hubs_spot.clear()
        chosen = {hub.hub_id: hub.external_id for hub in self.marketplace.hubs} if self.marketplace else {}
        with self.hubs_spot:
            if not self.hub_list:
                ui.label(
                    "You have no hub yet. A marketplace sells through at least one hub: register the commerce "
                    "system you sell from, and it appears here."
                ).classes("text-slate-700").mark("no-hub-yet")
                action_button("Register hub", self.register_hub_here, kind="secondary", icon="add").classes(
                    "self-start"
                ).mark("register-hub-in-place")
                return
            ui.label("Choose the hubs this marketplace sells through, and your account's ID in each.").classes(
                "text-slate-700"
            )
            for hub in self.hub_list:
                with ui.column().classes("w-full gap-2 border border-slate-300 rounded p-3"):
                    use = self.form.add(
                        f"use.{hub.hub_id}",
                        CheckboxField(f"{hub.name} ({hub.type_label}, {hub.instance_id})", value=hub.hub_id in chosen),
                    )
                    external = self.form.add(
                        f"external_id.{hub.hub_id}",
                        TextField(
                            f"Tier account external ID for {hub.name}",
                            value=chosen.get(hub.hub_id, ""),
                            hint="Your account's ID in this hub's system. At most 100 characters.",
                        ),
                    )
                    external.set_shown(hub.hub_id in chosen)
                    use.on_value_change(lambda event, field=external: field.set_shown(bool(event.value)))

    @signed_in_only
    async def register_hub_here(self) -> None:
        async def registered() -> None:
            self.hub_list = await act(hubs.list_hubs)
            self._hubs()
            move_focus(self.headings[2])

        open_hub_dialog(None, registered)

    def _summary(self) -> None:
        values = self.form.values()
        self.summary_spot.clear()
        chosen = self._chosen_hubs()
        by_id = {hub.hub_id: hub for hub in self.hub_list}
        countries = values["countries"] if isinstance(values["countries"], list) else []
        rows = [
            ("Name", str(values["name"] or "").strip(), 1),
            ("Description", str(values["description"] or "").strip() or "—", 1),
            ("Currency", regions.currency_label(str(values["currency"])), 1),
            ("Countries", ", ".join(sorted(map(regions.country_name, countries))), 1),
            (
                "Hubs",
                "; ".join(f"{by_id[hub_id].name}: tier account {external}" for hub_id, external in chosen.items()),
                2,
            ),
        ]
        with self.summary_spot:
            for label, value, step in rows:
                with ui.element("div").classes("w-full border-b border-slate-200 pb-2"):
                    with ui.element("dt").classes("text-sm text-slate-600"):
                        ui.label(label)
                    with ui.element("dd").classes("m-0 flex items-start justify-between gap-2"):
                        ui.label(value).classes("text-slate-900 font-medium min-w-0 break-words whitespace-pre-line")
                        edit = ui.button("Edit", on_click=lambda step=step: self.edit(step)).props("flat dense no-caps")
                        edit.props["aria-label"] = f"Edit {label.lower()}"

    # ----------------------------------------------------------------- behaviour

    def _show(self, step: int, *, focus: bool = True) -> None:
        self.step = step
        for number, container in self.containers.items():
            container.visible = number == step
        if step == 3:
            self._summary()
        self.back_button.visible = step > 1
        self.next_button.visible = step < 3
        self.save_button.visible = step == 3
        if focus:
            move_focus(self.headings[step])
            announce(f"Step {step} of {len(STEP_TITLES)} — {STEP_TITLES[step]}")

    def edit(self, step: int) -> None:
        """**Edit** on the summary: that step, then **Next** comes straight back to the summary."""
        self.returning_to_summary = True
        self._show(step)

    def back(self) -> None:
        self.form.clear_errors()
        self._show(self.step - 1)

    def _chosen_hubs(self) -> dict[str, object]:
        values = self.form.values()
        return {
            name.removeprefix("use."): values.get(f"external_id.{name.removeprefix('use.')}")
            for name, used in values.items()
            if name.startswith("use.") and used
        }

    def _general_values(self) -> dict[str, object]:
        values = self.form.values()
        return {name: values[name] for name in GENERAL_FIELDS}

    def _show_errors(self, errors: dict[str, str]) -> None:
        """Open the first step with a field in error, and show every message there."""
        general = any(name in errors for name in GENERAL_FIELDS)
        step = 1 if general else 2
        if step != self.step:
            self._show(step, focus=False)
        self.form.show_errors(errors)

    @signed_in_only
    async def next(self) -> None:
        """The step's **Next**: the service checks it, then the next step (or the summary, after an **Edit**)."""
        self.form.clear_errors()
        step = self.step
        try:
            if step == 1:
                await act(
                    marketplaces.check_general,
                    **self._general_values(),
                    marketplace_id=self.marketplace.marketplace_id if self.marketplace else None,
                )
            elif step == 2:
                await act(marketplaces.check_hubs, hubs=self._chosen_hubs())
        except ValidationFailed as failure:
            self.form.show_errors(failure.errors)
            return
        except DomainError as problem:
            self.form.show_problem(problem.message)
            return
        self._show(3 if self.returning_to_summary else step + 1)

    @signed_in_only
    async def save(self) -> None:
        """**Create** (or **Save**): everything at once."""
        self.form.clear_errors()
        values = {**self._general_values(), "hubs": self._chosen_hubs()}
        try:
            if self.marketplace is None:
                saved = await act(marketplaces.create_marketplace, **values, request_key=self.dialog.request_key)
                news = f"Marketplace {saved.name} created"
            else:
                saved = await act(marketplaces.edit_marketplace, self.marketplace.marketplace_id, **values)
                news = f"Marketplace {saved.name} saved"
        except ValidationFailed as failure:
            self.returning_to_summary = True
            self._show_errors(failure.errors)
            return
        except AlreadyDone:  # a retry of a Create whose answer was lost: it was made once
            self.dialog.close()
            await self.after()
            return
        except DomainError as problem:
            self.form.show_problem(problem.message)
            return
        self.dialog.close()
        announce(news)
        await self.after()


class MarketplacePage:
    """The page's two sections, loaded together and refreshed after every change."""

    def __init__(self) -> None:
        self.hub_list: list[HubView] = []
        with card():
            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                Heading("Hubs", 2).classes("grow")
                action_button("Register hub", self.register_hub, icon="add").mark("register-hub")
            ui.label("The commerce systems you sell from: your web shop, a billing platform, a test system.").classes(
                "text-slate-700"
            )
            with ui.element("div").props('role="alert"').classes("w-full"):  # said when it appears
                self.hub_problem = ui.label("").classes("text-negative font-medium").mark("hub-problem")
            self.hubs_spot = ui.column().classes("w-full gap-2")
        with card():
            with ui.row().classes("w-full items-end gap-3 flex-wrap"):
                Heading("Marketplaces", 2).classes("grow")
                action_button("Create marketplace", self.create_marketplace, icon="add").mark("create-marketplace")
            ui.label("Your go-to-market channels: each with its currency, countries and hubs.").classes(
                "text-slate-700"
            )
            self.marketplaces_spot = ui.column().classes("w-full gap-2")

    @signed_in_only
    async def refresh(self) -> None:
        self.hub_list = await act(hubs.list_hubs)
        marketplace_list = await act(marketplaces.list_marketplaces)
        self._show_hubs()
        self._show_marketplaces(marketplace_list)

    def _show_hubs(self) -> None:
        self.hubs_spot.clear()
        with self.hubs_spot:
            if not self.hub_list:
                ui.label("No hubs yet. Register the commerce system you sell from.").classes("text-slate-700")
                return
            table = ResponsiveTable(
                [
                    Column("Hub"),
                    Column("Type", "nowrap"),
                    Column("Instance ID"),
                    Column("Marketplaces"),
                    Column("Actions", "actions"),
                ],
                caption="Your hubs, by name",
            )
            for hub in self.hub_list:
                with table.row(key=hub.hub_id):
                    with table.cell():
                        ui.label(hub.name).classes("font-medium")
                        ui.label(hub.hub_id).classes("text-slate-600")
                    table.cell(hub.type_label)
                    table.cell(hub.instance_id)
                    used = len(hub.marketplaces)
                    table.cell(f"{used}: {', '.join(hub.marketplaces)}" if used else "0")
                    with table.cell():
                        action_button("Edit", partial(self.edit_hub, hub), kind="flat", label=f"Edit hub {hub.name}")
                        action_button(
                            "Delete",
                            partial(self.delete_hub, hub),
                            kind="danger-flat",
                            label=f"Delete hub {hub.name}",
                        )

    def _show_marketplaces(self, marketplace_list: list[MarketplaceView]) -> None:
        self.marketplaces_spot.clear()
        with self.marketplaces_spot:
            if not marketplace_list:
                ui.label("No marketplaces yet.").classes("text-slate-700")
                return
            table = ResponsiveTable(
                [
                    Column("Marketplace"),
                    Column("Currency", "nowrap"),
                    Column("Countries"),
                    Column("Hubs"),
                    Column("Actions", "actions"),
                ],
                caption="Your marketplaces, by name",
            )
            for marketplace in marketplace_list:
                with table.row(key=marketplace.marketplace_id):
                    with table.cell():
                        ui.label(marketplace.name).classes("font-medium")
                        ui.label(marketplace.marketplace_id).classes("text-slate-600")
                    table.cell(marketplace.currency)
                    table.cell(f"{marketplace.countries_summary} ({len(marketplace.countries)})")
                    table.cell(", ".join(hub.hub_name for hub in marketplace.hubs))
                    with table.cell():
                        action_button(
                            "Edit",
                            partial(self.edit_marketplace, marketplace),
                            kind="flat",
                            label=f"Edit marketplace {marketplace.name}",
                        )

    # ----------------------------------------------------------------- actions

    async def register_hub(self) -> None:
        self.hub_problem.text = ""
        open_hub_dialog(None, self.refresh)

    async def edit_hub(self, hub: HubView) -> None:
        self.hub_problem.text = ""
        open_hub_dialog(hub, self.refresh)

    @signed_in_only
    async def delete_hub(self, hub: HubView) -> None:
        """A hub no marketplace uses: asked first, then deleted. One in use: the service refuses, naming them."""
        self.hub_problem.text = ""
        if "delete" in hub.allowed_actions and not await confirm(
            f"Delete hub {hub.name}?", "It is removed from your hubs. This cannot be undone.", "Delete"
        ):
            return
        try:
            await act(hubs.delete_hub, hub.hub_id)
        except InvalidState as refused:
            self.hub_problem.text = refused.message
            await self.refresh()
            return
        announce(f"Hub {hub.name} deleted")
        await self.refresh()

    @signed_in_only
    async def create_marketplace(self) -> None:
        self.hub_problem.text = ""
        MarketplaceWizard(await act(hubs.list_hubs), self.refresh)

    @signed_in_only
    async def edit_marketplace(self, marketplace: MarketplaceView) -> None:
        MarketplaceWizard(await act(hubs.list_hubs), self.refresh, marketplace)


async def marketplace_page() -> RedirectResponse | None:
    user = await portal_user(MARKETPLACE_PATH)
    if isinstance(user, RedirectResponse):
        return user
    with portal_frame("Hubs and marketplaces", MARKETPLACE_PATH):
        with card():
            Heading("Hubs and marketplaces")
            ui.label(
                "Chapter 2 of getting started: register the hubs you sell from, then create marketplaces that use them."
            ).classes("text-slate-700")
        page = MarketplacePage()
    await page.refresh()
    return None
