"""Chapter 4's arrangements shared by the unit, UI and browser tests: a customer's fields, a reseller that has
activated its portal, and a :class:`World` of a distributor, two of its resellers with a customer each, and
another distributor, where subscriptions are ordered as the order form does (the catalog's products stood in for
by item IDs and prices)."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from data.models import (
    Contract,
    FulfilmentRequest,
    RequestItem,
    RequestStatus,
    RequestType,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from data.models.subscription import request_id
from portal_testing.factories import Portal
from services import fulfilment
from services.access import signed_in_user
from services.actors import SignedInUser
from services.distributor import fulfilment as queue
from services.fulfilment import Move
from services.portal import customers, subscriptions

S, T, R = SubscriptionStatus, RequestType, RequestStatus
ITEM_A, ITEM_B = "PRD-123-456-789-0001", "PRD-123-456-789-0002"

ACME = {
    "company_name": "Acme Widgets",
    "external_id": "ACME-1",
    "tax_id": "DE123456789",
    "address_line1": "Hauptstraße 1",
    "address_line2": "",
    "city": "Berlin",
    "state": "",
    "postal_code": "10115",
    "country": "DE",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "Ada@Acme.example",
    "phone": "030 1234567",
}


def reseller(portal: Portal, company: str = "Champions Corp", email: str = "jane@champions.example") -> SignedInUser:
    """A signed-in user of a reseller that has activated its portal (an active service contract)."""
    activated = portal.activate(portal.invite(), email=email, company=company)
    user = signed_in_user(portal.uow(), activated.user_id)
    assert user is not None
    return user


class World:
    """A distributor's user, two of its resellers' users (each with a customer), and another distributor's user."""

    def __init__(self, portal: Portal, tag: str = "") -> None:
        """``tag`` makes the emails and names unique, for several worlds in one database."""
        self.portal = portal
        self.tag = tag
        self.reseller = reseller(portal, f"Champions{tag} Corp", f"jane{tag}@champions.example")
        self.rival = reseller(portal, f"Rival{tag} Ltd", f"rita{tag}@rival.example")
        with portal.session() as session:
            contract = session.exec(
                select(Contract).where(Contract.reseller_account_id == self.reseller.account_id)
            ).one()
        self.distributor_id = contract.distributor_id
        self.distributor = portal.distributor_user()
        self.stranger = portal.distributor_user(f"Other Distribution{tag} GmbH")
        assert self.distributor.account_id == self.distributor_id != self.stranger.account_id
        self.customer = customers.create_customer(portal.uow(), self.reseller, **ACME).customer_id
        self.rival_customer = customers.create_customer(portal.uow(), self.rival, **ACME).customer_id

    def order(self, actor: SignedInUser | None = None, quantities: tuple[int, int] = (2, 0)) -> str:
        """A subscription ordered as the order form will (processing, its purchase request pending); the
        catalog's products are stood in for by item IDs and prices."""
        actor = actor or self.reseller
        customer = self.customer if actor is self.reseller else self.rival_customer
        subscription = Subscription(
            reseller_id=actor.account_id,
            distributor_id=self.distributor_id,
            customer_id=customer,
            marketplace_id="MP-12345",
            product_id="PRD-123-456-789",
            billing_period="monthly",
            currency="EUR",
            cost_total=Decimal(0),
            msrp_total=Decimal(0),
        )
        items = [
            SubscriptionItem(
                subscription_id=subscription.id,
                item_id=ITEM_A,
                quantity=quantities[0],
                unit_cost=Decimal("10.50"),
                unit_msrp=Decimal("12.99"),
            ),
            SubscriptionItem(
                subscription_id=subscription.id,
                item_id=ITEM_B,
                quantity=quantities[1],
                unit_cost=Decimal("100"),
                unit_msrp=Decimal("120.0001"),
            ),
        ]
        with self.portal.session() as session:
            fulfilment.start_purchase(session, subscription, items, actor.user_id)
            session.commit()
        return subscription.id

    def put(self, subscription_id: str, status: SubscriptionStatus, kind: RequestType, request: RequestStatus) -> str:
        """Put a subscription in ``status`` with a request of ``kind`` in ``request`` as its latest (behind the
        services' backs, to reach every combination, the impossible ones too)."""
        with self.portal.session() as session:
            subscription = session.get(Subscription, subscription_id)
            assert subscription is not None
            for old in session.exec(
                select(FulfilmentRequest).where(FulfilmentRequest.subscription_id == subscription_id)
            ):
                old.status = R.APPROVED
                session.add(old)
            session.flush()
            subscription.requests_made += 1
            subscription.status = status
            made = FulfilmentRequest(
                id=request_id(subscription_id, subscription.requests_made),
                subscription_id=subscription_id,
                distributor_id=subscription.distributor_id,
                reseller_id=subscription.reseller_id,
                type=kind,
                status=request,
                created_by=self.reseller.user_id,
            )
            session.add_all([subscription, made])
            session.flush()
            if kind == T.CHANGE:
                session.add(RequestItem(request_id=made.id, item_id=ITEM_A, old_quantity=2, new_quantity=5))
            session.commit()
            return made.id

    def state(self, subscription_id: str, request: str) -> tuple[RequestStatus, SubscriptionStatus]:
        with self.portal.session() as session:
            found = session.get(FulfilmentRequest, request)
            subscription = session.get(Subscription, subscription_id)
            assert found is not None and subscription is not None
            return found.status, subscription.status

    def move(self, request: str, move: Move) -> None:
        uow = self.portal.uow()
        if move == Move.APPROVE:
            queue.approve_request(uow, self.distributor, request, message="Done")
        elif move == Move.INQUIRE:
            queue.inquire_request(uow, self.distributor, request, question="Which seats?")
        elif move == Move.FAIL:
            queue.fail_request(uow, self.distributor, request, reason="Out of stock")
        else:
            subscriptions.answer_inquiry(uow, self.reseller, request, answer="These seats.")


