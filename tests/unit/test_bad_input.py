"""Property tests: whatever a reseller or distributor types, every service answers with a clear field
error or stores exactly the cleaned text; nothing else escapes, and nothing saved before is lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal_testing.factories import FULL_NAME, RESELLER, Portal, open_portal
from services.activation import steps as activation
from services.actors import SignedInUser
from services.distributor import agreements, partners
from services.distributor import invitations as distributor_invitations
from services.errors import InvalidState, InvitationNotFound, NotFound, SetPasswordLinkProblem, ValidationFailed

NASTY = [
    "",
    " ",
    "\t\n",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200b",
    "e\u0301\u0301\u0301",
    "👩‍💻 Corp",
    "Robert'); DROP TABLE user;--",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)> Inc",
    "{{7*7}} LLC",
    "${jndi:ldap://x} Ltd",
    "%00 Inc",
    "../../etc/passwd",
    "\ud800",
    "x" * 10_000,
    "x" * 10_000_000,
]
text = st.one_of(
    st.sampled_from(NASTY), st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=50)
)
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TRIED: dict[str, int] = {}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One database for a module's many examples. When the module's tests are done, it prints how many inputs
    each field was tried with (for the closing note) and fails unless every field that ran had its full share,
    whichever tests ran and in whatever order."""
    portal = open_portal(Path(tmp_path_factory.mktemp("bad-input")) / "portal.db")
    yield portal
    portal.engine.dispose()
    print(f"\nbad inputs tried per field: {TRIED} (total {sum(TRIED.values())})")
    short = {field: tried for field, tried in TRIED.items() if tried < PROPERTY.max_examples}
    assert not short, f"fields tried with fewer than {PROPERTY.max_examples} inputs: {short}"


def count(field: str) -> None:
    TRIED[field] = TRIED.get(field, 0) + 1


@PROPERTY
@given(email=text)
def test_email_on_step_one(shared: Portal, email: str) -> None:
    count("email")
    token = shared.invite()
    try:
        view = activation.accept_agreement(
            shared.uow(), token, revision=shared.revision(token), email=email, accepted=True
        )
    except ValidationFailed as failure:
        assert set(failure.errors) == {"email"}
        assert activation.open_invitation(shared.uow(), token).furthest_step == activation.STEP_AGREEMENT
    else:
        assert "@" in view.email and view.email == view.email.strip().lower()


@PROPERTY
@given(full_name=text, password=st.one_of(st.none(), text))
def test_user_properties_never_lose_the_saved_step(shared: Portal, full_name: str, password: str | None) -> None:
    count("full name and password")
    token = shared.invite()
    shared.walk_to(token, activation.STEP_COMPANY, email=f"u{sum(TRIED.values())}@x.example")
    try:
        view = activation.save_user_properties(
            shared.uow(), token, revision=shared.revision(token), full_name=full_name, password=password
        )
    except ValidationFailed as failure:
        assert set(failure.errors) <= {"full_name", "password"}
        view = activation.open_invitation(shared.uow(), token)
        assert (view.full_name, view.password_set, view.furthest_step) == (FULL_NAME, True, activation.STEP_COMPANY)
    else:
        assert view.full_name == " ".join(full_name.split())


@PROPERTY
@given(company=text)
def test_company_name(shared: Portal, company: str) -> None:
    count("company name")
    token = shared.invite()
    shared.walk_to(token, activation.STEP_ACTIVATE, email=f"c{sum(TRIED.values())}@x.example")
    try:
        view = activation.save_company_properties(
            shared.uow(), token, revision=shared.revision(token), company_name=company
        )
    except ValidationFailed as failure:
        assert set(failure.errors) == {"company_name"}
        assert activation.open_invitation(shared.uow(), token).company_name == RESELLER
    else:
        assert view.company_name == " ".join(company.split())


