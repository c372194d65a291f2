"""Chapter 4, the subscription and fulfilment-request state machine (services/fulfilment.py), and the services
of both sides that use it: every subscription status × request type × request status × move, on the table and
on the database; at most one open request per subscription (the database's partial unique index included);
each decision once; the queue and the lists; and every ownership rule."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from itertools import product

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from data.models import (
    AuditEvent,
    Contract,
    ContractStatus,
    FulfilmentRequest,
    RequestStatus,
    RequestType,
    Subscription,
    SubscriptionItem,
    SubscriptionStatus,
)
from data.models.subscription import request_id
from portal_testing.chapter4 import ITEM_A, ITEM_B, World
from portal_testing.factories import Portal
from services import fulfilment
from services.distributor import fulfilment as queue
from services.errors import AlreadyDone, Forbidden, InvalidState, NotFound, ValidationFailed
from services.fulfilment import Move
from services.portal import customers, subscriptions
from services.portal.access import ContractNotActive
from services.requests import new_request_key

S, T, R = SubscriptionStatus, RequestType, RequestStatus

# ---------------------------------------------------------------- what the issue says, written independently

# The subscription's status while a request of each type is open.
WHILE_OPEN = {
    T.PURCHASE: S.PROCESSING,
    T.CHANGE: S.ACTIVE,
    T.SUSPEND: S.ACTIVE,
    T.RESUME: S.SUSPENDED,
    T.CANCEL: S.TERMINATING,
}
# "Approving applies the request: purchase → active; change → the new quantities; suspend → suspended; resume →
# active; cancel → terminated."
APPROVED = {
    T.PURCHASE: S.ACTIVE,
    T.CHANGE: S.ACTIVE,
    T.SUSPEND: S.SUSPENDED,
    T.RESUME: S.ACTIVE,
    T.CANCEL: S.TERMINATED,
}
# "Failing a purchase → terminated; failing a cancel → back to active; failing a change, suspend or resume leaves
# the subscription as it was."
FAILED = {T.PURCHASE: S.TERMINATED, T.CANCEL: S.ACTIVE}


def expected(kind: RequestType, status: SubscriptionStatus, request: RequestStatus, move: Move):
    """(request status, subscription status) after the move, or None where it is refused."""
    if status != WHILE_OPEN[kind]:
        return None
    if move == Move.APPROVE and request == R.PENDING:
        return R.APPROVED, APPROVED[kind]
    if move == Move.INQUIRE and request == R.PENDING:
        return R.INQUIRING, status
    if move == Move.ANSWER and request == R.INQUIRING:
        return R.PENDING, status
    if move == Move.FAIL and request in (R.PENDING, R.INQUIRING):  # an unanswered question does not block forever
        return R.FAILED, FAILED.get(kind, status)
    return None


def expected_opening(kind: RequestType, status: SubscriptionStatus, has_open: bool) -> SubscriptionStatus | None:
    """ "Change quantities (active only), Suspend (active), Resume (suspended), Cancel (active; the subscription
    becomes terminating at once)"; none while a request is open; a purchase only with a new subscription."""
    if has_open:
        return None
    return {
        (T.CHANGE, S.ACTIVE): S.ACTIVE,
        (T.SUSPEND, S.ACTIVE): S.ACTIVE,
        (T.RESUME, S.SUSPENDED): S.SUSPENDED,
        (T.CANCEL, S.ACTIVE): S.TERMINATING,
    }.get((kind, status))


EVERY_MOVE = list(product(RequestType, SubscriptionStatus, RequestStatus, Move))
EVERY_OPENING = list(product(RequestType, SubscriptionStatus, [False, True]))


@pytest.mark.parametrize(("kind", "status", "request_status", "move"), EVERY_MOVE)
def test_the_table_allows_exactly_the_moves_the_issue_lists(
    kind: RequestType, status: SubscriptionStatus, request_status: RequestStatus, move: Move
) -> None:
    want = expected(kind, status, request_status, move)
    if want is None:
        with pytest.raises(InvalidState):
            fulfilment.outcome(kind, status, request_status, move)
        assert move not in fulfilment.moves(kind, status, request_status)
    else:
        found = fulfilment.outcome(kind, status, request_status, move)
        assert (found.request, found.subscription) == want
        assert move in fulfilment.moves(kind, status, request_status)


