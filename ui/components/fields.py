"""Form fields whose label, hint and error message never overlap anything, at any width, and :class:`Form`,
which shows a service's :class:`~services.errors.ValidationFailed` next to the fields it names.

Use a :class:`Form` for every group of fields that one action saves (a dialog, a step of a wizard, the sign-in
page) and make its fields with ``form.text``, ``form.textarea``, ``form.number``, ``form.select``,
``form.checkbox`` or ``form.password``, each under the name the service uses in ``ValidationFailed.errors``:

    form = Form()
    form.summary_spot()  # where "There is a problem" appears when several fields are wrong
    email = form.text("email", "Email", input_type="email", autocomplete="email")
    accepted = form.checkbox("accepted", "I have read and accepted the agreement")
    ...
    form.clear_errors()
    try:
        await act(service, **form.values())
    except ValidationFailed as failure:
        form.show_errors(failure.errors)  # next to each field, a summary when several, focus on the first

Every field keeps its hint visible while it shows an error, tells screen readers both (``aria-describedby``) and
marks itself invalid (``aria-invalid``). Nothing a person types is cut or changed on the way: no ``maxlength``
(the service refuses what is too long, with a message), no rounding or clamping of numbers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from nicegui import ui
from nicegui.element import Element
from nicegui.elements.mixins.value_element import ValueElement

from ui.components.focus import move_focus

PASSWORD_HINT = "At least 15 characters. A few unrelated words make a strong password."  # noqa: S105
FIELD_CLASSES = "portal-field w-full flex flex-col gap-1"
HINT_CLASSES = "portal-field-hint text-sm text-slate-600"
ERROR_CLASSES = "portal-field-error text-sm font-medium text-negative"
# Quasar's own message line is absolutely positioned under the box: a long message covers what follows.
# ``hide-bottom-space`` drops it; the hint and the error are elements of their own, in the flow of the page.
CONTROL_PROPS = "outlined hide-bottom-space no-error-icon"


class FieldParts:
    """What every field shares: a wrapper holding the control, then its error message (made the first time there
    is one: most visits never need it, and every element costs server memory while the browser stays), then its
    hint. Mixed into NiceGUI's own input, textarea, select and checkbox, so ``field.value`` and ``field.error``
    work as they do there."""

    wrapper: Element
    _hint: ui.label | None
    _message: ui.label | None
    _error_text: str | None

    def _place(self, hint: str | None) -> None:
        """Call right after the control is made inside ``self.wrapper``."""
        self._message = None
        self._error_text = None
        self._hint = ui.label(hint).classes(HINT_CLASSES) if hint else None
        self._describe()

    @property
    def error(self) -> str | None:
        """The error message shown under the field (``None``: no error)."""
        return self._error_text

    @error.setter
    def error(self, message: str | None) -> None:
        self._error_text = message or None
        control = self.control
        if message and self._message is None:
            with self.wrapper:
                self._message = ui.label("").classes(ERROR_CLASSES)
            self._message.move(self.wrapper, 1)  # between the control and its hint
        if self._message is not None:
            self._message.text = message or ""
            self._message.visible = bool(message)
        if self._has_error_prop:
            control._props["error"] = bool(message)
        control._props["aria-invalid"] = "true" if message else None
        self._describe()
        control.update()

    _has_error_prop = True

    def _describe(self) -> None:
        control = self.control
        described = [f"c{part.id}" for part in (self._message if self._error_text else None, self._hint) if part]
        control._props["aria-describedby"] = " ".join(described) or None

    def set_shown(self, shown: bool) -> None:
        """Show or hide the whole field: control, error and hint."""
        self.wrapper.visible = shown

    @property
    def control(self) -> Element:
        """The field's own element: a field's parts are always mixed into one (``ui.input``, ``ui.select``, …)."""
        assert isinstance(self, Element)
        return self

    @property
    def submitted_value(self) -> object:
        """The value to send to the service."""
        assert isinstance(self, ValueElement)
        return self.value


F = TypeVar("F", bound=FieldParts)


class TextField(FieldParts, ui.input):
    """A one-line text field (also email, search, password). ``autocomplete`` and ``input_type`` reach the
    browser's input."""

    def __init__(
        self,
        label: str,
        *,
        value: str = "",
        hint: str | None = None,
        input_type: str | None = None,
        autocomplete: str | None = None,
        password: bool = False,
    ) -> None:
        self.wrapper = ui.element("div").classes(FIELD_CLASSES)
        with self.wrapper:
            super().__init__(label, value=value, password=password, password_toggle_button=False)
            self.props(CONTROL_PROPS).classes("w-full")
            if input_type:
                self.props["type"] = input_type
            if autocomplete:
                self.props["autocomplete"] = autocomplete
            self._place(hint)


