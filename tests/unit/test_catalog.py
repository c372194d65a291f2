"""The distributor's catalog (chapter 3): products, items and prices, their rules and status machine, ownership,
the audit, the CSV import and export, the syndication agreement, and the demo catalog."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from data.models import AuditEvent, ItemPrice, Product, ProductStatus
from portal_testing.factories import Portal
from services import demo
from services.actors import SignedInUser
from services.distributor import agreements, catalog, catalog_csv
from services.errors import AlreadyDone, CatalogImportRefused, Forbidden, InvalidState, NotFound, ValidationFailed
from services.requests import new_request_key

OTHER = "Other Distribution GmbH"
DESCRIPTION = "# Ledgerly\n\nBookkeeping for **small** firms."


def product(
    portal: Portal, actor: SignedInUser, name: str = "Ledgerly Books", **fields: object
) -> catalog.ProductDetail:
    values: dict[str, object] = {
        "name": name,
        "category": "Finance",
        "short_description": "Bookkeeping in the cloud.",
        "description": DESCRIPTION,
    }
    values.update(fields)
    return catalog.create_product(portal.uow(), actor, **values)  # type: ignore[arg-type]


def item(
    portal: Portal, actor: SignedInUser, product_id: str, mpn: str = "LGB-M", **fields: object
) -> catalog.ItemView:
    values: dict[str, object] = {
        "mpn": mpn,
        "item_name": "Monthly seat",
        "billing_period": "monthly",
        "unit": "Users",
        "currency": "USD",
        "cost": "8.50",
        "msrp": "12",
    }
    values.update(fields)
    detail = catalog.add_item(portal.uow(), actor, product_id, **values)  # type: ignore[arg-type]
    return next(i for i in detail.items if i.mpn == values["mpn"])


def published(portal: Portal, actor: SignedInUser, name: str = "Ledgerly Books") -> catalog.ProductDetail:
    made = product(portal, actor, name)
    item(portal, actor, made.product_id)
    return catalog.publish_product(portal.uow(), actor, made.product_id)


# ------------------------------------------------------------------------------------------------ products


def test_a_product_is_created_as_a_draft_with_a_readable_id(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    assert made.status == ProductStatus.DRAFT and made.status_label == "Draft"
    assert len(made.product_id) == len("PRD-123-456-789") and made.product_id.startswith("PRD-")
    assert made.allowed_actions == {"edit", "publish"}
    assert catalog.product_detail(portal.uow(), actor, made.product_id).description == DESCRIPTION


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Give the product a name"),
        ("name", "x" * 201, "at most 200"),
        ("name", "Bad\u202eName", "control or invisible"),
        ("category", "", "Give a category"),
        ("short_description", "y" * 301, "at most 300"),
        ("description", "", "Write the description"),
        ("description", "z" * 20_001, "at most 20,000"),
        ("description", '[a](https://x.example "hidden title")', "Link titles"),
        ("name", 42, "takes text"),
    ],
)
def test_product_fields_are_checked(portal: Portal, field: str, value: object, message: str) -> None:
    actor = portal.distributor_user()
    with pytest.raises(ValidationFailed) as failure:
        product(portal, actor, **{field: value})  # type: ignore[arg-type]  # a wrong type on purpose
    assert message in failure.value.errors[field]


def test_product_names_are_unique_within_a_distributor_held_by_the_database(portal: Portal) -> None:
    actor = portal.distributor_user()
    other = portal.distributor_user(OTHER)
    product(portal, actor)
    product(portal, other)  # another distributor may use the name
    with pytest.raises(ValidationFailed) as failure:
        product(portal, actor)
    assert failure.value.errors == {"name": catalog.NAME_TAKEN}
    with portal.session() as session:  # and the database itself refuses it
        session.add(
            Product(
                distributor_id=actor.account_id,
                name="Ledgerly Books",
                category="c",
                short_description="s",
                description="d",
            )
        )
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_create_request_is_done_once(portal: Portal) -> None:
    actor = portal.distributor_user()
    key = new_request_key()
    product(portal, actor, request_key=key)
    with pytest.raises(AlreadyDone):
        product(portal, actor, name="Another name", request_key=key)


def test_another_distributors_product_is_not_found_and_resellers_are_refused(portal: Portal) -> None:
    actor = portal.distributor_user()
    other = portal.distributor_user(OTHER)
    made = product(portal, actor)
    added = item(portal, actor, made.product_id)
    attempts = [
        lambda: catalog.product_detail(portal.uow(), other, made.product_id),
        lambda: catalog.update_product(
            portal.uow(), other, made.product_id, name="Mine", category="c", short_description="s", description="d"
        ),
        lambda: catalog.publish_product(portal.uow(), other, made.product_id),
        lambda: catalog.end_sale(portal.uow(), other, made.product_id),
        lambda: catalog.add_item(
            portal.uow(), other, made.product_id, mpn="X", item_name="X", billing_period="monthly", unit="u"
        ),
        lambda: catalog.update_item(
            portal.uow(), other, added.item_id, mpn="X", item_name="X", billing_period="monthly", unit="u"
        ),
        lambda: catalog.remove_item(portal.uow(), other, added.item_id),
        lambda: catalog.add_price(portal.uow(), other, added.item_id, currency="EUR", cost="1", msrp="2"),
        lambda: catalog.change_price(portal.uow(), other, added.item_id, currency="USD", cost="1", msrp="2"),
        lambda: catalog.remove_price(portal.uow(), other, added.item_id, currency="USD"),
        lambda: catalog.product_detail(portal.uow(), actor, "PRD-000-000-000"),
        lambda: catalog.product_detail(portal.uow(), actor, "\ud800"),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    assert catalog.find_products(portal.uow(), other).total == 0
    reseller = portal.activate(portal.invite())
    from services.access import signed_in_user

    reseller_user = signed_in_user(portal.uow(), reseller.user_id)
    assert reseller_user is not None
    with pytest.raises(Forbidden):
        catalog.find_products(portal.uow(), reseller_user)
    with pytest.raises(Forbidden):
        catalog.product_detail(portal.uow(), reseller_user, made.product_id)


# ------------------------------------------------------------------------------------------------ items and prices


def test_items_are_numbered_within_their_product_and_never_reuse_a_number(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    first = item(portal, actor, made.product_id, "A")
    second = item(portal, actor, made.product_id, "B")
    assert (first.item_id, second.item_id) == (f"{made.product_id}-0001", f"{made.product_id}-0002")
    catalog.remove_item(portal.uow(), actor, second.item_id)
    assert item(portal, actor, made.product_id, "C").item_id == f"{made.product_id}-0003"


def test_an_mpn_is_unique_within_its_product_held_by_the_database(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    second = product(portal, actor, "Ledgerly Payroll")
    item(portal, actor, made.product_id, "LGB-M")
    item(portal, actor, second.product_id, "LGB-M")  # another product may use it
    with pytest.raises(ValidationFailed) as failure:
        item(portal, actor, made.product_id, "LGB-M")
    assert failure.value.errors == {"mpn": catalog.MPN_TAKEN}
    other = item(portal, actor, made.product_id, "LGB-Y")
    with pytest.raises(ValidationFailed) as failure:
        catalog.update_item(
            portal.uow(), actor, other.item_id, mpn="LGB-M", item_name="Y", billing_period="yearly", unit="Users"
        )
    assert failure.value.errors == {"mpn": catalog.MPN_TAKEN}  # from the database's ux_item_mpn


@pytest.mark.parametrize(
    ("currency", "cost", "msrp", "field", "message"),
    [
        ("USD", "13", "12", "cost", "cannot be higher than the MSRP"),
        ("USD", "1.23456", "2", "cost", "at most 4 decimal places"),
        ("USD", "1", "2.00001", "msrp", "at most 4 decimal places"),
        ("USD", "-1", "2", "cost", "digits and a decimal point only"),
        ("USD", "1e3", "2000", "cost", "digits and a decimal point only"),
        ("USD", "1,000", "2000", "cost", "digits and a decimal point only"),
        ("USD", "NaN", "2", "cost", "digits and a decimal point only"),
        ("USD", "1", "10000000000", "msrp", "below 10,000,000,000"),
        ("USD", "", "2", "cost", "Give the cost"),
        ("XYZ", "1", "2", "currency", "not an ISO 4217"),
        ("US", "1", "2", "currency", "not an ISO 4217"),
        ("", "1", "2", "currency", "Give the currency"),
        ("USD", 1.5, "2", "cost", "takes text"),
    ],
)
def test_price_rules(portal: Portal, currency: str, cost: object, msrp: object, field: str, message: str) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    with pytest.raises(ValidationFailed) as failure:
        item(portal, actor, made.product_id, currency=currency, cost=cost, msrp=msrp)
    assert message in failure.value.errors[field]


def test_prices_are_exact_decimals_one_per_currency(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    added = item(portal, actor, made.product_id, currency="usd", cost="9999999999.9999", msrp="9999999999.9999")
    assert added.prices == [catalog.PriceView("USD", Decimal("9999999999.9999"), Decimal("9999999999.9999"))]
    detail = catalog.add_price(portal.uow(), actor, added.item_id, currency="EUR", cost="0.1", msrp="0.3")
    eur = next(p for p in detail.items[0].prices if p.currency == "EUR")
    assert (eur.cost, eur.msrp) == (Decimal("0.1"), Decimal("0.3")) and eur.cost + eur.cost + eur.cost == eur.msrp
    with pytest.raises(ValidationFailed) as failure:
        catalog.add_price(portal.uow(), actor, added.item_id, currency="EUR", cost="1", msrp="2")
    assert failure.value.errors == {"currency": catalog.CURRENCY_TAKEN}
    with portal.session() as session:  # the database holds one price per item and currency, and cost <= MSRP
        session.add(ItemPrice(item_id=added.item_id, currency="EUR", cost=Decimal(1), msrp=Decimal(2)))
        with pytest.raises(IntegrityError):
            session.commit()
    with portal.session() as session:
        session.add(ItemPrice(item_id=added.item_id, currency="GBP", cost=Decimal(3), msrp=Decimal(2)))
        with pytest.raises(IntegrityError):
            session.commit()
    changed = catalog.change_price(portal.uow(), actor, added.item_id, currency="EUR", cost="0.2", msrp="0.25")
    assert next(p for p in changed.items[0].prices if p.currency == "EUR").cost == Decimal("0.2")
    with pytest.raises(NotFound):
        catalog.change_price(portal.uow(), actor, added.item_id, currency="GBP", cost="1", msrp="2")


# ------------------------------------------------------------------------------------------------ statuses


def test_the_status_machine(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    with pytest.raises(InvalidState, match="at least one item"):
        catalog.publish_product(portal.uow(), actor, made.product_id)
    unpriced = catalog.add_item(
        portal.uow(), actor, made.product_id, mpn="U", item_name="Unpriced", billing_period="One-time", unit="Setup"
    )
    with pytest.raises(InvalidState, match="without one: U"):
        catalog.publish_product(portal.uow(), actor, made.product_id)
    catalog.add_price(portal.uow(), actor, unpriced.items[0].item_id, currency="EUR", cost="10", msrp="10")
    with pytest.raises(InvalidState, match="cannot be ended"):
        catalog.end_sale(portal.uow(), actor, made.product_id)
    done = catalog.publish_product(portal.uow(), actor, made.product_id)
    assert done.status == ProductStatus.PUBLISHED and done.allowed_actions == {"edit", "end_sale"}
    with pytest.raises(InvalidState, match="published already"):  # a second tab's press
        catalog.publish_product(portal.uow(), actor, made.product_id)
    # a published product's items and prices still change, but it keeps one item with one price
    with pytest.raises(InvalidState, match="keeps at least one price"):
        catalog.remove_price(portal.uow(), actor, unpriced.items[0].item_id, currency="EUR")
    with pytest.raises(InvalidState, match="keeps at least one item"):
        catalog.remove_item(portal.uow(), actor, unpriced.items[0].item_id)
    catalog.change_price(portal.uow(), actor, unpriced.items[0].item_id, currency="EUR", cost="9", msrp="11")
    ended = catalog.end_sale(portal.uow(), actor, made.product_id)
    assert ended.status == ProductStatus.END_OF_SALE and ended.allowed_actions == frozenset()
    with pytest.raises(InvalidState, match="can no longer be changed"):
        catalog.update_product(
            portal.uow(), actor, made.product_id, name="New", category="c", short_description="s", description="d"
        )
    with pytest.raises(InvalidState, match="can no longer be changed"):
        catalog.add_price(portal.uow(), actor, unpriced.items[0].item_id, currency="USD", cost="1", msrp="2")
    with pytest.raises(InvalidState):
        catalog.publish_product(portal.uow(), actor, made.product_id)


def test_every_change_is_audited(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor)
    added = item(portal, actor, made.product_id)
    catalog.update_product(
        portal.uow(),
        actor,
        made.product_id,
        name="Ledgerly",
        category="Finance",
        short_description="s",
        description="d",
    )
    catalog.update_item(
        portal.uow(), actor, added.item_id, mpn="M2", item_name="Seat", billing_period="yearly", unit="U"
    )
    catalog.add_price(portal.uow(), actor, added.item_id, currency="EUR", cost="1", msrp="2")
    catalog.change_price(portal.uow(), actor, added.item_id, currency="EUR", cost="1.5", msrp="2")
    catalog.remove_price(portal.uow(), actor, added.item_id, currency="EUR")
    catalog.publish_product(portal.uow(), actor, made.product_id)
    catalog.end_sale(portal.uow(), actor, made.product_id)
    with portal.session() as session:
        events = session.exec(
            select(AuditEvent).where(AuditEvent.object_id == made.product_id).order_by(col(AuditEvent.id))
        ).all()
    assert [event.action for event in events] == [
        "product.created",
        "item.added",
        "price.added",
        "product.updated",
        "item.updated",
        "price.added",
        "price.changed",
        "price.removed",
        "product.published",
        "product.end_of_sale",
    ]
    assert all(event.actor == actor.user_id for event in events)
    assert '"cost": "1.5"' in (events[6].details or "")


def test_the_list_filters_searches_and_pages_by_category_and_name(portal: Portal) -> None:
    actor = portal.distributor_user()
    for n in range(30):
        product(portal, actor, f"Product {n:02d}", category="Zeta" if n % 2 else "Alpha")
    published(portal, actor, "Findable 100%_done")
    listing = catalog.find_products(portal.uow(), actor)
    assert listing.total == 31 and len(listing.rows) == 25
    assert [row.category for row in listing.rows[:2]] == ["Alpha", "Alpha"]
    assert catalog.find_products(portal.uow(), actor, page=2).rows[-1].name == "Product 29"
    found = catalog.find_products(portal.uow(), actor, search="100%_")
    assert [row.name for row in found.rows] == ["Findable 100%_done"] and found.rows[0].currencies == ["USD"]
    assert catalog.find_products(portal.uow(), actor, status="published").total == 1
    assert catalog.find_products(portal.uow(), actor, search="zeta").total == 15
    with pytest.raises(ValidationFailed):
        catalog.find_products(portal.uow(), actor, status="bogus")
    assert catalog.categories(portal.uow(), actor) == ["Alpha", "Finance", "Zeta"]


# ------------------------------------------------------------------------------------------------ CSV


def csv_text(*rows: str) -> bytes:
    header = "product_name,category,short_description,description,mpn,item_name,billing_period,unit,currency,cost,msrp"
    return ("\n".join([header, *rows]) + "\n").encode()


GOOD = 'Ledgerly,Finance,Books,"# Ledgerly\n\nTwo lines",LG-M,Monthly seat,Monthly,Users,USD,8.5,12'


def test_export_is_utf8_with_bom_one_row_per_item_and_currency_and_neutralises_formulas(portal: Portal) -> None:
    actor = portal.distributor_user()
    made = product(portal, actor, '=HYPERLINK("http://evil.example")', category="+Tools", short_description="@sum")
    added = item(portal, actor, made.product_id, mpn="-1+1", item_name="Ünïcode seat")
    catalog.add_price(portal.uow(), actor, added.item_id, currency="EUR", cost="1.2345", msrp="2")
    product(portal, actor, "Empty product")
    exported = catalog_csv.export_catalog(portal.uow(), actor)
    assert exported.startswith(b"\xef\xbb\xbf")
    text = exported.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(catalog_csv.COLUMNS)
    records = list(csv.reader(io.StringIO(text)))
    assert len(records) == 1 + 2 + 1  # the header, the item's EUR and USD rows, the product without items
    assert "'=HYPERLINK" in text and "'+Tools" in text and "'@sum" in text and "'-1+1" in text
    assert ",EUR,1.2345,2.0000" in text and "Ünïcode seat" in text
    # and an exported file imports as it was: nothing changes
    result = catalog_csv.import_catalog(portal.uow(), actor, exported)
    assert (result.products_created, result.products_changed, result.items_added, result.prices_set) == (0, 0, 0, 0)
    assert catalog_csv.export_catalog(portal.uow(), actor) == exported


def test_import_creates_updates_and_counts(portal: Portal) -> None:
    actor = portal.distributor_user()
    content = csv_text(
        GOOD, GOOD.replace(",USD,8.5,12", ",EUR,7.9,11"), GOOD.replace("LG-M", "LG-Y").replace("Monthly", "Yearly")
    )
    result = catalog_csv.import_catalog(portal.uow(), actor, content)
    assert (result.products_created, result.items_added, result.prices_set) == (1, 2, 3)
    [row] = catalog.find_products(portal.uow(), actor).rows
    detail = catalog.product_detail(portal.uow(), actor, row.product_id)
    assert detail.status == ProductStatus.DRAFT and detail.description == "# Ledgerly\n\nTwo lines"
    assert [p.cost for p in detail.items[0].prices] == [Decimal("7.9"), Decimal("8.5")]
    again = catalog_csv.import_catalog(portal.uow(), actor, csv_text(GOOD.replace("8.5,12", "9,12")))
    assert (again.products_created, again.items_added, again.prices_set) == (0, 0, 1)


def test_import_reports_every_bad_row_with_its_line_and_imports_nothing(portal: Portal) -> None:
    actor = portal.distributor_user()
    content = csv_text(
        GOOD,  # lines 2-4: the description spans three lines
        GOOD.replace("8.5,12", "13,12"),  # lines 5-7: cost above MSRP
        "Other,Finance,Books,Plain,OT-1,Seat,Weekly,Users,USD,1,2",  # line 8: billing period
        "Third,Finance,Books,Plain,TH-1,Seat,Monthly,Users,ABC,1.00001,2",  # line 9: currency and decimals
        "Fourth,,Books,Plain,FO-1,Seat,Monthly,Users,USD,1,2",  # line 10: category
        "too,few,cells",  # line 11
    )
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_csv.import_catalog(portal.uow(), actor, content)
    problems = refused.value.problems
    lines = [line for line, _ in problems]
    assert lines == [5, 8, 9, 9, 10, 11], problems
    messages = dict(problems)
    assert "cannot be higher than the MSRP" in messages[5]
    assert "billing_period" in messages[8]
    assert "category" in messages[10] and "3 cells" in messages[11]
    assert {message.split(":")[0] for line, message in problems if line == 9} == {"currency", "cost"}
    assert refused.value.total == 6 and "6 problems" in refused.value.message
    assert catalog.find_products(portal.uow(), actor).total == 0  # nothing imported


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"", 1, "empty"),
        (b"product_name,category\n", 1, "Missing columns"),
        (
            b"colour," + b",".join(c.encode() for c in sorted(catalog_csv.REQUIRED)) + b"\n",
            1,
            "Unknown columns: colour",
        ),
        (csv_text(), 1, "no rows"),
        (csv_text(GOOD) + b"Bad,\xff\n", 5, "not UTF-8"),
        (csv_text('"unterminated,Finance'), 2, "cannot be read as CSV"),
        (csv_text(GOOD, GOOD), 5, "Repeats the USD price of line 2"),
        (csv_text(GOOD, GOOD.replace("Users", "Seats").replace("USD", "EUR")), 5, "differ from line 2"),
        (csv_text(GOOD, GOOD.replace(",Books,", ",Other books,").replace("LG-M", "LG-X")), 5, "differ from line 2"),
    ],
)
def test_import_errors(portal: Portal, content: bytes, line: int, message: str) -> None:
    actor = portal.distributor_user()
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_csv.import_catalog(portal.uow(), actor, content)
    assert refused.value.problems[0][0] == line and message in refused.value.problems[0][1], refused.value.problems
    assert catalog.find_products(portal.uow(), actor).total == 0


def test_import_follows_the_status_machine_and_ownership(portal: Portal) -> None:
    actor = portal.distributor_user()
    other = portal.distributor_user(OTHER)
    theirs = product(portal, other, "Theirs")
    header = ",".join(catalog_csv.COLUMNS)
    row = f"{theirs.product_id},Theirs,Finance,Books,Plain,Published,,LG-M,Seat,Monthly,Users,USD,1,2"
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_csv.import_catalog(portal.uow(), actor, f"{header}\n{row}\n".encode())
    assert refused.value.problems == [(2, f"product_id: You have no product {theirs.product_id}.")]
    mine = ",Mine,Finance,Books,Plain,Published,,LG-M,Seat,Monthly,Users,USD,1,2"
    catalog_csv.import_catalog(portal.uow(), actor, f"{header}\n{mine}\n".encode())
    [made] = catalog.find_products(portal.uow(), actor).rows
    assert made.status == ProductStatus.PUBLISHED
    back = mine.replace("Published", "Draft")
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_csv.import_catalog(portal.uow(), actor, f"{header}\n{back}\n".encode())
    assert "cannot become Draft" in refused.value.problems[0][1]
    unpriced = ",New,Finance,Books,Plain,Published,,,,,,,,"
    with pytest.raises(CatalogImportRefused) as refused:
        catalog_csv.import_catalog(portal.uow(), actor, f"{header}\n{unpriced}\n".encode())
    assert "at least one item" in refused.value.problems[0][1]
    assert catalog.find_products(portal.uow(), actor).total == 1


def test_import_and_export_as_operator(portal: Portal) -> None:
    actor = portal.distributor_user()
    catalog_csv.import_catalog_as_operator(portal.uow(), "Mighty Mick's LLC", csv_text(GOOD))
    assert catalog.find_products(portal.uow(), actor).total == 1
    assert b"Ledgerly" in catalog_csv.export_catalog_as_operator(portal.uow(), "Mighty Mick's LLC")
    with pytest.raises(NotFound, match="Did you mean"):
        catalog_csv.import_catalog_as_operator(portal.uow(), "Mighty Micks LLC", csv_text(GOOD))
    with portal.session() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "product.created")).all()
    assert [event.actor for event in events] == ["command line"]


# ------------------------------------------------------------------------------------------------ agreements, demo


def test_the_syndication_agreement_is_versioned_like_the_service_agreement(portal: Portal) -> None:
    actor = portal.distributor_user()
    with portal.session() as session:
        service = agreements.active_version_for(session, actor.account_id)
        assert agreements.syndication_version_for(session, actor.account_id) is None
    made = agreements.create_agreement(
        portal.uow(), actor, title="Syndication terms", text="# Terms\n\nResell.", kind="syndication"
    )
    assert made.id.startswith("SYN-")
    agreements.publish_version(portal.uow(), actor, made.id, text="# Terms\n\nResell, version 2.")
    listed = {summary.title: summary for summary in agreements.list_agreements(portal.uow(), actor)}
    assert listed["Syndication terms"].kind_label == "Syndication agreement"
    assert [v.version for v in listed["Syndication terms"].versions] == [2, 1]
    assert listed["Mighty Mick's LLC Reseller Service Agreement"].kind_label == "Service agreement"
    with portal.session() as session:
        assert agreements.active_version_for(session, actor.account_id).id == service.id  # invitations keep theirs
        syndication = agreements.syndication_version_for(session, actor.account_id)
    assert syndication is not None and syndication.version == 2
    with pytest.raises(ValidationFailed) as failure:
        agreements.create_agreement(portal.uow(), actor, title="T", text="x", kind="lease")
    assert "kind" in failure.value.errors
    # the command line publishes either kind
    version = agreements.publish_version_as_operator(portal.uow(), "Mighty Mick's LLC", "# Three", kind="syndication")
    assert version.agreement_id == made.id and version.version == 3


def test_the_demo_seeds_a_published_catalog_in_three_categories_and_a_syndication_agreement(portal: Portal) -> None:
    seeded = demo.seed_demo(portal.uow())
    assert seeded.seeded
    with portal.session() as session:
        distributor_id = session.exec(select(Product.distributor_id)).first()
        assert distributor_id is not None
        assert agreements.syndication_version_for(session, distributor_id) is not None
    actor = portal.distributor_user(email="second@mightymicks.example")
    listing = catalog.find_products(portal.uow(), actor)
    assert listing.total >= 8 and {row.status for row in listing.rows} == {ProductStatus.PUBLISHED}
    assert len({row.category for row in listing.rows}) == 3
    assert all(2 <= row.items <= 4 and row.currencies == ["EUR", "USD"] for row in listing.rows)