@pytest.mark.parametrize(("kind", "status", "has_open"), EVERY_OPENING)
def test_the_table_opens_exactly_the_requests_the_issue_lists(
    kind: RequestType, status: SubscriptionStatus, has_open: bool
) -> None:
    want = expected_opening(kind, status, has_open)
    assert (kind in fulfilment.openable(status, has_open)) == (want is not None)
    if not has_open:
        if want is None:
            with pytest.raises(InvalidState):
                fulfilment.opening(kind, status)
        else:
            assert fulfilment.opening(kind, status) == want


def test_the_tables_have_no_row_the_issue_does_not_list() -> None:
    assert {key for key in EVERY_MOVE if expected(*key) is not None} == set(fulfilment.TRANSITIONS)
    assert {(k, s) for k, s, has_open in EVERY_OPENING if expected_opening(k, s, has_open)} == set(fulfilment.OPENINGS)


# ---------------------------------------------------------------- on the database, through the services


@pytest.fixture
def world(portal: Portal) -> World:
    return World(portal)


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_move_on_the_database_does_what_the_table_says_and_nothing_else(world: World, kind: RequestType) -> None:
    """For one request type: every subscription status × request status × move, through the real services."""
    for status, request_status, move in product(SubscriptionStatus, RequestStatus, Move):
        subscription = world.order()
        request = world.put(subscription, status, kind, request_status)
        want = expected(kind, status, request_status, move)
        if want is None:
            with pytest.raises(InvalidState):
                world.move(request, move)
            assert world.state(subscription, request) == (request_status, status), (status, request_status, move)
        else:
            world.move(request, move)
            assert world.state(subscription, request) == want, (status, request_status, move)


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_opening_on_the_database_does_what_the_table_says(world: World, kind: RequestType) -> None:
    """For one request type: every subscription status, with and without an open request, through the real
    services; the subscription's page offers the action exactly where it is allowed."""
    uow = world.portal.uow
    calls = {
        T.CHANGE: lambda s: subscriptions.change_quantities(uow(), world.reseller, s, quantities={ITEM_A: 3}),
        T.SUSPEND: lambda s: subscriptions.suspend(uow(), world.reseller, s),
        T.RESUME: lambda s: subscriptions.resume(uow(), world.reseller, s),
        T.CANCEL: lambda s: subscriptions.cancel(uow(), world.reseller, s),
    }
    for status, has_open in product(SubscriptionStatus, [False, True]):
        subscription = world.order()
        world.put(subscription, status, T.CHANGE if has_open else kind, R.PENDING if has_open else R.APPROVED)
        want = expected_opening(kind, status, has_open)
        detail = subscriptions.subscription_detail(uow(), world.reseller, subscription)
        assert (kind.value in detail.allowed_actions) == (want is not None), (status, has_open)
        assert (detail.blocked_reason is not None) == has_open
        if kind == T.PURCHASE:
            continue  # no service opens a purchase on an existing subscription
        if want is None:
            with pytest.raises(InvalidState):
                calls[kind](subscription)
            with world.portal.session() as session:
                assert session.get(Subscription, subscription).status == status  # type: ignore[union-attr]
        else:
            made = calls[kind](subscription)
            assert world.state(subscription, made) == (R.PENDING, want), (status, has_open)
            assert made.endswith("-003")  # purchase 001, the one put there 002