class TextAreaField(FieldParts, ui.textarea):
    """Several lines of text; grows with what is typed."""

    def __init__(self, label: str, *, value: str = "", hint: str | None = None, autogrow: bool = True) -> None:
        self.wrapper = ui.element("div").classes(FIELD_CLASSES)
        with self.wrapper:
            super().__init__(label, value=value)
            self.props(CONTROL_PROPS).classes("w-full")
            if autogrow:
                self.props("autogrow")
            self._place(hint)


class NumberField(TextField):
    """A whole number typed as text (the GOV.UK pattern: ``inputmode=numeric``, no spinner, no rounding or
    clamping on blur). :attr:`submitted_value` is an ``int`` for a whole number, ``None`` when empty, and the
    text as typed otherwise, which the service refuses with a message."""

    def __init__(self, label: str, *, value: int | None = None, hint: str | None = None) -> None:
        super().__init__(label, value="" if value is None else str(value), hint=hint)
        self.props["inputmode"] = "numeric"
        self.classes("max-w-xs")

    @property
    def submitted_value(self) -> object:
        text = self.value.strip() if isinstance(self.value, str) else self.value
        if text in ("", None):
            return None
        if isinstance(text, str) and text.isascii() and text.lstrip("-").isdigit():
            return int(text)
        return text


class SelectField(FieldParts, ui.select):
    """A choice from a list (``options``: value → label). ``searchable``: typing filters the options (a long list:
    currencies, countries); ``multiple``: several choices, shown as chips, the value a list."""

    def __init__(
        self,
        label: str,
        options: Mapping[Any, str],
        *,
        value: object = None,
        hint: str | None = None,
        searchable: bool = False,
        multiple: bool = False,
    ):
        self.wrapper = ui.element("div").classes(FIELD_CLASSES)
        with self.wrapper:
            if multiple and value is None:
                value = []
            super().__init__(dict(options), value=value, label=label, with_input=searchable, multiple=multiple)
            self.props(CONTROL_PROPS).classes("w-full")
            if multiple:
                self.props("use-chips")
            self._place(hint)

    @property
    def submitted_value(self) -> object:
        return list(self.value) if isinstance(self.value, list | tuple) else self.value


class CheckboxField(FieldParts, ui.checkbox):
    """A checkbox whose label wraps on narrow screens, with its error and hint under it."""

    _has_error_prop = False

    def __init__(self, label: str, *, value: bool = False, hint: str | None = None) -> None:
        self.wrapper = ui.element("div").classes(FIELD_CLASSES)
        with self.wrapper:
            super().__init__(label, value=value)
            self.classes("portal-checkbox")
            self._place(hint)

    @property
    def submitted_value(self) -> object:
        return bool(self.value)


class PasswordField(TextField):
    """A password input whose show/hide toggle is a real, focusable button (keyboard and screen readers)."""

    def __init__(
        self, label: str = "Password", *, autocomplete: str = "new-password", hint: str | None = PASSWORD_HINT
    ):
        super().__init__(label, hint=hint, autocomplete=autocomplete, password=True)
        with self.add_slot("append"):
            self.toggle_button = ui.button(icon="visibility", on_click=self._toggle).props(
                'flat round dense aria-label="Show password" aria-pressed="false"'
            )

    def _toggle(self) -> None:
        showing = self.props.get("type") == "text"
        self.props["type"] = "password" if showing else "text"
        self.toggle_button.props["icon"] = "visibility" if showing else "visibility_off"
        self.toggle_button.props["aria-label"] = "Show password" if showing else "Hide password"
        self.toggle_button.props["aria-pressed"] = "false" if showing else "true"
        self.update()


class ErrorSummary(ui.element):
    """ "There is a problem" with a link to each field in error (GOV.UK's error summary), shown at the top of a
    form when more than one thing is wrong. Announced when it appears (``role=alert``)."""

    def __init__(self, heading_level: int) -> None:
        super().__init__("div")
        self.classes("portal-error-summary w-full rounded bg-white p-3 flex flex-col gap-1")
        self.props('role="alert" tabindex="-1"')
        with self:
            title = ui.element(f"h{heading_level}" if heading_level in (2, 3, 4) else "h2")
            title.classes("text-base font-bold text-slate-900 m-0")
            with title:
                ui.label("There is a problem")
            self.items = ui.element("ul").classes("list-disc pl-5 m-0 flex flex-col gap-1")

    def show(self, problems: list[tuple[str, Element | None]]) -> None:
        """List ``problems`` (message, and the field's wrapper to link to, if any); hide when there are none."""
        self.items.clear()
        with self.items:
            for message, target in problems:
                with ui.element("li"):
                    if target is None:
                        ui.label(message).classes("text-negative font-medium")
                    else:
                        link = ui.link(message, f"#c{target.id}").classes("text-negative font-medium underline")
                        link.props["data-focus-target"] = f"c{target.id}"
        self.visible = bool(problems)


