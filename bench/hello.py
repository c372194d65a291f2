"""The cold-start floor: a bare NiceGUI hello world, started the same way as the portal."""

import os

from nicegui import ui


@ui.page("/")
def hello() -> None:
    ui.label("Hello")


if __name__ in {"__main__", "__mp_main__"}:
    ui.run(host="127.0.0.1", port=int(os.environ["PORT"]), reload=False, show=False, show_welcome_message=False)
