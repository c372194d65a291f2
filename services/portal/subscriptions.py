"""A reseller's subscriptions: the list (filtered by status, searched, paged, exported to CSV), a subscription's
page (items, totals, customer, request history, the actions it allows), the requests a reseller opens on it
(**Change quantities**, **Suspend**, **Resume**, **Cancel**; one open request at a time) and the answer to a
distributor's question. The moves themselves are ``services/fulfilment.py``'s table; another reseller's
subscription or request is "not found"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from data.models import Customer, FulfilmentRequest, RequestStatus, RequestType, Subscription, SubscriptionStatus
from data.models.subscription import OPEN_REQUEST_STATUSES
from services import fulfilment
from services.actors import SignedInUser
from services.csv_export import csv_text
from services.errors import NotFound, ValidationFailed
from services.fulfilment import Move
from services.listing import PAGE_SIZE, Page, contains, filter_choice, page_number, search_text
from services.portal.access import reseller_of
from services.requests import check_not_done, record_done
from services.rules import is_storable
from services.unit_of_work import UnitOfWork

STATUS_CHOICE = "Choose one of the statuses in the list."  # a status filter that is none of them

ANSWER_MISSING = "Write your answer to the distributor's question."
STATUS_LABELS = fulfilment.SUBSCRIPTION_LABELS


@dataclass(frozen=True)
class SubscriptionRow:
    subscription_id: str
    customer_id: str
    customer_name: str
    product_id: str
    marketplace_id: str
    external_id: str | None
    status: SubscriptionStatus
    status_label: str
    billing_period: str
    currency: str
    cost_total: Decimal
    msrp_total: Decimal
    request_in_progress: str | None  # "Change, pending", or None
    created_at: datetime
    product_name: str = ""
    marketplace_name: str = ""


@dataclass(frozen=True)
class SubscriptionLine:
    item_id: str
    quantity: int
    unit_cost: Decimal
    unit_msrp: Decimal
    name: str = ""

    @property
    def cost(self) -> Decimal:
        return self.unit_cost * self.quantity

    @property
    def msrp(self) -> Decimal:
        return self.unit_msrp * self.quantity


@dataclass(frozen=True)
class RequestChange:
    item_id: str
    old_quantity: int
    new_quantity: int
    name: str = ""


@dataclass(frozen=True)
class RequestHistory:
    request_id: str
    type: RequestType
    type_label: str
    status: RequestStatus
    status_label: str
    question: str | None
    answer: str | None
    message: str | None
    reason: str | None
    changes: list[RequestChange]
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class SubscriptionDetail:
    row: SubscriptionRow
    lines: list[SubscriptionLine]
    requests: list[RequestHistory]  # newest first
    allowed_actions: tuple[str, ...]  # the requests the reseller may open now: "change", "suspend", …
    waiting_actions: tuple[str, ...]  # those it could open but for the request in progress (shown disabled)
    blocked_reason: str | None  # why they wait
    inquiry: RequestHistory | None  # the open request that waits for the reseller's answer


SubscriptionPage = Page[SubscriptionRow]


def _in_progress(request: FulfilmentRequest | None) -> str | None:
    if request is None:
        return None
    return f"{fulfilment.REQUEST_TYPE_LABELS[request.type]}, {fulfilment.REQUEST_STATUS_LABELS[request.status].lower()}"


def _row(
    subscription: Subscription,
    customer: Customer,
    open_request: FulfilmentRequest | None,
    named: Mapping[str, str] | None = None,
) -> SubscriptionRow:
    named = named or {}
    return SubscriptionRow(
        subscription_id=subscription.id,
        customer_id=customer.id,
        customer_name=customer.company_name,
        product_id=subscription.product_id,
        marketplace_id=subscription.marketplace_id,
        external_id=subscription.external_id,
        status=subscription.status,
        status_label=STATUS_LABELS[subscription.status],
        billing_period=subscription.billing_period,
        currency=subscription.currency,
        cost_total=subscription.cost_total,
        msrp_total=subscription.msrp_total,
        request_in_progress=_in_progress(open_request),
        created_at=subscription.created_at,
        product_name=named.get(subscription.product_id, subscription.product_id),
        marketplace_name=named.get(subscription.marketplace_id, subscription.marketplace_id),
    )


def search_condition(account_id: str, text: str) -> ColumnElement[bool]:
    """The subscriptions a search finds, each way through an index (a scan of 100,000 subscriptions for a
    substring took 150-700 ms): the subscription ID or its External ID, whole and whatever its case, or part of
    the customer's company name or External ID (customers are far fewer than subscriptions)."""
    customers = select(Customer.id).where(
        col(Customer.account_id) == account_id, contains(text, (Customer.company_name, Customer.external_id))
    )
    return or_(
        col(Subscription.id) == text.upper(),
        func.lower(Subscription.external_id) == func.lower(literal(text)),
        col(Subscription.customer_id).in_(customers),
    )


