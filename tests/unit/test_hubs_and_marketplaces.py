"""Chapter 2's rules, on SQLite and PostgreSQL: hubs and marketplaces, each field refused with a message next to
it, the uniqueness rules held by the database too (a race is a field error, not a crash), ownership (another
account's hub or marketplace is "not found", by any ID), only while the service contract is active, every
action audited; the overview's checklist and the contract page from real data."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import col, select

from data.models import AuditEvent, ContractTermination, Hub, Marketplace, MarketplaceCountry, MarketplaceHub
from portal_testing.factories import DISTRIBUTOR, Portal
from services import access
from services.actors import SignedInUser
from services.distributor import invitations as distributor_invitations
from services.distributor import partners
from services.errors import AlreadyDone, Forbidden, InvalidState, NotFound, ValidationFailed
from services.portal import contract as portal_contract
from services.portal import hubs, marketplaces, overview
from services.portal.access import ContractNotActive
from services.requests import new_request_key
from services.unit_of_work import UnitOfWork

HUB = {"name": "Web shop", "type": "commerce_platform", "instance_id": "shop-01", "description": "Our shop"}


def reseller(portal: Portal, company: str = "Champions Corp") -> tuple[SignedInUser, str]:
    """A reseller user with an active service contract, and that contract's ID."""
    email = f"r-{uuid.uuid4().hex[:8]}@champions.example"
    created = portal.activate(portal.invite(company_name=company), email=email, company=company)
    user = access.signed_in_user(portal.uow(), created.user_id)
    assert user is not None
    return user, created.contract_id


def register(portal: Portal, actor: SignedInUser, **changes: Any) -> hubs.HubView:
    return hubs.register_hub(portal.uow(), actor, **{**HUB, **changes})


def create(portal: Portal, actor: SignedInUser, hub_ids: list[str], **changes: Any) -> marketplaces.MarketplaceView:
    values: dict[str, Any] = {
        "name": "Europe",
        "description": "EU customers",
        "currency": "EUR",
        "countries": ["DE", "FR"],
        "hubs": {hub_id: f"TA-{hub_id}" for hub_id in hub_ids},
    }
    return marketplaces.create_marketplace(portal.uow(), actor, **{**values, **changes})


def test_a_hub_is_registered_listed_edited_and_deleted(portal: Portal) -> None:
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    assert re.fullmatch(r"HB-\d{4}-\d{4}", hub.hub_id)
    assert (hub.name, hub.type_label, hub.instance_id, hub.description) == (
        "Web shop",
        "Commerce platform",
        "shop-01",
        "Our shop",
    )
    assert hub.marketplaces == () and hub.allowed_actions == ("edit", "delete")
    edited = hubs.edit_hub(
        portal.uow(), actor, hub.hub_id, name="Billing", type="api", instance_id="bill-1", description=""
    )
    assert (edited.name, edited.type_label, edited.instance_id, edited.description) == (
        "Billing",
        "API",
        "bill-1",
        None,
    )
    assert [h.hub_id for h in hubs.list_hubs(portal.uow(), actor)] == [hub.hub_id]
    hubs.delete_hub(portal.uow(), actor, hub.hub_id)
    assert hubs.list_hubs(portal.uow(), actor) == []


def test_every_hub_field_is_checked_at_once_and_nothing_is_changed(portal: Portal) -> None:
    actor, _ = reseller(portal)
    with pytest.raises(ValidationFailed) as empty:
        hubs.register_hub(portal.uow(), actor, name=" ", type="", instance_id="", description=None)
    assert set(empty.value.errors) == {"name", "type", "instance_id"}
    with pytest.raises(ValidationFailed) as long:
        register(portal, actor, name="x" * 101, instance_id="i" * 101, description="d" * 2001)
    assert set(long.value.errors) == {"name", "instance_id", "description"}
    assert "At most 100 characters" in long.value.errors["name"]
    with pytest.raises(ValidationFailed) as hidden:
        register(portal, actor, name="Shop\u202e", type="retail", description=["not", "text"])
    assert set(hidden.value.errors) == {"name", "type", "description"}
    exactly = register(portal, actor, name="x" * 100, instance_id="i" * 100, description="line 1\nline 2")
    assert exactly.description == "line 1\nline 2"  # plain text with its line breaks, kept as typed
    assert len(hubs.list_hubs(portal.uow(), actor)) == 1


