"""The distributor's catalog: products (``PRD-123-456-789``), their items (``PRD-123-456-789-0001``) and each
item's price per currency; publishing and ending the sale of a product (:data:`TRANSITIONS`). The CSV import and
export are in :mod:`services.distributor.catalog_csv`.

Money is :class:`~decimal.Decimal` end to end: a price is typed as text and parsed exactly (at most 4 decimal
places, below 10,000,000,000), never through a float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

import pycountry
from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from data.models import BillingPeriod, Item, ItemPrice, Product
from data.models import ProductStatus as ProductStatus  # the pages show it
from data.models.types import utcnow
from services import audit, markdown
from services.access import distributor_of, own
from services.actors import SignedInUser
from services.errors import FieldErrors, InvalidState, NotFound, ValidationFailed
from services.listing import PAGE_SIZE, Page, contains, filter_choice, page_number, search_text
from services.requests import check_not_done, record_done
from services.rules import NAME_MAX, is_storable, refuse_hidden_characters, require_storable, text_value
from services.unit_of_work import UnitOfWork

CATEGORY_MAX = 100
SHORT_DESCRIPTION_MAX = 300
DESCRIPTION_MAX = 20_000
MPN_MAX = 100
UNIT_MAX = 50
PRICE_DECIMALS = 4
PRICE_LIMIT = Decimal("10000000000")  # prices stay below 10^10 (NUMERIC(14, 4))

STATUS_LABELS = {
    ProductStatus.DRAFT: "Draft",
    ProductStatus.PUBLISHED: "Published",
    ProductStatus.END_OF_SALE: "End of sale",
}
BILLING_LABELS = {
    BillingPeriod.MONTHLY: "Monthly",
    BillingPeriod.YEARLY: "Yearly",
    BillingPeriod.ONE_TIME: "One-time",
}
# The product's status machine: each action, the statuses it applies to, and the status it leads to. Pages show
# only a product's ``allowed_actions``; the services check the same table.
TRANSITIONS: dict[str, tuple[frozenset[ProductStatus], ProductStatus]] = {
    "publish": (frozenset({ProductStatus.DRAFT}), ProductStatus.PUBLISHED),
    "end_sale": (frozenset({ProductStatus.PUBLISHED}), ProductStatus.END_OF_SALE),
}
# What can be changed, by status: an ended product is kept as it was sold.
EDITABLE = frozenset({ProductStatus.DRAFT, ProductStatus.PUBLISHED})
TRANSITION_NAMES = {"publish": "published", "end_sale": "ended"}


def allowed_actions(status: ProductStatus) -> frozenset[str]:
    """What may be done to a product in ``status``: its transitions, and ``edit`` while it is editable."""
    actions = {action for action, (sources, _) in TRANSITIONS.items() if status in sources}
    if status in EDITABLE:
        actions.add("edit")
    return frozenset(actions)


# ------------------------------------------------------------------------------------------------ view objects


@dataclass(frozen=True)
class PriceView:
    currency: str
    cost: Decimal
    msrp: Decimal


@dataclass(frozen=True)
class ItemView:
    item_id: str
    mpn: str
    name: str
    billing_period: BillingPeriod
    unit: str
    prices: list[PriceView]

    @property
    def billing_label(self) -> str:
        return BILLING_LABELS[self.billing_period]


@dataclass(frozen=True)
class ProductRow:
    product_id: str
    name: str
    category: str
    status: ProductStatus
    items: int
    currencies: list[str]
    updated_at: datetime


@dataclass(frozen=True)
class ProductDetail:
    product_id: str
    name: str
    category: str
    short_description: str
    description: str
    status: ProductStatus
    items: list[ItemView]
    created_at: datetime
    updated_at: datetime
    allowed_actions: frozenset[str]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


# ------------------------------------------------------------------------------------------------ field rules


def _one_line(raw: object, field: str, limit: int, missing: str, too_long: str) -> str:
    """Single-line text: trimmed and single-spaced, not empty, at most ``limit`` characters, nothing hidden."""
    value = require_storable(text_value(raw, field), field)
    refuse_hidden_characters(value.strip(), field)
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValidationFailed({field: missing})
    if len(cleaned) > limit:
        raise ValidationFailed({field: too_long.format(limit=limit, length=len(cleaned))})
    return cleaned


def clean_product_name(raw: object) -> str:
    return _one_line(
        raw, "name", NAME_MAX, "Give the product a name.", "A product name has at most {limit} characters."
    )


def clean_category(raw: object) -> str:
    return _one_line(raw, "category", CATEGORY_MAX, "Give a category.", "A category has at most {limit} characters.")


def clean_short_description(raw: object) -> str:
    return _one_line(
        raw,
        "short_description",
        SHORT_DESCRIPTION_MAX,
        "Write a short description.",
        "A short description has at most {limit} characters; this one has {length}.",
    )


def clean_description(raw: object) -> str:
    """The long description (Markdown): not blank, at most 20,000 characters, and displayable by the one safe
    renderer with every part of it visible."""
    value = require_storable(text_value(raw, "description").strip(), "description")
    if not value:
        raise ValidationFailed({"description": "Write the description."})
    if len(value) > DESCRIPTION_MAX:
        raise ValidationFailed(
            {"description": f"A description has at most {DESCRIPTION_MAX:,} characters; this one has {len(value):,}."}
        )
    refuse_hidden_characters(value, "description", multiline=True)
    markdown.render_text(value, field="description")
    return value


def clean_mpn(raw: object) -> str:
    return _one_line(raw, "mpn", MPN_MAX, "Give the item's MPN.", "An MPN has at most {limit} characters.")


def clean_item_name(raw: object) -> str:
    return _one_line(
        raw, "item_name", NAME_MAX, "Give the item a name.", "An item name has at most {limit} characters."
    )


def clean_unit(raw: object) -> str:
    return _one_line(
        raw, "unit", UNIT_MAX, "Give the unit, for example Licenses.", "A unit has at most {limit} characters."
    )


def clean_billing_period(raw: object) -> BillingPeriod:
    if isinstance(raw, BillingPeriod):
        return raw
    if isinstance(raw, str):
        wanted = " ".join(raw.split()).casefold()
        for period, label in BILLING_LABELS.items():
            if wanted in (period.value, label.casefold()):
                return period
    raise ValidationFailed({"billing_period": "Choose a billing period: Monthly, Yearly or One-time."})


def clean_currency(raw: object) -> str:
    """An ISO 4217 currency code (``USD``, ``EUR``), as typed or in lower case."""
    value = require_storable(text_value(raw, "currency"), "currency").strip()
    if not value:
        raise ValidationFailed({"currency": "Give the currency, as its ISO 4217 code (for example USD or EUR)."})
    code = value.upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha() and pycountry.currencies.get(alpha_3=code)):
        raise ValidationFailed({"currency": "This is not an ISO 4217 currency code; use one like USD, EUR or GBP."})
    return code


_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def clean_amount(raw: object, field: str) -> Decimal:
    """A price as typed: digits with an optional decimal point and at most 4 decimal places, from 0 to below
    10,000,000,000. Never parsed through a float; no thousands separators, signs or exponents."""
    what = "cost" if field == "cost" else "MSRP"
    if isinstance(raw, Decimal):
        text = format(raw, "f") if raw.is_finite() else "x"
    elif isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = require_storable(text_value(raw, field), field).strip()
    if not text:
        raise ValidationFailed({field: f"Give the {what}."})
    if not _AMOUNT.fullmatch(text):
        raise ValidationFailed({field: f"Give the {what} as a number like 12.50 (digits and a decimal point only)."})
    decimals = len(text.partition(".")[2])
    if decimals > PRICE_DECIMALS:
        raise ValidationFailed({field: f"Give the {what} with at most {PRICE_DECIMALS} decimal places."})
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValidationFailed({field: f"Give the {what} as a number like 12.50."}) from None
    if amount >= PRICE_LIMIT:
        raise ValidationFailed({field: f"The {what} must be below 10,000,000,000."})
    return amount


def clean_price(currency: object, cost: object, msrp: object) -> tuple[str, Decimal, Decimal]:
    """A price's three fields, each checked, and the cost no higher than the MSRP."""
    errors = FieldErrors()
    code = errors.check(clean_currency, currency)
    cost_value = errors.check(clean_amount, cost, "cost")
    msrp_value = errors.check(clean_amount, msrp, "msrp")
    if cost_value is not None and msrp_value is not None and cost_value > msrp_value:
        errors.add("cost", "The cost (what the reseller pays) cannot be higher than the MSRP.")
    errors.raise_if_any()
    assert code is not None and cost_value is not None and msrp_value is not None
    return code, cost_value, msrp_value


