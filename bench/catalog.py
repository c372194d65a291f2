"""``python -m bench.catalog`` — the catalog's lists on a large catalog: 2,000 products with 10,000 items (each
priced in USD and EUR), bulk-inserted for one distributor. Times the service call behind each list page (the
server time of the page's data: what a worker spends on it) for the first page, a status filter, and searches
matching many, few and no products; prints the median and p95 of each and whether the p95 is within the target
(100 ms). ``--db postgresql`` runs it on a throwaway PostgreSQL cluster.

Measured: the reseller's catalog (``/catalog``, ``services.portal.catalog``: its distributor's published products,
searched in name, category and descriptions) and the distributor's products list (``/distributor/products``,
``services.distributor.catalog``), and the distributor's syndication contracts (``/distributor/contracts``,
``services.distributor.syndication``) at 10,000 rows: one reseller enrolled every product on 5 marketplaces."""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import text

from data.ids import readable_id
from portal_testing.databases import Databases
from portal_testing.factories import Portal, open_portal
from portal_testing.servers import postgres_cluster
from services.access import signed_in_user
from services.actors import SignedInUser
from services.distributor import catalog, syndication
from services.portal import catalog as portal_catalog

TARGET_P95_MS = 100.0
CATEGORIES = ("Security", "Productivity", "Cloud Infrastructure", "Finance", "Communication", "Developer Tools")
STATUSES = ("PUBLISHED", "PUBLISHED", "PUBLISHED", "DRAFT", "END_OF_SALE")
PERIODS = ("MONTHLY", "YEARLY", "ONE_TIME")


def bulk_catalog(portal: Portal, distributor_id: str, products: int, items: int) -> None:
    """``products`` products with ``items`` items spread over them, each item priced in USD and EUR."""
    now = datetime.now(UTC).replace(tzinfo=None)
    product_rows: list[dict[str, object]] = []
    item_rows: list[dict[str, object]] = []
    price_rows: list[dict[str, Any]] = []
    per_product = max(1, items // products)
    for n in range(products):
        product_id = readable_id("PRD")
        count = per_product + (1 if n < items - per_product * products else 0)
        product_rows.append(
            {
                "id": product_id,
                "d": distributor_id,
                "name": f"Bench product {n:05d}",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "short": f"Short description of bench product {n}",
                "description": f"## Bench product {n}\n\n- one\n- two\n",
                "status": STATUSES[n % len(STATUSES)],
                "added": count,
                "at": now - timedelta(minutes=n),
            }
        )
        for k in range(1, count + 1):
            item_id = f"{product_id}-{k:04d}"
            item_rows.append(
                {
                    "id": item_id,
                    "p": product_id,
                    "mpn": f"BP{n:05d}-{k}",
                    "name": f"Item {k}",
                    "period": PERIODS[k % 3],
                    "unit": "Licenses",
                    "at": now,
                }
            )
            cost = Decimal(10 + k) + Decimal(n % 100) / 100
            price_rows.append({"i": item_id, "c": "USD", "cost": cost, "msrp": cost * Decimal("1.4")})
            price_rows.append({"i": item_id, "c": "EUR", "cost": cost * Decimal("0.92"), "msrp": cost * Decimal("1.3")})

    def money(amount: Decimal) -> Decimal | str:  # SQLite's driver takes no Decimal; its NUMERIC reads the text
        exact = amount.quantize(Decimal("0.0001"))
        return exact if portal.is_postgresql else str(exact)

    with portal.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO product (id, distributor_id, name, category, short_description, description, status, "
                "items_added, created_at, updated_at) "
                "VALUES (:id, :d, :name, :category, :short, :description, :status, :added, :at, :at)"
            ),
            product_rows,
        )
        connection.execute(
            text(
                "INSERT INTO item (id, product_id, mpn, name, billing_period, unit, created_at) "
                "VALUES (:id, :p, :mpn, :name, :period, :unit, :at)"
            ),
            item_rows,
        )
        connection.execute(
            text("INSERT INTO item_price (item_id, currency, cost, msrp) VALUES (:i, :c, :cost, :msrp)"),
            [{**row, "cost": money(row["cost"]), "msrp": money(row["msrp"])} for row in price_rows],
        )
        if portal.is_postgresql:  # a database that grew to this size has its statistics (autovacuum's ANALYZE)
            connection.exec_driver_sql("ANALYZE")


CONTRACT_STATUSES = ("PENDING", "PENDING", "ACTIVE", "REJECTED", "TERMINATED")


