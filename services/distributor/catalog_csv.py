"""The catalog as CSV: one row per item and currency (a product without items, or an item without prices, has one
row with those columns empty).

**Export** writes UTF-8 with a byte order mark (so that spreadsheet programs read accents right), and neutralises
formula injection: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'``, so that a spreadsheet shows it as text instead of running it.

**Import** reads the same columns (in any order; ``status`` and the IDs may be left out or empty), checks every
row, and imports nothing unless every row is right: otherwise it reports each bad row with its line number
(:class:`CatalogImportRefused`). A product is found by its ID or by its name among the distributor's products
(else created as a draft); an item by its ID or by its MPN within its product (else added); a price by its item
and currency (else added). Nothing is removed. A leading ``'`` that the export added before ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is taken off again, so that an exported file imports as it was. A ``status``
moves the product along the same transitions the pages offer (Draft → Published → End of sale)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, col, select

from data.models import Item, Product, ProductStatus
from services.access import distributor_of
from services.actors import SignedInUser
from services.distributor import catalog
from services.distributor.agreements import _get_distributor
from services.errors import CatalogImportRefused, InvalidState, ValidationFailed
from services.unit_of_work import UnitOfWork

COLUMNS = (
    "product_id",
    "product_name",
    "category",
    "short_description",
    "description",
    "status",
    "item_id",
    "mpn",
    "item_name",
    "billing_period",
    "unit",
    "currency",
    "cost",
    "msrp",
)
REQUIRED = frozenset({"product_name", "category", "short_description", "description", "mpn", "item_name"})
REQUIRED |= frozenset({"billing_period", "unit", "currency", "cost", "msrp"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
IMPORT_BYTES_MAX = 10 * 1024 * 1024
IMPORT_ROWS_MAX = 50_000
PROBLEMS_SHOWN = 200  # a file with more bad rows reports the first ones and how many more
# The labels a status is written with (the export writes them; the import also takes the stored values).
STATUS_BY_WORD = {label.casefold(): status for status, label in catalog.STATUS_LABELS.items()}
STATUS_BY_WORD |= {status.value: status for status in ProductStatus}
# Field names of the services' messages, as the file's columns call them.
FIELD_COLUMNS = {"name": "product_name", "item_name": "item_name"}


def neutralised(value: str) -> str:
    """A cell a spreadsheet will show, never run: ``'`` before a leading formula character."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restored(value: str) -> str:
    """The import's inverse of :func:`neutralised`."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


# ------------------------------------------------------------------------------------------------ export


def export_catalog(uow: UnitOfWork, actor: SignedInUser) -> bytes:
    """The actor's distributor's catalog as CSV bytes (UTF-8 with BOM)."""
    return _export(uow, distributor_of(actor))


def export_catalog_as_operator(uow: UnitOfWork, distributor_name: str) -> bytes:
    """The command line's ``catalog export --distributor NAME``."""
    with uow.read():
        distributor_id = _get_distributor(uow.session, distributor_name).id
    return _export(uow, distributor_id)