@dataclass(frozen=True)
class ProductFields:
    name: str
    category: str
    short_description: str
    description: str


def clean_product(name: object, category: object, short_description: object, description: object) -> ProductFields:
    errors = FieldErrors()
    fields = ProductFields(
        name=errors.check(clean_product_name, name) or "",
        category=errors.check(clean_category, category) or "",
        short_description=errors.check(clean_short_description, short_description) or "",
        description=errors.check(clean_description, description) or "",
    )
    errors.raise_if_any()
    return fields


@dataclass(frozen=True)
class ItemFields:
    mpn: str
    name: str
    billing_period: BillingPeriod
    unit: str


def clean_item(mpn: object, name: object, billing_period: object, unit: object) -> ItemFields:
    errors = FieldErrors()
    mpn_value = errors.check(clean_mpn, mpn)
    name_value = errors.check(clean_item_name, name)
    period = errors.check(clean_billing_period, billing_period)
    unit_value = errors.check(clean_unit, unit)
    errors.raise_if_any()
    assert mpn_value and name_value and period and unit_value
    return ItemFields(mpn_value, name_value, period, unit_value)


# What a database rule's violation means here, for the person who typed the value.
NAME_TAKEN = "You have a product with this name already."
MPN_TAKEN = "This product has an item with this MPN already."
CURRENCY_TAKEN = "This item has a price in this currency already; change that one."
CONFLICTS = {
    "ux_product_name": ValidationFailed({"name": NAME_TAKEN}),
    "product.distributor_id": ValidationFailed({"name": NAME_TAKEN}),
    "ux_item_mpn": ValidationFailed({"mpn": MPN_TAKEN}),
    "item.product_id": ValidationFailed({"mpn": MPN_TAKEN}),
    "ux_item_price_currency": ValidationFailed({"currency": CURRENCY_TAKEN}),
    "item_price.item_id": ValidationFailed({"currency": CURRENCY_TAKEN}),
}


