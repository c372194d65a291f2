"""Distributors and their agreements: the service agreement a reseller signs to activate its portal, and the
syndication agreement it accepts to enroll a product (both are
versioned and published the same way; a syndication agreement's ID starts ``SYN-``)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib import resources

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from data.db import add_in_order
from data.ids import readable_id
from data.models import Account, AccountKind, Agreement, AgreementVersion, Contract
from data.models.agreement import SYNDICATION_PREFIX
from services import audit, markdown
from services.access import distributor_of, own
from services.actors import Actor
from services.errors import FieldErrors, NotFound, ValidationFailed
from services.requests import check_not_done, record_done
from services.rules import NAME_MAX, is_storable, refuse_hidden_characters, require_storable, text_value
from services.security import text_sha256
from services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DistributorSetup:
    """The result of :func:`ensure_distributor`."""

    distributor: Account
    created: bool


SERVICE = "service"
SYNDICATION = "syndication"
KIND_LABELS = {SERVICE: "Service agreement", SYNDICATION: "Syndication agreement"}


def stock_agreement_text(distributor_name: str, kind: str = SERVICE) -> str:
    """The stock reseller service agreement (or syndication agreement) (Markdown) for a distributor."""
    name = "stock_syndication_agreement.md" if kind == SYNDICATION else "stock_agreement.md"
    template = resources.files("services").joinpath(name).read_text(encoding="utf-8")
    return template.replace("{distributor}", distributor_name)


def is_syndication(agreement_id: str) -> bool:
    return agreement_id.startswith(f"{SYNDICATION_PREFIX}-")


def _is_syndication() -> ColumnElement[bool]:
    """The condition "this agreement is a syndication agreement", for a query."""
    return col(Agreement.id).startswith(f"{SYNDICATION_PREFIX}-")


def find_distributor(session: Session, name: str) -> Account | None:
    """The distributor with exactly this name, if any."""
    statement = select(Account).where(Account.kind == AccountKind.DISTRIBUTOR, Account.name == name.strip())
    return session.exec(statement).first()


def get_distributor(uow: UnitOfWork, name: str) -> Account:
    """The distributor with exactly this name, or :class:`NotFound` naming the distributors with a close name
    (a typo, another case), so that a slip never reaches another distributor or makes a new one."""
    with uow.read():
        return _get_distributor(uow.session, name)


def _get_distributor(session: Session, name: str) -> Account:
    """:func:`get_distributor` within the caller's transaction."""
    distributor = find_distributor(session, name)
    if distributor is None:
        names = session.exec(select(Account.name).where(Account.kind == AccountKind.DISTRIBUTOR)).all()
        by_folded = {" ".join(known.casefold().split()): known for known in names}
        wanted = " ".join(name.casefold().split())
        near = [by_folded[folded] for folded in difflib.get_close_matches(wanted, list(by_folded), n=3, cutoff=0.6)]
        hint = f" Did you mean {' or '.join(repr(known) for known in near)}?" if near else ""
        raise NotFound(f"No distributor is named {name!r}.{hint}")
    return distributor


def ensure_distributor(uow: UnitOfWork, name: str, *, actor: str = "operator") -> DistributorSetup:
    """The distributor called ``name``; created, with the stock service agreement published as version 1,
    when it does not exist yet."""
    cleaned = clean_distributor_name(name)
    with uow.write():
        setup = add_distributor(uow.session, cleaned, actor=actor)
        uow.commit()
    return setup


