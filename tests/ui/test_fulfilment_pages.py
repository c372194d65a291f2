"""Chapter 4's fulfilment with NiceGUI's simulated user: the distributor's queue (filters in the URL, a request's
items, Approve / Inquire / Fail with their texts) and the reseller's subscription page (actions as allowed,
disabled with the reason while a request is open, Change quantities, the answer to a question); another
account's request or subscription is a 404 page."""

from __future__ import annotations

from nicegui.testing import User

from data.models import User as PortalUser
from data.models.subscription import request_id
from portal_testing.chapter4 import ITEM_A, World
from portal_testing.factories import Portal
from services.distributor import fulfilment as queue
from services.portal import subscriptions
from tests.ui.conftest import PAGE_STATUSES
from tests.ui.test_distributor_pages import sign_in


async def test_the_distributor_decides_from_the_queue(user: User, app_portal: Portal) -> None:
    world = World(app_portal)
    first, second = world.order(), world.order(world.rival)
    email = _distributor_email(app_portal, world)
    await sign_in(user, email, "/distributor/fulfilment?type=purchase")
    await user.should_see(request_id(first, 1), retries=30)
    await user.should_see("Rival Ltd")
    await user.open("/distributor/fulfilment?q=rival")
    await user.should_see(request_id(second, 1), retries=30)
    await user.should_not_see(request_id(first, 1))

    await user.open(f"/distributor/fulfilment/{request_id(first, 1)}")
    await user.should_see(marker="request-heading", retries=30)
    await user.should_see(ITEM_A)
    user.find(marker="decide-inquire").click()
    await user.should_see("Question for the reseller", retries=30)
    user.find(marker="decision-inquire-submit").click()
    await user.should_see(queue.QUESTION_MISSING, retries=30)
    user.find(marker="decision-question").type("Which team are the seats for?")
    user.find(marker="decision-inquire-submit").click()
    await user.should_see(marker="request-inquiring", retries=30)
    await user.should_see("Which team are the seats for?")
    await user.should_not_see(marker="decide-approve")  # approving waits for the answer
    user.find(marker="decide-fail").click()
    await user.should_see(marker="decision-reason", retries=30)
    user.find(marker="decision-reason").type("No answer in time")
    user.find(marker="decision-fail-submit").click()
    await user.should_see(marker="request-failed", retries=30)
    await user.should_not_see(marker="decide-fail")

    await user.open(f"/distributor/fulfilment/{request_id(second, 1)}")
    user.find(marker="decide-approve").click()
    await user.should_see(marker="decision-approve-submit", retries=30)
    user.find(marker="decision-approve-submit").click()
    await user.should_see(marker="request-approved", retries=30)


def _distributor_email(portal: Portal, world: World) -> str:
    """The email of the world's distributor user, to sign in with."""
    with portal.session() as session:
        found = session.get(PortalUser, world.distributor.user_id)
        assert found is not None
        return found.email


async def test_the_reseller_acts_on_a_subscription_and_answers_a_question(user: User, app_portal: Portal) -> None:
    world = World(app_portal)
    subscription = world.order()
    theirs = world.order(world.rival)
    await sign_in(user, "jane@champions.example", f"/subscriptions/{subscription}")
    await user.should_see(marker="subscription-processing", retries=30)
    await user.should_see(marker="actions-blocked")  # the purchase is in progress
    queue.approve_request(app_portal.uow(), world.distributor, request_id(subscription, 1))

    await user.open(f"/subscriptions/{subscription}")
    await user.should_see(marker="subscription-active", retries=30)
    user.find(marker="action-change").click()
    await user.should_see(f"Quantity of {ITEM_A}", retries=30)
    user.find(f"Quantity of {ITEM_A}").clear().type("5")
    user.find(marker="change-submit").click()
    await user.should_see(marker="actions-blocked", retries=30)
    await user.should_see(f"{ITEM_A}: 2 → 5")

    change = request_id(subscription, 2)
    queue.inquire_request(app_portal.uow(), world.distributor, change, question="For whom?")
    await user.open(f"/subscriptions/{subscription}")
    await user.should_see("For whom?", retries=30)
    user.find(marker="send-answer").click()
    await user.should_see(subscriptions.ANSWER_MISSING, retries=30)
    user.find(marker="inquiry-answer").type("The new team")
    user.find(marker="send-answer").click()
    await user.should_not_see(marker="inquiry", retries=30)
    await user.should_see(marker="actions-blocked")
    queue.approve_request(app_portal.uow(), world.distributor, change)

    await user.open(f"/subscriptions/{subscription}")
    await user.should_see(marker="subscription-active", retries=30)
    user.find(marker="action-cancel").click()
    await user.should_see(f"Cancel {subscription}?", retries=30)
    user.find(marker="confirm").click()
    await user.should_see(marker="subscription-terminating", retries=30)

    await user.open("/subscriptions?status=terminating")
    await user.should_see(subscription, retries=30)
    PAGE_STATUSES.clear()
    await user.open(f"/subscriptions/{theirs}")
    await user.should_see("Subscription not found", retries=30)
    assert PAGE_STATUSES == [404]