# ------------------------------------------------------------------------------------------------ reading


def _owned_product(session: Session, distributor_id: str, product_id: object) -> Product:
    product = session.get(Product, product_id) if isinstance(product_id, str) and is_storable(product_id) else None
    own(distributor_id, product.distributor_id if product else None, "product")
    assert product is not None
    return product


def _locked_product(uow: UnitOfWork, distributor_id: str, product_id: object) -> Product:
    """The product, locked until the write block ends (PostgreSQL), so that its status and item numbers are
    decided by one action at a time."""
    valid = isinstance(product_id, str) and is_storable(product_id)
    product = uow.get_for_update(Product, product_id) if valid else None
    own(distributor_id, product.distributor_id if product else None, "product")
    assert product is not None
    return product


def _owned_item(uow: UnitOfWork, distributor_id: str, item_id: object) -> tuple[Product, Item]:
    item = uow.session.get(Item, item_id) if isinstance(item_id, str) and is_storable(item_id) else None
    if item is None:
        raise NotFound("No such item.")
    product = _locked_product(uow, distributor_id, item.product_id)
    return product, item


def items_of(session: Session, product_ids: list[str]) -> dict[str, list[ItemView]]:
    """The items of these products with their prices, by product, in the order they were added."""
    if not product_ids:
        return {}
    items = session.exec(select(Item).where(col(Item.product_id).in_(product_ids)).order_by(col(Item.id))).all()
    prices: dict[str, list[PriceView]] = {}
    if items:
        for price in session.exec(
            select(ItemPrice)
            .where(col(ItemPrice.item_id).in_([item.id for item in items]))
            .order_by(col(ItemPrice.currency))
        ):
            prices.setdefault(price.item_id, []).append(PriceView(price.currency, price.cost, price.msrp))
    found: dict[str, list[ItemView]] = {product_id: [] for product_id in product_ids}
    for item in items:
        found[item.product_id].append(
            ItemView(item.id, item.mpn, item.name, item.billing_period, item.unit, prices.get(item.id, []))
        )
    return found