def clean_distributor_name(name: str | None) -> str:
    """A distributor's name: single-spaced, 1 to 200 characters."""
    raw = refuse_hidden_characters(require_storable(text_value(name, "distributor"), "distributor"), "distributor")
    cleaned = " ".join(raw.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise ValidationFailed({"distributor": f"A distributor name has 1 to {NAME_MAX} characters."})
    return cleaned


def add_distributor(session: Session, name: str, *, actor: str) -> DistributorSetup:
    """Within the caller's write transaction: find the distributor, or add it with the stock agreement."""
    existing = find_distributor(session, name)
    if existing is not None:
        return DistributorSetup(existing, created=False)
    distributor = Account(kind=AccountKind.DISTRIBUTOR, name=name)
    agreement = Agreement(distributor_id=distributor.id, title=f"{name} Reseller Service Agreement")
    text = stock_agreement_text(name)
    version = AgreementVersion(
        agreement_id=agreement.id, version=1, text=text, text_sha256=text_sha256(text), is_active=True
    )
    add_in_order(session, distributor, agreement, version)
    audit.record(session, actor=actor, action="account.created", object_type="account", object_id=distributor.id)
    audit.record(
        session, actor=actor, action="agreement.published", object_type="agreement", object_id=agreement.id, version=1
    )
    return DistributorSetup(distributor, created=True)


def active_version_for(session: Session, distributor_id: str) -> AgreementVersion:
    """The active version of the distributor's newest service agreement, for new signees."""
    version = _active_version(session, distributor_id, SERVICE)
    if version is None:
        raise NotFound("This distributor has no published service agreement.")
    return version


def syndication_version_for(session: Session, distributor_id: str) -> AgreementVersion | None:
    """The active version of the distributor's newest syndication agreement (what an enrolling reseller
    accepts), if it has one."""
    return _active_version(session, distributor_id, SYNDICATION)


def _active_version(session: Session, distributor_id: str, kind: str) -> AgreementVersion | None:
    syndication = _is_syndication()
    statement = (
        select(AgreementVersion)
        .join(Agreement, col(Agreement.id) == col(AgreementVersion.agreement_id))
        .where(
            Agreement.distributor_id == distributor_id,
            col(AgreementVersion.is_active).is_(True),
            syndication if kind == SYNDICATION else ~syndication,
        )
        .order_by(col(Agreement.created_at).desc())
    )
    return session.exec(statement).first()


# A long reseller agreement is 10,000-15,000 words (about 40 printed pages); the stock one is 1,900 characters.
AGREEMENT_TEXT_MAX = markdown.TEXT_MAX


@dataclass(frozen=True)
class VersionSummary:
    version_id: str
    version: int
    is_active: bool
    created_at: datetime
    text_sha256: str
    contracts: int  # signed contracts (active or since terminated) on this version; a link out is not one


class AgreementAction(StrEnum):
    """What a distributor can do to one of its agreements."""

    PUBLISH_VERSION = "publish_version"


# An agreement has no status: each can always get a new version (its text must differ from the current one's).
AGREEMENT_ACTIONS = frozenset({AgreementAction.PUBLISH_VERSION})


@dataclass(frozen=True)
class AgreementSummary:
    agreement_id: str
    title: str
    versions: list[VersionSummary]  # newest first
    allowed_actions: frozenset[AgreementAction] = AGREEMENT_ACTIONS
    kind: str = SERVICE  # SERVICE or SYNDICATION

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def clean_agreement_text(text: str | None) -> str:
    """An agreement's Markdown text: not blank, at most 100,000 characters, no control or bidi characters
    (besides line breaks and tabs), and displayable by the safe renderer with every part of it visible."""
    value = require_storable(text_value(text, "text").strip(), "text")
    if not value:
        raise ValidationFailed({"text": "Write the agreement text."})
    if len(value) > AGREEMENT_TEXT_MAX:
        raise ValidationFailed({"text": f"An agreement text has at most {AGREEMENT_TEXT_MAX:,} characters."})
    refuse_hidden_characters(value, "text", multiline=True)
    markdown.render_text(value)
    return value


def clean_agreement_title(title: object) -> str:
    """An agreement's title: single-spaced, 1 to 200 characters, no control or invisible characters."""
    raw = refuse_hidden_characters(require_storable(text_value(title, "title"), "title"), "title")
    cleaned = " ".join(raw.split())
    if not cleaned or len(cleaned) > NAME_MAX:
        raise ValidationFailed({"title": f"Give the agreement a title of 1 to {NAME_MAX} characters."})
    return cleaned


def list_agreements(uow: UnitOfWork, actor: Actor) -> list[AgreementSummary]:
    """The actor's distributor's agreements with their versions, newest first."""
    distributor_id = distributor_of(actor)
    with uow.read():
        return _list_agreements(uow.session, distributor_id)


def _list_agreements(session: Session, distributor_id: str) -> list[AgreementSummary]:
    agreements = session.exec(
        select(Agreement).where(Agreement.distributor_id == distributor_id).order_by(col(Agreement.created_at).desc())
    ).all()
    usage = dict(
        session.exec(
            select(Contract.agreement_version_id, func.count())
            .where(Contract.distributor_id == distributor_id, col(Contract.signed_at).is_not(None))
            .group_by(col(Contract.agreement_version_id))
        ).all()
    )
    summaries = []
    for agreement in agreements:
        versions = session.exec(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id == agreement.id)
            .order_by(col(AgreementVersion.version).desc())
        ).all()
        summaries.append(
            AgreementSummary(
                agreement_id=agreement.id,
                title=agreement.title,
                kind=SYNDICATION if is_syndication(agreement.id) else SERVICE,
                versions=[
                    VersionSummary(v.id, v.version, v.is_active, v.created_at, v.text_sha256, usage.get(v.id, 0))
                    for v in versions
                ],
            )
        )
    return summaries


