"""6a and 6b: the distributor's invitation list with many invitations, against the same query matching
nothing."""

from __future__ import annotations

import time

from bench.harness import Result, measured, new_database, percentile
from bench.seed import bulk_invitations
from portal_testing.factories import open_portal
from services.distributor import invitations as distributor_invitations


def measure(counts: dict[str, int]) -> list[Result]:
    """6: the distributor's invitation list with many invitations: first page, and a filtered search."""
    portal = open_portal(new_database("list"), upgrade=False)
    actor = portal.distributor_user()
    bulk_invitations(portal, actor.account_id, counts["invitations"])

    def timed(**query: object) -> list[float]:
        times = []
        for _ in range(counts["queries"]):
            start = time.perf_counter()
            distributor_invitations.list_invitations(portal.uow(), actor, **query)  # type: ignore[arg-type]  # the query's values are the filters' own types
            times.append((time.perf_counter() - start) * 1000)
        return times

    nothing = timed(search="no-such-reseller-anywhere")
    first = timed()
    filtered = timed(status="pending", search="Reseller 4242")
    portal.engine.dispose()
    floor = percentile(nothing, 0.95)
    return [
        measured(
            "6a",
            f"Invitation list, {counts['invitations']:,} invitations: first page, p95",
            percentile(first, 0.95),
            floor,
            "ms",
            "floor: the same query matching no rows",
        ),
        measured(
            "6b",
            f"Invitation list, {counts['invitations']:,} invitations: status + text search, p95",
            percentile(filtered, 0.95),
            floor,
            "ms",
            "",
        ),
    ]