def test_an_instance_id_is_unique_within_the_account_only(portal: Portal) -> None:
    actor, _ = reseller(portal)
    other, _ = reseller(portal, "Other Reseller Ltd")
    first = register(portal, actor)
    with pytest.raises(ValidationFailed) as taken:
        register(portal, actor, name="Second shop")
    assert taken.value.errors == {"instance_id": hubs.INSTANCE_ID_TAKEN}
    second = register(portal, actor, instance_id="shop-02")
    with pytest.raises(ValidationFailed):
        hubs.edit_hub(portal.uow(), actor, second.hub_id, **{**HUB, "instance_id": "shop-01"})
    hubs.edit_hub(portal.uow(), actor, first.hub_id, **HUB)  # its own instance ID is no clash
    register(portal, other)  # another account may use the same instance ID


def test_the_database_holds_the_unique_instance_id_and_it_reaches_the_field(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two registrations racing past the service's check: the constraint refuses the second, as a field error."""
    actor, _ = reseller(portal)
    register(portal, actor)
    monkeypatch.setattr(hubs, "_instance_id_used", lambda *args, **kwargs: False)
    with pytest.raises(ValidationFailed) as taken:
        register(portal, actor, name="Racing shop")
    assert taken.value.errors == {"instance_id": hubs.INSTANCE_ID_TAKEN}


def test_a_double_click_registers_one_hub(portal: Portal) -> None:
    actor, _ = reseller(portal)
    key = new_request_key()
    hub = register(portal, actor, request_key=key)
    with pytest.raises(AlreadyDone) as again:
        register(portal, actor, request_key=key)
    assert again.value.object_id == hub.hub_id
    assert len(hubs.list_hubs(portal.uow(), actor)) == 1


def test_a_marketplace_is_created_with_its_countries_and_hubs(portal: Portal) -> None:
    actor, _ = reseller(portal)
    shop = register(portal, actor)
    api = register(portal, actor, name="API", type="api", instance_id="api-1")
    made = create(portal, actor, [shop.hub_id, api.hub_id], countries=["FR", "DE", "IT", "ES", "FR"])
    assert re.fullmatch(r"MP-\d{5}", made.marketplace_id)
    assert (made.name, made.description, made.currency, made.currency_label) == (
        "Europe",
        "EU customers",
        "EUR",
        "EUR — Euro",
    )
    assert made.countries == ("FR", "DE", "IT", "ES")  # by the countries' names, each once
    assert made.countries_summary == "France, Germany, Italy and 1 more"
    assert {(h.hub_name, h.external_id) for h in made.hubs} == {
        ("API", f"TA-{api.hub_id}"),
        ("Web shop", f"TA-{shop.hub_id}"),
    }
    assert [m.marketplace_id for m in marketplaces.list_marketplaces(portal.uow(), actor)] == [made.marketplace_id]
    assert hubs.hub_detail(portal.uow(), actor, shop.hub_id).marketplaces == ("Europe",)


def test_every_marketplace_field_is_checked(portal: Portal) -> None:
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    with pytest.raises(ValidationFailed) as empty:
        marketplaces.create_marketplace(portal.uow(), actor, name="", currency="", countries=[], hubs={})
    assert set(empty.value.errors) == {"name", "currency", "countries"}
    assert empty.value.errors["countries"] == marketplaces.COUNTRIES_MISSING
    with pytest.raises(ValidationFailed) as unknown:
        create(portal, actor, [hub.hub_id], name="n" * 101, currency="XYZ", countries=["DE", "ZZ"])
    assert set(unknown.value.errors) == {"name", "currency", "countries"}
    with pytest.raises(ValidationFailed) as no_hub:
        create(portal, actor, [], hubs={})
    assert no_hub.value.errors == {"hubs": marketplaces.HUBS_MISSING}
    with pytest.raises(ValidationFailed) as external:
        create(portal, actor, [hub.hub_id], hubs={hub.hub_id: "  "})
    assert external.value.errors == {f"external_id.{hub.hub_id}": "Enter the tier account external ID for Web shop."}
    with pytest.raises(ValidationFailed) as too_long:
        create(portal, actor, [hub.hub_id], hubs={hub.hub_id: "e" * 101})
    assert set(too_long.value.errors) == {f"external_id.{hub.hub_id}"}
    with pytest.raises(ValidationFailed) as not_a_list:
        create(portal, actor, [hub.hub_id], countries="DE", currency=840)
    assert set(not_a_list.value.errors) == {"countries", "currency"}
    assert marketplaces.list_marketplaces(portal.uow(), actor) == []


def test_the_wizard_steps_check_their_own_fields(portal: Portal) -> None:
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    with pytest.raises(ValidationFailed) as general:
        marketplaces.check_general(portal.uow(), actor, name="", currency="USD", countries=[])
    assert set(general.value.errors) == {"name", "countries"}
    marketplaces.check_general(portal.uow(), actor, name="US", currency="USD", countries=["US"])
    with pytest.raises(ValidationFailed):
        marketplaces.check_hubs(portal.uow(), actor, hubs={})
    marketplaces.check_hubs(portal.uow(), actor, hubs={hub.hub_id: "TA-1"})
    create(portal, actor, [hub.hub_id], name="US")
    with pytest.raises(ValidationFailed) as taken:
        marketplaces.check_general(portal.uow(), actor, name="us", currency="USD", countries=["US"])
    assert taken.value.errors == {"name": marketplaces.NAME_TAKEN}


def test_a_marketplace_name_is_unique_within_the_account_whatever_its_case(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, _ = reseller(portal)
    other, _ = reseller(portal, "Other Reseller Ltd")
    hub = register(portal, actor)
    create(portal, actor, [hub.hub_id])
    with pytest.raises(ValidationFailed) as taken:
        create(portal, actor, [hub.hub_id], name="EUROPE")
    assert taken.value.errors == {"name": marketplaces.NAME_TAKEN}
    create(portal, other, [register(portal, other).hub_id])  # another account's "Europe" is no clash
    monkeypatch.setattr(marketplaces, "_name_used", lambda *args, **kwargs: False)  # a race past the check
    with pytest.raises(ValidationFailed) as raced:
        create(portal, actor, [hub.hub_id], name="europe")
    assert raced.value.errors == {"name": marketplaces.NAME_TAKEN}


def test_a_marketplace_is_edited(portal: Portal) -> None:
    actor, _ = reseller(portal)
    shop = register(portal, actor)
    api = register(portal, actor, name="API", type="api", instance_id="api-1")
    made = create(portal, actor, [shop.hub_id])
    other = create(portal, actor, [shop.hub_id], name="Americas", currency="USD", countries=["US"])
    edited = marketplaces.edit_marketplace(
        portal.uow(),
        actor,
        made.marketplace_id,
        name="Europe and Switzerland",
        description="",
        currency="CHF",
        countries=["CH", "DE"],
        hubs={api.hub_id: "TA-new", shop.hub_id: f"TA-{shop.hub_id}"},
    )
    assert (edited.name, edited.description, edited.currency, edited.countries) == (
        "Europe and Switzerland",
        None,
        "CHF",
        ("DE", "CH"),
    )
    assert [(h.hub_name, h.external_id) for h in edited.hubs] == [("API", "TA-new"), ("Web shop", f"TA-{shop.hub_id}")]
    with pytest.raises(ValidationFailed) as taken:
        marketplaces.edit_marketplace(
            portal.uow(), actor, other.marketplace_id, name="europe AND switzerland", currency="USD",
            countries=["US"], hubs={shop.hub_id: "x"},
        )  # fmt: skip
    assert taken.value.errors == {"name": marketplaces.NAME_TAKEN}
    with portal.session() as session:
        assert len(session.exec(select(MarketplaceHub)).all()) == 3
        assert len(session.exec(select(MarketplaceCountry)).all()) == 3


def test_a_hub_in_use_cannot_be_deleted_and_its_marketplaces_are_named(portal: Portal) -> None:
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    create(portal, actor, [hub.hub_id])
    create(portal, actor, [hub.hub_id], name="Americas", currency="USD", countries=["US", "CA"])
    assert hubs.hub_detail(portal.uow(), actor, hub.hub_id).allowed_actions == ("edit",)
    with pytest.raises(InvalidState, match="Web shop cannot be deleted: it is used by Americas, Europe"):
        hubs.delete_hub(portal.uow(), actor, hub.hub_id)
    assert len(hubs.list_hubs(portal.uow(), actor)) == 1


def test_another_accounts_hubs_and_marketplaces_are_not_found_by_any_id(portal: Portal) -> None:
    mine, _ = reseller(portal)
    theirs, _ = reseller(portal, "Other Reseller Ltd")
    their_hub = register(portal, theirs)
    their_marketplace = create(portal, theirs, [their_hub.hub_id])
    my_hub = register(portal, mine, instance_id="mine")
    my_marketplace = create(portal, mine, [my_hub.hub_id], name="Mine")
    assert [h.hub_id for h in hubs.list_hubs(portal.uow(), mine)] == [my_hub.hub_id]
    assert [m.marketplace_id for m in marketplaces.list_marketplaces(portal.uow(), mine)] == [
        my_marketplace.marketplace_id
    ]
    for action in (
        lambda u: hubs.hub_detail(u, mine, their_hub.hub_id),
        lambda u: hubs.edit_hub(u, mine, their_hub.hub_id, **HUB),
        lambda u: hubs.delete_hub(u, mine, their_hub.hub_id),
        lambda u: hubs.delete_hub(u, mine, "HB-0000-0000"),
        lambda u: hubs.delete_hub(u, mine, "\ud800"),
        lambda u: marketplaces.marketplace_detail(u, mine, their_marketplace.marketplace_id),
        lambda u: marketplaces.edit_marketplace(
            u,
            mine,
            their_marketplace.marketplace_id,
            name="x",
            currency="EUR",
            countries=["DE"],
            hubs={my_hub.hub_id: "x"},
        ),
        lambda u: marketplaces.check_general(
            u, mine, name="x", currency="EUR", countries=["DE"], marketplace_id=their_marketplace.marketplace_id
        ),
        # their hub in my marketplace, by its guessed ID
        lambda u: create(portal, mine, [their_hub.hub_id], name="Sneaky"),
        lambda u: marketplaces.check_hubs(u, mine, hubs={their_hub.hub_id: "x"}),
        lambda u: marketplaces.edit_marketplace(
            u,
            mine,
            my_marketplace.marketplace_id,
            name="Mine",
            currency="EUR",
            countries=["DE"],
            hubs={their_hub.hub_id: "x"},
        ),
    ):
        with pytest.raises(NotFound):
            action(portal.uow())
    with portal.session() as session:
        hub = session.get(Hub, their_hub.hub_id)
        assert hub is not None and hub.name == "Web shop"
        assert session.get(Marketplace, their_marketplace.marketplace_id) is not None
        assert len(session.exec(select(Marketplace)).all()) == 2


def test_only_a_reseller_with_an_active_contract_may_act(portal: Portal) -> None:
    actor, contract_id = reseller(portal)
    hub = register(portal, actor)
    made = create(portal, actor, [hub.hub_id])
    distributor = portal.distributor_user()
    refused: tuple[Callable[[UnitOfWork], object], ...] = (
        lambda u: hubs.list_hubs(u, distributor),
        lambda u: hubs.register_hub(u, distributor, **HUB),
        lambda u: marketplaces.list_marketplaces(u, distributor),
        lambda u: portal_contract.my_contract(u, distributor),
    )
    for action in refused:
        with pytest.raises(Forbidden):
            action(portal.uow())
    partners.terminate_contract(portal.uow(), distributor, contract_id, reason="Unpaid invoices.")
    for action in (
        lambda u: hubs.list_hubs(u, actor),
        lambda u: hubs.hub_detail(u, actor, hub.hub_id),
        lambda u: hubs.register_hub(u, actor, **{**HUB, "instance_id": "new"}),
        lambda u: hubs.edit_hub(u, actor, hub.hub_id, **HUB),
        lambda u: hubs.delete_hub(u, actor, hub.hub_id),
        lambda u: marketplaces.list_marketplaces(u, actor),
        lambda u: marketplaces.marketplace_detail(u, actor, made.marketplace_id),
        lambda u: marketplaces.check_general(u, actor, name="x", currency="EUR", countries=["DE"]),
        lambda u: marketplaces.check_hubs(u, actor, hubs={hub.hub_id: "x"}),
        lambda u: create(portal, actor, [hub.hub_id], name="After"),
        lambda u: marketplaces.edit_marketplace(
            u, actor, made.marketplace_id, name="x", currency="EUR", countries=["DE"], hubs={hub.hub_id: "x"}
        ),
        lambda u: overview.overview(u, actor),
    ):
        with pytest.raises(ContractNotActive):
            action(portal.uow())
    terminated = portal_contract.my_contract(portal.uow(), actor)  # the one page left
    assert (terminated.status, terminated.termination_reason) == ("terminated", "Unpaid invoices.")
    assert terminated.terminated_at is not None


def test_every_action_is_audited(portal: Portal) -> None:
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    spare = register(portal, actor, instance_id="spare")
    made = create(portal, actor, [hub.hub_id])
    hubs.edit_hub(portal.uow(), actor, hub.hub_id, **{**HUB, "name": "Renamed"})
    marketplaces.edit_marketplace(
        portal.uow(), actor, made.marketplace_id, name="EU", currency="EUR", countries=["DE"], hubs={hub.hub_id: "x"}
    )
    hubs.delete_hub(portal.uow(), actor, spare.hub_id)
    with portal.session() as session:
        events = [
            (event.action, event.object_id, event.actor)
            for event in session.exec(select(AuditEvent).where(col(AuditEvent.object_type).in_(["hub", "marketplace"])))
        ]
    assert events == [
        ("hub.registered", hub.hub_id, actor.user_id),
        ("hub.registered", spare.hub_id, actor.user_id),
        ("marketplace.created", made.marketplace_id, actor.user_id),
        ("hub.changed", hub.hub_id, actor.user_id),
        ("marketplace.changed", made.marketplace_id, actor.user_id),
        ("hub.deleted", spare.hub_id, actor.user_id),
    ]


def test_the_overview_marks_chapter_two_done_from_real_data(portal: Portal) -> None:
    actor, _ = reseller(portal)
    chapters = overview.overview(portal.uow(), actor).chapters
    assert [(c.title, c.done) for c in chapters] == [
        ("Connect Portal Activation", True),
        ("Hub and Marketplace Creation", False),
        ("Catalog Operations", False),
        ("Subscription Management", False),
    ]
    hub = register(portal, actor)
    assert not overview.overview(portal.uow(), actor).chapters[1].done  # a hub alone is not enough
    create(portal, actor, [hub.hub_id])
    done = overview.overview(portal.uow(), actor)
    assert done.chapters[1].done and done.chapters[1].summary == "1 hub, 1 marketplace."
    assert (done.hubs, done.marketplaces) == (1, 1)


def test_the_contract_page_and_file_show_the_text_and_evidence_as_signed(portal: Portal) -> None:
    actor, contract_id = reseller(portal)
    signed = portal_contract.my_contract(portal.uow(), actor)
    assert signed.contract_id == contract_id and signed.active
    assert signed.accepted_sha256 == signed.agreement_sha256
    assert (signed.client_address, signed.user_agent, signed.signee_name) == ("203.0.113.7", "pytest", "Jane Doe")
    name, document = portal_contract.contract_document(portal.uow(), actor)
    assert name == f"{contract_id}-service-contract.md"
    assert document.endswith(signed.agreement_text)  # byte for byte
    for shown in (signed.agreement_sha256, "203.0.113.7", "pytest", "Jane Doe", DISTRIBUTOR):
        assert shown in document
    with portal.session() as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "contract.downloaded")).first()


