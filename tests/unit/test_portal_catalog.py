"""The reseller's catalog (chapter 3): its distributor's published products only, by category, with search and a
currency filter; a product's items and prices; only with an active service contract."""

from __future__ import annotations

import pytest

from portal_testing.factories import Portal
from services.access import signed_in_user
from services.actors import SignedInUser
from services.distributor import catalog, partners
from services.errors import Forbidden, NotFound, ValidationFailed
from services.portal import catalog as portal_catalog
from services.portal.access import ContractNotActive
from tests.unit.test_catalog import OTHER, item, product


def reseller(portal: Portal, token: str) -> SignedInUser:
    activated = portal.activate(token)
    user = signed_in_user(portal.uow(), activated.user_id)
    assert user is not None
    return user


def published(portal: Portal, actor: SignedInUser, name: str, category: str = "Finance", **price: str) -> str:
    made = product(portal, actor, name, category=category, description=f"About {name}: **bold** claims.")
    item(portal, actor, made.product_id, **price)
    catalog.publish_product(portal.uow(), actor, made.product_id)
    return made.product_id


def test_the_reseller_sees_its_distributors_published_products_by_category(portal: Portal) -> None:
    distributor = portal.distributor_user()
    other = portal.distributor_user(OTHER)
    published(portal, distributor, "Zebra Books", "Finance")
    published(portal, distributor, "Alpha Guard", "Security", currency="EUR")
    published(portal, distributor, "Aardvark Ledger", "Finance")
    product(portal, distributor, "Draft Thing")  # a draft: not shown
    ended = published(portal, distributor, "Old Thing")
    catalog.end_sale(portal.uow(), distributor, ended)
    theirs = published(portal, other, "Their Product")
    champion = reseller(portal, portal.invite())
    page = portal_catalog.browse_catalog(portal.uow(), champion)
    assert [(row.category, row.name) for row in page.rows] == [
        ("Finance", "Aardvark Ledger"),
        ("Finance", "Zebra Books"),
        ("Security", "Alpha Guard"),
    ]
    assert page.rows[2].currencies == ["EUR"] and page.rows[0].items == 1
    assert [r.name for r in portal_catalog.browse_catalog(portal.uow(), champion, search="claims").rows] == [
        "Aardvark Ledger",
        "Zebra Books",
        "Alpha Guard",
    ]  # the description is searched
    assert [r.name for r in portal_catalog.browse_catalog(portal.uow(), champion, search="SECUR").rows] == [
        "Alpha Guard"
    ]
    assert [r.name for r in portal_catalog.browse_catalog(portal.uow(), champion, currencies=["eur"]).rows] == [
        "Alpha Guard"
    ]
    assert portal_catalog.browse_catalog(portal.uow(), champion, currencies=[]).total == 0
    with pytest.raises(ValidationFailed):
        portal_catalog.browse_catalog(portal.uow(), champion, currencies="EUR")
    for hidden in (ended, theirs):
        with pytest.raises(NotFound):
            portal_catalog.catalog_product(portal.uow(), champion, hidden)
    detail = portal_catalog.catalog_product(portal.uow(), champion, page.rows[0].product_id)
    assert detail.distributor_name == "Mighty Mick's LLC" and detail.currencies == ["USD"]
    assert [(p.currency, str(p.cost), str(p.msrp)) for p in detail.items[0].prices] == [("USD", "8.5000", "12.0000")]


def test_only_resellers_with_an_active_service_contract_reach_the_catalog(portal: Portal) -> None:
    distributor = portal.distributor_user()
    product_id = published(portal, distributor, "Ledgerly")
    champion = reseller(portal, portal.invite())
    with pytest.raises(Forbidden, match="for resellers"):
        portal_catalog.browse_catalog(portal.uow(), distributor)
    [partner] = partners.list_partners(portal.uow(), distributor, status="active")
    partners.terminate_contract(portal.uow(), distributor, partner.contract_id, reason="The pilot ended.")
    with pytest.raises(ContractNotActive):
        portal_catalog.browse_catalog(portal.uow(), champion)
    with pytest.raises(ContractNotActive):
        portal_catalog.catalog_product(portal.uow(), champion, product_id)