def _detail(session: Session, product: Product) -> ProductDetail:
    return ProductDetail(
        product_id=product.id,
        name=product.name,
        category=product.category,
        short_description=product.short_description,
        description=product.description,
        status=product.status,
        items=items_of(session, [product.id])[product.id],
        created_at=product.created_at,
        updated_at=product.updated_at,
        allowed_actions=allowed_actions(product.status),
    )


def product_detail(uow: UnitOfWork, actor: SignedInUser, product_id: str) -> ProductDetail:
    """One of the actor's distributor's products, with its items and prices."""
    distributor_id = distributor_of(actor)
    with uow.read():
        return _detail(uow.session, _owned_product(uow.session, distributor_id, product_id))


def find_products(
    uow: UnitOfWork, actor: SignedInUser, *, status: str | None = None, search: object = "", page: object = 1
) -> Page[ProductRow]:
    """The distributor's products, by category and name, filtered by status and searched in name, category and
    ID; one page of them."""
    distributor_id = distributor_of(actor)
    wanted = filter_choice(ProductStatus, status)
    text = search_text(search)
    number = page_number(page)
    with uow.read():
        session = uow.session
        conditions: list[ColumnElement[bool]] = [col(Product.distributor_id) == distributor_id]
        if wanted is not None:
            conditions.append(col(Product.status) == wanted)
        if text:
            conditions.append(contains(text, [Product.name, Product.category, Product.id]))
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
        ProductRow(
            product_id=product.id,
            name=product.name,
            category=product.category,
            status=product.status,
            items=len(items[product.id]),
            currencies=sorted({price.currency for item in items[product.id] for price in item.prices}),
            updated_at=product.updated_at,
        )
        for product in products
    ]
    return Page(rows=rows, total=total, page=number, page_size=PAGE_SIZE)


def categories(uow: UnitOfWork, actor: SignedInUser) -> list[str]:
    """The categories the distributor's products use, for suggestions."""
    distributor_id = distributor_of(actor)
    with uow.read():
        return list(
            uow.session.exec(
                select(Product.category).where(Product.distributor_id == distributor_id).distinct().order_by("category")
            )
        )


# ------------------------------------------------------------------------------------------------ changing


def _require_editable(product: Product) -> None:
    if product.status not in EDITABLE:
        raise InvalidState(f"This product is {STATUS_LABELS[product.status].lower()}: it can no longer be changed.")


def _touch(product: Product) -> None:
    product.updated_at = utcnow()


def create_product(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    name: object,
    category: object,
    short_description: object,
    description: object,
    request_key: str | None = None,
) -> ProductDetail:
    """A new product of the actor's distributor, as a draft; once per ``request_key``."""
    distributor_id = distributor_of(actor)
    fields = clean_product(name, category, short_description, description)
    with uow.write(conflicts=CONFLICTS):
        session = uow.session
        check_not_done(session, request_key)
        product = add_product(session, distributor_id, fields, actor=actor.user_id)
        record_done(session, request_key, action="product.created", actor=actor.user_id, object_id=product.id)
        session.flush()
        detail = _detail(session, product)
        uow.commit()
    return detail


