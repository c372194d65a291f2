"""The socket's log lines that browsers cause are bounded: a flood is told, not written line by line."""

from __future__ import annotations

import logging

import pytest

from ui.sockets import LogBudget


def test_a_flood_writes_a_few_lines_and_then_says_how_many_it_did_not(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    budget = LogBudget(3, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="portal.sockets"):
        for number in range(30_000):
            budget.warn("Ignored a malformed message %d", number)
        assert len(caplog.records) == 3
        now[0] += 61
        budget.warn("Ignored a malformed message %s", "after a minute")
    lines = [record.getMessage() for record in caplog.records]
    assert lines[3:] == [
        "29997 more malformed browser messages were ignored without a line of their own",
        "Ignored a malformed message after a minute",
    ]
