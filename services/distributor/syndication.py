"""The distributor decides on its resellers' enrolments: syndication contracts ``CRS-…`` are approved (the product
is listed on the marketplace: a listing ``LST-…``), rejected with a reason the reseller sees, or terminated after
approval (the listing is unlisted; subscriptions made meanwhile keep running). :data:`TRANSITIONS` is the status
machine; each decision is taken once (the contract's row is locked; a second press is told what happened)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from data.models import (
    Account,
    AccountKind,
    Listing,
    ListingStatus,
    Marketplace,
    Product,
    SyndicationContract,
)
from data.models import SyndicationContractStatus as SyndicationContractStatus  # the pages show it
from data.models.types import utcnow
from services import audit
from services.access import distributor_of, own
from services.actors import SignedInUser
from services.errors import InvalidState, ValidationFailed
from services.listing import PAGE_SIZE, Page, contains, filter_choice, page_number, search_text
from services.rules import clean_optional_text, is_storable
from services.unit_of_work import UnitOfWork

Status = SyndicationContractStatus
STATUS_LABELS = {
    Status.PENDING: "Pending",
    Status.ACTIVE: "Active",
    Status.REJECTED: "Rejected",
    Status.TERMINATED: "Terminated",
}
# The syndication contract's status machine: each decision, the statuses it applies to, and where it leads.
TRANSITIONS: dict[str, tuple[frozenset[SyndicationContractStatus], SyndicationContractStatus]] = {
    "approve": (frozenset({Status.PENDING}), Status.ACTIVE),
    "reject": (frozenset({Status.PENDING}), Status.REJECTED),
    "terminate": (frozenset({Status.ACTIVE}), Status.TERMINATED),
}
DONE_WORDS = {Status.ACTIVE: "approved", Status.REJECTED: "rejected", Status.TERMINATED: "terminated"}
REASON_MAX = 2000
REASON_MISSING = "Give the reason; the reseller sees it."
SERVICE_CONTRACT_ENDED = "The reseller's service contract was terminated."


def allowed_actions(status: SyndicationContractStatus) -> frozenset[str]:
    return frozenset(action for action, (sources, _) in TRANSITIONS.items() if status in sources)


@dataclass(frozen=True)
class SyndicationRow:
    contract_id: str
    reseller_name: str
    product_id: str
    product_name: str
    marketplace_name: str
    currency: str
    status: SyndicationContractStatus
    requested_at: datetime
    decided_at: datetime | None
    rejection_reason: str | None
    listing_id: str | None
    allowed_actions: frozenset[str]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


# A contract with its reseller's, product's and marketplace's names, the marketplace's currency and its listing.
ContractRows = Select[SyndicationContract, str, str, str, str, str | None]


def find_syndication_contracts(
    uow: UnitOfWork, actor: SignedInUser, *, status: str | None = None, search: object = "", page: object = 1
) -> Page[SyndicationRow]:
    """The distributor's syndication contracts, pending ones first, then newest first; by status, searched in the
    reseller's, product's and marketplace's names and the contract's ID."""
    distributor_id = distributor_of(actor)
    wanted = filter_choice(SyndicationContractStatus, status)
    text = search_text(search)
    number = page_number(page)
    reseller = Account
    with uow.read():
        session = uow.session
        conditions: list[ColumnElement[bool]] = [col(SyndicationContract.distributor_id) == distributor_id]
        if wanted is not None:
            conditions.append(col(SyndicationContract.status) == wanted)
        # sqlmodel's select() is typed for at most four entities: the statement is built as its Select of six.
        statement: ContractRows = Select(
            SyndicationContract,
            col(reseller.name),
            col(Product.name),
            col(Marketplace.name),
            col(Marketplace.currency),
            col(Listing.id),
        )
        joined = (
            statement.join(reseller, col(reseller.id) == col(SyndicationContract.reseller_account_id))
            .join(Product, col(Product.id) == col(SyndicationContract.product_id))
            .join(Marketplace, col(Marketplace.id) == col(SyndicationContract.marketplace_id))
            .outerjoin(Listing, col(Listing.contract_id) == col(SyndicationContract.id))
        )
        if text:  # matched in the (few) names first, then the contracts by their keys: no per-row ILIKE on joins
            conditions.append(
                or_(
                    col(SyndicationContract.product_id).in_(
                        select(Product.id).where(
                            Product.distributor_id == distributor_id, contains(text, [Product.name])
                        )
                    ),
                    col(SyndicationContract.marketplace_id).in_(
                        select(Marketplace.id).where(contains(text, [Marketplace.name]))
                    ),
                    col(SyndicationContract.reseller_account_id).in_(
                        select(reseller.id).where(
                            reseller.kind == AccountKind.RESELLER, contains(text, [reseller.name])
                        )
                    ),
                    contains(text, [SyndicationContract.id]),
                )
            )
        total = session.exec(select(func.count()).select_from(SyndicationContract).where(*conditions)).one()
        pending_first = case((col(SyndicationContract.status) == Status.PENDING, 0), else_=1)
        order = [col(SyndicationContract.created_at).desc(), col(SyndicationContract.id)]
        if wanted is None:
            order.insert(0, pending_first)
        found = session.exec(
            joined.where(*conditions).order_by(*order).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        ).all()
    rows = [
        SyndicationRow(
            contract_id=contract.id,
            reseller_name=reseller_name,
            product_id=contract.product_id,
            product_name=product_name,
            marketplace_name=marketplace_name,
            currency=currency,
            status=contract.status,
            requested_at=contract.created_at,
            decided_at=contract.decided_at,
            rejection_reason=contract.rejection_reason,
            listing_id=listing_id,
            allowed_actions=allowed_actions(contract.status),
        )
        for contract, reseller_name, product_name, marketplace_name, currency, listing_id in found
    ]
    return Page(rows=rows, total=total, page=number, page_size=PAGE_SIZE)


def _locked(uow: UnitOfWork, distributor_id: str, contract_id: object) -> SyndicationContract:
    valid = isinstance(contract_id, str) and is_storable(contract_id)
    contract = uow.get_for_update(SyndicationContract, contract_id) if valid else None
    own(distributor_id, contract.distributor_id if contract else None, "syndication contract")
    assert contract is not None
    return contract


def _move(session: Session, contract: SyndicationContract, action: str, *, actor: str, **details: str) -> None:
    """Within the caller's write block (the contract locked): ``action`` of :data:`TRANSITIONS`, or
    :class:`InvalidState` saying what happened to it already."""
    sources, target = TRANSITIONS[action]
    if contract.status not in sources:
        done = DONE_WORDS.get(contract.status)
        when = contract.terminated_at or contract.decided_at
        raise InvalidState(
            f"This contract was {done} already"
            + (f" ({when:%d %b %Y, %H:%M} UTC)" if when else "")
            + f", so it cannot be {action}d now."
            if done
            else f"This contract is {STATUS_LABELS[contract.status].lower()}: it cannot be {action}d."
        )
    contract.status = target
    now = utcnow()
    if target == Status.TERMINATED:
        contract.terminated_at = now
    else:
        contract.decided_at, contract.decided_by = now, actor
    session.add(contract)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"syndication_contract.{DONE_WORDS[target]}",
        object_type="syndication_contract",
        object_id=contract.id,
        **details,
    )


def approve(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> str:
    """Approve a pending contract: it becomes active and the product is listed on the marketplace. Returns the
    listing's ID."""
    distributor_id = distributor_of(actor)
    with uow.write():
        session = uow.session
        contract = _locked(uow, distributor_id, contract_id)
        _move(session, contract, "approve", actor=actor.user_id)
        listing = Listing(
            contract_id=contract.id, product_id=contract.product_id, marketplace_id=contract.marketplace_id
        )
        session.add(listing)
        session.flush()
        audit.record(
            session,
            actor=actor.user_id,
            action="listing.listed",
            object_type="listing",
            object_id=listing.id,
            contract=contract.id,
        )
        uow.commit()
    return listing.id