def test_the_chapter_walk_change_inquire_answer_approve_suspend_resume_cancel(world: World) -> None:
    uow = world.portal.uow
    subscription = world.order(quantities=(2, 0))
    detail = subscriptions.subscription_detail(uow(), world.reseller, subscription)
    purchase = detail.requests[0].request_id
    assert subscription.startswith("AS-") and purchase == f"PR-{subscription[3:]}-001"
    assert (detail.row.status, detail.row.cost_total, detail.row.msrp_total) == (
        S.PROCESSING,
        Decimal("21.00"),
        Decimal("25.98"),
    )
    assert detail.row.request_in_progress == "Purchase, pending" and detail.allowed_actions == ()
    queue.approve_request(uow(), world.distributor, purchase)
    detail = subscriptions.subscription_detail(uow(), world.reseller, subscription)
    assert detail.row.status == S.ACTIVE and set(detail.allowed_actions) == {"change", "suspend", "cancel"}

    change = subscriptions.change_quantities(uow(), world.reseller, subscription, quantities={ITEM_A: 5})
    assert change.endswith("-002")
    seen = queue.request_detail(uow(), world.distributor, change)
    assert [(line.item_id, line.quantity, line.old_quantity, line.new_quantity) for line in seen.lines] == [
        (ITEM_A, 2, 2, 5),
        (ITEM_B, 0, None, None),
    ]
    queue.inquire_request(uow(), world.distributor, change, question="Five seats for whom?")
    detail = subscriptions.subscription_detail(uow(), world.reseller, subscription)
    assert detail.inquiry is not None and detail.inquiry.question == "Five seats for whom?"
    assert detail.row.request_in_progress == "Change, inquiring"
    with pytest.raises(InvalidState):  # approving waits for the answer
        queue.approve_request(uow(), world.distributor, change)
    subscriptions.answer_inquiry(uow(), world.reseller, change, answer="The new team.")
    queue.approve_request(uow(), world.distributor, change, message="Welcome, new team")
    detail = subscriptions.subscription_detail(uow(), world.reseller, subscription)
    assert [(line.item_id, line.quantity) for line in detail.lines] == [(ITEM_A, 5), (ITEM_B, 0)]
    assert (detail.row.cost_total, detail.row.msrp_total) == (Decimal("52.50"), Decimal("64.95"))
    kept = detail.requests[0]
    assert (kept.type, kept.status, kept.answer, kept.message) == (
        T.CHANGE,
        R.APPROVED,
        "The new team.",
        "Welcome, new team",
    )
    assert [(c.item_id, c.old_quantity, c.new_quantity) for c in kept.changes] == [(ITEM_A, 2, 5)]

    for action, approved in ((subscriptions.suspend, S.SUSPENDED), (subscriptions.resume, S.ACTIVE)):
        made = action(uow(), world.reseller, subscription)
        queue.approve_request(uow(), world.distributor, made)
        assert subscriptions.subscription_detail(uow(), world.reseller, subscription).row.status == approved
    cancelled = subscriptions.cancel(uow(), world.reseller, subscription)
    assert subscriptions.subscription_detail(uow(), world.reseller, subscription).row.status == S.TERMINATING
    queue.approve_request(uow(), world.distributor, cancelled)
    detail = subscriptions.subscription_detail(uow(), world.reseller, subscription)
    assert detail.row.status == S.TERMINATED and detail.allowed_actions == ()
    assert [r.type for r in reversed(detail.requests)] == [T.PURCHASE, T.CHANGE, T.SUSPEND, T.RESUME, T.CANCEL]
    with world.portal.session() as session:
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_id == change))]
    assert actions == ["request.opened", "request.inquire", "request.answer", "request.approve"]


def test_failing_a_purchase_terminates_and_failing_a_cancel_returns_to_active(world: World) -> None:
    uow = world.portal.uow
    failed = world.order()
    purchase = request_id(failed, 1)
    queue.fail_request(uow(), world.distributor, purchase, reason="No stock")
    detail = subscriptions.subscription_detail(uow(), world.reseller, failed)
    assert detail.row.status == S.TERMINATED and detail.requests[0].reason == "No stock"
    kept = world.order()
    queue.approve_request(uow(), world.distributor, request_id(kept, 1))
    cancel = subscriptions.cancel(uow(), world.reseller, kept)
    queue.fail_request(uow(), world.distributor, cancel, reason="Minimum term not over")
    assert subscriptions.subscription_detail(uow(), world.reseller, kept).row.status == S.ACTIVE