def bulk_contracts(portal: Portal, distributor_id: str, reseller: SignedInUser, marketplaces: int) -> int:
    """One reseller's syndication contracts for every product on each of ``marketplaces`` new marketplaces."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with portal.session() as session:
        products = [row[0] for row in session.execute(text("SELECT id FROM product ORDER BY id")).all()]
        version_id, user_id = session.execute(
            text(
                'SELECT agreement_version.id, "user".id FROM agreement_version, "user" '
                'WHERE agreement_version.is_active AND "user".id = :user LIMIT 1'
            ),
            {"user": reseller.user_id},
        ).one()
    market_rows = [
        {"id": f"MP-9{n:04d}", "a": reseller.account_id, "name": f"Bench market {n}", "c": "USD", "at": now}
        for n in range(marketplaces)
    ]
    contracts = []
    for m, market in enumerate(market_rows):
        for n, product_id in enumerate(products):
            contracts.append(
                {
                    "id": readable_id("CRS", 4),
                    "d": distributor_id,
                    "r": reseller.account_id,
                    "p": product_id,
                    "m": market["id"],
                    "v": version_id,
                    "u": user_id,
                    "s": CONTRACT_STATUSES[(n + m) % len(CONTRACT_STATUSES)],
                    "at": now - timedelta(minutes=n * marketplaces + m),
                }
            )
    with portal.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO marketplace (id, account_id, name, currency, created_at, updated_at) "
                "VALUES (:id, :a, :name, :c, :at, :at)"
            ),
            market_rows,
        )
        connection.execute(
            text(
                "INSERT INTO syndication_contract (id, distributor_id, reseller_account_id, product_id, "
                "marketplace_id, agreement_version_id, signee_user_id, status, created_at, evidence_text_sha256, "
                "evidence_email, evidence_name, evidence_accepted_at) VALUES (:id, :d, :r, :p, :m, :v, :u, :s, :at, "
                "'0', 'bench@example.com', 'Bench', :at)"
            ),
            contracts,
        )
        if portal.is_postgresql:
            connection.exec_driver_sql("ANALYZE")
    return len(contracts)


def timed(call: Callable[[], object], queries: int) -> tuple[float, float]:
    """Median and p95 of ``queries`` calls, in milliseconds (after one warm-up call)."""
    call()
    times = []
    for _ in range(queries):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def measurements(portal: Portal, actor: SignedInUser, reseller: SignedInUser) -> dict[str, Callable[[], object]]:
    def contracts(**options: object) -> Callable[[], object]:
        return lambda: syndication.find_syndication_contracts(portal.uow(), actor, **options)  # type: ignore[arg-type]

    def products(**options: object) -> Callable[[], object]:
        return lambda: catalog.find_products(portal.uow(), actor, **options)  # type: ignore[arg-type]

    def browse(**options: object) -> Callable[[], object]:
        return lambda: portal_catalog.browse_catalog(portal.uow(), reseller, **options)

    return {
        "reseller's catalog, page 1": browse(),
        "reseller's catalog, page 20": browse(page=20),
        "reseller's catalog, search matching many ('Security')": browse(search="Security"),
        "reseller's catalog, search matching one ('product 01234')": browse(search="product 01234"),
        "reseller's catalog, search in descriptions ('- two')": browse(search="- two"),
        "reseller's catalog, search matching none": browse(search="no such product"),
        "contracts, pending, page 1": contracts(status="pending"),
        "contracts, all (pending first), page 1": contracts(),
        "contracts, all, page 200": contracts(page=200),
        "contracts, search matching one product ('product 01234')": contracts(search="product 01234"),
        "contracts, search matching none": contracts(search="no such reseller"),
        "products, page 1": products(),
        "products, page 40": products(page=40),
        "products, published": products(status="published"),
        "products, search matching many ('Security')": products(search="Security"),
        "products, search matching one ('product 01234')": products(search="product 01234"),
        "products, search matching none": products(search="no such product"),
    }


@contextlib.contextmanager
def database(dialect: str) -> Iterator[Portal]:
    folder = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    if dialect == "sqlite":
        portal = open_portal(folder / "portal.db")
        try:
            yield portal
        finally:
            portal.engine.dispose()
        return
    with postgres_cluster() as server:
        databases = Databases.postgresql(server)
        url = databases.new(folder)
        portal = open_portal(url, upgrade=False)
        try:
            yield portal
        finally:
            portal.engine.dispose()
            databases.drop(url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catalog", description=__doc__)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=50, help="calls per measurement (default 50)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    with database(args.db) as portal:
        actor = portal.distributor_user()
        started = time.perf_counter()
        bulk_catalog(portal, actor.account_id, args.products, args.items)
        print(
            f"{args.db}: {args.products:,} products, {args.items:,} items, {2 * args.items:,} prices "
            f"(inserted in {time.perf_counter() - started:.1f} s); {args.queries} calls each"
        )
        activated = portal.activate(portal.invite())
        reseller = signed_in_user(portal.uow(), activated.user_id)
        assert reseller is not None
        enrolled = bulk_contracts(portal, actor.account_id, reseller, max(1, 10_000 // args.products))
        print(f"{enrolled:,} syndication contracts")
        met = 0
        results = measurements(portal, actor, reseller)
        for name, call in results.items():
            median, p95 = timed(call, args.queries)
            ok = p95 <= TARGET_P95_MS
            met += ok
            print(
                f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms ({'met' if ok else 'MISSED'} ≤ {TARGET_P95_MS:.0f})"
            )
    print(f"bench.catalog: {met}/{len(results)} targets met")
    return 0 if met == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
