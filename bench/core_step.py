"""``python -m bench.core_step`` — would SQLAlchemy Core make the activation steps much cheaper than the ORM?
(A diagnostic.) Times step 3 (*Company properties*) through the service (ORM), and the same statements written
in Core (take the write lock, read the invitation and the draft, update the draft, add the audit event, commit),
alternately on fresh links, and prints the median of each. The Core variant skips building the view, so it
flatters Core."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select, update

from data.models import ActivationDraft, AuditEvent, Invitation
from data.models.types import utcnow
from portal_testing.factories import Portal, open_portal
from services.activation import steps as activation
from services.rules import clean_company_name
from services.security import token_hash
from services.unit_of_work import UnitOfWork

INVITATION = Invitation.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare a table's __table__
DRAFT = ActivationDraft.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare a table's __table__
AUDIT = AuditEvent.__table__  # type: ignore[attr-defined]  # sqlmodel does not declare a table's __table__


def step_three_in_core(uow: UnitOfWork, token: str, company_name: str) -> None:
    with uow.write():
        _step_three_in_core(uow, token, company_name)
        uow.commit()


def _step_three_in_core(uow: UnitOfWork, token: str, company_name: str) -> None:
    connection = uow.session.connection()
    invitation = connection.execute(select(INVITATION).where(INVITATION.c.token_hash == token_hash(token))).one()
    draft = connection.execute(select(DRAFT).where(DRAFT.c.invitation_id == invitation.id)).one()
    if draft.revision != 2:  # the page's revision, as the service checks it
        raise RuntimeError("stale draft")
    now = utcnow()
    connection.execute(
        update(DRAFT)
        .where(DRAFT.c.invitation_id == invitation.id)
        .values(
            company_name=clean_company_name(company_name),
            furthest_step=max(draft.furthest_step, activation.STEP_ACTIVATE),
            revision=draft.revision + 1,
            updated_at=now,
        )
    )
    connection.execute(
        insert(AUDIT).values(
            at=now,
            actor=f"invitee of {invitation.id}",
            action="activation.step_saved",
            object_type="invitation",
            object_id=invitation.id,
            details=json.dumps({"step": activation.STEP_COMPANY}),
        )
    )


def step_three_with_the_orm(uow: UnitOfWork, token: str, company_name: str) -> None:
    activation.save_company_properties(uow, token, company_name=company_name, revision=2)  # after steps 1 and 2


def timed(portal: Portal, step: Callable[[UnitOfWork, str, str], None], tokens: list[str]) -> float:
    times = []
    for number, token in enumerate(tokens):
        start = time.perf_counter()
        step(portal.uow(), token, f"Core Check {number} Ltd")
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.core_step", description=__doc__)
    parser.add_argument("--links", type=int, default=30, help="fresh links per measurement (default 30)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating measurements of each (default 3)")
    args = parser.parse_args(argv)
    portal = open_portal(Path(tempfile.mkdtemp(prefix="bench-core-")) / "portal.db")
    results: dict[str, list[float]] = {"ORM (the service)": [], "Core": []}
    for _ in range(args.repeats):
        for name, step in (("ORM (the service)", step_three_with_the_orm), ("Core", step_three_in_core)):
            tokens = [portal.invite() for _ in range(args.links)]
            for token in tokens:
                portal.walk_to(token, activation.STEP_COMPANY)
            results[name].append(timed(portal, step, tokens))
    portal.engine.dispose()
    for name, values in results.items():
        print(f"step 3, {name}: {' / '.join(f'{value:.2f}' for value in values)} ms (median per run)")


if __name__ == "__main__":
    main()