def _conditions(account_id: str, status: SubscriptionStatus | None, search: str) -> list[ColumnElement[bool]]:
    """Which of the reseller's subscriptions a list shows: on the subscription's own columns and indexes only."""
    conditions: list[ColumnElement[bool]] = [col(Subscription.reseller_id) == account_id]
    if status is not None:
        conditions.append(col(Subscription.status) == status)
    if search:
        conditions.append(search_condition(account_id, search))
    return conditions


NEWEST_FIRST = (col(Subscription.created_at).desc(), col(Subscription.id).desc())


def _shown(session: Session, chosen: Select[Any]) -> list[SubscriptionRow]:
    """The rows of the subscriptions ``chosen`` selects (their IDs), with customer and open request, newest
    first. Choosing from the subscription table alone lets the database walk its newest-first index, whatever
    it estimates about the joins (with them, SQLite sorted all 100,000 subscriptions of a reseller)."""
    open_request = aliased(FulfilmentRequest)
    statement = (
        select(Subscription, Customer, open_request)
        .join(Customer, col(Customer.id) == col(Subscription.customer_id))
        .outerjoin(
            open_request,
            and_(
                col(open_request.subscription_id) == col(Subscription.id),
                col(open_request.status).in_(OPEN_REQUEST_STATUSES),
            ),
        )
        .where(col(Subscription.id).in_(chosen))
        .order_by(*NEWEST_FIRST)
    )
    rows = session.exec(statement).all()
    named = fulfilment.names(session, [i for row in rows for i in (row[0].product_id, row[0].marketplace_id)])
    return [_row(*row, named) for row in rows]