def add_product(session: Session, distributor_id: str, fields: ProductFields, *, actor: str) -> Product:
    """Within the caller's write block: a new draft product."""
    product = Product(
        distributor_id=distributor_id,
        name=fields.name,
        category=fields.category,
        short_description=fields.short_description,
        description=fields.description,
    )
    session.add(product)
    session.flush()
    audit.record(session, actor=actor, action="product.created", object_type="product", object_id=product.id)
    return product


def update_product(
    uow: UnitOfWork,
    actor: SignedInUser,
    product_id: str,
    *,
    name: object,
    category: object,
    short_description: object,
    description: object,
) -> ProductDetail:
    """Change a product's name, category and descriptions (a draft's or a published one's)."""
    distributor_id = distributor_of(actor)
    fields = clean_product(name, category, short_description, description)
    with uow.write(conflicts=CONFLICTS):
        session = uow.session
        product = _locked_product(uow, distributor_id, product_id)
        _require_editable(product)
        change_product(session, product, fields, actor=actor.user_id)
        detail = _detail(session, product)
        uow.commit()
    return detail


def change_product(session: Session, product: Product, fields: ProductFields, *, actor: str) -> bool:
    """Within the caller's write block: the product's fields as given; audited when anything changed."""
    changed = [
        field
        for field in ("name", "category", "short_description", "description")
        if getattr(product, field) != getattr(fields, field)
    ]
    if not changed:
        return False
    for field in changed:
        setattr(product, field, getattr(fields, field))
    _touch(product)
    session.add(product)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="product.updated",
        object_type="product",
        object_id=product.id,
        fields=",".join(changed),
    )
    return True


def change_status(uow: UnitOfWork, actor: SignedInUser, product_id: str, action: str) -> ProductDetail:
    """``publish`` a draft (it needs at least one item, each priced in at least one currency) or ``end_sale`` of
    a published product. Done once: a second press (another tab) is told what the product is now."""
    distributor_id = distributor_of(actor)
    if action not in TRANSITIONS:
        raise ValidationFailed({"action": "Unknown action."})
    with uow.write():
        session = uow.session
        product = _locked_product(uow, distributor_id, product_id)
        apply_transition(session, product, action, actor=actor.user_id)
        detail = _detail(session, product)
        uow.commit()
    return detail


def apply_transition(session: Session, product: Product, action: str, *, actor: str) -> None:
    """Within the caller's write block: move ``product`` by ``action`` of :data:`TRANSITIONS`, or
    :class:`InvalidState` saying what it is now."""
    sources, target = TRANSITIONS[action]
    if product.status not in sources:
        raise InvalidState(
            f"This product is {STATUS_LABELS[product.status].lower()} already, so it cannot be "
            f"{TRANSITION_NAMES[action]} now."
            if product.status == target
            else f"This product is {STATUS_LABELS[product.status].lower()}: it cannot be {TRANSITION_NAMES[action]}."
        )
    if target == ProductStatus.PUBLISHED:
        items = items_of(session, [product.id])[product.id]
        if not items:
            raise InvalidState("Add at least one item before publishing this product.")
        unpriced = [item.mpn for item in items if not item.prices]
        if unpriced:
            raise InvalidState(f"Give every item a price before publishing; without one: {', '.join(unpriced)}.")
    product.status = target
    _touch(product)
    session.add(product)
    session.flush()
    audit.record(session, actor=actor, action=f"product.{target.value}", object_type="product", object_id=product.id)


def publish_product(uow: UnitOfWork, actor: SignedInUser, product_id: str) -> ProductDetail:
    return change_status(uow, actor, product_id, "publish")


def end_sale(uow: UnitOfWork, actor: SignedInUser, product_id: str) -> ProductDetail:
    return change_status(uow, actor, product_id, "end_sale")