@PROPERTY
@given(email=text, company=text, note=text, days=st.integers(min_value=-5, max_value=200))
def test_invitation_options(shared: Portal, email: str, company: str, note: str, days: int) -> None:
    count("invitation options")
    actor = distributor(shared)
    try:
        issued = distributor_invitations.invite(
            shared.uow(), actor, invitee_email=email, company_name=company, note_to_signee=note, expires_in_days=days
        )
    except ValidationFailed as failure:
        assert set(failure.errors) <= {"email", "company_name", "note_to_signee", "expires_in_days"}
    else:
        view = activation.open_invitation(shared.uow(), issued.token)
        assert view.note_to_signee == (note.strip() or None)


@PROPERTY
@given(
    search=text,
    status=st.one_of(st.none(), text, st.sampled_from(["pending", "expired"])),
    page=st.integers(min_value=-10, max_value=10**6),
)
def test_invitation_search(shared: Portal, search: str, status: str | None, page: int) -> None:
    count("search box and status filter")
    actor = distributor(shared)
    try:
        result = distributor_invitations.list_invitations(shared.uow(), actor, search=search, status=status, page=page)
    except ValidationFailed as failure:
        assert set(failure.errors) <= {"search", "status"}
    else:
        assert result.total >= 0


@PROPERTY
@given(agreement_text=text)
def test_agreement_text(shared: Portal, agreement_text: str) -> None:
    count("agreement text")
    actor = distributor(shared)
    [summary, *_] = agreements.list_agreements(shared.uow(), actor)
    before = summary.versions[0].version
    try:
        version = agreements.publish_version(shared.uow(), actor, summary.agreement_id, text=agreement_text)
    except ValidationFailed as failure:
        assert set(failure.errors) == {"text"}
        assert agreements.list_agreements(shared.uow(), actor)[0].versions[0].version == before
    else:
        assert version.text == agreement_text.strip()


@PROPERTY
@given(identifier=text)
def test_ids_in_urls(shared: Portal, identifier: str) -> None:
    count("IDs and tokens in URLs")
    actor = distributor(shared)
    for action in (
        lambda s: distributor_invitations.invitation_detail(s, actor, identifier),
        lambda s: distributor_invitations.revoke_invitation(s, actor, identifier),
        lambda s: partners.partner_detail(s, actor, identifier),
        lambda s: partners.terminate_contract(s, actor, identifier, reason="Ended in a test."),
        lambda s: activation.open_invitation(s, identifier, client_address=f"10.{sum(TRIED.values()) % 250}.0.1"),
        lambda s: partners.open_set_password_link(s, identifier, client_address="10.0.0.2"),
    ):
        try:
            action(shared.uow())
        except (NotFound, InvalidState, InvitationNotFound, SetPasswordLinkProblem):
            pass
        except Exception as error:
            from services.throttle import TooManyAttempts

            assert isinstance(error, TooManyAttempts), repr(error)


@PROPERTY
@given(email=text, password=text)
def test_sign_in_fields(shared: Portal, email: str, password: str) -> None:
    count("sign-in email and password")
    from services.accounts import authenticate
    from services.errors import AuthenticationFailed
    from services.throttle import TooManyAttempts

    try:
        authenticate(shared.uow(), email, password, client_address=f"10.9.{sum(TRIED.values()) % 250}.1")
    except (AuthenticationFailed, TooManyAttempts):
        pass
    except ValidationFailed as failure:  # an empty field: said next to it
        assert failure.errors and set(failure.errors) <= {"email", "password"}


@PROPERTY
@given(password=text)
def test_set_password_field(shared: Portal, password: str) -> None:
    count("set-password password")
    actor = distributor(shared)
    created = partners.create_reseller_account(
        shared.uow(),
        actor,
        legal_name="Fuzz Ltd",
        representative_name="F",
        representative_email=f"f{sum(TRIED.values())}@fuzz.example",
    )
    try:
        partners.set_password(shared.uow(), created.token, password=password, accepted=True)
    except ValidationFailed as failure:
        assert set(failure.errors) == {"password"}
        assert partners.open_set_password_link(shared.uow(), created.token).company_name == "Fuzz Ltd"


_actor: dict[str, SignedInUser] = {}


def distributor(portal: Portal) -> SignedInUser:
    if "actor" not in _actor:
        _actor["actor"] = portal.distributor_user(email="fuzz@distributor.example")
    return _actor["actor"]
