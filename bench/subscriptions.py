"""``python -m bench.subscriptions`` — chapter 4's lists at scale: one reseller with 20,000 customers and 100,000
subscriptions (each with its item and its purchase request), the newest 50,000 with their purchase still open,
bulk-inserted. Times the service call behind each list page (the server time of the page's data: what a worker
spends on it): the reseller's subscriptions (first and a late page, a status filter, searches matching many, one
and none), its customers' directory, and the distributor's fulfilment queue at 50,000 open requests (oldest
first, by type, searched); prints the median and p95 of each and whether the p95 is within the target (100 ms).
``--db postgresql`` runs it on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import select, text

from data.models import Contract
from portal_testing.databases import Databases
from portal_testing.factories import Portal, open_portal
from portal_testing.servers import postgres_cluster
from services.access import signed_in_user
from services.actors import SignedInUser
from services.distributor import fulfilment as queue
from services.portal import customers, subscriptions

TARGET_P95_MS = 100.0
BATCH = 5_000


def bulk_chapter_4(
    portal: Portal, reseller: SignedInUser, distributor_id: str, n_customers: int, n_subs: int, n_open: int
) -> None:
    """``n_customers`` customers and ``n_subs`` subscriptions spread over them, each with one item and its purchase
    request; the newest ``n_open`` are processing with their purchase pending, the others active."""
    now = datetime.now(UTC).replace(tzinfo=None)
    customer_rows = [
        {
            "id": f"TA-{n // 10**8 % 10**4:04d}-{n // 10**4 % 10**4:04d}-{n % 10**4:04d}",
            "a": reseller.account_id,
            "name": f"Customer {n:05d} GmbH",
            "ext": f"CUST-{n:05d}",
            "email": f"it{n}@customer{n}.example",
            "at": now - timedelta(minutes=n_subs + n),
        }
        for n in range(n_customers)
    ]
    money = (lambda value: value) if portal.is_postgresql else str  # SQLite's driver takes no Decimal
    with portal.engine.begin() as connection:
        for start in range(0, n_customers, BATCH):
            connection.execute(
                text(
                    "INSERT INTO customer (id, account_id, company_name, external_id, address_line1, city, "
                    "postal_code, country, contact_email, status, created_at, updated_at) VALUES (:id, :a, :name, "
                    ":ext, 'Street 1', 'Berlin', '10115', 'DE', :email, 'ACTIVE', :at, :at)"
                ),
                customer_rows[start : start + BATCH],
            )
        for start in range(0, n_subs, BATCH):
            subs, items, requests = [], [], []
            for n in range(start, min(n_subs, start + BATCH)):
                number = f"{n // 10**8 % 10**4:04d}-{n // 10**4 % 10**4:04d}-{n % 10**4:04d}"
                open_ = n >= n_subs - n_open
                at = now - timedelta(seconds=n_subs - n)
                subs.append(
                    {
                        "id": f"AS-{number}",
                        "r": reseller.account_id,
                        "d": distributor_id,
                        "c": customer_rows[n % n_customers]["id"],
                        "p": f"PRD-{n % 500:03d}-000-000",
                        "ext": f"SUB-{n:06d}",
                        "cost": money("21.0000"),
                        "msrp": money("25.9800"),
                        "status": "PROCESSING" if open_ else "ACTIVE",
                        "at": at,
                    }
                )
                items.append(
                    {
                        "s": f"AS-{number}",
                        "i": f"PRD-{n % 500:03d}-000-000-0001",
                        "u": money("10.5000"),
                        "m": money("12.9900"),
                    }
                )
                requests.append(
                    {
                        "id": f"PR-{number}-001",
                        "s": f"AS-{number}",
                        "d": distributor_id,
                        "r": reseller.account_id,
                        "status": "PENDING" if open_ else "APPROVED",
                        "by": reseller.user_id,
                        "at": at,
                    }
                )
            connection.execute(
                text(
                    "INSERT INTO subscription (id, reseller_id, distributor_id, customer_id, marketplace_id, "
                    "product_id, external_id, billing_period, currency, cost_total, msrp_total, status, requests_made, "
                    "created_at, updated_at) VALUES (:id, :r, :d, :c, 'MP-12345', :p, :ext, 'monthly', 'EUR', :cost, "
                    ":msrp, :status, 1, :at, :at)"
                ),
                subs,
            )
            connection.execute(
                text(
                    "INSERT INTO subscription_item (subscription_id, item_id, quantity, unit_cost, unit_msrp) "
                    "VALUES (:s, :i, 2, :u, :m)"
                ),
                items,
            )
            connection.execute(
                text(
                    "INSERT INTO fulfilment_request (id, subscription_id, distributor_id, reseller_id, type, status, "
                    "created_by, created_at, updated_at) VALUES (:id, :s, :d, :r, 'PURCHASE', :status, :by, :at, :at)"
                ),
                requests,
            )
    # A database that grew to this size has been vacuumed and analysed by autovacuum (PostgreSQL: the visibility
    # map lets a count read the index alone); SQLite has its statistics.
    with portal.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if portal.is_postgresql else "ANALYZE")


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


def measurements(portal: Portal, reseller: SignedInUser, desk: SignedInUser) -> dict[str, Callable[[], object]]:
    def subs(**options: object) -> Callable[[], object]:
        return lambda: subscriptions.find_subscriptions(portal.uow(), reseller, **options)  # type: ignore[arg-type]

    def directory(**options: object) -> Callable[[], object]:
        return lambda: customers.find_customers(portal.uow(), reseller, **options)  # type: ignore[arg-type]

    def requests(**options: object) -> Callable[[], object]:
        return lambda: queue.find_requests(portal.uow(), desk, **options)  # type: ignore[arg-type]

    return {
        "subscriptions, page 1": subs(),
        "subscriptions, page 200": subs(page=200),
        "subscriptions, active": subs(status="active"),
        "subscriptions, search matching many ('Customer 1')": subs(search="Customer 1"),
        "subscriptions, search matching one ('SUB-054321')": subs(search="SUB-054321"),
        "subscriptions, search matching none": subs(search="no such subscription"),
        "customers, page 1": directory(),
        "customers, search matching one ('CUST-01234')": directory(search="CUST-01234"),
        "customers, search matching none": directory(search="no such customer"),
        "fulfilment queue, pending, page 1 (oldest first)": requests(status="pending"),
        "fulfilment queue, purchases, page 1": requests(type="purchase"),
        "fulfilment queue, search matching one": requests(search="Customer 01234"),
        "fulfilment queue, search matching none": requests(search="no such request"),
    }


@contextlib.contextmanager
def database(dialect: str) -> Iterator[Portal]:
    folder = Path(tempfile.mkdtemp(prefix="bench-subscriptions-"))
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


def order_throughput(portal: Portal, url: str, orders_count: int) -> tuple[float, int]:
    """Orders placed per second through the worker processes the server uses (one per core), as the order dialog
    places them (``access.as_signed_in`` → ``orders.place_order``, each with its request key), from twice as many
    callers as cores: a reseller with 50 customers and a listed product. Returns (orders per second, placed)."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from portal_testing.chapter4 import ACME, listed_product, reseller
    from services import access, throttle, workers
    from services.portal import orders
    from services.requests import new_request_key

    cores = os.cpu_count() or 1
    shopper = reseller(portal, "Throughput Ltd", "orders@throughput.example")
    desk = portal.distributor_user()
    marketplace, product = listed_product(portal, shopper, desk, " throughput")
    buyers = [
        customers.create_customer(portal.uow(), shopper, **{**ACME, "external_id": f"T-{n}"}).customer_id
        for n in range(50)
    ]
    item = orders.order_form(portal.uow(), shopper).marketplaces[0].products[0].items[0].item_id

    def place(number: int) -> str:
        future = workers.submit(
            access.as_signed_in,
            None,
            (shopper.user_id, orders.place_order),
            {
                "customer_id": buyers[number % len(buyers)],
                "marketplace_id": marketplace,
                "product_id": product,
                "quantities": {item: 1 + number % 5},
                "request_key": new_request_key(),
            },
        )
        return future.result().subscription_id

    workers.start(cores, url, throttle.Limits(), wait=True)
    try:
        with ThreadPoolExecutor(max_workers=2 * cores) as pool:
            list(pool.map(place, range(2 * cores)))  # warm-up: imports and caches in every worker
            start = time.perf_counter()
            placed = list(pool.map(place, range(orders_count)))
            elapsed = time.perf_counter() - start
    finally:
        workers.stop()
    return len(placed) / elapsed, len(set(placed))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions", description=__doc__)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=50_000, help="subscriptions whose purchase request is open")
    parser.add_argument("--queries", type=int, default=50, help="calls per measurement (default 50)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--only", default="", help="only the measurements whose name contains this")
    parser.add_argument("--orders", type=int, default=200, help="orders placed for the throughput (0: none)")
    args = parser.parse_args(argv)
    with database(args.db) as portal:
        activated = portal.activate(portal.invite())
        reseller = signed_in_user(portal.uow(), activated.user_id)
        desk = portal.distributor_user()
        assert reseller is not None
        with portal.session() as session:
            contract = session.exec(select(Contract).where(Contract.reseller_account_id == reseller.account_id)).one()
        started = time.perf_counter()
        bulk_chapter_4(portal, reseller, contract.distributor_id, args.customers, args.subscriptions, args.open)
        print(
            f"{args.db}: {args.customers:,} customers, {args.subscriptions:,} subscriptions, {args.open:,} open "
            f"requests (inserted in {time.perf_counter() - started:.1f} s); {args.queries} calls each"
        )
        met = 0
        results = {name: call for name, call in measurements(portal, reseller, desk).items() if args.only in name}
        for name, call in results.items():
            median, p95 = timed(call, args.queries)
            ok = p95 <= TARGET_P95_MS
            met += ok
            print(
                f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms ({'met' if ok else 'MISSED'} ≤ {TARGET_P95_MS:.0f})"
            )
        if args.orders:
            rate, placed = order_throughput(portal, portal.url, args.orders)
            print(f"orders placed through the workers: {rate:.1f} per second ({placed} orders, each once)")
    print(f"bench.subscriptions: {met}/{len(results)} targets met")
    return 0 if met == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
