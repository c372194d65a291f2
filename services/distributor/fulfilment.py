"""The distributor's fulfilment queue: its resellers' requests (filtered by status and type, searched, paged,
oldest first, exported to CSV), a request's detail, and the decisions: **Approve** (an optional message to the
reseller), **Inquire** (a question, required), **Fail** (a reason, required). Each decision happens once, as
``services/fulfilment.py``'s table allows; another distributor's request is "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, func, select

from data.models import Account, Customer, FulfilmentRequest, RequestStatus, RequestType, Subscription
from services import fulfilment
from services.access import distributor_of
from services.actors import SignedInUser
from services.csv_export import csv_text
from services.errors import NotFound
from services.fulfilment import Move
from services.listing import PAGE_SIZE, Page, contains, filter_choice, page_number, search_text
from services.requests import check_not_done, record_done
from services.rules import is_storable
from services.unit_of_work import UnitOfWork

QUESTION_MISSING = "Write the question for the reseller."
REASON_MISSING = "Say why the request fails; the reseller sees it."


@dataclass(frozen=True)
class QueueRow:
    request_id: str
    type: RequestType
    type_label: str
    status: RequestStatus
    status_label: str
    subscription_id: str
    subscription_status_label: str
    customer_name: str
    reseller_name: str
    product_id: str
    created_at: datetime
    updated_at: datetime
    allowed_actions: tuple[str, ...]  # the moves the distributor may make: "approve", "inquire", "fail"
    product_name: str = ""


@dataclass(frozen=True)
class RequestLine:
    """An item of the request's subscription: its quantity now, and for a change the old and new ones."""

    item_id: str
    quantity: int
    old_quantity: int | None
    new_quantity: int | None
    unit_cost: Decimal
    unit_msrp: Decimal
    name: str = ""


@dataclass(frozen=True)
class RequestDetail:
    row: QueueRow
    marketplace_id: str
    marketplace_name: str
    currency: str
    billing_period: str
    cost_total: Decimal
    msrp_total: Decimal
    external_id: str | None
    lines: list[RequestLine]
    question: str | None
    answer: str | None
    message: str | None
    reason: str | None
    decided_at: datetime | None


QueuePage = Page[QueueRow]
OLDEST_FIRST = (col(FulfilmentRequest.created_at), col(FulfilmentRequest.id))


def _queue(conditions: list[ColumnElement[bool]]):  # type: ignore[no-untyped-def]
    reseller = aliased(Account)
    return (
        select(FulfilmentRequest, Subscription, Customer, reseller)
        .join(Subscription, col(Subscription.id) == col(FulfilmentRequest.subscription_id))
        .join(Customer, col(Customer.id) == col(Subscription.customer_id))
        .join(reseller, col(reseller.id) == col(FulfilmentRequest.reseller_id))
        .where(*conditions)
    ), reseller


def _conditions(distributor_id: str, status: object, type: object) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(FulfilmentRequest.distributor_id) == distributor_id]
    wanted_status = filter_choice(RequestStatus, status, message="Choose one of the statuses in the list.")
    wanted_type = filter_choice(RequestType, type, field="type", message="Choose one of the types in the list.")
    if wanted_status is not None:
        conditions.append(col(FulfilmentRequest.status) == wanted_status)
    if wanted_type is not None:
        conditions.append(col(FulfilmentRequest.type) == wanted_type)
    return conditions


def _row(
    request: FulfilmentRequest,
    subscription: Subscription,
    customer: Customer,
    reseller: Account,
    named: dict[str, str] | None = None,
) -> QueueRow:
    return QueueRow(
        request_id=request.id,
        type=request.type,
        type_label=fulfilment.REQUEST_TYPE_LABELS[request.type],
        status=request.status,
        status_label=fulfilment.REQUEST_STATUS_LABELS[request.status],
        subscription_id=subscription.id,
        subscription_status_label=fulfilment.SUBSCRIPTION_LABELS[subscription.status],
        customer_name=customer.company_name,
        reseller_name=reseller.name,
        product_id=subscription.product_id,
        created_at=request.created_at,
        updated_at=request.updated_at,
        allowed_actions=tuple(
            move.value
            for move in fulfilment.moves(request.type, subscription.status, request.status)
            if move in fulfilment.DISTRIBUTOR_MOVES
        ),
        product_name=(named or {}).get(subscription.product_id, subscription.product_id),
    )


