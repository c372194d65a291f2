"""The reseller's catalog: its distributor's published products, by category, with search; a product with its
items and prices. Only a reseller with an active service contract reaches it
(:class:`~services.portal.access.ContractNotActive` otherwise); a product that is not published (or is another
distributor's) is *not found*."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlmodel import col, select

from data.models import Account, Contract, ContractStatus, Item, ItemPrice, Marketplace, Product, ProductStatus
from services.actors import SignedInUser
from services.distributor.catalog import ItemView, items_of
from services.errors import NotFound, ValidationFailed
from services.listing import PAGE_SIZE, Page, contains, page_number, search_text
from services.portal.access import reseller_of
from services.rules import is_storable
from services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CatalogProduct:
    product_id: str
    name: str
    category: str
    short_description: str
    items: int
    currencies: list[str]


@dataclass(frozen=True)
class CatalogProductDetail:
    product_id: str
    name: str
    category: str
    short_description: str
    description: str
    distributor_name: str
    items: list[ItemView]

    @property
    def currencies(self) -> list[str]:
        return sorted({price.currency for item in self.items for price in item.prices})


def distributor_of_reseller(uow: UnitOfWork, actor: SignedInUser) -> str:
    """Within the open block: the distributor whose catalog the actor's reseller account sees, the one of its
    active service contract (:func:`~services.portal.access.reseller_of` refuses a distributor's user, and a
    reseller without an active contract)."""
    account_id = reseller_of(uow, actor)
    distributor_id = uow.session.exec(
        select(Contract.distributor_id)
        .where(Contract.reseller_account_id == account_id, Contract.status == ContractStatus.ACTIVE)
        .order_by(col(Contract.signed_at).desc())
    ).first()
    assert distributor_id is not None  # reseller_of found the active contract
    return distributor_id


def _currencies(raw: object) -> list[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or not all(isinstance(code, str) for code in raw):
        raise ValidationFailed({"currencies": "Choose currencies from the list."})
    return sorted({code.upper() for code in raw})


def browse_catalog(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    search: object = "",
    currencies: object = None,
    priced: object = False,
    page: object = 1,
) -> Page[CatalogProduct]:
    """The distributor's published products by category and name, searched in name, category and both
    descriptions; with ``currencies``, only those priced in at least one of them; with ``priced``, only those
    priced in a currency of one of the actor's marketplaces. One page of them."""
    text = search_text(search)
    wanted = _currencies(currencies)
    number = page_number(page)
    with uow.read():
        session = uow.session
        distributor_id = distributor_of_reseller(uow, actor)
        if priced is True:  # the currencies of the actor's marketplaces (none: nothing matches)
            mine = select(Marketplace.currency).where(Marketplace.account_id == actor.account_id).distinct()
            wanted = sorted(session.exec(mine).all())
        conditions: list[ColumnElement[bool]] = [
            col(Product.distributor_id) == distributor_id,
            col(Product.status) == ProductStatus.PUBLISHED,
        ]
        if text:
            conditions.append(
                contains(text, [Product.name, Product.category, Product.short_description, Product.description])
            )
        if wanted is not None:
            priced = (
                select(Item.product_id)
                .join(ItemPrice, col(ItemPrice.item_id) == col(Item.id))
                .where(col(ItemPrice.currency).in_(wanted))
            )
            conditions.append(col(Product.id).in_(priced))
        total = session.exec(select(func.count()).select_from(Product).where(*conditions)).one()
        products = session.exec(
            select(Product)
            .where(*conditions)
            .order_by(col(Product.category), col(Product.name))
            .offset((number - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        items = items_of(session, [product.id for product in products])
    rows = [
        CatalogProduct(
            product_id=product.id,
            name=product.name,
            category=product.category,
            short_description=product.short_description,
            items=len(items[product.id]),
            currencies=sorted({price.currency for item in items[product.id] for price in item.prices}),
        )
        for product in products
    ]
    return Page(rows=rows, total=total, page=number, page_size=PAGE_SIZE)


def catalog_product(uow: UnitOfWork, actor: SignedInUser, product_id: str) -> CatalogProductDetail:
    """A published product of the actor's distributor, with its items and their prices."""
    with uow.read():
        session = uow.session
        distributor_id = distributor_of_reseller(uow, actor)
        product = session.get(Product, product_id) if isinstance(product_id, str) and is_storable(product_id) else None
        if product is None or product.distributor_id != distributor_id or product.status != ProductStatus.PUBLISHED:
            raise NotFound("No such product in your catalog.")
        distributor = session.get(Account, distributor_id)
        assert distributor is not None
        return CatalogProductDetail(
            product_id=product.id,
            name=product.name,
            category=product.category,
            short_description=product.short_description,
            description=product.description,
            distributor_name=distributor.name,
            items=items_of(session, [product.id])[product.id],
        )