def email_of(portal: Portal, user: SignedInUser) -> str:
    """A user's email, to sign in with in a browser."""
    from data.models import User

    with portal.session() as session:
        found = session.get(User, user.user_id)
        assert found is not None
        return found.email


def listed_product(
    portal: Portal, reseller_user: SignedInUser, distributor: SignedInUser, tag: str = ""
) -> tuple[str, str]:
    """Chapters 2 and 3 for ``reseller_user``: a marketplace in USD, and a published product of ``distributor`` with
    two monthly items and a yearly one, enrolled on it and approved (listed). Returns (marketplace, product)."""
    from services.distributor import agreements, catalog, syndication
    from services.portal import hubs, marketplaces
    from services.portal import syndication as enrolment

    if not any(a.kind == agreements.SYNDICATION for a in agreements.list_agreements(portal.uow(), distributor)):
        agreements.create_agreement(
            portal.uow(), distributor, title="Syndication terms", text="# Terms\n\nResell.", kind="syndication"
        )
    made = catalog.create_product(
        portal.uow(),
        distributor,
        name=f"Ledgerly Books{tag}",
        category="Finance",
        short_description="Bookkeeping in the cloud.",
        description="# Ledgerly\n\nBookkeeping.",
    )
    for mpn, name, period, cost, msrp in (
        ("LGB-M", "Monthly seat", "monthly", "8.50", "12"),
        ("LGB-S", "Storage pack", "monthly", "2.25", "3.10"),
        ("LGB-Y", "Yearly seat", "yearly", "90", "120"),
    ):
        catalog.add_item(
            portal.uow(),
            distributor,
            made.product_id,
            mpn=mpn,
            item_name=name,
            billing_period=period,
            unit="Users",
            currency="USD",
            cost=cost,
            msrp=msrp,
        )
    catalog.publish_product(portal.uow(), distributor, made.product_id)
    hub = hubs.register_hub(portal.uow(), reseller_user, name=f"Web shop{tag}", type="api", instance_id=f"shop{tag}-1")
    market = marketplaces.create_marketplace(
        portal.uow(),
        reseller_user,
        name=f"North America{tag}",
        currency="USD",
        countries=["US"],
        hubs={hub.hub_id: "T-1"},
    )
    view = enrolment.enrollment(portal.uow(), reseller_user, made.product_id)
    contract = enrolment.enroll(
        portal.uow(),
        reseller_user,
        made.product_id,
        marketplace_id=market.marketplace_id,
        accepted=True,
        agreement_version_id=view.agreement_version_id,
        client_address="203.0.113.9",
        user_agent="pytest",
    )
    syndication.approve(portal.uow(), distributor, contract)
    return market.marketplace_id, made.product_id