def _search_condition(text: str) -> ColumnElement[bool]:
    """The requests a search finds, each way through an index: the request's or the subscription's ID (whole,
    whatever its case), or part of the customer's or the reseller's name (customers and resellers are far fewer
    than requests)."""
    customers = select(Customer.id).where(contains(text, (Customer.company_name,)))
    subscriptions = select(Subscription.id).where(col(Subscription.customer_id).in_(customers))
    resellers = select(Account.id).where(contains(text, (Account.name,)))
    return or_(
        col(FulfilmentRequest.id) == text.upper(),
        col(FulfilmentRequest.subscription_id) == text.upper(),
        col(FulfilmentRequest.subscription_id).in_(subscriptions),
        col(FulfilmentRequest.reseller_id).in_(resellers),
    )


def find_requests(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    status: str | None = None,
    type: str | None = None,
    search: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the requests of the actor's distributor's resellers, oldest first: of one status and one
    type, found by the request's or subscription's ID (whole), or part of the customer's or reseller's name."""
    distributor_id = distributor_of(actor)
    page = page_number(page)
    text = search_text(search)
    conditions = _conditions(distributor_id, status, type)
    with uow.read():
        if text:
            conditions.append(_search_condition(text))
        # Counted, and the page chosen, from the request table alone (its indexes, oldest first); then joined.
        total = uow.session.exec(select(func.count()).select_from(FulfilmentRequest).where(*conditions)).one()
        chosen = (
            select(FulfilmentRequest.id)
            .where(*conditions)
            .order_by(*OLDEST_FIRST)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
        statement, _ = _queue([col(FulfilmentRequest.id).in_(chosen)])
        rows = uow.session.exec(statement.order_by(*OLDEST_FIRST)).all()
        named = fulfilment.names(uow.session, [row[1].product_id for row in rows])
    shown = [
        _row(request, subscription, customer, reseller, named) for request, subscription, customer, reseller in rows
    ]
    return Page(rows=shown, total=total, page=page, page_size=page_size)


def _load(uow: UnitOfWork, distributor_id: str, request_id: object, *, lock: bool = False):  # type: ignore[no-untyped-def]
    """The request and its subscription (both locked, subscription first, when ``lock``); :class:`NotFound` for
    one that is not this distributor's."""
    request = None
    if isinstance(request_id, str) and is_storable(request_id) and len(request_id) <= 40:
        request = uow.session.get(FulfilmentRequest, request_id.strip())
    if request is None or request.distributor_id != distributor_id:
        raise NotFound("No such request.")
    if lock:
        subscription = uow.get_for_update(Subscription, request.subscription_id)
        request = uow.get_for_update(FulfilmentRequest, request.id)
    else:
        subscription = uow.session.get(Subscription, request.subscription_id)
    assert subscription is not None and request is not None
    return request, subscription


def request_detail(uow: UnitOfWork, actor: SignedInUser, request_id: str) -> RequestDetail:
    """A request with its subscription and items (for a change: the old and new quantities)."""
    distributor_id = distributor_of(actor)
    with uow.read():
        request, subscription = _load(uow, distributor_id, request_id)
        customer = uow.session.get(Customer, subscription.customer_id)
        reseller = uow.session.get(Account, request.reseller_id)
        assert customer is not None and reseller is not None
        changes = {change.item_id: change for change in fulfilment.request_items(uow.session, request.id)}
        items = fulfilment.items_of(uow.session, subscription.id)
        named = fulfilment.names(
            uow.session, [subscription.product_id, subscription.marketplace_id, *(i.item_id for i in items)]
        )
        lines = [
            RequestLine(
                item_id=item.item_id,
                quantity=item.quantity,
                old_quantity=changes[item.item_id].old_quantity if item.item_id in changes else None,
                new_quantity=changes[item.item_id].new_quantity if item.item_id in changes else None,
                unit_cost=item.unit_cost,
                unit_msrp=item.unit_msrp,
                name=named.get(item.item_id, item.item_id),
            )
            for item in items
        ]
    return RequestDetail(
        row=_row(request, subscription, customer, reseller, named),
        marketplace_id=subscription.marketplace_id,
        marketplace_name=named.get(subscription.marketplace_id, subscription.marketplace_id),
        currency=subscription.currency,
        billing_period=subscription.billing_period,
        cost_total=subscription.cost_total,
        msrp_total=subscription.msrp_total,
        external_id=subscription.external_id,
        lines=lines,
        question=request.question,
        answer=request.answer,
        message=request.message,
        reason=request.reason,
        decided_at=request.decided_at,
    )


def _decide(
    uow: UnitOfWork,
    actor: SignedInUser,
    request_id: str,
    move: Move,
    text: str | None,
    request_key: str | None,
) -> QueueRow:
    distributor_id = distributor_of(actor)
    with uow.write():
        request, subscription = _load(uow, distributor_id, request_id, lock=True)
        check_not_done(uow.session, request_key)  # after the lock: a racing retry finds the first one's key
        fulfilment.apply_move(uow.session, request, subscription, move, actor.user_id, text)
        record_done(uow.session, request_key, action=f"request.{move.value}", actor=actor.user_id, object_id=request.id)
        customer = uow.session.get(Customer, subscription.customer_id)
        reseller = uow.session.get(Account, request.reseller_id)
        assert customer is not None and reseller is not None
        uow.commit()
    return _row(request, subscription, customer, reseller)


def approve_request(
    uow: UnitOfWork, actor: SignedInUser, request_id: str, *, message: str | None = None, request_key: str | None = None
) -> QueueRow:
    """Approve a pending request: it is applied to its subscription (purchase → active; change → the new
    quantities; suspend → suspended; resume → active; cancel → terminated). ``message``: optional, for the
    reseller."""
    text = fulfilment.clean_text(message, "message", required=None)
    return _decide(uow, actor, request_id, Move.APPROVE, text, request_key)


def inquire_request(
    uow: UnitOfWork, actor: SignedInUser, request_id: str, *, question: str | None, request_key: str | None = None
) -> QueueRow:
    """Ask the reseller a question about a pending request: it is ``inquiring`` until the reseller answers."""
    text = fulfilment.clean_text(question, "question", required=QUESTION_MISSING)
    return _decide(uow, actor, request_id, Move.INQUIRE, text, request_key)


def fail_request(
    uow: UnitOfWork, actor: SignedInUser, request_id: str, *, reason: str | None, request_key: str | None = None
) -> QueueRow:
    """Fail a pending or inquiring request, with a reason: a purchase's subscription is terminated, a cancel's
    is active again, any other is left as it was."""
    text = fulfilment.clean_text(reason, "reason", required=REASON_MISSING)
    return _decide(uow, actor, request_id, Move.FAIL, text, request_key)


CSV_HEADER = (
    "Request ID",
    "Type",
    "Status",
    "Subscription ID",
    "Subscription status",
    "Customer",
    "Reseller",
    "Product",
    "Created",
    "Updated",
)


def export_requests(
    uow: UnitOfWork,
    actor: SignedInUser,
    *,
    status: str | None = None,
    type: str | None = None,
    search: str | None = None,
) -> str:
    """Every request the queue shows with these filters, as a CSV file for a spreadsheet."""
    everything = find_requests(uow, actor, status=status, type=type, search=search, page=1, page_size=10**9)
    return csv_text(
        CSV_HEADER,
        (
            (
                row.request_id,
                row.type_label,
                row.status_label,
                row.subscription_id,
                row.subscription_status_label,
                row.customer_name,
                row.reseller_name,
                row.product_name,
                row.created_at,
                row.updated_at,
            )
            for row in everything.rows
        ),
    )