def _export(uow: UnitOfWork, distributor_id: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    with uow.read():
        for row in _rows(uow.session, distributor_id):
            writer.writerow([neutralised(cell) for cell in row])
    return (BOM + buffer.getvalue()).encode("utf-8")


def _rows(session: Session, distributor_id: str) -> Iterator[list[str]]:
    products = session.exec(
        select(Product)
        .where(Product.distributor_id == distributor_id)
        .order_by(col(Product.category), col(Product.name))
    ).all()
    items = catalog.items_of(session, [product.id for product in products])
    for product in products:
        head = [
            product.id,
            product.name,
            product.category,
            product.short_description,
            product.description,
            catalog.STATUS_LABELS[product.status],
        ]
        if not items[product.id]:
            yield head + [""] * 8
        for item in items[product.id]:
            part = [item.item_id, item.mpn, item.name, item.billing_label, item.unit]
            if not item.prices:
                yield head + part + ["", "", ""]
            for price in item.prices:
                yield head + part + [price.currency, format(price.cost, "f"), format(price.msrp, "f")]


# ------------------------------------------------------------------------------------------------ import


@dataclass(frozen=True)
class ImportResult:
    rows: int
    products_created: int
    products_changed: int
    items_added: int
    items_changed: int
    prices_set: int


@dataclass
class _ProductPlan:
    line: int
    product_id: str | None
    fields: catalog.ProductFields
    status: ProductStatus | None
    items: dict[str, _ItemPlan] = field(default_factory=dict)  # by MPN


@dataclass
class _ItemPlan:
    line: int
    item_id: str | None
    fields: catalog.ItemFields | None
    prices: dict[str, tuple[int, Decimal, Decimal]] = field(default_factory=dict)  # by currency


class _Problems:
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.found.append((line, message))

    def from_failure(self, line: int, failure: ValidationFailed) -> None:
        for name, message in failure.errors.items():
            self.add(line, f"{FIELD_COLUMNS.get(name, name)}: {message}")

    def raise_if_any(self) -> None:
        if self.found:
            raise CatalogImportRefused(sorted(self.found)[:PROBLEMS_SHOWN], total=len(self.found))


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.removeprefix(BOM)
    if len(content) > IMPORT_BYTES_MAX:
        raise CatalogImportRefused([(0, f"The file is larger than {IMPORT_BYTES_MAX // (1024 * 1024)} MB.")])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise CatalogImportRefused([(line, "This line is not UTF-8 text; save the file as CSV UTF-8.")]) from None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted description can span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for record in reader:
            yield start, record
            start = reader.line_num + 1
    except csv.Error as error:
        raise CatalogImportRefused([(reader.line_num, f"This line cannot be read as CSV: {error}.")]) from None


def parse(content: bytes | str) -> list[_ProductPlan]:
    """Every row checked; the products, items and prices the file describes, or :class:`CatalogImportRefused`
    with every problem found."""
    records = _records(_decode(content))
    problems = _Problems()
    header_found = next(records, None)
    if header_found is None:
        raise CatalogImportRefused([(1, "The file is empty; its first line names the columns.")])
    header_line, header = header_found
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    missing = sorted(REQUIRED - set(names))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown:
        problems.add(header_line, f"Unknown columns: {', '.join(unknown)}. The columns are: {', '.join(COLUMNS)}.")
    if missing:
        problems.add(header_line, f"Missing columns: {', '.join(missing)}.")
    if repeated:
        problems.add(header_line, f"Columns named twice: {', '.join(repeated)}.")
    problems.raise_if_any()

    by_name: dict[str, _ProductPlan] = {}
    by_id: dict[str, _ProductPlan] = {}
    count = 0
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        count += 1
        if count > IMPORT_ROWS_MAX:
            problems.add(line, f"A file has at most {IMPORT_ROWS_MAX:,} rows; split it.")
            break
        if len(record) != len(names):
            problems.add(line, f"This row has {len(record)} cells; the header names {len(names)} columns.")
            continue
        row = {name: restored(cell) for name, cell in zip(names, record, strict=True)}
        _plan_row(line, row, by_name, by_id, problems)
    if count == 0:
        problems.add(header_line, "The file has no rows under its header.")
    problems.raise_if_any()
    return list(by_name.values())


def _plan_row(
    line: int,
    row: dict[str, str],
    by_name: dict[str, _ProductPlan],
    by_id: dict[str, _ProductPlan],
    problems: _Problems,
) -> None:
    try:
        fields = catalog.clean_product(
            row.get("product_name"), row.get("category"), row.get("short_description"), row.get("description")
        )
    except ValidationFailed as failure:
        problems.from_failure(line, failure)
        return
    status = None
    word = " ".join((row.get("status") or "").split()).casefold()
    if word:
        status = STATUS_BY_WORD.get(word)
        if status is None:
            problems.add(line, "status: Use Draft, Published or End of sale (or leave it empty).")
            return
    product_id = (row.get("product_id") or "").strip() or None
    plan = by_id.get(product_id) if product_id else None
    plan = plan or by_name.get(fields.name)
    if plan is None:
        plan = _ProductPlan(line, product_id, fields, status)
        by_name[fields.name] = plan
        if product_id:
            by_id[product_id] = plan
    elif (plan.fields, plan.status, plan.product_id) != (fields, status, product_id or plan.product_id):
        problems.add(line, f"The product's columns differ from line {plan.line}, for the same product.")
        return
    item_columns = ("item_id", "mpn", "item_name", "billing_period", "unit", "currency", "cost", "msrp")
    if not any((row.get(name) or "").strip() for name in item_columns):
        return  # a product without items
    try:
        item_fields = catalog.clean_item(
            row.get("mpn"), row.get("item_name"), row.get("billing_period"), row.get("unit")
        )
    except ValidationFailed as failure:
        problems.from_failure(line, failure)
        return
    item_id = (row.get("item_id") or "").strip() or None
    item = plan.items.get(item_fields.mpn)
    if item is None:
        item = _ItemPlan(line, item_id, item_fields)
        plan.items[item_fields.mpn] = item
    elif (item.fields, item.item_id) != (item_fields, item_id or item.item_id):
        problems.add(line, f"The item's columns differ from line {item.line}, for the same MPN.")
        return
    if not any((row.get(name) or "").strip() for name in ("currency", "cost", "msrp")):
        return  # an item without prices
    try:
        currency, cost, msrp = catalog.clean_price(row.get("currency"), row.get("cost"), row.get("msrp"))
    except ValidationFailed as failure:
        problems.from_failure(line, failure)
        return
    if currency in item.prices:
        problems.add(line, f"Repeats the {currency} price of line {item.prices[currency][0]} for the same item.")
        return
    item.prices[currency] = (line, cost, msrp)


def import_catalog(uow: UnitOfWork, actor: SignedInUser, content: bytes | str) -> ImportResult:
    """Import a CSV file into the actor's distributor's catalog: everything, or nothing and every bad row."""
    return _import(uow, distributor_of(actor), content, actor=actor.user_id)


def import_catalog_as_operator(uow: UnitOfWork, distributor_name: str, content: bytes | str) -> ImportResult:
    """The command line's ``catalog import FILE --distributor NAME``."""
    with uow.read():
        distributor_id = _get_distributor(uow.session, distributor_name).id
    return _import(uow, distributor_id, content, actor="command line")


def _import(uow: UnitOfWork, distributor_id: str, content: bytes | str, *, actor: str) -> ImportResult:
    plans = parse(content)
    problems = _Problems()
    counts = {"created": 0, "changed": 0, "items_added": 0, "items_changed": 0, "prices": 0}
    rows = sum(max(1, sum(max(1, len(i.prices)) for i in p.items.values())) for p in plans)
    with uow.write():
        for plan in plans:
            _apply(uow, distributor_id, plan, problems, counts, actor=actor)
        problems.raise_if_any()  # leaves the block: nothing is kept
        uow.commit()
    return ImportResult(
        rows=rows,
        products_created=counts["created"],
        products_changed=counts["changed"],
        items_added=counts["items_added"],
        items_changed=counts["items_changed"],
        prices_set=counts["prices"],
    )


def _apply(
    uow: UnitOfWork, distributor_id: str, plan: _ProductPlan, problems: _Problems, counts: dict[str, int], *, actor: str
) -> None:
    session = uow.session
    product: Product | None
    if plan.product_id:
        product = uow.get_for_update(Product, plan.product_id)
        if product is None or product.distributor_id != distributor_id:
            problems.add(plan.line, f"product_id: You have no product {plan.product_id}.")
            return
    else:
        product = session.exec(
            uow.lock(select(Product).where(Product.distributor_id == distributor_id, Product.name == plan.fields.name))
        ).first()
    if product is None:
        product = catalog.add_product(session, distributor_id, plan.fields, actor=actor)
        counts["created"] += 1
    else:
        if product.name != plan.fields.name:
            clash = session.exec(
                select(Product.id).where(
                    Product.distributor_id == distributor_id, Product.name == plan.fields.name, Product.id != product.id
                )
            ).first()
            if clash:
                problems.add(plan.line, f"product_name: You have another product with this name ({clash}).")
                return
        if product.status not in catalog.EDITABLE and _differs(session, product, plan):
            problems.add(plan.line, f"{product.id} is at end of sale: it can no longer be changed.")
            return
        if catalog.change_product(session, product, plan.fields, actor=actor):
            counts["changed"] += 1
    items = {item.mpn: item for item in session.exec(select(Item).where(Item.product_id == product.id))}
    by_id = {item.id: item for item in items.values()}
    for mpn, item_plan in plan.items.items():
        assert item_plan.fields is not None
        item = by_id.get(item_plan.item_id) if item_plan.item_id else items.get(mpn)
        if item_plan.item_id and item is None:
            problems.add(item_plan.line, f"item_id: {product.id} has no item {item_plan.item_id}.")
            continue
        if item is None:
            item = catalog.new_item(session, product, item_plan.fields, actor=actor)
            counts["items_added"] += 1
        else:
            if item.mpn != mpn and mpn in items:
                problems.add(item_plan.line, f"mpn: {items[mpn].id} has this MPN already.")
                continue
            if catalog.change_item(session, product, item, item_plan.fields, actor=actor):
                counts["items_changed"] += 1
        for currency, (_line, cost, msrp) in item_plan.prices.items():
            if catalog.set_price(session, product, item, currency, cost, msrp, actor=actor):
                counts["prices"] += 1
    if plan.status is not None and plan.status != product.status:
        path = _path(product.status, plan.status)
        if path is None:
            problems.add(
                plan.line,
                f"status: {product.id} is {catalog.STATUS_LABELS[product.status]}; it cannot become "
                f"{catalog.STATUS_LABELS[plan.status]}.",
            )
            return
        try:
            for action in path:
                catalog.apply_transition(session, product, action, actor=actor)
        except InvalidState as refused:
            problems.add(plan.line, f"status: {refused.message}")


def _differs(session: Session, product: Product, plan: _ProductPlan) -> bool:
    """Whether the file changes anything of ``product`` (an ended product may be listed, unchanged)."""
    current = catalog.ProductFields(product.name, product.category, product.short_description, product.description)
    if plan.fields != current:
        return True
    items = {item.mpn: item for item in catalog.items_of(session, [product.id])[product.id]}
    for mpn, item_plan in plan.items.items():
        item = items.get(mpn)
        if item is None or item_plan.fields != catalog.ItemFields(item.mpn, item.name, item.billing_period, item.unit):
            return True
        prices = {price.currency: (price.cost, price.msrp) for price in item.prices}
        if any(prices.get(currency) != (cost, msrp) for currency, (_, cost, msrp) in item_plan.prices.items()):
            return True
    return False


def _path(start: ProductStatus, goal: ProductStatus) -> list[str] | None:
    """The actions of :data:`catalog.TRANSITIONS` that lead from ``start`` to ``goal``, if any."""
    path: list[str] = []
    status = start
    while status != goal:
        step = next((a for a, (sources, _) in catalog.TRANSITIONS.items() if status in sources), None)
        if step is None:
            return None
        path.append(step)
        status = catalog.TRANSITIONS[step][1]
    return path


def template() -> bytes:
    """An empty file with the header, for a distributor starting a catalog in a spreadsheet."""
    return (BOM + ",".join(COLUMNS) + "\r\n").encode("utf-8")


__all__ = ["COLUMNS", "ImportResult", "export_catalog", "import_catalog", "neutralised", "parse", "restored"]
