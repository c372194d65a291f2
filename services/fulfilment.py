"""The subscription and fulfilment-request state machine: every move of a request and what it does to its
subscription, as ONE table of allowed transitions, and the functions that apply it to the rows.

A reseller *opens* a request on a subscription (:data:`OPENINGS`; a purchase is opened with its subscription);
the distributor *approves*, *inquires* or *fails* it, and the reseller *answers* an inquiry
(:data:`TRANSITIONS`). Anything not in the tables is refused with :class:`~services.errors.InvalidState`. At most
one request per subscription is open (pending or inquiring): the services check it, and the database's partial
unique index ``ux_fulfilment_request_open`` holds to it when two actions race.

Both sides' services (``services/portal/subscriptions.py``, ``services/distributor/fulfilment.py``) call these
functions inside their own unit of work, after their ownership checks; pages only show ``allowed_actions``
computed from the same tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlmodel import Session, col, select

from data.db import add_in_order
from data.models.subscription import (
    MONEY_LIMIT,
    OPEN_REQUEST_STATUSES,
    QUANTITY_MAX,
    FulfilmentRequest,
    RequestItem,
    RequestStatus,
    RequestType,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
    request_id,
)
from data.models.types import utcnow
from services import audit
from services.errors import InvalidState, ValidationFailed
from services.rules import clean_optional_text

S, T, R = SubscriptionStatus, RequestType, RequestStatus


class Move(StrEnum):
    """What is done to an open request, and by whom."""

    APPROVE = "approve"  # the distributor: the request is applied
    INQUIRE = "inquire"  # the distributor asks the reseller a question
    FAIL = "fail"  # the distributor refuses it, with a reason
    ANSWER = "answer"  # the reseller answers the question: the request is pending again


DISTRIBUTOR_MOVES = (Move.APPROVE, Move.INQUIRE, Move.FAIL)


@dataclass(frozen=True)
class Outcome:
    """A move's result: the request's new status and its subscription's."""

    request: RequestStatus
    subscription: SubscriptionStatus


# Opening a request: the subscription's status it may be opened in → the subscription's status at once.
# (A purchase is not opened on a subscription: it is made with it, which starts `processing`.)
OPENINGS: Mapping[tuple[RequestType, SubscriptionStatus], SubscriptionStatus] = {
    (T.CHANGE, S.ACTIVE): S.ACTIVE,
    (T.SUSPEND, S.ACTIVE): S.ACTIVE,
    (T.RESUME, S.SUSPENDED): S.SUSPENDED,
    (T.CANCEL, S.ACTIVE): S.TERMINATING,  # terminating at once, while the distributor decides
}

