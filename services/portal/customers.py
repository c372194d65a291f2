"""A reseller's customers (tier accounts): create, edit, decommission; the directory (searched, filtered and
paged in SQL), a customer's page with its subscriptions, and the CSV export. Another reseller's customer is
"not found"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import phonenumbers
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from data.models import Customer, CustomerStatus, Subscription
from data.models import customer as limits
from data.models.types import utcnow
from services import audit
from services.actors import SignedInUser
from services.csv_export import csv_text
from services.errors import FieldErrors, InvalidState, NotFound, ValidationFailed
from services.fulfilment import SUBSCRIPTION_LABELS, names
from services.listing import PAGE_SIZE, Page, contains, filter_choice, page_number, search_text
from services.portal.access import reseller_of
from services.portal.regions import countries
from services.requests import check_not_done, record_done
from services.rules import clean_email, clean_optional_text, is_storable
from services.unit_of_work import UnitOfWork

STATUS_CHOICE = "Choose one of the statuses in the list."  # a status filter that is none of them

STATUS_LABELS = {CustomerStatus.ACTIVE: "Active", CustomerStatus.DECOMMISSIONED: "Decommissioned"}
EXTERNAL_ID_TAKEN = "Another of your customers has this External ID; each customer needs its own."
# The fields a customer is created and edited with, as the form names them.
FIELDS = (
    "company_name",
    "external_id",
    "tax_id",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "first_name",
    "last_name",
    "email",
    "phone",
)


@dataclass(frozen=True)
class CustomerFields:
    """A customer's fields, checked: what the form shows again when editing."""

    company_name: str
    external_id: str | None
    tax_id: str | None
    address_line1: str
    address_line2: str | None
    city: str
    state: str | None
    postal_code: str
    country: str
    first_name: str | None
    last_name: str | None
    email: str
    phone: str | None  # E.164


@dataclass(frozen=True)
class CustomerRow:
    customer_id: str
    company_name: str
    external_id: str | None
    email: str
    city: str
    country: str
    country_name: str
    status: CustomerStatus
    created_at: datetime
    allowed_actions: tuple[str, ...]  # "edit", "decommission", "order"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class CustomerSubscription:
    subscription_id: str
    product_id: str
    product_name: str
    marketplace_id: str
    status: str
    status_label: str
    cost_total: Decimal
    msrp_total: Decimal
    currency: str
    created_at: datetime


@dataclass(frozen=True)
class CustomerDetail:
    row: CustomerRow
    fields: CustomerFields
    phone_international: str | None  # "+49 30 1234567", for people to read
    decommissioned_at: datetime | None
    subscriptions: list[CustomerSubscription]


@dataclass(frozen=True)
class CustomerChoice:
    """An active customer, as the order form offers it."""

    customer_id: str
    label: str  # "Acme Inc. (ACME-1)"


CustomerPage = Page[CustomerRow]


# ---------------------------------------------------------------- fields


def _required(raw: object, field: str, limit: int, missing: str) -> str:
    value = clean_optional_text(raw, field, limit)
    if value is None:
        raise ValidationFailed({field: missing})
    return value


def _email(raw: object) -> str:
    return clean_email(raw, "email", missing="Enter the technical contact's email address.")  # type: ignore[arg-type]


def _country(raw: object) -> str:
    value = clean_optional_text(raw, "country", 2 + 100)
    if value is None:
        raise ValidationFailed({"country": "Choose the customer's country."})
    if value not in countries():
        raise ValidationFailed({"country": "Choose a country from the list."})
    return value


