"""One portal instance's service side, for measurement 4b (``python -m bench`` starts it; not run by hand):
``python -m bench.instances DATABASE_URL TOKENS_FILE WARM_UP``. Like a server, it runs service actions in its own
pool of worker processes (one per core). It activates its first WARM_UP links at once (first-use imports and
caches in every worker), prints ``ready``, waits for a line on standard input, activates the other links (every
step, argon2id included, with twice as many callers as workers), and prints ``done``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from data import db
from portal_testing.factories import FULL_NAME, PASSWORD
from services import throttle, workers
from services.activation import steps as activation

CORES = os.cpu_count() or 1


def walk_activation(step: Callable[..., Any], token: str, email: str, company_name: str) -> None:
    """Every step of one activation, each a call through ``step`` (into the worker pool), as the pages make them:
    each save sends the draft's revision that the previous one returned."""
    view = step(activation.open_invitation, token)
    view = step(activation.accept_agreement, token, email=email, accepted=True, revision=view.revision)
    view = step(activation.save_user_properties, token, full_name=FULL_NAME, password=PASSWORD, revision=view.revision)
    view = step(activation.save_company_properties, token, company_name=company_name, revision=view.revision)
    step(activation.activate, token, signed=True, revision=view.revision)


def activate(numbered: tuple[int, str]) -> None:
    """One activation through this instance's worker pool."""
    number, token = numbered

    def step(action: Callable[..., Any], *args: object, **kwargs: object) -> Any:
        return workers.submit(action, None, args, kwargs).result()

    walk_activation(step, token, f"instance{number}-{token[:8]}@bench.example", f"Instance {number} Ltd")


def main() -> None:
    database_url, tokens_file, warm_up = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    tokens = tokens_file.read_text().split()
    db.configure(database_url)
    workers.start(CORES, database_url, throttle.Limits(), wait=True)
    try:
        with ThreadPoolExecutor(max_workers=2 * CORES) as pool:
            list(pool.map(activate, enumerate(tokens[:warm_up])))
            print("ready", flush=True)
            sys.stdin.readline()
            list(pool.map(activate, enumerate(tokens[warm_up:], start=warm_up)))
        print("done", flush=True)
    finally:
        workers.stop()


if __name__ == "__main__":
    main()
