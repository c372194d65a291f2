"""A cache for NiceGUI's ``expects_arguments``, which every element calls for each of its props, classes and
style collections (``inspect.signature`` each time): a fifth of the event loop's time while 50 browsers open
activation links (py-spy, docs/PERFORMANCE.md). Whether a callable needs an argument depends only on its code
and on which of its parameters have defaults, so the answer is kept per code object; callables without code of
their own (``functools.partial``, builtins, objects with ``__call__``) are asked every time, as before."""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType, FunctionType, MethodType

from nicegui import helpers

_original = helpers.expects_arguments
_answers: dict[tuple[CodeType, int, tuple[str, ...], bool], bool] = {}


def _key(func: Callable[..., object]) -> tuple[CodeType, int, tuple[str, ...], bool] | None:
    bound = isinstance(func, MethodType)  # neither MethodType nor FunctionType can be subclassed
    function = func.__func__ if isinstance(func, MethodType) else func
    if not isinstance(function, FunctionType) or "__wrapped__" in function.__dict__:
        return None  # a decorator's wrapper shares one code object among every function it wraps
    defaults = function.__defaults__
    keyword_defaults = function.__kwdefaults__
    return (
        function.__code__,
        len(defaults) if defaults else 0,
        tuple(keyword_defaults) if keyword_defaults else (),
        bound,
    )


def expects_arguments(func: Callable[..., object]) -> bool:
    """NiceGUI's ``expects_arguments``, answered from the cache when the callable's code was seen before."""
    key = _key(func)
    if key is None:
        return _original(func)
    answer = _answers.get(key)
    if answer is None:
        answer = _answers[key] = _original(func)
    return answer


def install() -> None:
    """Use the cached ``expects_arguments`` in NiceGUI (its modules call it as ``helpers.expects_arguments``)."""
    helpers.expects_arguments = expects_arguments
