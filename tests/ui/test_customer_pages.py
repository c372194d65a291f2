"""``/customers`` with NiceGUI's simulated user: create a customer in the dialog (field errors next to their
fields, a taken External ID among them), find it in the directory, open it, edit it, decommission it; another
reseller's customer is a 404 page."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from portal_testing.chapter4 import ACME
from portal_testing.factories import EMAIL, Portal
from services.access import signed_in_user
from services.portal import customers
from tests.ui.conftest import PAGE_STATUSES
from tests.ui.test_distributor_pages import sign_in


def fill(user: User, **values: str) -> None:
    for name, value in values.items():
        user.find(marker=f"customer-{name}").clear().type(value)


async def test_create_find_open_edit_and_decommission_a_customer(user: User, app_portal: Portal) -> None:
    created = app_portal.activate(app_portal.invite())
    reseller = signed_in_user(app_portal.uow(), created.user_id)
    assert reseller is not None
    customers.create_customer(app_portal.uow(), reseller, **{**ACME, "company_name": "Taken Ltd"})
    await sign_in(user, EMAIL, "/customers")
    await user.should_see("Taken Ltd", retries=30)

    user.find(marker="create-customer").click()
    await user.should_see("Company name")
    fill(user, company_name="Globex", external_id="acme-1", city="Berlin", postal_code="10115", phone="12")
    user.find(marker="customer-save").click()
    await user.should_see("Enter the street address.", retries=30)
    await user.should_see("Choose the customer's country.")
    await user.should_see("Enter the technical contact's email address.")

    fill(user, address_line1="Unter den Linden 1", email="ops@globex.example", phone="030 1234567")
    country = user.find(marker="customer-country")
    country.click()  # the list opens; Germany is chosen as a click on its option would
    chosen = next(iter(country.elements))
    assert isinstance(chosen, ui.select)
    chosen.value = "DE"
    user.find(marker="customer-save").click()
    await user.should_see(customers.EXTERNAL_ID_TAKEN, retries=30)  # the database's refusal, at its field

    fill(user, external_id="GLOBEX-1")
    user.find(marker="customer-save").click()
    await user.should_see(marker="customer-heading", retries=30)  # the new customer's page
    await user.should_see("Globex")
    await user.should_see("+49 30 1234567")
    await user.should_see("No subscriptions yet.")

    user.find(marker="edit-customer").click()
    await user.should_see("Edit customer Globex")
    fill(user, city="Potsdam")
    user.find(marker="customer-save").click()
    await user.should_see("10115 Potsdam", retries=30)

    user.find(marker="decommission-customer").click()
    await user.should_see("Decommission Globex?")
    user.find(marker="confirm").click()
    await user.should_see(marker="customer-decommissioned", retries=30)
    await user.should_not_see(marker="decommission-customer")
    await user.should_not_see(marker="order-for-customer")

    await user.open("/customers?status=decommissioned")
    await user.should_see("Globex", retries=30)
    await user.should_not_see("Taken Ltd")
    await user.open("/customers?q=taken")
    await user.should_see("Taken Ltd", retries=30)
    await user.should_not_see("Globex")


async def test_another_resellers_customer_is_a_404_page(user: User, app_portal: Portal) -> None:
    rival = app_portal.activate(app_portal.invite(), email="rita@rival.example", company="Rival Ltd")
    rival_user = signed_in_user(app_portal.uow(), rival.user_id)
    assert rival_user is not None
    theirs = customers.create_customer(app_portal.uow(), rival_user, **ACME)
    app_portal.activate(app_portal.invite())
    await sign_in(user, EMAIL, "/customers")
    await user.should_see("No customers yet.", retries=30)
    PAGE_STATUSES.clear()
    await user.open(f"/customers/{theirs.customer_id}")
    await user.should_see("Customer not found", retries=30)
    await user.should_not_see("Acme Widgets")
    assert PAGE_STATUSES == [404]