def test_termination_needs_a_reason_that_the_reseller_and_distributor_see(portal: Portal) -> None:
    actor, contract_id = reseller(portal)
    distributor = portal.distributor_user()
    for reason, problem in (("", partners.TERMINATION_REASON_MISSING), ("r" * 501, "At most 500 characters.")):
        with pytest.raises(ValidationFailed) as refused:
            partners.terminate_contract(portal.uow(), distributor, contract_id, reason=reason)
        assert refused.value.errors == {"reason": problem}
    assert portal_contract.my_contract(portal.uow(), actor).active  # nothing was changed
    partners.terminate_contract(portal.uow(), distributor, contract_id, reason=" Breach of clause 4.\nSee letter. ")
    assert partners.partner_detail(portal.uow(), distributor, contract_id).termination_reason == (
        "Breach of clause 4.\nSee letter."
    )
    _, document = portal_contract.contract_document(portal.uow(), actor)
    assert "Breach of clause 4." in document
    with portal.session() as session:
        termination = session.get(ContractTermination, contract_id)
        assert termination is not None and termination.terminated_by == distributor.user_id


def test_the_distributor_sees_its_partners_hubs_and_marketplaces_only(portal: Portal) -> None:
    actor, contract_id = reseller(portal)
    hub = register(portal, actor)
    create(portal, actor, [hub.hub_id])
    distributor = portal.distributor_user()
    commerce = partners.partner_commerce(portal.uow(), distributor, contract_id)
    assert [h.name for h in commerce.hubs] == ["Web shop"] and [m.name for m in commerce.marketplaces] == ["Europe"]
    stranger = portal.distributor_user("Other Distribution GmbH")
    with pytest.raises(NotFound):
        partners.partner_commerce(portal.uow(), stranger, contract_id)
    pending = distributor_invitations.invite(portal.uow(), distributor, company_name="Later Ltd")
    with portal.session() as session:
        pending_contract = portal.invitation_for(pending.token).contract_id
        del session
    assert partners.partner_commerce(portal.uow(), distributor, pending_contract) == partners.PartnerCommerce([], [])