def add_item(
    uow: UnitOfWork,
    actor: SignedInUser,
    product_id: str,
    *,
    mpn: object,
    item_name: object,
    billing_period: object,
    unit: object,
    currency: object = None,
    cost: object = None,
    msrp: object = None,
    request_key: str | None = None,
) -> ProductDetail:
    """A new item of the product, with its first price when ``currency`` is given; once per ``request_key``."""
    distributor_id = distributor_of(actor)
    errors = FieldErrors()
    fields = errors.check(clean_item, mpn, item_name, billing_period, unit)
    price = errors.check(clean_price, currency, cost, msrp) if (currency or cost or msrp) else None
    errors.raise_if_any()
    assert fields is not None
    with uow.write(conflicts=CONFLICTS):
        session = uow.session
        check_not_done(session, request_key)
        product = _locked_product(uow, distributor_id, product_id)
        _require_editable(product)
        item = new_item(session, product, fields, actor=actor.user_id)
        if price is not None:
            set_price(session, product, item, *price, actor=actor.user_id)
        record_done(session, request_key, action="item.added", actor=actor.user_id, object_id=item.id)
        detail = _detail(session, product)
        uow.commit()
    return detail


def new_item(session: Session, product: Product, fields: ItemFields, *, actor: str) -> Item:
    """Within the caller's write block (the product locked): the product's next item."""
    product.items_added += 1
    _touch(product)
    item = Item(
        id=f"{product.id}-{product.items_added:04d}",
        product_id=product.id,
        mpn=fields.mpn,
        name=fields.name,
        billing_period=fields.billing_period,
        unit=fields.unit,
    )
    session.add(product)
    session.add(item)
    session.flush()
    audit.record(session, actor=actor, action="item.added", object_type="product", object_id=product.id, item=item.id)
    return item


def update_item(
    uow: UnitOfWork,
    actor: SignedInUser,
    item_id: str,
    *,
    mpn: object,
    item_name: object,
    billing_period: object,
    unit: object,
) -> ProductDetail:
    distributor_id = distributor_of(actor)
    fields = clean_item(mpn, item_name, billing_period, unit)
    with uow.write(conflicts=CONFLICTS):
        session = uow.session
        product, item = _owned_item(uow, distributor_id, item_id)
        _require_editable(product)
        change_item(session, product, item, fields, actor=actor.user_id)
        detail = _detail(session, product)
        uow.commit()
    return detail


def change_item(session: Session, product: Product, item: Item, fields: ItemFields, *, actor: str) -> bool:
    """Within the caller's write block: the item's fields as given; audited when anything changed."""
    values = {"mpn": fields.mpn, "name": fields.name, "billing_period": fields.billing_period, "unit": fields.unit}
    changed = [field for field, value in values.items() if getattr(item, field) != value]
    if not changed:
        return False
    for field in changed:
        setattr(item, field, values[field])
    _touch(product)
    session.add(item)
    session.add(product)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="item.updated",
        object_type="product",
        object_id=product.id,
        item=item.id,
        fields=",".join(changed),
    )
    return True


def remove_item(uow: UnitOfWork, actor: SignedInUser, item_id: str) -> ProductDetail:
    """Remove an item and its prices. A published product keeps at least one item."""
    distributor_id = distributor_of(actor)
    with uow.write():
        session = uow.session
        product, item = _owned_item(uow, distributor_id, item_id)
        _require_editable(product)
        others = session.exec(
            select(func.count()).select_from(Item).where(Item.product_id == product.id, Item.id != item.id)
        ).one()
        if product.status == ProductStatus.PUBLISHED and others == 0:
            raise InvalidState("A published product keeps at least one item: add another before removing this one.")
        for price in session.exec(select(ItemPrice).where(ItemPrice.item_id == item.id)):
            session.delete(price)
        session.flush()
        session.delete(item)
        _touch(product)
        session.add(product)
        session.flush()
        audit.record(
            session,
            actor=actor.user_id,
            action="item.removed",
            object_type="product",
            object_id=product.id,
            item=item.id,
            mpn=item.mpn,
        )
        detail = _detail(session, product)
        uow.commit()
    return detail