def phone_e164(raw: object, country: str | None) -> str | None:
    """A phone number as E.164 (``+493012345678``), parsed with the customer's country for numbers written
    without a country code; :class:`ValidationFailed` for one that is not a valid number."""
    value = clean_optional_text(raw, "phone", 50)
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(
            {"phone": "Enter a valid phone number; with its country code if it is not in the customer's country."}
        )
    formatted: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def clean_customer(values: Mapping[str, object]) -> CustomerFields:
    """Every field checked at once, so that one :class:`ValidationFailed` names all that is wrong."""
    errors = FieldErrors()
    company = errors.check(
        _required, values.get("company_name"), "company_name", limits.COMPANY_NAME_MAX, "Enter the company's name."
    )
    external_id = errors.check(clean_optional_text, values.get("external_id"), "external_id", limits.EXTERNAL_ID_MAX)
    tax_id = errors.check(clean_optional_text, values.get("tax_id"), "tax_id", limits.TAX_ID_MAX)
    line1 = errors.check(
        _required, values.get("address_line1"), "address_line1", limits.ADDRESS_LINE_MAX, "Enter the street address."
    )
    line2 = errors.check(clean_optional_text, values.get("address_line2"), "address_line2", limits.ADDRESS_LINE_MAX)
    city = errors.check(_required, values.get("city"), "city", limits.CITY_MAX, "Enter the city.")
    state = errors.check(clean_optional_text, values.get("state"), "state", limits.STATE_MAX)
    postal_code = errors.check(
        _required, values.get("postal_code"), "postal_code", limits.POSTAL_CODE_MAX, "Enter the postal code."
    )
    country = errors.check(_country, values.get("country"))
    first_name = errors.check(clean_optional_text, values.get("first_name"), "first_name", limits.PERSON_NAME_MAX)
    last_name = errors.check(clean_optional_text, values.get("last_name"), "last_name", limits.PERSON_NAME_MAX)
    email = errors.check(_email, values.get("email"))
    phone = errors.check(phone_e164, values.get("phone"), country)
    errors.raise_if_any()
    assert company and line1 and city and postal_code and country and email
    return CustomerFields(
        company_name=company,
        external_id=external_id,
        tax_id=tax_id,
        address_line1=line1,
        address_line2=line2,
        city=city,
        state=state,
        postal_code=postal_code,
        country=country,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )


def _values(fields: object) -> dict[str, object]:
    unknown = set(fields) - set(FIELDS) if isinstance(fields, Mapping) else {"?"}
    if unknown:
        raise ValidationFailed({"company_name": "This form cannot be recognised; reload the page."})
    return {str(key): value for key, value in fields.items()} if isinstance(fields, Mapping) else {}


def _write(customer: Customer, fields: CustomerFields) -> list[str]:
    """Copy the fields onto the row; the names of the fields that changed."""
    columns = {
        "company_name": "company_name",
        "external_id": "external_id",
        "tax_id": "tax_id",
        "address_line1": "address_line1",
        "address_line2": "address_line2",
        "city": "city",
        "state": "state",
        "postal_code": "postal_code",
        "country": "country",
        "first_name": "contact_first_name",
        "last_name": "contact_last_name",
        "email": "contact_email",
        "phone": "contact_phone",
    }
    changed = []
    for field, column in columns.items():
        value = getattr(fields, field)
        if getattr(customer, column) != value:
            setattr(customer, column, value)
            changed.append(field)
    return changed


def _fields_of(customer: Customer) -> CustomerFields:
    return CustomerFields(
        company_name=customer.company_name,
        external_id=customer.external_id,
        tax_id=customer.tax_id,
        address_line1=customer.address_line1,
        address_line2=customer.address_line2,
        city=customer.city,
        state=customer.state,
        postal_code=customer.postal_code,
        country=customer.country,
        first_name=customer.contact_first_name,
        last_name=customer.contact_last_name,
        email=customer.contact_email,
        phone=customer.contact_phone,
    )


def _conflicts() -> dict[str, ValidationFailed]:
    """A taken External ID, as the database's unique index reports it, is a field error."""
    return {"ux_customer_external_id": ValidationFailed({"external_id": EXTERNAL_ID_TAKEN})}


def _allowed(customer: Customer) -> tuple[str, ...]:
    return ("edit", "decommission", "order") if customer.status == CustomerStatus.ACTIVE else ("edit",)


def _row(customer: Customer) -> CustomerRow:
    return CustomerRow(
        customer_id=customer.id,
        company_name=customer.company_name,
        external_id=customer.external_id,
        email=customer.contact_email,
        city=customer.city,
        country=customer.country,
        country_name=countries().get(customer.country, customer.country),
        status=customer.status,
        created_at=customer.created_at,
        allowed_actions=_allowed(customer),
    )


