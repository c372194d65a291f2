"""Shared factories for every test layer: real services on a real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from data import db
from data.models import ActivationDraft, Invitation, InvitationStatus
from data.models.types import utcnow
from services.access import signed_in_user
from services.accounts import create_distributor_user
from services.activation import steps as activation
from services.activation.invitations import create_invitation
from services.actors import SignedInUser
from services.distributor.agreements import ensure_distributor
from services.unit_of_work import UnitOfWork

DISTRIBUTOR = "Mighty Mick's LLC"
RESELLER = "Champions Corp"
EMAIL = "jane.doe@champions.example"
FULL_NAME = "Jane Doe"
PASSWORD = "purple elephant marching slowly"  # 31 characters, not common, no email local part


@dataclass
class Portal:
    """A portal database for one test and the engine on it."""

    engine: Engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_postgresql(self) -> bool:
        return db.dialect(self.engine) == db.POSTGRESQL

    @property
    def path(self) -> Path:
        """The SQLite file (tests that read it are marked ``sqlite_only``)."""
        assert not self.is_postgresql and self.engine.url.database
        return Path(self.engine.url.database)

    def stored_bytes(self) -> bytes:
        """Everything the database stores, as bytes to search for what must never be stored in clear: SQLite's
        file and its write-ahead log; on PostgreSQL, every row of every table as text."""
        if not self.is_postgresql:
            wal = self.path.with_name(self.path.name + "-wal")
            return self.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        with self.engine.connect() as connection:
            tables = connection.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").all()
            return b"\n".join(
                str(row[0]).encode()
                for (table,) in tables
                for row in connection.exec_driver_sql(f'SELECT t::text FROM "{table}" t')  # noqa: S608 - catalog names
            )

    def uow(self) -> UnitOfWork:
        """A unit of work, as the UI gives each service call."""
        return UnitOfWork(self.engine)

    def session(self) -> Session:
        """A plain session, for looking at (or changing) the database behind the services' backs."""
        return db.new_session(self.engine)

    def invite(self, distributor: str = DISTRIBUTOR, **options: object) -> str:
        """Issue an invitation and return its URL token."""
        distributor_id = ensure_distributor(self.uow(), distributor).distributor.id
        return create_invitation(self.uow(), distributor_id, **options).token  # type: ignore[arg-type]  # options are the service's own keywords

    def walk_to(self, token: str, step: int, *, email: str = EMAIL, company: str = RESELLER) -> int:
        """Save every step before ``step`` with valid data, as a reseller clicking Next would; returns the
        draft's revision that the next page shows."""
        revision = self.revision(token)
        if step > activation.STEP_AGREEMENT:
            revision = activation.accept_agreement(
                self.uow(),
                token,
                email=email,
                accepted=True,
                revision=revision,
                client_address="203.0.113.7",
                user_agent="pytest",
            ).revision
        if step > activation.STEP_USER:
            revision = activation.save_user_properties(
                self.uow(), token, full_name=FULL_NAME, password=PASSWORD, revision=revision
            ).revision
        if step > activation.STEP_COMPANY:
            revision = activation.save_company_properties(
                self.uow(), token, company_name=company, revision=revision
            ).revision
        return revision

    def revision(self, token: str) -> int:
        """The saved draft's revision, as a page opening the link now would show it (read directly, so that it
        works on a link that can no longer be used)."""
        with self.session() as session:
            draft = session.get(ActivationDraft, self.invitation_for(token).id)
            return draft.revision if draft is not None else 0

    def activate(self, token: str, **walk: str) -> activation.ActivatedPortal:
        """Walk every step and activate."""
        revision = self.walk_to(token, activation.STEP_ACTIVATE, **walk)
        return activation.activate(
            self.uow(), token, signed=True, revision=revision, client_address="203.0.113.7", user_agent="pytest"
        )

    def distributor_user(self, distributor: str = DISTRIBUTOR, email: str | None = None) -> SignedInUser:
        """A signed-in user of ``distributor`` (created with its stock agreement when new)."""
        email = email or f"admin-{uuid.uuid4().hex[:8]}@distributor.example"
        admin = create_distributor_user(self.uow(), distributor, email=email, password=PASSWORD)
        user = signed_in_user(self.uow(), admin.user_id)
        assert user is not None
        return user

    def invitation_for(self, token: str) -> Invitation:
        from services.security import token_hash

        with self.session() as session:
            invitation = session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).one()
            return invitation

    def invitation_audit_addresses(self, token: str) -> list[str | None]:
        """The client addresses the audit log recorded for an invitation's events."""
        from data.models import AuditEvent

        invitation_id = self.invitation_for(token).id
        with self.session() as session:
            events = session.exec(select(AuditEvent).where(AuditEvent.object_id == invitation_id)).all()
            return [event.client_address for event in events if event.action == "invitation.opened"]

    def set_invitation(self, token: str, *, status: InvitationStatus | None = None, expired: bool = False) -> None:
        """Change an invitation behind the flow's back (what revocation or time passing would do)."""
        with self.session() as session:
            invitation = session.get(Invitation, self.invitation_for(token).id)
            assert invitation is not None
            if status is not None:
                invitation.status = status
            if expired:
                invitation.expires_at = utcnow() - timedelta(seconds=1)
            session.add(invitation)
            session.commit()


def open_portal(location: Path | str, *, upgrade: bool = True) -> Portal:
    """A portal on a database: a SQLite file's path (created when missing) or a database URL; brought to the
    newest schema unless ``upgrade`` is false (a database the test fixtures made at the newest schema already)."""
    url = f"sqlite:///{location}" if isinstance(location, Path) else location
    engine = db.make_engine(url, create=True)
    if upgrade:
        db.create_tables(engine)
    return Portal(engine=engine)