# Every allowed move: (request type, subscription status, request status, move) → outcome. The subscription's
# status is the one its open request left it in; anything else (a purchase on an active subscription, a second
# decision on an approved request, approving while the question is unanswered) is not here, so it is refused.
# Failing an inquiring request is allowed: a reseller that never answers must not block its subscription forever.
TRANSITIONS: Mapping[tuple[RequestType, SubscriptionStatus, RequestStatus, Move], Outcome] = {
    # purchase: approved → active; failed → terminated
    (T.PURCHASE, S.PROCESSING, R.PENDING, Move.APPROVE): Outcome(R.APPROVED, S.ACTIVE),
    (T.PURCHASE, S.PROCESSING, R.PENDING, Move.INQUIRE): Outcome(R.INQUIRING, S.PROCESSING),
    (T.PURCHASE, S.PROCESSING, R.PENDING, Move.FAIL): Outcome(R.FAILED, S.TERMINATED),
    (T.PURCHASE, S.PROCESSING, R.INQUIRING, Move.ANSWER): Outcome(R.PENDING, S.PROCESSING),
    (T.PURCHASE, S.PROCESSING, R.INQUIRING, Move.FAIL): Outcome(R.FAILED, S.TERMINATED),
    # change: approved → the new quantities; failed → as it was
    (T.CHANGE, S.ACTIVE, R.PENDING, Move.APPROVE): Outcome(R.APPROVED, S.ACTIVE),
    (T.CHANGE, S.ACTIVE, R.PENDING, Move.INQUIRE): Outcome(R.INQUIRING, S.ACTIVE),
    (T.CHANGE, S.ACTIVE, R.PENDING, Move.FAIL): Outcome(R.FAILED, S.ACTIVE),
    (T.CHANGE, S.ACTIVE, R.INQUIRING, Move.ANSWER): Outcome(R.PENDING, S.ACTIVE),
    (T.CHANGE, S.ACTIVE, R.INQUIRING, Move.FAIL): Outcome(R.FAILED, S.ACTIVE),
    # suspend: approved → suspended; failed → still active
    (T.SUSPEND, S.ACTIVE, R.PENDING, Move.APPROVE): Outcome(R.APPROVED, S.SUSPENDED),
    (T.SUSPEND, S.ACTIVE, R.PENDING, Move.INQUIRE): Outcome(R.INQUIRING, S.ACTIVE),
    (T.SUSPEND, S.ACTIVE, R.PENDING, Move.FAIL): Outcome(R.FAILED, S.ACTIVE),
    (T.SUSPEND, S.ACTIVE, R.INQUIRING, Move.ANSWER): Outcome(R.PENDING, S.ACTIVE),
    (T.SUSPEND, S.ACTIVE, R.INQUIRING, Move.FAIL): Outcome(R.FAILED, S.ACTIVE),
    # resume: approved → active; failed → still suspended
    (T.RESUME, S.SUSPENDED, R.PENDING, Move.APPROVE): Outcome(R.APPROVED, S.ACTIVE),
    (T.RESUME, S.SUSPENDED, R.PENDING, Move.INQUIRE): Outcome(R.INQUIRING, S.SUSPENDED),
    (T.RESUME, S.SUSPENDED, R.PENDING, Move.FAIL): Outcome(R.FAILED, S.SUSPENDED),
    (T.RESUME, S.SUSPENDED, R.INQUIRING, Move.ANSWER): Outcome(R.PENDING, S.SUSPENDED),
    (T.RESUME, S.SUSPENDED, R.INQUIRING, Move.FAIL): Outcome(R.FAILED, S.SUSPENDED),
    # cancel (terminating since it was opened): approved → terminated; failed → back to active
    (T.CANCEL, S.TERMINATING, R.PENDING, Move.APPROVE): Outcome(R.APPROVED, S.TERMINATED),
    (T.CANCEL, S.TERMINATING, R.PENDING, Move.INQUIRE): Outcome(R.INQUIRING, S.TERMINATING),
    (T.CANCEL, S.TERMINATING, R.PENDING, Move.FAIL): Outcome(R.FAILED, S.ACTIVE),
    (T.CANCEL, S.TERMINATING, R.INQUIRING, Move.ANSWER): Outcome(R.PENDING, S.TERMINATING),
    (T.CANCEL, S.TERMINATING, R.INQUIRING, Move.FAIL): Outcome(R.FAILED, S.ACTIVE),
}

SUBSCRIPTION_LABELS = {
    S.PROCESSING: "Processing",
    S.ACTIVE: "Active",
    S.SUSPENDED: "Suspended",
    S.TERMINATING: "Terminating",
    S.TERMINATED: "Terminated",
}
REQUEST_TYPE_LABELS = {
    T.PURCHASE: "Purchase",
    T.CHANGE: "Change",
    T.SUSPEND: "Suspend",
    T.RESUME: "Resume",
    T.CANCEL: "Cancel",
}
REQUEST_STATUS_LABELS = {R.PENDING: "Pending", R.INQUIRING: "Inquiring", R.APPROVED: "Approved", R.FAILED: "Failed"}

TEXT_MAX = 2000
ONE_OPEN_REQUEST = "This subscription has a request in progress; wait until the distributor has decided on it."
DECIDED_ALREADY = "This request has been decided already; nothing was changed."
# The names a violation of the one-open-request rule reports (the index; SQLite names its column).
OPEN_REQUEST_RULE = ("ux_fulfilment_request_open", "fulfilment_request.subscription_id")


def open_request_conflicts() -> dict[str, InvalidState]:
    """``uow.write(conflicts=…)`` for an action that opens a request: a racing one that opened another first
    (the partial unique index refused this one) is the same refusal as the services' own check."""
    return {name: InvalidState(ONE_OPEN_REQUEST) for name in OPEN_REQUEST_RULE}


def openable(status: SubscriptionStatus, has_open_request: bool) -> list[RequestType]:
    """The requests a reseller may open on a subscription now (its ``allowed_actions``)."""
    if has_open_request:
        return []
    return [kind for (kind, from_status) in OPENINGS if from_status == status]


def moves(kind: RequestType, subscription: SubscriptionStatus, request: RequestStatus) -> list[Move]:
    """The moves allowed on a request now (a page shows only these)."""
    return [move for (k, s, r, move) in TRANSITIONS if (k, s, r) == (kind, subscription, request)]


def opening(kind: RequestType, status: SubscriptionStatus) -> SubscriptionStatus:
    """The subscription's status once a request of ``kind`` is opened on it in ``status``, or
    :class:`InvalidState`."""
    after = OPENINGS.get((kind, status))
    if after is None:
        raise InvalidState(
            f"A {REQUEST_TYPE_LABELS[kind].lower()} request cannot be made on a subscription that is "
            f"{SUBSCRIPTION_LABELS[status].lower()}."
        )
    return after