class Form:
    """The fields of one action, by the names the service gives them. Shows a :class:`ValidationFailed`'s
    messages next to their fields, an :class:`ErrorSummary` when several fail (or a message names no field of
    this form), and moves the focus to the first field in error. Knows whether anything was typed
    (:meth:`changed`), for dialogs that ask before discarding it. See the module's docstring for an example."""

    def __init__(self, *, heading_level: int = 2) -> None:
        self.fields: dict[str, FieldParts] = {}
        self._initial: dict[str, object] = {}
        self._heading_level = heading_level
        self._summary_spot: Element | None = None
        self._summary: ErrorSummary | None = None
        self._submit: Callable[[], Awaitable[Any] | None] | None = None

    # ----------------------------------------------------------------- building

    def summary_spot(self) -> Element:
        """Mark the place for the error summary (call where the form starts). Costs one empty element until the
        summary is needed."""
        self._summary_spot = ui.element("div").classes("contents")
        return self._summary_spot

    def add(self, name: str, field: F) -> F:
        """Register a field made elsewhere under the service's ``name`` for it."""
        self.fields[name] = field
        self._initial[name] = field.submitted_value
        if isinstance(field, TextField):  # Enter in a one-line field submits, as in an HTML form
            field.on("keydown.enter", self._enter)
        return field

    def remove(self, name: str) -> None:
        """Forget a field whose element was removed (a step of a wizard built anew)."""
        self.fields.pop(name, None)
        self._initial.pop(name, None)

    def text(self, name: str, label: str, **options: Any) -> TextField:
        """A one-line text field; ``options`` as :class:`TextField` takes them."""
        return self.add(name, TextField(label, **options))

    def textarea(self, name: str, label: str, **options: Any) -> TextAreaField:
        return self.add(name, TextAreaField(label, **options))

    def number(self, name: str, label: str, **options: Any) -> NumberField:
        return self.add(name, NumberField(label, **options))

    def select(self, name: str, label: str, options: Mapping[Any, str], **more: Any) -> SelectField:
        return self.add(name, SelectField(label, options, **more))

    def checkbox(self, name: str, label: str, **options: Any) -> CheckboxField:
        return self.add(name, CheckboxField(label, **options))

    def password(self, name: str, label: str = "Password", **options: Any) -> PasswordField:
        return self.add(name, PasswordField(label, **options))

    def on_submit(self, submit: Callable[[], Awaitable[Any] | None]) -> None:
        """What Enter in a one-line field does: usually ``lambda: busy.press(action)``, the primary button's
        guarded action (claimed at once, so a second Enter while it runs does nothing)."""
        self._submit = submit

    def _enter(self) -> Awaitable[Any] | None:
        return self._submit() if self._submit is not None else None

    # ----------------------------------------------------------------- values and errors

    def values(self) -> dict[str, object]:
        """Every field's value as the service takes it, by name."""
        return {name: field.submitted_value for name, field in self.fields.items()}

    def changed(self) -> bool:
        """Whether anything differs from what the fields held when they were made."""
        return any(field.submitted_value != self._initial[name] for name, field in self.fields.items())

    def clear_errors(self) -> None:
        for field in self.fields.values():
            if field.error:
                field.error = None
        if self._summary is not None:
            self._summary.show([])

    def show_errors(self, errors: Mapping[str, str], *, focus: bool = True) -> None:
        """Each message next to its field; the summary when more than one (or one for no field of this form);
        the focus on the first field in error (in the form's order)."""
        self.clear_errors()
        placed = [(name, field) for name, field in self.fields.items() if name in errors]
        for name, field in placed:
            field.error = errors[name]
        unplaced = [message for name, message in errors.items() if name not in self.fields]
        problems: list[tuple[str, Element | None]] = [(errors[name], field.wrapper) for name, field in placed]
        problems += [(message, None) for message in unplaced]
        if len(problems) > 1 or unplaced:
            self.show_summary(problems)
        if focus and placed:
            move_focus(placed[0][1].control)
        elif focus and self._summary is not None and problems:
            move_focus(self._summary)

    def show_summary(self, problems: list[tuple[str, Element | None]]) -> None:
        """Show the error summary with ``problems`` (message, field wrapper or ``None``)."""
        if self._summary is None:
            if self._summary_spot is None:
                return
            with self._summary_spot:
                self._summary = ErrorSummary(self._heading_level)
        self._summary.show(problems)

    def show_problem(self, message: str) -> None:
        """One message that concerns no single field ("The details changed in another window"), at the top."""
        self.clear_errors()
        self.show_summary([(message, None)])
        if self._summary is not None:
            move_focus(self._summary)
