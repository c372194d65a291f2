"""What every list a distributor or reseller pages through shares: a page of rows, the search text as typed
(checked, never changed), and a substring match for it. Use these for each new list (catalog, customers,
subscriptions), so that every list refuses, pages and searches alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, or_
from sqlmodel import col

from services.errors import ValidationFailed
from services.rules import require_storable, text_value

Row = TypeVar("Row")
Choice = TypeVar("Choice", bound=StrEnum)
PAGE_SIZE = 25
SEARCH_MAX = 200
PAGE_MAX = 1_000_000_000  # past every list's end, and its offset still fits a database's 64-bit integer


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a list, and how many rows the whole list has."""

    rows: list[Row]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def page_number(page: object) -> int:
    """A page number as asked for: 1 for anything that is not a whole number of at least 1, and at most
    :data:`PAGE_MAX` (a page past the end, which the list shows as its last page)."""
    return min(page, PAGE_MAX) if type(page) is int and page >= 1 else 1


def filter_choice(
    kind: type[Choice], value: object, *, field: str = "status", message: str = "Choose a status from the list."
) -> Choice | None:
    """A list filter's value as one of ``kind`` (``None``: not filtered); anything else is a
    :class:`ValidationFailed` on ``field`` with ``message``."""
    if value in (None, ""):
        return None
    try:
        return kind(str(value))
    except ValueError:
        raise ValidationFailed({field: message}) from None


def search_text(search: object) -> str:
    """The search as typed, trimmed: text only, storable, at most :data:`SEARCH_MAX` characters (else a
    :class:`ValidationFailed` for the ``search`` field)."""
    text = require_storable(text_value(search, "search").strip(), "search")
    if len(text) > SEARCH_MAX:
        raise ValidationFailed({"search": f"Search for at most {SEARCH_MAX} characters."})
    return text


def contains(text: str, columns: Iterable[object]) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text``, case-insensitively, with ``%``, ``_`` and ``\\`` taken literally."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(col(column).ilike(pattern, escape="\\") for column in columns))
