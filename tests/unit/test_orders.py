"""Chapter 4, **Create subscription**: what the order form offers (active customers; marketplaces with the products
listed on them; items priced in the marketplace's currency), the summary's totals, and **Place order**: a
subscription *processing* with its purchase request *pending*, once per request key, refused for what may not be
ordered (a decommissioned or another reseller's customer, a product not listed there, no quantity, mixed billing
periods, a terminated service contract)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from data.models import Contract, ContractStatus, FulfilmentRequest, SubscriptionItem
from portal_testing.chapter4 import ACME, listed_product, reseller
from portal_testing.factories import Portal
from services.actors import SignedInUser
from services.distributor import fulfilment as queue
from services.distributor import syndication
from services.errors import AlreadyDone, ValidationFailed
from services.portal import customers, orders, subscriptions
from services.portal.access import ContractNotActive
from services.requests import new_request_key


class Shop:
    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.distributor = portal.distributor_user()
        self.reseller = reseller(portal)
        self.marketplace, self.product = listed_product(portal, self.reseller, self.distributor)
        self.customer = customers.create_customer(portal.uow(), self.reseller, **ACME).customer_id
        form = orders.order_form(portal.uow(), self.reseller)
        self.items = {item.name: item.item_id for item in form.marketplaces[0].products[0].items}

    def order(self, actor: SignedInUser | None = None, **changes: object) -> orders.PlacedOrder:
        values: dict[str, object] = {
            "customer_id": self.customer,
            "marketplace_id": self.marketplace,
            "product_id": self.product,
            "quantities": {self.items["Monthly seat"]: 2},
        }
        values.update(changes)
        return orders.place_order(self.portal.uow(), actor or self.reseller, **values)  # type: ignore[arg-type]


@pytest.fixture
def shop(portal: Portal) -> Shop:
    return Shop(portal)


def test_the_form_offers_active_customers_and_listed_products_priced_in_the_marketplaces_currency(shop: Shop) -> None:
    form = orders.order_form(shop.portal.uow(), shop.reseller)
    assert [c.customer_id for c in form.customers] == [shop.customer]
    [market] = form.marketplaces
    assert (market.marketplace_id, market.currency) == (shop.marketplace, "USD")
    [product] = market.products
    assert product.product_id == shop.product
    assert [(i.name, i.billing_period, i.cost, i.msrp) for i in product.items] == [
        ("Monthly seat", "monthly", Decimal("8.50"), Decimal("12")),
        ("Storage pack", "monthly", Decimal("2.25"), Decimal("3.10")),
        ("Yearly seat", "yearly", Decimal("90"), Decimal("120")),
    ]


def test_the_summary_gives_cost_and_msrp_per_period(shop: Shop) -> None:
    summary = orders.summarize_order(
        shop.portal.uow(),
        shop.reseller,
        customer_id=shop.customer,
        marketplace_id=shop.marketplace,
        product_id=shop.product,
        quantities={shop.items["Monthly seat"]: 2, shop.items["Storage pack"]: 3, shop.items["Yearly seat"]: 0},
        external_id=" ORDER-7 ",
    )
    assert [(line.item.name, line.quantity) for line in summary.lines] == [("Monthly seat", 2), ("Storage pack", 3)]
    assert (summary.cost_total, summary.msrp_total) == (Decimal("23.75"), Decimal("33.30"))
    assert (summary.billing_period, summary.external_id) == ("monthly", "ORDER-7")


def test_placing_an_order_makes_a_processing_subscription_and_a_pending_purchase_once(shop: Shop) -> None:
    key = new_request_key()
    placed = shop.order(request_key=key, external_id="ORDER-1")
    with pytest.raises(AlreadyDone) as again:  # a double click places one order
        shop.order(request_key=key, external_id="ORDER-1")
    assert again.value.object_id == placed.subscription_id
    assert placed.subscription_id.startswith("AS-") and placed.request_id == f"PR-{placed.subscription_id[3:]}-001"
    detail = subscriptions.subscription_detail(shop.portal.uow(), shop.reseller, placed.subscription_id)
    assert (detail.row.status.value, detail.row.currency, detail.row.external_id) == ("processing", "USD", "ORDER-1")
    assert (detail.row.cost_total, detail.row.msrp_total) == (Decimal("17.00"), Decimal("24.00"))
    assert [(r.type.value, r.status.value) for r in detail.requests] == [("purchase", "pending")]
    with shop.portal.session() as session:
        items = session.exec(select(SubscriptionItem).where(SubscriptionItem.subscription_id == placed.subscription_id))
        assert sorted((i.item_id, i.quantity) for i in items) == [
            (shop.items["Monthly seat"], 2),
            (shop.items["Storage pack"], 0),  # offered, not ordered: a change may order it later
        ]
        assert len(session.exec(select(FulfilmentRequest)).all()) == 1
    queue.approve_request(shop.portal.uow(), shop.distributor, placed.request_id)
    assert (
        subscriptions.subscription_detail(shop.portal.uow(), shop.reseller, placed.subscription_id).row.status.value
        == "active"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantities": {}}, "quantities"),
        ({"quantities": {"X": 1}}, "quantities"),
        ({"quantities": "2"}, "quantities"),
        ({"product_id": "PRD-000-000-000"}, "product"),
        ({"marketplace_id": "MP-00000"}, "marketplace"),
        ({"marketplace_id": None}, "marketplace"),
        ({"customer_id": "TA-0000-0000-0000"}, "customer"),
        ({"external_id": "x" * 101}, "external_id"),
    ],
)
def test_what_cannot_be_ordered_is_a_field_error(shop: Shop, changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        shop.order(**changes)  # type: ignore[arg-type]  # wrong on purpose
    assert field in failure.value.errors


def test_one_billing_period_per_subscription(shop: Shop) -> None:
    with pytest.raises(ValidationFailed) as failure:
        shop.order(quantities={shop.items["Monthly seat"]: 1, shop.items["Yearly seat"]: 1})
    assert "one billing period" in failure.value.errors["quantities"]
    yearly = shop.order(quantities={shop.items["Yearly seat"]: 1})
    row = subscriptions.subscription_detail(shop.portal.uow(), shop.reseller, yearly.subscription_id).row
    assert (row.billing_period, row.cost_total) == ("yearly", Decimal("90.00"))


def test_a_decommissioned_customer_and_an_unlisted_product_get_no_new_subscription(shop: Shop) -> None:
    placed = shop.order()
    customers.decommission_customer(shop.portal.uow(), shop.reseller, shop.customer)
    with pytest.raises(ValidationFailed) as failure:
        shop.order()
    assert "customer" in failure.value.errors
    other = customers.create_customer(shop.portal.uow(), shop.reseller, **{**ACME, "external_id": "OTHER"})
    with shop.portal.session() as session:
        from data.models import SyndicationContract

        contract = session.exec(select(SyndicationContract)).one()
    syndication.terminate(shop.portal.uow(), shop.distributor, contract.id)
    with pytest.raises(ValidationFailed) as failure:
        shop.order(customer_id=other.customer_id)
    assert "marketplace" in failure.value.errors  # nothing is listed on it any more
    assert orders.order_form(shop.portal.uow(), shop.reseller).marketplaces == []
    row = subscriptions.subscription_detail(shop.portal.uow(), shop.reseller, placed.subscription_id).row
    assert row.status.value == "processing"  # existing subscriptions are unaffected


def test_another_resellers_customer_or_marketplace_cannot_be_ordered_for(shop: Shop) -> None:
    rival = reseller(shop.portal, "Rival Ltd", "rita@rival.example")
    rival_market, _ = listed_product(shop.portal, rival, shop.distributor, " rival")
    theirs = customers.create_customer(shop.portal.uow(), rival, **ACME).customer_id
    with pytest.raises(ValidationFailed) as failure:
        shop.order(customer_id=theirs)
    assert "customer" in failure.value.errors
    with pytest.raises(ValidationFailed) as failure:
        shop.order(marketplace_id=rival_market)
    assert "marketplace" in failure.value.errors


def test_a_reseller_whose_contract_is_terminated_places_no_order(shop: Shop) -> None:
    with shop.portal.session() as session:
        contract = session.exec(select(Contract).where(Contract.reseller_account_id == shop.reseller.account_id)).one()
        contract.status = ContractStatus.TERMINATED
        session.add(contract)
        session.commit()
    with pytest.raises(ContractNotActive):
        shop.order()
    with pytest.raises(ContractNotActive):
        orders.order_form(shop.portal.uow(), shop.reseller)
