"""A process that activates prepared invitations one after another through the service layer, until it is
killed. Used by the crash tests: ``python -m tests.e2e.crash_worker DB TOKENS_FILE``."""

from __future__ import annotations

import sys
from pathlib import Path

from data import db
from services.activation import steps as activation
from services.errors import InvitationAlreadyActivated
from services.unit_of_work import UnitOfWork


def main() -> None:
    database, tokens_file = sys.argv[1], Path(sys.argv[2])
    engine = db.make_engine(f"sqlite:///{database}")
    print("ready", flush=True)
    for token in tokens_file.read_text().split():
        try:
            activation.activate(
                UnitOfWork(engine), token, signed=True, revision=0, client_address="127.0.0.1", user_agent="crash"
            )
        except InvitationAlreadyActivated:
            continue
        print("activated", flush=True)


if __name__ == "__main__":
    main()
