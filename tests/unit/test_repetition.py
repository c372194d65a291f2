"""Nothing is duplicated by repetition: a reissued invitation has one successor, a dialog's request is done once
however often it is sent, and publishing the current text again is refused."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlmodel import func, select

from data.models import Account, Agreement, AgreementVersion, Invitation
from portal_testing.factories import Portal
from services.actors import SignedInUser
from services.distributor import agreements, partners
from services.distributor import invitations as distributor_invitations
from services.errors import AlreadyDone, InvalidState, ValidationFailed
from services.requests import new_request_key


def count(portal: Portal, model: type) -> int:
    with portal.session() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_reissued_invitation_has_one_successor_and_the_old_row_shows_it(portal: Portal) -> None:
    actor = portal.distributor_user()
    old = distributor_invitations.invite(portal.uow(), actor, company_name="Reissued Once Ltd").invitation
    distributor_invitations.revoke_invitation(portal.uow(), actor, old.id)
    first = distributor_invitations.reissue_invitation(portal.uow(), actor, old.id).invitation
    with pytest.raises(InvalidState) as again:
        distributor_invitations.reissue_invitation(portal.uow(), actor, old.id)
    assert again.value.message == f"This invitation was reissued already, as {first.id}. Its link is the one to use."
    rows = {row.invitation_id: row for row in distributor_invitations.list_invitations(portal.uow(), actor).rows}
    detail = distributor_invitations.invitation_detail(portal.uow(), actor, old.id)
    assert rows[old.id].replaced_by == first.id and rows[first.id].replaced_by is None
    assert detail.row.replaced_by == first.id

    distributor_invitations.revoke_invitation(portal.uow(), actor, first.id)
    with pytest.raises(InvalidState, match=f"Reissue {first.id} if a new link"):
        distributor_invitations.reissue_invitation(portal.uow(), actor, old.id)
    second = distributor_invitations.reissue_invitation(portal.uow(), actor, first.id).invitation
    assert second.reissued_from_id == first.id
    with portal.session() as session:
        successors = session.exec(select(Invitation.id).where(Invitation.reissued_from_id == old.id)).all()
    assert successors == [first.id]


def publish(portal: Portal, actor: SignedInUser, key: str | None, text: str = "# Terms\n\nNew terms.") -> str:
    with portal.session() as session:
        agreement_id = session.exec(select(Agreement.id)).first()
    return agreements.publish_version(portal.uow(), actor, str(agreement_id), text=text, request_key=key).id


def create_invitation(portal: Portal, actor: SignedInUser, key: str | None) -> str:
    return distributor_invitations.invite(portal.uow(), actor, company_name="Twice Ltd", request_key=key).invitation.id


def create_agreement(portal: Portal, actor: SignedInUser, key: str | None) -> str:
    return agreements.create_agreement(portal.uow(), actor, title="Addendum", text="Terms.", request_key=key).id


def create_reseller_account(portal: Portal, actor: SignedInUser, key: str | None) -> str:
    return partners.create_reseller_account(
        portal.uow(),
        actor,
        legal_name="Twice Inc",
        representative_name="Tess Twice",
        representative_email="tess@twice.example",
        request_key=key,
    ).account_id


ACTIONS: dict[str, tuple[Callable[[Portal, SignedInUser, str | None], str], type]] = {
    "Create invitation": (create_invitation, Invitation),
    "Publish": (publish, AgreementVersion),
    "Create agreement": (create_agreement, Agreement),
    "Create reseller account": (create_reseller_account, Account),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_dialog_request_sent_twice_is_done_once(portal: Portal, action: str) -> None:
    actor = portal.distributor_user()
    do, made = ACTIONS[action]
    before = count(portal, made)
    key = new_request_key()
    done = do(portal, actor, key)
    with pytest.raises(AlreadyDone) as again:
        do(portal, actor, key)
    assert again.value.object_id == done
    assert count(portal, made) == before + 1


def test_two_racing_presses_of_create_issue_one_invitation(portal: Portal) -> None:
    actor = portal.distributor_user()
    key = new_request_key()
    before = count(portal, Invitation)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def press() -> None:
        barrier.wait()
        try:
            distributor_invitations.invite(portal.uow(), actor, company_name="Raced Ltd", request_key=key)
            outcomes.append("created")
        except AlreadyDone:
            outcomes.append("already done")

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already done"] * 7 + ["created"]
    assert count(portal, Invitation) == before + 1


def test_publishing_the_current_text_again_is_refused(portal: Portal) -> None:
    actor = portal.distributor_user()
    publish(portal, actor, None, text="# Terms\n\nVersion two.")
    with pytest.raises(ValidationFailed) as same:
        publish(portal, actor, None, text="  # Terms\n\nVersion two.\n")  # the same text once cleaned
    assert same.value.errors["text"] == (
        "This is the text of version 2, the current one. Change it before publishing a new version."
    )
    publish(portal, actor, None, text="# Terms\n\nVersion three.")
    with portal.session() as session:
        assert session.exec(select(func.count()).select_from(AgreementVersion)).one() == 3


def test_a_malformed_request_key_is_refused(portal: Portal) -> None:
    actor = portal.distributor_user()
    with pytest.raises(ValidationFailed):
        distributor_invitations.invite(portal.uow(), actor, request_key="short")