def test_the_command_line_lists_by_reseller_name(portal: Portal) -> None:
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    create(portal, actor, [hub.hub_id])
    [(account, listed)] = hubs.hubs_of_reseller_as_operator(portal.uow(), "Champions Corp")
    assert account.account_id == actor.account_id and [h.hub_id for h in listed] == [hub.hub_id]
    [(_, found)] = marketplaces.marketplaces_of_reseller_as_operator(portal.uow(), " Champions Corp ")
    assert [m.name for m in found] == ["Europe"]
    with pytest.raises(NotFound):
        hubs.hubs_of_reseller_as_operator(portal.uow(), "Nobody Inc")


def test_the_currency_cannot_change_once_the_marketplace_has_listings(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listings arrive with chapter 3 (issue 15); here every marketplace is given two, as its table would count."""
    actor, _ = reseller(portal)
    hub = register(portal, actor)
    made = create(portal, actor, [hub.hub_id])
    assert not made.currency_locked and marketplaces.listings_on.__name__ == "listings_on"
    monkeypatch.setattr(marketplaces, "listings_on", lambda session, ids: dict.fromkeys(ids, 2))
    values = {"name": "Europe", "countries": ["DE"], "hubs": {hub.hub_id: "x"}}
    with pytest.raises(ValidationFailed) as locked:
        marketplaces.edit_marketplace(portal.uow(), actor, made.marketplace_id, currency="USD", **values)
    assert locked.value.errors == {"currency": marketplaces.CURRENCY_LOCKED}
    kept = marketplaces.edit_marketplace(portal.uow(), actor, made.marketplace_id, currency="EUR", **values)
    assert (kept.currency, kept.countries, kept.currency_locked) == ("EUR", ("DE",), True)
