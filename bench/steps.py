"""``python -m bench.steps`` — the median time of each activation service call, in this process, on a fresh
SQLite file: where a step transition's server time goes (no floor, no target; a diagnostic)."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from portal_testing.factories import FULL_NAME, PASSWORD, open_portal
from services.activation import steps as activation


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("--links", type=int, default=60, help="fresh activation links to walk (default 60)")
    links = parser.parse_args(argv).links
    portal = open_portal(Path(tempfile.mkdtemp(prefix="bench-steps-")) / "portal.db")
    tokens = [portal.invite() for _ in range(links)]
    timings: dict[str, list[float]] = {}

    def timed(name: str, call: Callable[..., Any], *args: object, **kwargs: object) -> Any:
        start = time.perf_counter()
        result = call(portal.uow(), *args, **kwargs)
        timings.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        return result

    for number, token in enumerate(tokens):
        view = timed("open the link", activation.open_invitation, token)
        view = timed(
            "step 1",
            activation.accept_agreement,
            token,
            email=f"steps{number}@bench.example",
            accepted=True,
            revision=view.revision,
        )
        view = timed(
            "step 2 (argon2id included)",
            activation.save_user_properties,
            token,
            full_name=FULL_NAME,
            password=PASSWORD,
            revision=view.revision,
        )
        view = timed(
            "step 3",
            activation.save_company_properties,
            token,
            company_name=f"Steps {number} Ltd",
            revision=view.revision,
        )
        timed("Activate", activation.activate, token, signed=True, revision=view.revision)
    portal.engine.dispose()
    for name, values in timings.items():
        print(f"{name}: {statistics.median(values):.2f} ms median over {len(values)} calls")


if __name__ == "__main__":
    main()
