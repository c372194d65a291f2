"""**Create subscription**: what the order form offers (the reseller's active customers, its marketplaces with the
products listed on each, their items priced in the marketplace's currency), the summary with cost and MSRP per
period before **Place order**, and placing it: subscription ``AS-…`` *processing* and its purchase request
``PR-…-001`` *pending*, once per request key (a double click places one order)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, func, select

from data.models import Customer, CustomerStatus, Marketplace, Subscription, SubscriptionItem
from data.models.catalog import Item, ItemPrice, Product, ProductStatus
from data.models.subscription import EXTERNAL_ID_MAX, MONEY_LIMIT
from data.models.syndication import Listing, ListingStatus
from services import fulfilment
from services.actors import SignedInUser
from services.errors import FieldErrors, ValidationFailed
from services.portal.access import reseller_of
from services.portal.customers import CustomerChoice
from services.requests import check_not_done, record_done
from services.rules import clean_optional_text, is_storable
from services.unit_of_work import UnitOfWork

PERIOD_LABELS = {"monthly": "Monthly", "yearly": "Yearly", "one_time": "One-time"}


@dataclass(frozen=True)
class OrderItem:
    item_id: str
    name: str
    mpn: str
    unit: str
    billing_period: str
    cost: Decimal  # per unit and period, in the marketplace's currency
    msrp: Decimal


@dataclass(frozen=True)
class OrderProduct:
    product_id: str
    name: str
    items: list[OrderItem]


@dataclass(frozen=True)
class OrderMarketplace:
    marketplace_id: str
    name: str
    currency: str
    products: list[OrderProduct]


@dataclass(frozen=True)
class OrderForm:
    customers: list[CustomerChoice]
    marketplaces: list[OrderMarketplace]  # only those with a product listed and priced in their currency


@dataclass(frozen=True)
class OrderLine:
    item: OrderItem
    quantity: int

    @property
    def cost(self) -> Decimal:
        return self.item.cost * self.quantity

    @property
    def msrp(self) -> Decimal:
        return self.item.msrp * self.quantity


@dataclass(frozen=True)
class OrderSummary:
    customer: CustomerChoice
    marketplace: OrderMarketplace
    product: OrderProduct
    lines: list[OrderLine]  # the ordered items (quantity 1 or more)
    billing_period: str
    cost_total: Decimal
    msrp_total: Decimal
    external_id: str | None


@dataclass(frozen=True)
class PlacedOrder:
    subscription_id: str
    request_id: str


def _offer(session: Session, account_id: str, marketplace_id: str | None = None) -> list[OrderMarketplace]:
    """The reseller's marketplaces (or one), each with its listed, published products and their items priced in
    its currency."""
    statement = (
        select(Marketplace, Product, Item, ItemPrice)
        .join(Listing, col(Listing.marketplace_id) == col(Marketplace.id))
        .join(Product, col(Product.id) == col(Listing.product_id))
        .join(Item, col(Item.product_id) == col(Product.id))
        .join(
            ItemPrice,
            (col(ItemPrice.item_id) == col(Item.id)) & (col(ItemPrice.currency) == col(Marketplace.currency)),
        )
        .where(
            col(Marketplace.account_id) == account_id,
            col(Listing.status) == ListingStatus.LISTED,
            col(Product.status) == ProductStatus.PUBLISHED,
        )
        .order_by(func.lower(Marketplace.name), func.lower(Product.name), col(Item.id))
    )
    if marketplace_id is not None:
        statement = statement.where(col(Marketplace.id) == marketplace_id)
    marketplaces: dict[str, OrderMarketplace] = {}
    products: dict[tuple[str, str], OrderProduct] = {}
    for marketplace, product, item, price in session.exec(statement):
        market = marketplaces.setdefault(
            marketplace.id, OrderMarketplace(marketplace.id, marketplace.name, marketplace.currency, [])
        )
        key = (marketplace.id, product.id)
        if key not in products:
            products[key] = OrderProduct(product.id, product.name, [])
            market.products.append(products[key])
        products[key].items.append(
            OrderItem(
                item_id=item.id,
                name=item.name,
                mpn=item.mpn,
                unit=item.unit,
                billing_period=str(item.billing_period.value),
                cost=price.cost,
                msrp=price.msrp,
            )
        )
    return list(marketplaces.values())


def _active_customers(session: Session, account_id: str) -> list[CustomerChoice]:
    statement = (
        select(Customer)
        .where(Customer.account_id == account_id, Customer.status == CustomerStatus.ACTIVE)
        .order_by(func.lower(Customer.company_name), col(Customer.id))
    )
    return [
        CustomerChoice(customer.id, f"{customer.company_name} ({customer.external_id or customer.id})")
        for customer in session.exec(statement)
    ]


def order_form(uow: UnitOfWork, actor: SignedInUser) -> OrderForm:
    """What **Create subscription** offers the actor now."""
    with uow.read():
        account_id = reseller_of(uow, actor)
        return OrderForm(_active_customers(uow.session, account_id), _offer(uow.session, account_id))


def _check(
    session: Session,
    account_id: str,
    *,
    customer_id: object,
    marketplace_id: object,
    product_id: object,
    quantities: object,
    external_id: object,
) -> OrderSummary:
    """Every field of an order checked against what the reseller may order now; one :class:`ValidationFailed`
    naming each field that is wrong."""
    errors = FieldErrors()
    customer = next(
        (
            c
            for c in _active_customers(session, account_id)
            if isinstance(customer_id, str) and c.customer_id == customer_id
        ),
        None,
    )
    if customer is None:
        errors.add("customer", "Choose one of your active customers.")
    offered = (
        _offer(session, account_id, marketplace_id)
        if isinstance(marketplace_id, str) and is_storable(marketplace_id)
        else []
    )
    marketplace = offered[0] if offered else None
    product = None
    if marketplace is None:
        errors.add("marketplace", "Choose one of your marketplaces with a listed product.")
    else:
        product = next((p for p in marketplace.products if p.product_id == product_id), None)
        if product is None:
            errors.add("product", "Choose a product listed on this marketplace.")
    external = errors.check(clean_optional_text, external_id, "external_id", EXTERNAL_ID_MAX)
    lines: list[OrderLine] = []
    if product is not None:
        if not isinstance(quantities, Mapping):
            errors.add("quantities", "Give a quantity for each item.")
        else:
            clean = errors.check(fulfilment.check_quantities, quantities)
            if clean is not None:
                items = {item.item_id: item for item in product.items}
                if set(clean) - set(items):
                    errors.add("quantities", "Order only the items of this product.")
                else:
                    lines = [OrderLine(items[i], q) for i, q in sorted(clean.items()) if q > 0]
                    periods = {line.item.billing_period for line in lines}
                    if len(periods) > 1:
                        errors.add(
                            "quantities",
                            "Order items of one billing period in a subscription (monthly, yearly or one-time); "
                            "order the others in another subscription.",
                        )
    errors.raise_if_any()
    assert customer is not None and marketplace is not None and product is not None and lines
    cost = sum((line.cost for line in lines), Decimal(0))
    msrp = sum((line.msrp for line in lines), Decimal(0))
    if cost >= MONEY_LIMIT or msrp >= MONEY_LIMIT:
        raise ValidationFailed({"quantities": "These quantities make a total too large to order at once."})
    return OrderSummary(
        customer=customer,
        marketplace=marketplace,
        product=product,
        lines=lines,
        billing_period=lines[0].item.billing_period,
        cost_total=cost,
        msrp_total=msrp,
        external_id=external,
    )


def summarize_order(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    customer_id: object,
    marketplace_id: object,
    product_id: object,
    quantities: object,
    external_id: object = None,
) -> OrderSummary:
    """The order checked, with its cost and MSRP per period: what the summary shows before **Place order**."""
    with uow.read():
        account_id = reseller_of(uow, actor)
        return _check(
            uow.session,
            account_id,
            customer_id=customer_id,
            marketplace_id=marketplace_id,
            product_id=product_id,
            quantities=quantities,
            external_id=external_id,
        )


def place_order(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    customer_id: object,
    marketplace_id: object,
    product_id: object,
    quantities: object,
    external_id: object = None,
    request_key: str | None = None,
) -> PlacedOrder:
    """Place the order: subscription *processing* with its items at today's prices, and its purchase request
    *pending* with the distributor. Checked again in the write (a customer decommissioned or a product unlisted
    meanwhile refuses it); ``request_key``: a double click places one order."""
    with uow.write():
        account_id = reseller_of(uow, actor)  # locks the contract: a termination and an order never cross
        uow.get_for_update(Customer, customer_id) if isinstance(customer_id, str) and is_storable(customer_id) else None
        check_not_done(uow.session, request_key)
        summary = _check(
            uow.session,
            account_id,
            customer_id=customer_id,
            marketplace_id=marketplace_id,
            product_id=product_id,
            quantities=quantities,
            external_id=external_id,
        )
        product = uow.session.get(Product, summary.product.product_id)
        assert product is not None
        subscription = Subscription(
            reseller_id=account_id,
            distributor_id=product.distributor_id,
            customer_id=summary.customer.customer_id,
            marketplace_id=summary.marketplace.marketplace_id,
            product_id=product.id,
            external_id=summary.external_id,
            billing_period=summary.billing_period,
            currency=summary.marketplace.currency,
            cost_total=summary.cost_total,
            msrp_total=summary.msrp_total,
        )
        items = [
            SubscriptionItem(
                subscription_id=subscription.id,
                item_id=item.item_id,
                quantity=next((line.quantity for line in summary.lines if line.item.item_id == item.item_id), 0),
                unit_cost=item.cost,
                unit_msrp=item.msrp,
            )
            for item in summary.product.items
            if item.billing_period == summary.billing_period
        ]
        request = fulfilment.start_purchase(uow.session, subscription, items, actor.user_id)
        record_done(
            uow.session, request_key, action="subscription.ordered", actor=actor.user_id, object_id=subscription.id
        )
        uow.commit()
    return PlacedOrder(subscription.id, request)