def test_one_open_request_per_subscription_by_the_services_and_by_the_database(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    uow = world.portal.uow
    subscription = world.order()
    queue.approve_request(uow(), world.distributor, request_id(subscription, 1))
    subscriptions.suspend(uow(), world.reseller, subscription)
    with pytest.raises(InvalidState) as refused:
        subscriptions.change_quantities(uow(), world.reseller, subscription, quantities={ITEM_A: 3})
    assert refused.value.message == fulfilment.ONE_OPEN_REQUEST
    # Two actions racing past the services' check: the database's partial unique index refuses the second, and
    # the refusal is the same domain error.
    monkeypatch.setattr(fulfilment, "open_request_of", lambda session, subscription_id: None)
    with pytest.raises(InvalidState) as raced:
        subscriptions.cancel(uow(), world.reseller, subscription)
    assert raced.value.message == fulfilment.ONE_OPEN_REQUEST
    with world.portal.session() as session:
        session.add(
            FulfilmentRequest(
                id=request_id(subscription, 9),
                subscription_id=subscription,
                distributor_id=world.distributor_id,
                reseller_id=world.reseller.account_id,
                type=T.CANCEL,
                status=R.INQUIRING,
                created_by=world.reseller.user_id,
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        session.add(  # decided requests do not count
            FulfilmentRequest(
                id=request_id(subscription, 9),
                subscription_id=subscription,
                distributor_id=world.distributor_id,
                reseller_id=world.reseller.account_id,
                type=T.CANCEL,
                status=R.FAILED,
                created_by=world.reseller.user_id,
            )
        )
        session.commit()


def test_each_decision_happens_once(world: World) -> None:
    uow = world.portal.uow
    subscription = world.order()
    purchase = request_id(subscription, 1)
    key = new_request_key()
    queue.approve_request(uow(), world.distributor, purchase, request_key=key)
    with pytest.raises(AlreadyDone):  # a double click on Approve
        queue.approve_request(uow(), world.distributor, purchase, request_key=key)
    for decide in (
        lambda: queue.approve_request(uow(), world.distributor, purchase),
        lambda: queue.fail_request(uow(), world.distributor, purchase, reason="Late"),
        lambda: queue.inquire_request(uow(), world.distributor, purchase, question="Sure?"),
    ):
        with pytest.raises(InvalidState) as refused:
            decide()
        assert refused.value.message == fulfilment.DECIDED_ALREADY
    key = new_request_key()
    made = subscriptions.suspend(uow(), world.reseller, subscription, request_key=key)
    with pytest.raises(AlreadyDone) as again:  # a double click on Suspend opens one request
        subscriptions.suspend(uow(), world.reseller, subscription, request_key=key)
    assert again.value.object_id == made


def test_questions_reasons_and_answers_are_required_and_checked(world: World) -> None:
    uow = world.portal.uow
    subscription = world.order()
    purchase = request_id(subscription, 1)
    with pytest.raises(ValidationFailed) as failure:
        queue.inquire_request(uow(), world.distributor, purchase, question="  ")
    assert failure.value.errors == {"question": queue.QUESTION_MISSING}
    with pytest.raises(ValidationFailed) as failure:
        queue.fail_request(uow(), world.distributor, purchase, reason=None)
    assert failure.value.errors == {"reason": queue.REASON_MISSING}
    with pytest.raises(ValidationFailed) as failure:
        queue.approve_request(uow(), world.distributor, purchase, message="x" * 2001)
    assert set(failure.value.errors) == {"message"}
    queue.inquire_request(uow(), world.distributor, purchase, question="Line one\nline two")
    with pytest.raises(ValidationFailed) as failure:
        subscriptions.answer_inquiry(uow(), world.reseller, purchase, answer="")
    assert failure.value.errors == {"answer": subscriptions.ANSWER_MISSING}
    assert world.state(subscription, purchase) == (R.INQUIRING, S.PROCESSING)


@pytest.mark.parametrize(
    "quantities",
    [
        {ITEM_A: -1},
        {ITEM_A: 1.5},
        {ITEM_A: "3"},
        {ITEM_A: True},
        {ITEM_A: 0},
        {"PRD-999": 3},
        {ITEM_A: 2},
        {ITEM_A: 10**7},
    ],
)
def test_a_change_asks_for_whole_new_quantities_of_its_own_items(world: World, quantities: dict[str, object]) -> None:
    subscription = world.order()
    queue.approve_request(world.portal.uow(), world.distributor, request_id(subscription, 1))
    with pytest.raises(ValidationFailed) as failure:
        subscriptions.change_quantities(world.portal.uow(), world.reseller, subscription, quantities=quantities)
    assert set(failure.value.errors) == {"quantities"}


def test_totals_the_portal_cannot_store_exactly_are_refused(world: World) -> None:
    subscription = world.order()
    queue.approve_request(world.portal.uow(), world.distributor, request_id(subscription, 1))
    most = {ITEM_A: 1_000_000, ITEM_B: 1_000_000}  # 10.5 M + 100 M cost per period: stored exactly
    made = subscriptions.change_quantities(world.portal.uow(), world.reseller, subscription, quantities=most)
    queue.approve_request(world.portal.uow(), world.distributor, made)
    detail = subscriptions.subscription_detail(world.portal.uow(), world.reseller, subscription)
    assert (detail.row.cost_total, detail.row.msrp_total) == (Decimal("110500000.00"), Decimal("132990100.00"))
    huge = SubscriptionItem(
        subscription_id=subscription,
        item_id=ITEM_B,
        quantity=1_000_000,
        unit_cost=Decimal(10_000),
        unit_msrp=Decimal(10_000),
    )
    with pytest.raises(ValidationFailed) as failure:
        fulfilment.totals([huge])
    assert set(failure.value.errors) == {"quantities"}


def test_the_queue_is_the_distributors_oldest_first_filtered_searched_and_exported(world: World) -> None:
    uow = world.portal.uow
    ours = [world.order() for _ in range(3)]
    theirs = world.order(world.rival)
    queue.approve_request(uow(), world.distributor, request_id(ours[0], 1))
    suspend = subscriptions.suspend(uow(), world.reseller, ours[0])
    everything = queue.find_requests(uow(), world.distributor)
    assert [row.request_id for row in everything.rows] == [
        request_id(ours[0], 1),
        request_id(ours[1], 1),
        request_id(ours[2], 1),
        request_id(theirs, 1),
        suspend,
    ]
    pending = queue.find_requests(uow(), world.distributor, status="pending")
    assert pending.total == 4 and all(row.allowed_actions == ("approve", "inquire", "fail") for row in pending.rows)
    assert [row.request_id for row in queue.find_requests(uow(), world.distributor, type="suspend").rows] == [suspend]
    assert queue.find_requests(uow(), world.distributor, status="approved", type="purchase").total == 1
    assert [row.request_id for row in queue.find_requests(uow(), world.distributor, search="rival").rows] == [
        request_id(theirs, 1)
    ]
    by_id = queue.find_requests(uow(), world.distributor, search=suspend.lower())
    by_subscription = queue.find_requests(uow(), world.distributor, search=ours[1])
    by_customer = queue.find_requests(uow(), world.distributor, search="ACME WIDGETS")
    assert [row.request_id for row in by_id.rows] == [suspend]
    assert [row.request_id for row in by_subscription.rows] == [request_id(ours[1], 1)]
    assert by_customer.total == 5
    assert queue.find_requests(uow(), world.distributor, page=2, page_size=2).rows[0].request_id == request_id(
        ours[2], 1
    )
    for wrong in ({"status": "open"}, {"type": "refund"}):
        with pytest.raises(ValidationFailed):
            queue.find_requests(uow(), world.distributor, **wrong)  # type: ignore[arg-type]  # wrong on purpose
    exported = queue.export_requests(uow(), world.distributor, type="purchase")
    table = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert exported.startswith("\ufeff") and table[0][0] == "Request ID" and len(table) == 5
    assert {row[6] for row in table[1:]} == {"Champions Corp", "Rival Ltd"}


def test_the_resellers_list_filters_searches_pages_and_exports(world: World) -> None:
    uow = world.portal.uow
    made = [world.order() for _ in range(3)]
    world.order(world.rival)
    queue.approve_request(uow(), world.distributor, request_id(made[0], 1))
    listed = subscriptions.find_subscriptions(uow(), world.reseller)
    assert [row.subscription_id for row in listed.rows] == list(reversed(made))  # newest first, only its own
    assert [row.request_in_progress for row in listed.rows] == ["Purchase, pending", "Purchase, pending", None]
    assert subscriptions.find_subscriptions(uow(), world.reseller, status="active").total == 1
    found = subscriptions.find_subscriptions(uow(), world.reseller, search=f" {made[1].lower()} ")
    assert [row.subscription_id for row in found.rows] == [made[1]]  # a whole ID, whatever its case
    assert subscriptions.find_subscriptions(uow(), world.reseller, search=made[1][3:]).total == 0  # not a part
    assert subscriptions.find_subscriptions(uow(), world.reseller, search="acme-1").total == 3  # customer's ID
    assert subscriptions.find_subscriptions(uow(), world.reseller, search="acme widgets").total == 3
    assert len(subscriptions.find_subscriptions(uow(), world.reseller, page=2, page_size=2).rows) == 1
    with pytest.raises(ValidationFailed):
        subscriptions.find_subscriptions(uow(), world.reseller, status="paused")
    exported = subscriptions.export_subscriptions(uow(), world.reseller, status="processing")
    table = list(csv.reader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert len(table) == 3 and table[1][9:11] == ["21.00", "25.98"] and table[1][11] == "Purchase, pending"
    assert [
        s.subscription_id for s in customers.customer_detail(uow(), world.reseller, world.customer).subscriptions
    ] == list(reversed(made))


def test_every_ownership_rule(world: World) -> None:
    uow = world.portal.uow
    subscription = world.order()
    purchase = request_id(subscription, 1)
    # another distributor: the request is not found, and its queue is empty
    assert queue.find_requests(uow(), world.stranger).total == 0
    for decide in (
        lambda: queue.request_detail(uow(), world.stranger, purchase),
        lambda: queue.approve_request(uow(), world.stranger, purchase),
        lambda: queue.inquire_request(uow(), world.stranger, purchase, question="?"),
        lambda: queue.fail_request(uow(), world.stranger, purchase, reason="no"),
    ):
        with pytest.raises(NotFound):
            decide()
    # resellers cannot use the queue; distributors cannot use a reseller's subscriptions
    with pytest.raises(Forbidden):
        queue.find_requests(uow(), world.reseller)
    with pytest.raises(Forbidden):
        queue.approve_request(uow(), world.reseller, purchase)
    with pytest.raises(Forbidden):
        subscriptions.find_subscriptions(uow(), world.distributor)
    queue.inquire_request(uow(), world.distributor, purchase, question="Which team?")
    # another reseller: the subscription and its request are not found
    assert subscriptions.find_subscriptions(uow(), world.rival).total == 0
    for act in (
        lambda: subscriptions.subscription_detail(uow(), world.rival, subscription),
        lambda: subscriptions.suspend(uow(), world.rival, subscription),
        lambda: subscriptions.cancel(uow(), world.rival, subscription),
        lambda: subscriptions.resume(uow(), world.rival, subscription),
        lambda: subscriptions.change_quantities(uow(), world.rival, subscription, quantities={ITEM_A: 3}),
        lambda: subscriptions.answer_inquiry(uow(), world.rival, purchase, answer="me"),
    ):
        with pytest.raises(NotFound):
            act()
    for unknown in ("AS-0000-0000-0000", "", "\ud800", None, 7, "x" * 500):
        with pytest.raises(NotFound):
            subscriptions.subscription_detail(uow(), world.reseller, unknown)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            queue.request_detail(uow(), world.distributor, unknown)  # type: ignore[arg-type]
    assert world.state(subscription, purchase) == (R.INQUIRING, S.PROCESSING)


def test_a_terminated_reseller_opens_nothing_and_its_open_requests_stay_with_the_distributor(world: World) -> None:
    uow = world.portal.uow
    active = world.order()
    queue.approve_request(uow(), world.distributor, request_id(active, 1))
    waiting = world.order()
    with world.portal.session() as session:
        contract = session.exec(select(Contract).where(Contract.reseller_account_id == world.reseller.account_id)).one()
        contract.status = ContractStatus.TERMINATED
        session.add(contract)
        session.commit()
    with pytest.raises(ContractNotActive):
        subscriptions.suspend(uow(), world.reseller, active)
    with pytest.raises(ContractNotActive):
        subscriptions.find_subscriptions(uow(), world.reseller)
    queue.approve_request(uow(), world.distributor, request_id(waiting, 1))
    assert world.state(waiting, request_id(waiting, 1)) == (R.APPROVED, S.ACTIVE)
