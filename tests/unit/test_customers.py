"""Chapter 4, customers: create, edit, decommission; the directory searched, filtered and paged in SQL; the CSV
export (UTF-8 with BOM, formula injection neutralised); phone numbers in E.164; the External ID unique within a
reseller by the database; and ownership: another reseller's customer is "not found"."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from data.models import AuditEvent, Contract, ContractStatus, Customer, CustomerStatus
from portal_testing.chapter4 import ACME, reseller
from portal_testing.factories import Portal
from services import csv_export
from services.actors import SignedInUser
from services.errors import AlreadyDone, Forbidden, InvalidState, NotFound, ValidationFailed
from services.portal import customers
from services.portal.access import ContractNotActive
from services.requests import new_request_key


def create(portal: Portal, actor: SignedInUser, **changes: Any) -> customers.CustomerRow:
    return customers.create_customer(portal.uow(), actor, **{**ACME, **changes})


def test_a_customer_is_created_active_with_every_field_and_its_phone_in_e164(portal: Portal) -> None:
    actor = reseller(portal)
    row = customers.create_customer(portal.uow(), actor, **ACME)
    detail = customers.customer_detail(portal.uow(), actor, row.customer_id)
    assert row.customer_id.startswith("TA-") and len(row.customer_id) == len("TA-1234-5678-9012")
    assert row.status == CustomerStatus.ACTIVE and row.allowed_actions == ("edit", "decommission", "order")
    fields = detail.fields
    assert (fields.company_name, fields.external_id, fields.city, fields.country) == (
        "Acme Widgets",
        "ACME-1",
        "Berlin",
        "DE",
    )
    assert fields.address_line2 is None and fields.state is None  # empty optional fields are None, not ""
    assert fields.email == "ada@acme.example"
    assert fields.phone == "+49301234567"  # a national number, read with the customer's country
    assert detail.phone_international == "+49 30 1234567"
    assert row.country_name == "Germany"
    with portal.session() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.object_id == row.customer_id)).all()
    assert [(event.action, event.actor) for event in events] == [("customer.created", actor.user_id)]


@pytest.mark.parametrize(
    ("phone", "country", "stored"),
    [
        ("+1 415 555 2671", "DE", "+14155552671"),  # a country code wins over the customer's country
        ("(415) 555-2671", "US", "+14155552671"),
        ("+44 20 7946 0958", "GB", "+442079460958"),
        ("", "DE", None),
    ],
)
def test_phone_numbers_are_stored_in_e164(portal: Portal, phone: str, country: str, stored: str | None) -> None:
    actor = reseller(portal)
    row = create(portal, actor, phone=phone, country=country)
    assert customers.customer_detail(portal.uow(), actor, row.customer_id).fields.phone == stored


@pytest.mark.parametrize("phone", ["12", "not a number", "+49 30", "+999 1234 5678", "+49 30 1234567 8901234567"])
def test_an_invalid_phone_number_is_a_field_error(portal: Portal, phone: str) -> None:
    actor = reseller(portal)
    with pytest.raises(ValidationFailed) as failure:
        create(portal, actor, phone=phone)
    assert set(failure.value.errors) == {"phone"}


def test_every_missing_or_wrong_field_is_named_at_once(portal: Portal) -> None:
    actor = reseller(portal)
    with pytest.raises(ValidationFailed) as failure:
        customers.create_customer(
            portal.uow(),
            actor,
            company_name="  ",
            address_line1="",
            city=None,
            postal_code="",
            country="Germany",
            email="not-an-email",
            external_id="x" * 101,
            first_name="Ada\u202e",
        )
    assert set(failure.value.errors) == {
        "company_name",
        "address_line1",
        "city",
        "postal_code",
        "country",
        "email",
        "external_id",
        "first_name",
    }
    assert failure.value.errors["country"] == "Choose a country from the list."
    with portal.session() as session:
        assert session.exec(select(Customer)).all() == []


@pytest.mark.parametrize("value", [42, ["DE"], {"a": 1}])
def test_values_that_are_not_text_are_field_errors(portal: Portal, value: object) -> None:
    actor = reseller(portal)
    with pytest.raises(ValidationFailed) as failure:
        create(portal, actor, city=value)
    assert set(failure.value.errors) == {"city"}


def test_the_external_id_is_unique_within_a_reseller_by_the_database_whatever_its_case(portal: Portal) -> None:
    actor = reseller(portal)
    other = reseller(portal, "Rival Ltd", "rita@rival.example")
    first = create(portal, actor)
    with pytest.raises(ValidationFailed) as failure:
        create(portal, actor, external_id="acme-1", company_name="Acme Again")
    assert failure.value.errors == {"external_id": customers.EXTERNAL_ID_TAKEN}
    create(portal, other)  # another reseller may use the same External ID
    create(portal, actor, external_id="")  # customers without one do not collide
    create(portal, actor, external_id=None, company_name="Nameless Two")
    second = create(portal, actor, external_id="ACME-2")
    with pytest.raises(ValidationFailed) as failure:  # an edit meets the same rule
        customers.edit_customer(portal.uow(), actor, second.customer_id, **{**ACME, "external_id": "Acme-1"})
    assert failure.value.errors == {"external_id": customers.EXTERNAL_ID_TAKEN}
    assert customers.customer_detail(portal.uow(), actor, first.customer_id).fields.external_id == "ACME-1"


def test_a_create_retried_with_its_request_key_creates_one_customer(portal: Portal) -> None:
    actor = reseller(portal)
    key = new_request_key()
    created = create(portal, actor, request_key=key)
    with pytest.raises(AlreadyDone) as done:
        create(portal, actor, request_key=key)
    assert done.value.object_id == created.customer_id
    assert customers.find_customers(portal.uow(), actor).total == 1


def test_editing_changes_the_fields_and_records_which(portal: Portal) -> None:
    actor = reseller(portal)
    row = create(portal, actor)
    edited = customers.edit_customer(
        portal.uow(), actor, row.customer_id, **{**ACME, "city": "Hamburg", "postal_code": "20095", "phone": ""}
    )
    detail = customers.customer_detail(portal.uow(), actor, row.customer_id)
    assert edited.city == "Hamburg" and detail.fields.postal_code == "20095" and detail.fields.phone is None
    with portal.session() as session:
        changed = session.exec(
            select(AuditEvent).where(AuditEvent.object_id == row.customer_id, AuditEvent.action == "customer.changed")
        ).one()
    assert changed.details is not None and "city, postal_code, phone" in changed.details


def test_unknown_form_fields_are_refused(portal: Portal) -> None:
    actor = reseller(portal)
    with pytest.raises(ValidationFailed):
        create(portal, actor, account_id="PA-000-000-000")


def test_decommissioning_is_done_once_and_keeps_the_customer_editable(portal: Portal) -> None:
    actor = reseller(portal)
    row = create(portal, actor)
    decommissioned = customers.decommission_customer(portal.uow(), actor, row.customer_id)
    assert decommissioned.status == CustomerStatus.DECOMMISSIONED and decommissioned.status_label == "Decommissioned"
    assert decommissioned.allowed_actions == ("edit",)
    with pytest.raises(InvalidState):
        customers.decommission_customer(portal.uow(), actor, row.customer_id)
    customers.edit_customer(portal.uow(), actor, row.customer_id, **{**ACME, "city": "Bonn"})
    assert customers.active_customers(portal.uow(), actor) == []
    detail = customers.customer_detail(portal.uow(), actor, row.customer_id)
    assert detail.decommissioned_at is not None and detail.row.city == "Bonn"


def test_the_directory_searches_filters_and_pages_in_sql_newest_first(portal: Portal) -> None:
    actor = reseller(portal)
    rows = [
        create(
            portal,
            actor,
            company_name=f"Customer {n:02d} GmbH",
            external_id=f"EXT-{n:02d}",
            email=f"c{n}@example.org",
        )
        for n in range(30)
    ]
    customers.decommission_customer(portal.uow(), actor, rows[0].customer_id)
    first = customers.find_customers(portal.uow(), actor, page=1)
    second = customers.find_customers(portal.uow(), actor, page=2)
    assert first.total == 30 and len(first.rows) == 25 and len(second.rows) == 5 and first.pages == 2
    assert first.rows[0].company_name == "Customer 29 GmbH"
    assert customers.find_customers(portal.uow(), actor, status="decommissioned").total == 1
    assert customers.find_customers(portal.uow(), actor, status="active").total == 29
    by_name = customers.find_customers(portal.uow(), actor, search="customer 07")
    by_external_id = customers.find_customers(portal.uow(), actor, search="ext-1")
    by_email = customers.find_customers(portal.uow(), actor, search="C12@EXAMPLE")
    assert [row.external_id for row in by_name.rows] == ["EXT-07"]
    assert by_external_id.total == 10
    assert [row.company_name for row in by_email.rows] == ["Customer 12 GmbH"]
    assert customers.find_customers(portal.uow(), actor, search="%").total == 0  # taken literally
    with pytest.raises(ValidationFailed):
        customers.find_customers(portal.uow(), actor, status="happy")
    assert customers.find_customers(portal.uow(), actor, page=99).rows == []


def test_the_csv_export_opens_in_a_spreadsheet_with_formulas_neutralised(portal: Portal) -> None:
    actor = reseller(portal)
    create(portal, actor, company_name='=HYPERLINK("http://evil.example","click")', external_id="+1")
    create(portal, actor, company_name="@SUM(A1:A2)", external_id="-2", tax_id="=1+2")
    create(portal, actor, company_name="Zürich Ünïcode AG", external_id="ZU-1", phone="+41 44 668 18 00")
    exported = customers.export_customers(portal.uow(), actor)
    assert exported.startswith("\ufeff")  # UTF-8 with BOM once encoded
    assert exported.encode("utf-8").startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert table[0][:3] == ["Customer ID", "Company name", "External ID"]
    by_external = {row[2]: row for row in table[1:]}
    assert by_external["'+1"][1] == '\'=HYPERLINK("http://evil.example","click")'
    assert by_external["'-2"][1] == "'@SUM(A1:A2)" and by_external["'-2"][3] == "'=1+2"
    assert by_external["ZU-1"][1] == "Zürich Ünïcode AG" and by_external["ZU-1"][13] == "'+41446681800"
    assert by_external["ZU-1"][14] == "Active"
    for row in table[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))
    only = customers.export_customers(portal.uow(), actor, search="zürich")
    assert len(list(csv.reader(io.StringIO(only.removeprefix("\ufeff"))))) == 2


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+49", "'+49"),
        ("-3", "'-3"),
        ("@A1", "'@A1"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("a=b", "a=b"),
        (None, ""),
        (Decimal("12.5"), "12.50"),
        (Decimal("0.1234"), "0.1234"),
    ],
)
def test_every_cell_that_a_spreadsheet_would_run_is_written_as_text(value: object, written: str) -> None:
    assert csv_export.cell(value) == written


def test_another_resellers_customer_is_not_found(portal: Portal) -> None:
    owner = reseller(portal)
    stranger = reseller(portal, "Rival Ltd", "rita@rival.example")
    row = create(portal, owner)
    for action in (
        lambda: customers.customer_detail(portal.uow(), stranger, row.customer_id),
        lambda: customers.edit_customer(portal.uow(), stranger, row.customer_id, **ACME),
        lambda: customers.decommission_customer(portal.uow(), stranger, row.customer_id),
    ):
        with pytest.raises(NotFound):
            action()
    assert customers.find_customers(portal.uow(), stranger).total == 0
    assert customers.find_customers(portal.uow(), stranger, search="acme").total == 0
    assert customers.active_customers(portal.uow(), stranger) == []
    assert customers.export_customers(portal.uow(), stranger).count("\r\n") == 1  # the header only
    for unknown in ("TA-0000-0000-0000", "", "x" * 1000, "\ud800", None, 5):
        with pytest.raises(NotFound):
            customers.customer_detail(portal.uow(), owner, unknown)  # type: ignore[arg-type]
    assert customers.customer_detail(portal.uow(), owner, row.customer_id).row.status == CustomerStatus.ACTIVE


def test_distributors_and_resellers_without_an_active_contract_cannot_keep_customers(portal: Portal) -> None:
    actor = reseller(portal)
    row = create(portal, actor)
    distributor = portal.distributor_user()
    with pytest.raises(Forbidden):
        customers.find_customers(portal.uow(), distributor)
    with pytest.raises(Forbidden):
        create(portal, distributor)
    with portal.session() as session:
        contract = session.exec(select(Contract).where(Contract.reseller_account_id == actor.account_id)).one()
        contract.status = ContractStatus.TERMINATED
        session.add(contract)
        session.commit()
    for action in (
        lambda: create(portal, actor, external_id="NEW"),
        lambda: customers.find_customers(portal.uow(), actor),
        lambda: customers.customer_detail(portal.uow(), actor, row.customer_id),
    ):
        with pytest.raises(ContractNotActive):
            action()
