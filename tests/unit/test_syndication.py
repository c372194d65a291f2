"""Enrolment (chapter 3): a reseller enrolls a product on a marketplace priced in its currency, accepting the
syndication agreement with evidence; one pending or active contract per product and marketplace (held by the
database); the distributor approves (a listing), rejects with a reason, terminates (unlisted), each once; the
service contract's rules; ownership on both sides."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from data.models import AuditEvent, Listing, ListingStatus, SyndicationContract, SyndicationContractStatus
from portal_testing.factories import Portal
from services.access import signed_in_user
from services.actors import SignedInUser
from services.distributor import agreements, catalog, partners, syndication
from services.errors import AlreadyDone, Forbidden, InvalidState, NotFound, ValidationFailed
from services.portal import hubs, marketplaces
from services.portal import syndication as enrolment
from services.portal.access import ContractNotActive
from services.requests import new_request_key
from tests.unit.test_catalog import OTHER, item, product


def reseller(
    portal: Portal, company: str = "Champions Corp", email: str = "jane.doe@champions.example"
) -> SignedInUser:
    activated = portal.activate(portal.invite(company_name=company), email=email, company=company)
    user = signed_in_user(portal.uow(), activated.user_id)
    assert user is not None
    return user


def marketplace(portal: Portal, actor: SignedInUser, name: str = "North America", currency: str = "USD") -> str:
    hub = hubs.register_hub(portal.uow(), actor, name=f"{name} shop", type="api", instance_id=f"{name}-1")
    made = marketplaces.create_marketplace(
        portal.uow(), actor, name=name, currency=currency, countries=["US"], hubs={hub.hub_id: "T-1"}
    )
    return made.marketplace_id


def published(portal: Portal, distributor: SignedInUser, name: str = "Ledgerly Books") -> str:
    made = product(portal, distributor, name)
    item(portal, distributor, made.product_id)  # priced in USD
    catalog.publish_product(portal.uow(), distributor, made.product_id)
    return made.product_id


def with_agreement(portal: Portal, distributor: SignedInUser) -> None:
    agreements.create_agreement(
        portal.uow(), distributor, title="Syndication terms", text="# Terms\n\nResell.", kind="syndication"
    )


def enroll(portal: Portal, actor: SignedInUser, product_id: str, marketplace_id: str, **more: object) -> str:
    view = enrolment.enrollment(portal.uow(), actor, product_id)
    values: dict[str, object] = {
        "marketplace_id": marketplace_id,
        "accepted": True,
        "agreement_version_id": view.agreement_version_id,
        "client_address": "203.0.113.9",
        "user_agent": "pytest browser",
    }
    values.update(more)
    return enrolment.enroll(portal.uow(), actor, product_id, **values)  # type: ignore[arg-type]


@pytest.fixture
def setup(portal: Portal) -> tuple[SignedInUser, SignedInUser, str, str]:
    distributor = portal.distributor_user()
    with_agreement(portal, distributor)
    product_id = published(portal, distributor)
    champion = reseller(portal)
    return distributor, champion, product_id, marketplace(portal, champion)


def test_enrolling_makes_a_pending_contract_with_the_evidence(portal: Portal, setup: tuple) -> None:
    distributor, champion, product_id, marketplace_id = setup
    euro = marketplace(portal, champion, "Europe", "EUR")
    view = enrolment.enrollment(portal.uow(), champion, product_id)
    assert [(m.name, m.priced, m.standing) for m in view.marketplaces] == [
        ("Europe", False, "Not enrolled"),
        ("North America", True, "Not enrolled"),
    ]
    assert [m.name for m in view.enrollable] == ["North America"] and view.agreement_title == "Syndication terms"
    contract_id = enroll(portal, champion, product_id, marketplace_id)
    assert contract_id.startswith("CRS-")
    with portal.session() as session:
        contract = session.get(SyndicationContract, contract_id)
        assert contract is not None and contract.status == SyndicationContractStatus.PENDING
        version = agreements.syndication_version_for(session, distributor.account_id)
    assert version is not None
    assert (contract.agreement_version_id, contract.evidence_text_sha256) == (version.id, version.text_sha256)
    assert (contract.evidence_email, contract.evidence_name) == ("jane.doe@champions.example", "Jane Doe")
    assert (contract.evidence_client_address, contract.evidence_user_agent) == ("203.0.113.9", "pytest browser")
    assert contract.evidence_accepted_at is not None and contract.signee_user_id == champion.user_id
    standing = enrolment.enrollment(portal.uow(), champion, product_id).marketplaces[1]
    assert (standing.standing, standing.can_enroll) == ("Pending", False)
    with pytest.raises(ValidationFailed) as failure:  # not priced in EUR
        enroll(portal, champion, product_id, euro)
    assert "no prices in EUR" in failure.value.errors["marketplace_id"]


def test_enrol_refuses_what_is_not_right(portal: Portal, setup: tuple) -> None:
    distributor, champion, product_id, marketplace_id = setup
    with pytest.raises(ValidationFailed) as failure:
        enroll(portal, champion, product_id, marketplace_id, accepted=False)
    assert "accepted" in failure.value.errors
    with pytest.raises(ValidationFailed) as failure:
        enroll(portal, champion, product_id, "")
    assert "marketplace_id" in failure.value.errors
    other = reseller(portal, "Other Reseller Ltd", "o@other.example")
    theirs = marketplace(portal, other)
    with pytest.raises(ValidationFailed):  # another reseller's marketplace
        enroll(portal, champion, product_id, theirs)
    draft = product(portal, distributor, "Draft product").product_id
    with pytest.raises(NotFound):
        enrolment.enrollment(portal.uow(), champion, draft)
    view = enrolment.enrollment(portal.uow(), champion, product_id)
    agreements.publish_version(portal.uow(), distributor, _agreement_id(portal, distributor), text="# New terms")
    with pytest.raises(InvalidState, match="new version"):  # accepted an older text
        enrolment.enroll(
            portal.uow(),
            champion,
            product_id,
            marketplace_id=marketplace_id,
            accepted=True,
            agreement_version_id=view.agreement_version_id,
        )
    with pytest.raises(Forbidden):
        enrolment.enrollment(portal.uow(), distributor, product_id)


def _agreement_id(portal: Portal, distributor: SignedInUser) -> str:
    [summary] = [s for s in agreements.list_agreements(portal.uow(), distributor) if s.kind == "syndication"]
    return summary.agreement_id


def test_one_pending_or_active_contract_per_product_and_marketplace(portal: Portal, setup: tuple) -> None:
    _distributor, champion, product_id, marketplace_id = setup
    key = new_request_key()
    enroll(portal, champion, product_id, marketplace_id, request_key=key)
    with pytest.raises(AlreadyDone):  # a double click
        enroll(portal, champion, product_id, marketplace_id, request_key=key)
    with pytest.raises(InvalidState, match="already pending on North America"):  # another tab
        enroll(portal, champion, product_id, marketplace_id, request_key=new_request_key())
    with portal.session() as session:  # the database holds it too
        contract = session.exec(select(SyndicationContract)).one()
        session.expunge(contract)
        twin = SyndicationContract(**{**contract.model_dump(), "id": "CRS-000-000-000-001"})
        session.add(twin)
        with pytest.raises(IntegrityError):
            session.commit()


def test_racing_enrolments_make_one_contract(portal: Portal, setup: tuple) -> None:
    _, champion, product_id, marketplace_id = setup
    version = enrolment.enrollment(portal.uow(), champion, product_id).agreement_version_id
    outcomes: list[object] = []

    def press() -> None:
        try:
            outcomes.append(
                enrolment.enroll(
                    portal.uow(),
                    champion,
                    product_id,
                    marketplace_id=marketplace_id,
                    accepted=True,
                    agreement_version_id=version,
                    request_key=new_request_key(),
                )
            )
        except InvalidState as refused:
            outcomes.append(refused)

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(outcome, str) for outcome in outcomes) == 1, outcomes
    with portal.session() as session:
        assert len(session.exec(select(SyndicationContract)).all()) == 1


def test_approve_reject_terminate_each_once(portal: Portal, setup: tuple) -> None:
    distributor, champion, product_id, marketplace_id = setup
    second = published(portal, distributor, "Second product")
    first_contract = enroll(portal, champion, product_id, marketplace_id)
    second_contract = enroll(portal, champion, second, marketplace_id)
    pending = syndication.find_syndication_contracts(portal.uow(), distributor, status="pending")
    assert {row.contract_id for row in pending.rows} == {first_contract, second_contract}
    assert (
        pending.rows[0].allowed_actions == {"approve", "reject"} and pending.rows[0].reseller_name == "Champions Corp"
    )

    listing_id = syndication.approve(portal.uow(), distributor, first_contract)
    assert listing_id.startswith("LST-") and len(listing_id) == len("LST-123-456-789")
    with pytest.raises(InvalidState, match="approved already"):  # a second tab
        syndication.approve(portal.uow(), distributor, first_contract)
    with pytest.raises(InvalidState, match="approved already"):
        syndication.reject(portal.uow(), distributor, first_contract, reason="Too late")
    with pytest.raises(ValidationFailed) as failure:
        syndication.reject(portal.uow(), distributor, second_contract, reason="   ")
    assert failure.value.errors == {"reason": syndication.REASON_MISSING}
    syndication.reject(portal.uow(), distributor, second_contract, reason="Not for your region.")
    with pytest.raises(InvalidState, match="rejected already"):
        syndication.approve(portal.uow(), distributor, second_contract)
    standings = {m.contract_id: m for m in enrolment.enrollment(portal.uow(), champion, second).marketplaces}
    assert standings[second_contract].standing == "Rejected"
    assert standings[second_contract].reason == "Not for your region." and standings[second_contract].can_enroll

    listings = enrolment.my_listings(portal.uow(), champion)
    assert [(row.listing_id, row.product_name, row.status_label) for row in listings.rows] == [
        (listing_id, "Ledgerly Books", "Listed")
    ]
    assert enrolment.enrollment(portal.uow(), champion, product_id).marketplaces[0].standing == "Listed"
    syndication.terminate(portal.uow(), distributor, first_contract)
    with pytest.raises(InvalidState, match="terminated already"):
        syndication.terminate(portal.uow(), distributor, first_contract)
    assert enrolment.my_listings(portal.uow(), champion).rows[0].status_label == "Unlisted"
    with portal.session() as session:
        listing = session.get(Listing, listing_id)
        assert listing is not None and listing.status == ListingStatus.UNLISTED and listing.unlisted_at is not None
        actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.object_type != "product"))]
    for action in (
        "syndication_contract.requested",
        "syndication_contract.approved",
        "listing.listed",
        "syndication_contract.rejected",
        "syndication_contract.terminated",
        "listing.unlisted",
    ):
        assert action in actions
    # after termination the product can be enrolled again
    assert enroll(portal, champion, product_id, marketplace_id).startswith("CRS-")


def test_another_distributors_contracts_are_not_found(portal: Portal, setup: tuple) -> None:
    _distributor, champion, product_id, marketplace_id = setup
    contract_id = enroll(portal, champion, product_id, marketplace_id)
    other = portal.distributor_user(OTHER)
    for attempt in (
        lambda: syndication.approve(portal.uow(), other, contract_id),
        lambda: syndication.reject(portal.uow(), other, contract_id, reason="x"),
        lambda: syndication.terminate(portal.uow(), other, contract_id),
        lambda: syndication.approve(portal.uow(), other, "CRS-000-000-000-000"),
    ):
        with pytest.raises(NotFound):
            attempt()
    assert syndication.find_syndication_contracts(portal.uow(), other).total == 0
    with pytest.raises(Forbidden):
        syndication.find_syndication_contracts(portal.uow(), champion)


def test_a_terminated_reseller_cannot_enroll_and_its_pending_contracts_are_rejected(
    portal: Portal, setup: tuple
) -> None:
    distributor, champion, product_id, marketplace_id = setup
    contract_id = enroll(portal, champion, product_id, marketplace_id)
    [partner] = partners.list_partners(portal.uow(), distributor, status="active")
    partners.terminate_contract(portal.uow(), distributor, partner.contract_id, reason="The pilot ended.")
    with portal.session() as session:
        contract = session.get(SyndicationContract, contract_id)
    assert contract is not None and contract.status == SyndicationContractStatus.REJECTED
    assert contract.rejection_reason == syndication.SERVICE_CONTRACT_ENDED
    with pytest.raises(ContractNotActive):
        enroll(portal, champion, product_id, marketplace_id)
    with pytest.raises(ContractNotActive):
        enrolment.my_listings(portal.uow(), champion)


def test_without_a_syndication_agreement_nothing_can_be_enrolled(portal: Portal) -> None:
    distributor = portal.distributor_user()
    product_id = published(portal, distributor)
    champion = reseller(portal)
    marketplace_id = marketplace(portal, champion)
    view = enrolment.enrollment(portal.uow(), champion, product_id)
    assert view.agreement_version_id is None
    with pytest.raises(InvalidState, match="not published a syndication agreement"):
        enroll(portal, champion, product_id, marketplace_id)


def test_the_catalog_filter_priced_in_my_marketplaces_currencies(portal: Portal, setup: tuple) -> None:
    from services.portal import catalog as portal_catalog

    distributor, champion, _product_id, _ = setup
    euro_only = product(portal, distributor, "Euro Only")
    item(portal, distributor, euro_only.product_id, currency="EUR")
    catalog.publish_product(portal.uow(), distributor, euro_only.product_id)
    everything = portal_catalog.browse_catalog(portal.uow(), champion)
    assert {row.name for row in everything.rows} == {"Ledgerly Books", "Euro Only"}
    priced = portal_catalog.browse_catalog(portal.uow(), champion, priced=True)  # its one marketplace is in USD
    assert [row.name for row in priced.rows] == ["Ledgerly Books"]
    marketplace(portal, champion, "Europe", "EUR")
    assert portal_catalog.browse_catalog(portal.uow(), champion, priced=True).total == 2
    loner = reseller(portal, "No Market Ltd", "n@nomarket.example")
    assert portal_catalog.browse_catalog(portal.uow(), loner, priced=True).total == 0


def test_a_marketplace_with_a_listing_keeps_its_currency(portal: Portal, setup: tuple) -> None:
    """Chapter 2's rule, now on real listings: the marketplace's currency cannot change once it has one."""
    distributor, champion, product_id, marketplace_id = setup
    syndication.approve(portal.uow(), distributor, enroll(portal, champion, product_id, marketplace_id))
    view = marketplaces.marketplace_detail(portal.uow(), champion, marketplace_id)
    assert view.currency_locked
    [hub] = view.hubs
    with pytest.raises(ValidationFailed) as locked:
        marketplaces.edit_marketplace(
            portal.uow(),
            champion,
            marketplace_id,
            name=view.name,
            currency="EUR",
            countries=list(view.countries),
            hubs={hub.hub_id: hub.external_id},
        )
    assert locked.value.errors == {"currency": marketplaces.CURRENCY_LOCKED}
