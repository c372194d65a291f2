"""The reseller enrolls a product of its catalog on one of its marketplaces: it accepts the distributor's
syndication agreement, with the same evidence as the service contract, and a *pending* syndication contract
waits for the distributor (services/distributor/syndication.py). One pending or active contract per product and
marketplace: a second **Enroll** (a double click, another tab) creates nothing more. **My listings** shows what
was approved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from data.models import (
    Agreement,
    Item,
    ItemPrice,
    Listing,
    ListingStatus,
    Marketplace,
    Product,
    ProductStatus,
    SyndicationContract,
    SyndicationContractStatus,
    User,
)
from data.models.types import utcnow
from services import audit
from services.actors import SignedInUser
from services.distributor.agreements import syndication_version_for
from services.errors import FieldErrors, InvalidState, NotFound, ValidationFailed
from services.listing import PAGE_SIZE, Page, contains, page_number, search_text
from services.portal.catalog import distributor_of_reseller
from services.requests import check_not_done, record_done
from services.rules import ACCEPTANCE_REQUIRED, is_storable
from services.unit_of_work import UnitOfWork

Status = SyndicationContractStatus
# How a product stands on one of the reseller's marketplaces (its newest contract there decides).
NOT_ENROLLED = "Not enrolled"
STANDING = {
    Status.PENDING: "Pending",
    Status.ACTIVE: "Listed",
    Status.REJECTED: "Rejected",
    Status.TERMINATED: "Terminated",
}
ALREADY = "This product is already {standing} on {marketplace}; nothing more was done."
NO_AGREEMENT = "Your distributor has not published a syndication agreement yet, so products cannot be enrolled."
AGREEMENT_CHANGED = "Your distributor published a new version of the agreement meanwhile: read it, then enroll."
ENROLL_CONFLICTS = {
    "ux_syndication_contract_open": InvalidState("This product was enrolled on that marketplace meanwhile."),
    "syndication_contract.product_id": InvalidState("This product was enrolled on that marketplace meanwhile."),
}


@dataclass(frozen=True)
class MarketplaceStanding:
    marketplace_id: str
    name: str
    currency: str
    priced: bool  # the product has prices in the marketplace's currency
    standing: str  # NOT_ENROLLED or a STANDING value
    contract_id: str | None
    since: datetime | None
    reason: str | None  # why it was rejected

    @property
    def can_enroll(self) -> bool:
        return self.priced and self.standing in (NOT_ENROLLED, "Rejected", "Terminated")


@dataclass(frozen=True)
class Enrollment:
    """What the product page and the **Enroll** dialog show: the product's standing on each of the reseller's
    marketplaces, and the syndication agreement to accept (``None``: none published yet)."""

    product_id: str
    product_name: str
    currencies: list[str]
    marketplaces: list[MarketplaceStanding]
    agreement_version_id: str | None
    agreement_title: str | None
    agreement_version: int | None
    agreement_text: str | None

    @property
    def enrollable(self) -> list[MarketplaceStanding]:
        return [marketplace for marketplace in self.marketplaces if marketplace.can_enroll]


def _published_product(uow: UnitOfWork, distributor_id: str, product_id: object) -> Product:
    valid = isinstance(product_id, str) and is_storable(product_id)
    product = uow.session.get(Product, product_id) if valid else None
    if product is None or product.distributor_id != distributor_id or product.status != ProductStatus.PUBLISHED:
        raise NotFound("No such product in your catalog.")
    return product


def _currencies(uow: UnitOfWork, product_id: str) -> list[str]:
    return sorted(
        uow.session.exec(
            select(ItemPrice.currency)
            .join(Item, col(Item.id) == col(ItemPrice.item_id))
            .where(Item.product_id == product_id)
            .distinct()
        ).all()
    )


def enrollment(uow: UnitOfWork, actor: SignedInUser, product_id: str) -> Enrollment:
    """The product's standing on each of the actor's marketplaces, and the agreement an enrolment accepts."""
    with uow.read():
        session = uow.session
        distributor_id = distributor_of_reseller(uow, actor)
        product = _published_product(uow, distributor_id, product_id)
        currencies = _currencies(uow, product.id)
        marketplaces = session.exec(
            select(Marketplace).where(Marketplace.account_id == actor.account_id).order_by(col(Marketplace.name))
        ).all()
        contracts = session.exec(
            select(SyndicationContract)
            .where(SyndicationContract.product_id == product.id)
            .where(col(SyndicationContract.marketplace_id).in_([m.id for m in marketplaces]))
            .order_by(col(SyndicationContract.created_at))
        ).all()
        newest = {contract.marketplace_id: contract for contract in contracts}  # the last one wins
        version = syndication_version_for(session, distributor_id)
        agreement = session.get(Agreement, version.agreement_id) if version else None
    standings = []
    for marketplace in marketplaces:
        contract = newest.get(marketplace.id)
        standings.append(
            MarketplaceStanding(
                marketplace_id=marketplace.id,
                name=marketplace.name,
                currency=marketplace.currency,
                priced=marketplace.currency in currencies,
                standing=STANDING[contract.status] if contract else NOT_ENROLLED,
                contract_id=contract.id if contract else None,
                since=(contract.terminated_at or contract.decided_at or contract.created_at) if contract else None,
                reason=contract.rejection_reason if contract else None,
            )
        )
    return Enrollment(
        product_id=product.id,
        product_name=product.name,
        currencies=currencies,
        marketplaces=standings,
        agreement_version_id=version.id if version else None,
        agreement_title=agreement.title if agreement else None,
        agreement_version=version.version if version else None,
        agreement_text=version.text if version else None,
    )


def enroll(
    uow: UnitOfWork,
    actor: SignedInUser,
    product_id: str,
    *,
    marketplace_id: object,
    accepted: object,
    agreement_version_id: object,
    client_address: str | None = None,
    user_agent: str | None = None,
    request_key: str | None = None,
) -> str:
    """Enroll the product on one of the actor's marketplaces (priced in its currency), accepting the active
    version of the syndication agreement: a pending syndication contract. Returns its ID."""
    errors = FieldErrors()
    if not isinstance(marketplace_id, str) or not marketplace_id or not is_storable(marketplace_id):
        errors.add("marketplace_id", "Choose one of your marketplaces.")
    if accepted is not True:
        errors.add("accepted", ACCEPTANCE_REQUIRED)
    errors.raise_if_any()
    with uow.write(conflicts=ENROLL_CONFLICTS):
        session = uow.session
        check_not_done(session, request_key)
        distributor_id = distributor_of_reseller(uow, actor)  # the service contract's row locked (PostgreSQL)
        product = _published_product(uow, distributor_id, product_id)
        marketplace = session.get(Marketplace, marketplace_id)
        if marketplace is None or marketplace.account_id != actor.account_id:
            raise ValidationFailed({"marketplace_id": "Choose one of your marketplaces."})
        if marketplace.currency not in _currencies(uow, product.id):
            raise ValidationFailed(
                {
                    "marketplace_id": f"{product.name} has no prices in {marketplace.currency}, the currency of "
                    f"{marketplace.name}."
                }
            )
        version = syndication_version_for(session, distributor_id)
        if version is None:
            raise InvalidState(NO_AGREEMENT)
        if agreement_version_id != version.id:
            raise InvalidState(AGREEMENT_CHANGED)
        existing = session.exec(
            uow.lock(
                select(SyndicationContract).where(
                    SyndicationContract.product_id == product.id,
                    SyndicationContract.marketplace_id == marketplace.id,
                    col(SyndicationContract.status).in_([Status.PENDING, Status.ACTIVE]),
                )
            )
        ).first()
        if existing is not None:
            standing = STANDING[existing.status].lower()
            raise InvalidState(ALREADY.format(standing=standing, marketplace=marketplace.name))
        user = session.get(User, actor.user_id)
        assert user is not None
        contract = SyndicationContract(
            distributor_id=distributor_id,
            reseller_account_id=actor.account_id,
            product_id=product.id,
            marketplace_id=marketplace.id,
            agreement_version_id=version.id,
            signee_user_id=user.id,
            evidence_text_sha256=version.text_sha256,
            evidence_email=user.email,
            evidence_name=user.full_name,
            evidence_accepted_at=utcnow(),
            evidence_client_address=client_address,
            evidence_user_agent=user_agent,
        )
        session.add(contract)
        session.flush()
        audit.record(
            session,
            actor=actor.user_id,
            action="syndication_contract.requested",
            object_type="syndication_contract",
            object_id=contract.id,
            product=product.id,
            marketplace=marketplace.id,
            client_address=client_address,
        )
        record_done(session, request_key, action="product.enrolled", actor=actor.user_id, object_id=contract.id)
        uow.commit()
    return contract.id


@dataclass(frozen=True)
class ListingRow:
    listing_id: str
    product_id: str
    product_name: str
    marketplace_name: str
    contract_id: str
    status: ListingStatus
    since: datetime

    @property
    def status_label(self) -> str:
        return "Listed" if self.status == ListingStatus.LISTED else "Unlisted"


def my_listings(
    uow: UnitOfWork, actor: SignedInUser, *, status: str | None = None, search: object = "", page: object = 1
) -> Page[ListingRow]:
    """The actor's listings (products approved on its marketplaces), newest first."""
    wanted = None
    if status not in (None, ""):
        try:
            wanted = ListingStatus(status)
        except ValueError:
            raise ValidationFailed({"status": "Choose a status from the list."}) from None
    text = search_text(search)
    number = page_number(page)
    with uow.read():
        session = uow.session
        distributor_of_reseller(uow, actor)
        conditions: list[ColumnElement[bool]] = [col(Marketplace.account_id) == actor.account_id]
        if wanted is not None:
            conditions.append(col(Listing.status) == wanted)
        if text:
            conditions.append(contains(text, [Product.name, Marketplace.name, Listing.id, Listing.contract_id]))
        joined = (
            select(Listing, Product.name, Marketplace.name)
            .join(Product, col(Product.id) == col(Listing.product_id))
            .join(Marketplace, col(Marketplace.id) == col(Listing.marketplace_id))
            .where(*conditions)
        )
        total = session.exec(select(func.count()).select_from(joined.subquery())).one()
        found = session.exec(
            joined.order_by(col(Listing.listed_at).desc()).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        ).all()
    rows = [
        ListingRow(
            listing_id=listing.id,
            product_id=listing.product_id,
            product_name=product_name,
            marketplace_name=marketplace_name,
            contract_id=listing.contract_id,
            status=listing.status,
            since=listing.unlisted_at or listing.listed_at,
        )
        for listing, product_name, marketplace_name in found
    ]
    return Page(rows=rows, total=total, page=number, page_size=PAGE_SIZE)


__all__ = ["Enrollment", "ListingRow", "enroll", "enrollment", "my_listings"]