def own_customer(uow: UnitOfWork, account_id: str, customer_id: object, *, lock: bool = False) -> Customer:
    """The reseller's customer (locked in a write block when ``lock``), or :class:`NotFound` for one that does
    not exist or is another reseller's."""
    customer = None
    if isinstance(customer_id, str) and is_storable(customer_id) and len(customer_id) <= 40:
        key = customer_id.strip()
        customer = uow.get_for_update(Customer, key) if lock else uow.session.get(Customer, key)
    if customer is None or customer.account_id != account_id:
        raise NotFound("No such customer.")
    return customer


# ---------------------------------------------------------------- actions


def create_customer(
    uow: UnitOfWork, actor: SignedInUser, *, request_key: str | None = None, **fields: object
) -> CustomerRow:
    """Create a customer of the actor's reseller, ``active``. ``request_key``: a retry creates it once."""
    checked = clean_customer(_values(fields))
    with uow.write(conflicts=_conflicts()):
        account_id = reseller_of(uow, actor)
        check_not_done(uow.session, request_key)
        now = utcnow()
        customer = Customer(
            account_id=account_id,
            company_name=checked.company_name,
            address_line1=checked.address_line1,
            city=checked.city,
            postal_code=checked.postal_code,
            country=checked.country,
            contact_email=checked.email,
            created_at=now,
            updated_at=now,
        )
        _write(customer, checked)
        uow.session.add(customer)
        uow.session.flush()  # the External ID's uniqueness is checked here
        audit.record(
            uow.session, actor=actor.user_id, action="customer.created", object_type="customer", object_id=customer.id
        )
        record_done(uow.session, request_key, action="customer.created", actor=actor.user_id, object_id=customer.id)
        uow.commit()
    return _row(customer)


def edit_customer(uow: UnitOfWork, actor: SignedInUser, customer_id: str, **fields: object) -> CustomerRow:
    """Change a customer's details (every field, as the form shows them)."""
    checked = clean_customer(_values(fields))
    with uow.write(conflicts=_conflicts()):
        account_id = reseller_of(uow, actor)
        customer = own_customer(uow, account_id, customer_id, lock=True)
        changed = _write(customer, checked)
        if changed:
            customer.updated_at = utcnow()
            uow.session.add(customer)
            uow.session.flush()
            audit.record(
                uow.session,
                actor=actor.user_id,
                action="customer.changed",
                object_type="customer",
                object_id=customer.id,
                fields=", ".join(changed),
            )
        uow.commit()
    return _row(customer)


def decommission_customer(uow: UnitOfWork, actor: SignedInUser, customer_id: str) -> CustomerRow:
    """Decommission a customer: it gets no new subscriptions; its existing ones are unaffected. Done once."""
    with uow.write():
        account_id = reseller_of(uow, actor)
        customer = own_customer(uow, account_id, customer_id, lock=True)
        if customer.status != CustomerStatus.ACTIVE:
            raise InvalidState("This customer is decommissioned already.")
        now = utcnow()
        customer.status, customer.decommissioned_at, customer.updated_at = CustomerStatus.DECOMMISSIONED, now, now
        uow.session.add(customer)
        audit.record(
            uow.session,
            actor=actor.user_id,
            action="customer.decommissioned",
            object_type="customer",
            object_id=customer.id,
        )
        uow.commit()
    return _row(customer)


# ---------------------------------------------------------------- reading


def _conditions(account_id: str, status: CustomerStatus | None, search: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Customer.account_id) == account_id]
    if status is not None:
        conditions.append(col(Customer.status) == status)
    if search:
        conditions.append(
            contains(search, (Customer.company_name, Customer.external_id, Customer.contact_email, Customer.id))
        )
    return conditions


def _newest_first(conditions: list[ColumnElement[bool]]):  # type: ignore[no-untyped-def]
    return select(Customer).where(*conditions).order_by(col(Customer.created_at).desc(), col(Customer.id).desc())