def clean_reason(raw: object) -> str:
    reason = clean_optional_text(raw, "reason", REASON_MAX, multiline=True)
    if reason is None:
        raise ValidationFailed({"reason": REASON_MISSING})
    return reason


def reject(uow: UnitOfWork, actor: SignedInUser, contract_id: str, *, reason: object) -> None:
    """Reject a pending contract with a reason (required; the reseller sees it)."""
    distributor_id = distributor_of(actor)
    cleaned = clean_reason(reason)
    with uow.write():
        contract = _locked(uow, distributor_id, contract_id)
        contract.rejection_reason = cleaned
        _move(uow.session, contract, "reject", actor=actor.user_id)
        uow.commit()


def terminate(uow: UnitOfWork, actor: SignedInUser, contract_id: str) -> None:
    """Terminate an active contract: its listing is unlisted (subscriptions made meanwhile keep running)."""
    distributor_id = distributor_of(actor)
    with uow.write():
        session = uow.session
        contract = _locked(uow, distributor_id, contract_id)
        _move(session, contract, "terminate", actor=actor.user_id)
        listing = session.exec(select(Listing).where(Listing.contract_id == contract.id)).first()
        if listing is not None and listing.status == ListingStatus.LISTED:
            listing.status, listing.unlisted_at = ListingStatus.UNLISTED, utcnow()
            session.add(listing)
            audit.record(
                session,
                actor=actor.user_id,
                action="listing.unlisted",
                object_type="listing",
                object_id=listing.id,
                contract=contract.id,
            )
        uow.commit()


def reject_pending_of_reseller(session: Session, distributor_id: str, reseller_account_id: str, *, actor: str) -> int:
    """Within the caller's write block (terminating the reseller's service contract): its pending syndication
    contracts with the distributor are rejected, with that reason. Returns how many."""
    pending = session.exec(
        select(SyndicationContract).where(
            SyndicationContract.distributor_id == distributor_id,
            SyndicationContract.reseller_account_id == reseller_account_id,
            SyndicationContract.status == Status.PENDING,
        )
    ).all()
    for contract in pending:
        contract.rejection_reason = SERVICE_CONTRACT_ENDED
        _move(session, contract, "reject", actor=actor, reason="service contract terminated")
    return len(pending)
