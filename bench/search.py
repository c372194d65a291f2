"""``python -m bench.search`` — the invitation search on many invitations, through the trigram index and by
reading invitations newest first, for searches matching few to all of them (a diagnostic: where
``services.distributor.invitations.INDEXED_SEARCH_MAX_MATCHES`` comes from). Prints the median time of the
service call for each search and each way."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.seed import bulk_invitations
from portal_testing.factories import open_portal
from services.distributor import invitations as distributor_invitations

# On the bench invitations ("Reseller <n> Inc", reseller<n>@bench.example): from 0 to every invitation matched.
SEARCHES = ("no such reseller", "Reseller 4242", "Reseller 123", "Reseller 12", "Reseller 1", "bench.example")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--invitations", type=int, default=100_000, help="bulk invitations (default 100,000)")
    parser.add_argument("--queries", type=int, default=5, help="calls per search and way (default 5)")
    args = parser.parse_args(argv)
    portal = open_portal(Path(tempfile.mkdtemp(prefix="bench-search-")) / "portal.db")
    actor = portal.distributor_user()
    bulk_invitations(portal, actor.account_id, args.invitations)
    threshold = distributor_invitations.INDEXED_SEARCH_MAX_MATCHES
    print(f"{args.invitations:,} invitations; the service uses the index up to {threshold:,} matches")
    for search in SEARCHES:
        medians = {}
        for way, limit in (("index", args.invitations + 1), ("newest first", -1)):
            distributor_invitations.INDEXED_SEARCH_MAX_MATCHES = limit
            times = []
            for _ in range(args.queries):
                start = time.perf_counter()
                found = distributor_invitations.list_invitations(portal.uow(), actor, search=search)
                times.append((time.perf_counter() - start) * 1000)
            medians[way] = statistics.median(times)
        distributor_invitations.INDEXED_SEARCH_MAX_MATCHES = threshold
        print(
            f"{search!r}: {found.total:,} matches; index {medians['index']:.1f} ms, "
            f"newest first {medians['newest first']:.1f} ms"
        )
    portal.engine.dispose()


if __name__ == "__main__":
    main()