def version_text(uow: UnitOfWork, actor: Actor, version_id: str) -> AgreementVersion:
    """One version of one of the actor's agreements, with its text."""
    distributor_id = distributor_of(actor)
    with uow.read():
        version = uow.session.get(AgreementVersion, version_id) if is_storable(version_id) else None
        agreement = uow.session.get(Agreement, version.agreement_id) if version else None
    own(distributor_id, agreement.distributor_id if agreement else None, "agreement version")
    assert version is not None
    return version


def clean_kind(kind: object) -> str:
    if kind not in KIND_LABELS:
        raise ValidationFailed({"kind": "Choose the agreement's type: service or syndication."})
    return str(kind)


def create_agreement(
    uow: UnitOfWork,
    actor: Actor,
    *,
    title: str | None,
    text: str | None,
    kind: object = SERVICE,
    request_key: str | None = None,
) -> Agreement:
    """A new agreement (a service agreement, or with ``kind`` a syndication agreement) for the actor's
    distributor, with ``text`` published as version 1; once per ``request_key``."""
    distributor_id = distributor_of(actor)
    errors = FieldErrors()
    cleaned_kind = errors.check(clean_kind, kind)
    cleaned_title = errors.check(clean_agreement_title, title) or ""
    cleaned_text = errors.check(clean_agreement_text, text) or ""
    errors.raise_if_any()
    with uow.write():
        session = uow.session
        check_not_done(session, request_key)
        agreement = Agreement(distributor_id=distributor_id, title=cleaned_title)
        if cleaned_kind == SYNDICATION:
            agreement.id = readable_id(SYNDICATION_PREFIX)
        version = AgreementVersion(
            agreement_id=agreement.id,
            version=1,
            text=cleaned_text,
            text_sha256=text_sha256(cleaned_text),
            is_active=True,
        )
        add_in_order(session, agreement, version)
        audit.record(
            session,
            actor=actor.audit_name,
            action="agreement.created",
            object_type="agreement",
            object_id=agreement.id,
            kind=cleaned_kind,
        )
        audit.record(
            session,
            actor=actor.audit_name,
            action="agreement.published",
            object_type="agreement",
            object_id=agreement.id,
            version=1,
        )
        record_done(session, request_key, action="agreement.created", actor=actor.audit_name, object_id=agreement.id)
        uow.commit()
    return agreement


def publish_version(
    uow: UnitOfWork,
    actor: Actor,
    agreement_id: str | None,
    *,
    text: str | None,
    request_key: str | None = None,
) -> AgreementVersion:
    """Publish a new version of one of the actor's agreements (``agreement_id`` None: of its distributor's
    newest agreement, as the command line's ``agreements publish`` does). It becomes the active version, for new
    invitations; invitations and contracts keep the version they were made with. Once per ``request_key``;
    a text identical to the current version's is refused."""
    distributor_id = distributor_of(actor)
    cleaned = clean_agreement_text(text)
    with uow.write():
        check_not_done(uow.session, request_key)
        if agreement_id is None:
            agreement_id = _newest_agreement_id(uow.session, distributor_id)
        version = _publish(uow, distributor_id, agreement_id, cleaned, actor=actor.audit_name)
        record_done(
            uow.session, request_key, action="agreement.published", actor=actor.audit_name, object_id=version.id
        )
        uow.commit()
    return version