def find_subscriptions(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    status: str | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SubscriptionPage:
    """One page of the actor's subscriptions, newest first: of one status, and found by the subscription ID or
    its External ID (whole), or part of the customer's name or External ID."""
    page = page_number(page)
    wanted, text = filter_choice(SubscriptionStatus, status, message=STATUS_CHOICE), search_text(search)
    with uow.read():
        account_id = reseller_of(uow, actor)
        conditions = _conditions(account_id, wanted, text)
        total = uow.session.exec(select(func.count()).select_from(Subscription).where(*conditions)).one()
        chosen = (
            select(Subscription.id)
            .where(*conditions)
            .order_by(*NEWEST_FIRST)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        rows = _shown(uow.session, chosen)
    return Page(rows=rows, total=total, page=page, page_size=page_size)


def _own(uow: UnitOfWork, account_id: str, subscription_id: object, *, lock: bool = False) -> Subscription:
    subscription = None
    if isinstance(subscription_id, str) and is_storable(subscription_id) and len(subscription_id) <= 40:
        key = subscription_id.strip()
        subscription = uow.get_for_update(Subscription, key) if lock else uow.session.get(Subscription, key)
    if subscription is None or subscription.reseller_id != account_id:
        raise NotFound("No such subscription.")
    return subscription


def _history(request: FulfilmentRequest, changes: list[RequestChange]) -> RequestHistory:
    return RequestHistory(
        request_id=request.id,
        type=request.type,
        type_label=fulfilment.REQUEST_TYPE_LABELS[request.type],
        status=request.status,
        status_label=fulfilment.REQUEST_STATUS_LABELS[request.status],
        question=request.question,
        answer=request.answer,
        message=request.message,
        reason=request.reason,
        changes=changes,
        created_at=request.created_at,
        decided_at=request.decided_at,
    )


def subscription_detail(uow: UnitOfWork, actor: SignedInUser, subscription_id: str) -> SubscriptionDetail:
    """A subscription with its items, totals, customer, request history and the actions it allows now."""
    with uow.read():
        account_id = reseller_of(uow, actor)
        subscription = _own(uow, account_id, subscription_id)
        customer = uow.session.get(Customer, subscription.customer_id)
        assert customer is not None
        items = fulfilment.items_of(uow.session, subscription.id)
        named = fulfilment.names(
            uow.session, [subscription.product_id, subscription.marketplace_id, *(i.item_id for i in items)]
        )
        lines = [
            SubscriptionLine(
                item.item_id, item.quantity, item.unit_cost, item.unit_msrp, named.get(item.item_id, item.item_id)
            )
            for item in items
        ]
        requests = uow.session.exec(
            select(FulfilmentRequest)
            .where(FulfilmentRequest.subscription_id == subscription.id)
            .order_by(col(FulfilmentRequest.created_at).desc(), col(FulfilmentRequest.id).desc())
        ).all()
        history = [
            _history(
                request,
                [
                    RequestChange(
                        change.item_id,
                        change.old_quantity,
                        change.new_quantity,
                        named.get(change.item_id, change.item_id),
                    )
                    for change in fulfilment.request_items(uow.session, request.id)
                ],
            )
            for request in requests
        ]
    open_request = next((request for request in requests if request.status in OPEN_REQUEST_STATUSES), None)
    allowed = tuple(kind.value for kind in fulfilment.openable(subscription.status, open_request is not None))
    blocked, waiting = None, tuple[str, ...]()
    if open_request is not None:
        waiting = tuple(kind.value for kind in fulfilment.openable(subscription.status, False))
        blocked = (
            f"Request {open_request.id} ({fulfilment.REQUEST_TYPE_LABELS[open_request.type].lower()}) is in "
            "progress; other actions wait until the distributor has decided on it."
        )
    inquiry = next((item for item in history if item.status == RequestStatus.INQUIRING), None)
    return SubscriptionDetail(
        row=_row(subscription, customer, open_request, named),
        lines=lines,
        requests=history,
        allowed_actions=allowed,
        waiting_actions=waiting,
        blocked_reason=blocked,
        inquiry=inquiry,
    )


def _open(
    uow: UnitOfWork,
    actor: SignedInUser,
    subscription_id: str,
    kind: RequestType,
    request_key: str | None,
    quantities: Mapping[str, int] | None = None,
) -> str:
    with uow.write(conflicts=fulfilment.open_request_conflicts()):
        account_id = reseller_of(uow, actor)
        subscription = _own(uow, account_id, subscription_id, lock=True)
        check_not_done(uow.session, request_key)  # after the lock: a racing retry finds the first one's key
        request = fulfilment.open_request(uow.session, subscription, kind, actor.user_id, quantities=quantities)
        uow.session.flush()  # the one-open-request index is checked here
        record_done(uow.session, request_key, action=f"request.{kind.value}", actor=actor.user_id, object_id=request.id)
        uow.commit()
    return request.id


def change_quantities(
    uow: UnitOfWork,
    actor: SignedInUser,
    subscription_id: str,
    *,
    quantities: Mapping[str, object],
    request_key: str | None = None,
) -> str:
    """Ask for new quantities of an active subscription's items (those not named keep theirs); returns the
    change request's ID. The quantities change when the distributor approves."""
    if not isinstance(quantities, Mapping):
        raise ValidationFailed({"quantities": "Give a quantity for each item."})
    clean = fulfilment.check_quantities(quantities) if quantities else {}
    return _open(uow, actor, subscription_id, RequestType.CHANGE, request_key, clean)


def suspend(uow: UnitOfWork, actor: SignedInUser, subscription_id: str, *, request_key: str | None = None) -> str:
    """Ask to suspend an active subscription; returns the request's ID."""
    return _open(uow, actor, subscription_id, RequestType.SUSPEND, request_key)


def resume(uow: UnitOfWork, actor: SignedInUser, subscription_id: str, *, request_key: str | None = None) -> str:
    """Ask to resume a suspended subscription; returns the request's ID."""
    return _open(uow, actor, subscription_id, RequestType.RESUME, request_key)


def cancel(uow: UnitOfWork, actor: SignedInUser, subscription_id: str, *, request_key: str | None = None) -> str:
    """Ask to cancel an active subscription: it is ``terminating`` at once; returns the request's ID."""
    return _open(uow, actor, subscription_id, RequestType.CANCEL, request_key)


def answer_inquiry(
    uow: UnitOfWork, actor: SignedInUser, request_id: str, *, answer: str | None, request_key: str | None = None
) -> str:
    """Answer the distributor's question on one of the actor's requests: it is ``pending`` again."""
    text = fulfilment.clean_text(answer, "answer", required=ANSWER_MISSING)
    with uow.write():
        account_id = reseller_of(uow, actor)
        request = None
        if isinstance(request_id, str) and is_storable(request_id) and len(request_id) <= 40:
            request = uow.session.get(FulfilmentRequest, request_id.strip())
        if request is None or request.reseller_id != account_id:
            raise NotFound("No such request.")
        subscription = _own(uow, account_id, request.subscription_id, lock=True)
        request = uow.get_for_update(FulfilmentRequest, request.id)
        assert request is not None
        check_not_done(uow.session, request_key)
        fulfilment.apply_move(uow.session, request, subscription, Move.ANSWER, actor.user_id, text)
        record_done(uow.session, request_key, action="request.answer", actor=actor.user_id, object_id=request.id)
        uow.commit()
    return request.id


CSV_HEADER = (
    "Subscription ID",
    "Status",
    "Customer",
    "Customer ID",
    "Product",
    "Marketplace",
    "External ID",
    "Billing period",
    "Currency",
    "Cost per period",
    "MSRP per period",
    "Request in progress",
    "Created",
)


def export_subscriptions(
    uow: UnitOfWork, actor: SignedInUser, *, status: str | None = None, search: str | None = None
) -> str:
    """Every subscription the list shows with this filter and search, as a CSV file for a spreadsheet."""
    wanted, text = filter_choice(SubscriptionStatus, status, message=STATUS_CHOICE), search_text(search)
    with uow.read():
        account_id = reseller_of(uow, actor)
        rows = _shown(uow.session, select(Subscription.id).where(*_conditions(account_id, wanted, text)))
    return csv_text(
        CSV_HEADER,
        (
            (
                row.subscription_id,
                row.status_label,
                row.customer_name,
                row.customer_id,
                row.product_name,
                row.marketplace_name,
                row.external_id,
                row.billing_period,
                row.currency,
                row.cost_total,
                row.msrp_total,
                row.request_in_progress,
                row.created_at,
            )
            for row in rows
        ),
    )
