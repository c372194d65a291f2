"""The cached ``expects_arguments`` gives NiceGUI the same answers as NiceGUI's own."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable

import pytest
from nicegui import Client, helpers, ui
from nicegui.page import page

from ui import speedups


class Handler:
    def with_event(self, event: object) -> None: ...

    def without(self) -> None: ...

    def defaulted(self, event: object = None) -> None: ...

    def __call__(self, event: object) -> None: ...


def no_arguments() -> None: ...


def one_argument(event: object) -> None: ...


def one_argument_defaulted() -> types.FunctionType:
    """``one_argument``'s very code, with a default for its argument: the answer must follow the defaults."""
    return types.FunctionType(one_argument.__code__, globals(), "defaulted", (None,))


def test_the_cached_answers_are_nicegui_s_answers() -> None:
    handler = Handler()
    callables: list[Callable[..., object]] = [
        no_arguments,
        one_argument,
        lambda: None,
        lambda event: None,
        lambda *args, **kwargs: None,
        lambda event=None: None,
        lambda *, event: None,
        handler.with_event,
        handler.without,
        handler.defaulted,
        Handler.without,  # unbound: ``self`` is a parameter too
        handler,
        functools.partial(one_argument),
        functools.partial(one_argument, None),
        print,
        one_argument_defaulted(),
    ]
    for _ in range(2):  # the second round is answered from the cache
        for func in callables:
            assert speedups.expects_arguments(func) == speedups._original(func), func


def test_the_app_uses_the_cached_answers() -> None:
    speedups.install()
    assert helpers.expects_arguments is speedups.expects_arguments


def test_nicegui_asks_the_cache_when_it_builds_an_element(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the cache is for: NiceGUI asks ``helpers.expects_arguments`` for each props, classes and style
    collection of an element it builds. Fails when NiceGUI stops calling it there (a NiceGUI upgrade that binds
    the helper elsewhere), since the speed-up would then be gone while everything else still passes."""
    speedups.install()
    asked: list[object] = []

    def counted(func: Callable[..., object]) -> bool:
        asked.append(func)
        return speedups.expects_arguments(func)

    monkeypatch.setattr(helpers, "expects_arguments", counted)
    client = Client(page(""), request=None)
    with client:
        ui.label("Built")
    assert asked, "NiceGUI built an element without asking helpers.expects_arguments"