def _newest_agreement_id(session: Session, distributor_id: str) -> str:
    agreement = session.exec(
        select(Agreement).where(Agreement.distributor_id == distributor_id).order_by(col(Agreement.created_at).desc())
    ).first()
    if agreement is None:
        distributor = session.get(Account, distributor_id)
        raise NotFound(f"{distributor.name if distributor else 'This distributor'} has no service agreement.")
    return agreement.id


def publish_version_as_operator(
    uow: UnitOfWork, distributor_name: str, text: str | None, *, title: str | None = None, kind: str = SERVICE
) -> AgreementVersion:
    """The command line's ``agreements publish``: a new version of the distributor's newest agreement of
    ``kind``. A distributor without a syndication agreement gets one, with ``text`` as version 1."""
    cleaned = clean_agreement_text(text)
    kind = clean_kind(kind)
    with uow.write():
        distributor = _get_distributor(uow.session, distributor_name)
        syndication = _is_syndication()
        agreement = uow.session.exec(
            select(Agreement)
            .where(Agreement.distributor_id == distributor.id, syndication if kind == SYNDICATION else ~syndication)
            .order_by(col(Agreement.created_at).desc())
        ).first()
        if agreement is None and kind == SYNDICATION:
            version = add_syndication_agreement(uow.session, distributor, cleaned, actor="command line")
        elif agreement is None:
            raise NotFound(f"{distributor.name} has no service agreement.")
        else:
            version = _publish(uow, distributor.id, agreement.id, cleaned, actor="command line")
        uow.commit()
    return version


def add_syndication_agreement(session: Session, distributor: Account, text: str, *, actor: str) -> AgreementVersion:
    """Within the caller's write block: the distributor's syndication agreement, ``text`` published as version 1."""
    agreement = Agreement(
        id=readable_id(SYNDICATION_PREFIX),
        distributor_id=distributor.id,
        title=f"{distributor.name} Syndication Agreement",
    )
    version = AgreementVersion(
        agreement_id=agreement.id, version=1, text=text, text_sha256=text_sha256(text), is_active=True
    )
    add_in_order(session, agreement, version)
    audit.record(
        session,
        actor=actor,
        action="agreement.created",
        object_type="agreement",
        object_id=agreement.id,
        kind=SYNDICATION,
    )
    audit.record(
        session, actor=actor, action="agreement.published", object_type="agreement", object_id=agreement.id, version=1
    )
    session.flush()
    return version


def _publish(uow: UnitOfWork, distributor_id: str, agreement_id: str, text: str, *, actor: str) -> AgreementVersion:
    """Within the caller's write block. The agreement stays locked until it ends, so that two versions
    published at once get consecutive numbers instead of one of them failing."""
    session = uow.session
    agreement = uow.get_for_update(Agreement, agreement_id) if is_storable(agreement_id) else None
    own(distributor_id, agreement.distributor_id if agreement else None, "agreement")
    latest = session.exec(
        select(AgreementVersion)
        .where(AgreementVersion.agreement_id == agreement_id)
        .order_by(col(AgreementVersion.version).desc())
    ).first()
    actives = session.exec(
        select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement_id, col(AgreementVersion.is_active).is_(True)
        )
    ).all()
    for active in actives:
        if active.text_sha256 == text_sha256(text):
            raise ValidationFailed(
                {
                    "text": f"This is the text of version {active.version}, the current one. "
                    "Change it before publishing a new version."
                }
            )
    for active in actives:
        active.is_active = False
        session.add(active)
    session.flush()  # one active version at a time: deactivate before the new one is inserted
    number = (latest.version if latest else 0) + 1
    version = AgreementVersion(
        agreement_id=agreement_id, version=number, text=text, text_sha256=text_sha256(text), is_active=True
    )
    session.add(version)
    audit.record(
        session,
        actor=actor,
        action="agreement.published",
        object_type="agreement",
        object_id=agreement_id,
        version=number,
    )
    session.flush()
    return version