def outcome(kind: RequestType, subscription: SubscriptionStatus, request: RequestStatus, move: Move) -> Outcome:
    """What ``move`` does to a request and its subscription, or :class:`InvalidState`."""
    found = TRANSITIONS.get((kind, subscription, request, move))
    if found is not None:
        return found
    if request not in OPEN_REQUEST_STATUSES:
        raise InvalidState(DECIDED_ALREADY)
    if request == R.INQUIRING and move != Move.ANSWER:
        raise InvalidState("This request waits for the reseller's answer to the question asked.")
    if request == R.PENDING and move == Move.ANSWER:
        raise InvalidState("This request has no question to answer.")
    raise InvalidState(
        f"This {REQUEST_TYPE_LABELS[kind].lower()} request cannot be decided while its subscription is "
        f"{SUBSCRIPTION_LABELS[subscription].lower()}."
    )


# ---------------------------------------------------------------- applied to the rows, in the caller's transaction


def open_request_of(session: Session, subscription_id: str) -> FulfilmentRequest | None:
    """The subscription's open (pending or inquiring) request, if any."""
    statement = select(FulfilmentRequest).where(
        FulfilmentRequest.subscription_id == subscription_id,
        col(FulfilmentRequest.status).in_(OPEN_REQUEST_STATUSES),
    )
    return session.exec(statement).first()


