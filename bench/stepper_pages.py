"""Pages for ``python -m bench.stepper``: the floor, and a four-step stepper built two ways (Quasar's, and one
whose steps stay in the page and are only shown or hidden), with the portal's step 1 and step 2 content.
Run by ``bench.stepper`` as ``python bench/stepper_pages.py`` with ``PORT`` set."""

import os

from nicegui import ui

AGREEMENT = "# Reseller Service Agreement\n\n" + "\n\n".join(
    f"## {n}. Section\n\n" + "The Distributor appoints the Reseller as a non-exclusive reseller of its catalog. " * 6
    for n in range(1, 9)
)


def flip_page(*, agreement: bool = False, inputs: bool = False) -> None:
    """The floor: a button that flips a label (optionally below the agreement, or below two inputs)."""
    if agreement:
        ui.markdown(AGREEMENT).classes("w-full max-h-72 overflow-y-auto border p-3")
    if inputs:
        ui.input("Email").props("outlined").classes("w-full")
        ui.checkbox("I have read and accepted the agreement")
    label = ui.label("off").classes("floor-label")
    ui.button("Flip", on_click=lambda: label.set_text("on" if label.text == "off" else "off"))


def step_one(go: object) -> None:
    ui.markdown(AGREEMENT).classes("w-full max-h-72 overflow-y-auto border p-3")
    ui.input("Email").props("outlined").classes("w-full")
    ui.checkbox("I have read and accepted the agreement")
    ui.button("Next", on_click=lambda: go(2))  # type: ignore[operator]  # go is a refreshable: NiceGUI types it as not callable


def step_two(go: object) -> None:
    ui.input("Full name").props("outlined").classes("w-full")
    ui.input("Password", password=True).props("outlined").classes("w-full")
    with ui.row():
        ui.button("Back", on_click=lambda: go(1)).props("flat")  # type: ignore[operator]  # go is a refreshable: NiceGUI types it as not callable
        ui.button("Next", on_click=lambda: go(3))  # type: ignore[operator]  # go is a refreshable: NiceGUI types it as not callable


def quasar_stepper() -> None:
    """Quasar's vertical stepper, as the portal uses it: a step's content is mounted when it opens."""
    with ui.stepper().props("vertical flat").classes("w-full") as stepper:
        steps = [ui.step(f"s{n}", title=f"Step {n}") for n in range(1, 5)]

    def go(number: int) -> None:
        stepper.value = f"s{number}"

    with steps[0]:
        step_one(go)
    with steps[1]:
        step_two(go)


def shown_or_hidden_stepper() -> None:
    """Four sections whose content stays in the page; a step change only shows one and hides another."""
    contents = []
    for number in range(1, 5):
        with ui.element("section").classes("w-full"):
            ui.label(f"Step {number}").classes("font-medium")
            contents.append(ui.column().classes("w-full pl-8"))

    def go(number: int) -> None:
        for index, content in enumerate(contents, start=1):
            content.visible = index == number

    with contents[0]:
        step_one(go)
    with contents[1]:
        step_two(go)
    go(1)


if __name__ in {"__main__", "__mp_main__"}:
    ui.page("/floor")(flip_page)
    ui.page("/floor-agreement")(lambda: flip_page(agreement=True))
    ui.page("/floor-inputs")(lambda: flip_page(inputs=True))
    ui.page("/quasar")(quasar_stepper)
    ui.page("/shown-or-hidden")(shown_or_hidden_stepper)
    ui.run(host="127.0.0.1", port=int(os.environ["PORT"]), reload=False, show=False, show_welcome_message=False)
