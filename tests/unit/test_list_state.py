"""A list's page, filter and search as they travel in its URL (ui.components.tables.ListState): anything a visitor
can type into an address is read without failing, and written back only where it differs from the default."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from services.listing import PAGE_MAX
from ui.components.tables import ListState

STATUSES = {"opened": "Opened", "revoked": "Revoked"}


@pytest.mark.parametrize(
    ("page", "status", "search", "expected"),
    [
        (None, None, None, (1, "", "")),
        ("3", "opened", "acme", (3, "opened", "acme")),
        ("0", "bogus", "", (1, "", "")),
        ("-2", "Opened", None, (1, "", "")),  # statuses by their value only
        ("2.5", None, "x", (1, "", "x")),
        ("٣", None, None, (1, "", "")),  # a digit, but not an ASCII one
        (["2"], {"a": 1}, 42, (1, "", "")),
        ("9" * 30, None, None, (PAGE_MAX, "", "")),  # past every end; its offset would overflow a database integer
        ("9" * 5000, None, None, (PAGE_MAX, "", "")),  # more digits than int() converts
    ],
)
def test_state_from_any_query(page: object, status: object, search: object, expected: tuple[int, str, str]) -> None:
    state = ListState.parse("/list", page, status, search, statuses=STATUSES)
    assert (state.page, state.status, state.search) == expected


def test_url_keeps_only_what_differs_and_round_trips_any_search() -> None:
    assert ListState("/list").url() == "/list"
    search = "Müller & Söhne GmbH?page=9#x"
    state = ListState("/list", page=2, status="revoked", search=search)
    query = parse_qs(urlsplit(state.url()).query)
    assert query == {"status": ["revoked"], "q": [search], "page": ["2"]}
    again = ListState.parse("/list", query["page"][0], query["status"][0], query["q"][0], statuses=STATUSES)
    assert (again.page, again.status, again.search) == (2, "revoked", search)
    assert again.filtered and not ListState("/list", page=4).filtered