def find_customers(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    status: str | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> CustomerPage:
    """One page of the actor's customers, newest first: of one status, and with the search text in the company
    name, the External ID, the contact's email or the customer ID (case-insensitive, taken literally)."""
    page = page_number(page)
    wanted, text = filter_choice(CustomerStatus, status, message=STATUS_CHOICE), search_text(search)
    with uow.read():
        account_id = reseller_of(uow, actor)
        conditions = _conditions(account_id, wanted, text)
        total = uow.session.exec(select(func.count()).select_from(Customer).where(*conditions)).one()
        rows = uow.session.exec(_newest_first(conditions).offset((page - 1) * page_size).limit(page_size)).all()
    return Page(rows=[_row(customer) for customer in rows], total=total, page=page, page_size=page_size)


def customer_detail(uow: UnitOfWork, actor: SignedInUser, customer_id: str) -> CustomerDetail:
    """A customer with every field and its subscriptions (newest first)."""
    with uow.read():
        account_id = reseller_of(uow, actor)
        customer = own_customer(uow, account_id, customer_id)
        subscriptions = _subscriptions_of(uow.session, customer.id)
    phone = None
    if customer.contact_phone:
        phone = phonenumbers.format_number(
            phonenumbers.parse(customer.contact_phone), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    return CustomerDetail(
        row=_row(customer),
        fields=_fields_of(customer),
        phone_international=phone,
        decommissioned_at=customer.decommissioned_at,
        subscriptions=subscriptions,
    )


def _subscriptions_of(session: Session, customer_id: str) -> list[CustomerSubscription]:
    statement = (
        select(Subscription)
        .where(Subscription.customer_id == customer_id)
        .order_by(col(Subscription.created_at).desc(), col(Subscription.id).desc())
    )
    found = list(session.exec(statement))
    named = names(session, [subscription.product_id for subscription in found])
    return [
        CustomerSubscription(
            subscription_id=subscription.id,
            product_id=subscription.product_id,
            product_name=named.get(subscription.product_id, subscription.product_id),
            marketplace_id=subscription.marketplace_id,
            status=subscription.status.value,
            status_label=SUBSCRIPTION_LABELS[subscription.status],
            cost_total=subscription.cost_total,
            msrp_total=subscription.msrp_total,
            currency=subscription.currency,
            created_at=subscription.created_at,
        )
        for subscription in found
    ]


def active_customers(uow: UnitOfWork, actor: SignedInUser) -> list[CustomerChoice]:
    """The customers a new subscription can be ordered for (active ones), by name."""
    with uow.read():
        account_id = reseller_of(uow, actor)
        statement = (
            select(Customer)
            .where(Customer.account_id == account_id, Customer.status == CustomerStatus.ACTIVE)
            .order_by(func.lower(Customer.company_name), col(Customer.id))
        )
        customers = uow.session.exec(statement).all()
    return [
        CustomerChoice(
            customer.id,
            f"{customer.company_name} ({customer.external_id or customer.id})",
        )
        for customer in customers
    ]


CSV_HEADER = (
    "Customer ID",
    "Company name",
    "External ID",
    "Tax ID",
    "Address line 1",
    "Address line 2",
    "City",
    "State or region",
    "Postal code",
    "Country",
    "First name",
    "Last name",
    "Email",
    "Phone",
    "Status",
    "Created",
)


def export_customers(
    uow: UnitOfWork, actor: SignedInUser, *, status: str | None = None, search: str | None = None
) -> str:
    """Every customer the directory shows with this filter and search (not only one page), as a CSV file that
    opens correctly in a spreadsheet (:mod:`services.csv_export`)."""
    wanted, text = filter_choice(CustomerStatus, status, message=STATUS_CHOICE), search_text(search)
    with uow.read():
        account_id = reseller_of(uow, actor)
        customers = uow.session.exec(_newest_first(_conditions(account_id, wanted, text))).all()
    return csv_text(
        CSV_HEADER,
        (
            (
                c.id,
                c.company_name,
                c.external_id,
                c.tax_id,
                c.address_line1,
                c.address_line2,
                c.city,
                c.state,
                c.postal_code,
                c.country,
                c.contact_first_name,
                c.contact_last_name,
                c.contact_email,
                c.contact_phone,
                STATUS_LABELS[c.status],
                c.created_at,
            )
            for c in customers
        ),
    )