def names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The names of the products, marketplaces and items among ``ids`` (a page's worth), by ID; an ID with no such
    row keeps no name (the page shows the ID)."""
    from data.models import Item, Marketplace, Product

    wanted = set(ids)
    found: dict[str, str] = {}
    if not wanted:
        return found
    for model in (Product, Marketplace, Item):
        for key, name in session.exec(select(model.id, model.name).where(col(model.id).in_(wanted))):
            found[key] = name
    return found


def totals(items: list[SubscriptionItem]) -> tuple[Decimal, Decimal]:
    """Cost and MSRP per period of these items at their quantities; :class:`ValidationFailed` (for the
    quantities) past what the portal stores."""
    cost = sum((item.unit_cost * item.quantity for item in items), Decimal(0))
    msrp = sum((item.unit_msrp * item.quantity for item in items), Decimal(0))
    if cost >= MONEY_LIMIT or msrp >= MONEY_LIMIT:
        raise ValidationFailed({"quantities": "These quantities make a total too large to order at once."})
    return cost, msrp


def start_purchase(session: Session, subscription: Subscription, items: list[SubscriptionItem], actor: str) -> str:
    """A new subscription (``processing``) with its items and its purchase request (``pending``); returns the
    request's ID. The caller has checked the order."""
    subscription.status = S.PROCESSING
    subscription.cost_total, subscription.msrp_total = totals(items)
    subscription.requests_made = 1
    request = FulfilmentRequest(
        id=request_id(subscription.id, 1),
        subscription_id=subscription.id,
        distributor_id=subscription.distributor_id,
        reseller_id=subscription.reseller_id,
        type=T.PURCHASE,
        created_by=actor,
    )
    add_in_order(session, subscription, *items, request)
    audit.record(
        session, actor=actor, action="subscription.ordered", object_type="subscription", object_id=subscription.id
    )
    audit.record(session, actor=actor, action="request.opened", object_type="fulfilment_request", object_id=request.id)
    return request.id


def open_request(
    session: Session,
    subscription: Subscription,
    kind: RequestType,
    actor: str,
    *,
    quantities: Mapping[str, int] | None = None,
) -> FulfilmentRequest:
    """Open a change, suspend, resume or cancel request on a (locked) subscription, as the table allows; a
    change carries the new quantities by item, kept beside the old ones."""
    after = opening(kind, subscription.status)
    if open_request_of(session, subscription.id) is not None:
        raise InvalidState(ONE_OPEN_REQUEST)
    changes: list[RequestItem] = []
    if kind == T.CHANGE:
        changes = _changes(session, subscription, quantities or {})
    elif quantities:
        raise ValidationFailed({"quantities": "Only a change request carries quantities."})
    now = utcnow()
    subscription.requests_made += 1
    subscription.status = after
    subscription.updated_at = now
    request = FulfilmentRequest(
        id=request_id(subscription.id, subscription.requests_made),
        subscription_id=subscription.id,
        distributor_id=subscription.distributor_id,
        reseller_id=subscription.reseller_id,
        type=kind,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    for change in changes:
        change.request_id = request.id
    session.add(subscription)
    add_in_order(session, request, *changes)
    audit.record(
        session,
        actor=actor,
        action="request.opened",
        object_type="fulfilment_request",
        object_id=request.id,
        type=kind.value,
        subscription=subscription.id,
    )
    return request


def _changes(session: Session, subscription: Subscription, quantities: Mapping[str, int]) -> list[RequestItem]:
    items = {item.item_id: item for item in items_of(session, subscription.id)}
    unknown = set(quantities) - set(items)
    if unknown:
        raise ValidationFailed({"quantities": "Change only the items of this subscription."})
    new = {item_id: quantities.get(item_id, item.quantity) for item_id, item in items.items()}
    check_quantities(new)
    if all(new[item_id] == item.quantity for item_id, item in items.items()):
        raise ValidationFailed({"quantities": "These are the quantities it has now; change at least one."})
    totals([_at(item, new[item.item_id]) for item in items.values()])  # refuses totals too large now, not later
    return [
        RequestItem(request_id="", item_id=item_id, old_quantity=item.quantity, new_quantity=new[item_id])
        for item_id, item in items.items()
        if new[item_id] != item.quantity
    ]


def _at(item: SubscriptionItem, quantity: int) -> SubscriptionItem:
    return SubscriptionItem(
        subscription_id=item.subscription_id,
        item_id=item.item_id,
        quantity=quantity,
        unit_cost=item.unit_cost,
        unit_msrp=item.unit_msrp,
    )


def check_quantities(quantities: Mapping[str, object], field: str = "quantities") -> dict[str, int]:
    """Whole numbers from 0 to the maximum, at least one of them 1 or more (0: not ordered)."""
    clean: dict[str, int] = {}
    for item_id, quantity in quantities.items():
        if type(quantity) is not int or not 0 <= quantity <= QUANTITY_MAX:
            raise ValidationFailed({field: f"Quantities are whole numbers from 0 to {QUANTITY_MAX:,}."})
        clean[item_id] = quantity
    if not any(clean.values()):
        raise ValidationFailed({field: "Order at least one unit of one item."})
    return clean


def items_of(session: Session, subscription_id: str) -> list[SubscriptionItem]:
    statement = (
        select(SubscriptionItem)
        .where(SubscriptionItem.subscription_id == subscription_id)
        .order_by(col(SubscriptionItem.item_id))
    )
    return list(session.exec(statement))


def request_items(session: Session, request_id_: str) -> list[RequestItem]:
    statement = select(RequestItem).where(RequestItem.request_id == request_id_).order_by(col(RequestItem.item_id))
    return list(session.exec(statement))


def clean_text(raw: object, field: str, *, required: str | None) -> str | None:
    """A question, an answer, a message or a reason: trimmed, line breaks allowed; ``required`` says what to
    write when it is empty (``None``: optional)."""
    value = clean_optional_text(raw, field, TEXT_MAX, multiline=True)
    if value is None and required is not None:
        raise ValidationFailed({field: required})
    return value


def apply_move(
    session: Session,
    request: FulfilmentRequest,
    subscription: Subscription,
    move: Move,
    actor: str,
    text: str | None = None,
) -> Outcome:
    """Apply ``move`` to a (locked) request and its (locked) subscription as the table says: the statuses, the
    text that goes with the move, and for an approved change the new quantities and totals."""
    result = outcome(request.type, subscription.status, request.status, move)
    now = utcnow()
    if move == Move.APPROVE and request.type == T.CHANGE:
        _apply_change(session, request, subscription)
    if move == Move.INQUIRE:
        request.question, request.answer = text, None
    elif move == Move.ANSWER:
        request.answer = text
    elif move == Move.APPROVE:
        request.message = text
    elif move == Move.FAIL:
        request.reason = text
    if move in (Move.APPROVE, Move.FAIL):
        request.decided_by, request.decided_at = actor, now
    request.status, request.updated_at = result.request, now
    subscription.status, subscription.updated_at = result.subscription, now
    session.add_all([request, subscription])
    audit.record(
        session,
        actor=actor,
        action=f"request.{move.value}",
        object_type="fulfilment_request",
        object_id=request.id,
        text=text,
        subscription=subscription.id,
        subscription_status=result.subscription.value,
    )
    return result


def _apply_change(session: Session, request: FulfilmentRequest, subscription: Subscription) -> None:
    items = {item.item_id: item for item in items_of(session, subscription.id)}
    for change in request_items(session, request.id):
        item = items[change.item_id]
        item.quantity = change.new_quantity
        session.add(item)
    subscription.cost_total, subscription.msrp_total = totals(list(items.values()))