def add_price(
    uow: UnitOfWork,
    actor: SignedInUser,
    item_id: str,
    *,
    currency: object,
    cost: object,
    msrp: object,
    request_key: str | None = None,
) -> ProductDetail:
    """A price for the item in a currency it has no price in yet."""
    distributor_id = distributor_of(actor)
    code, cost_value, msrp_value = clean_price(currency, cost, msrp)
    with uow.write(conflicts=CONFLICTS):
        session = uow.session
        check_not_done(session, request_key)
        product, item = _owned_item(uow, distributor_id, item_id)
        _require_editable(product)
        existing = session.exec(select(ItemPrice).where(ItemPrice.item_id == item.id, ItemPrice.currency == code))
        if existing.first() is not None:
            raise ValidationFailed({"currency": CURRENCY_TAKEN})
        set_price(session, product, item, code, cost_value, msrp_value, actor=actor.user_id)
        record_done(session, request_key, action="price.added", actor=actor.user_id, object_id=item.id)
        detail = _detail(session, product)
        uow.commit()
    return detail


def change_price(
    uow: UnitOfWork, actor: SignedInUser, item_id: str, *, currency: object, cost: object, msrp: object
) -> ProductDetail:
    """New cost and MSRP for the item's price in ``currency``."""
    distributor_id = distributor_of(actor)
    code, cost_value, msrp_value = clean_price(currency, cost, msrp)
    with uow.write(conflicts=CONFLICTS):
        session = uow.session
        product, item = _owned_item(uow, distributor_id, item_id)
        _require_editable(product)
        existing = session.exec(select(ItemPrice).where(ItemPrice.item_id == item.id, ItemPrice.currency == code))
        if existing.first() is None:
            raise NotFound(f"This item has no price in {code}.")
        set_price(session, product, item, code, cost_value, msrp_value, actor=actor.user_id)
        detail = _detail(session, product)
        uow.commit()
    return detail


def set_price(
    session: Session, product: Product, item: Item, currency: str, cost: Decimal, msrp: Decimal, *, actor: str
) -> bool:
    """Within the caller's write block: the item's price in ``currency`` (added, or changed); audited with the
    amounts when anything changed."""
    price = session.exec(select(ItemPrice).where(ItemPrice.item_id == item.id, ItemPrice.currency == currency)).first()
    if price is not None and (price.cost, price.msrp) == (cost, msrp):
        return False
    action = "price.added" if price is None else "price.changed"
    if price is None:
        price = ItemPrice(item_id=item.id, currency=currency, cost=cost, msrp=msrp)
    else:
        price.cost, price.msrp = cost, msrp
    _touch(product)
    session.add(price)
    session.add(product)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="product",
        object_id=product.id,
        item=item.id,
        currency=currency,
        cost=str(cost),
        msrp=str(msrp),
    )
    return True


def remove_price(uow: UnitOfWork, actor: SignedInUser, item_id: str, *, currency: object) -> ProductDetail:
    """Remove the item's price in ``currency``. An item of a published product keeps at least one price."""
    distributor_id = distributor_of(actor)
    code = clean_currency(currency)
    with uow.write():
        session = uow.session
        product, item = _owned_item(uow, distributor_id, item_id)
        _require_editable(product)
        prices = session.exec(select(ItemPrice).where(ItemPrice.item_id == item.id)).all()
        price = next((p for p in prices if p.currency == code), None)
        if price is None:
            raise NotFound(f"This item has no price in {code}.")
        if product.status == ProductStatus.PUBLISHED and len(prices) == 1:
            raise InvalidState("An item of a published product keeps at least one price: add another first.")
        session.delete(price)
        _touch(product)
        session.add(product)
        session.flush()
        audit.record(
            session,
            actor=actor.user_id,
            action="price.removed",
            object_type="product",
            object_id=product.id,
            item=item.id,
            currency=code,
        )
        detail = _detail(session, product)
        uow.commit()
    return detail
