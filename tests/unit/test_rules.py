"""Field rules: email, full name, password policy, company legal name."""

from __future__ import annotations

from typing import Any

import pytest

from portal_testing.factories import Portal
from services.errors import ValidationFailed
from services.rules import (
    check_password,
    clean_company_name,
    clean_email,
    clean_full_name,
    has_legal_entity_type,
)


def error_of(call, *args: object) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as failure:
        call(*args)
    return failure.value.errors


def test_email_is_normalised_and_lower_cased() -> None:
    assert clean_email("  Jane.Doe@Champions.EXAMPLE ") == "jane.doe@champions.example"


@pytest.mark.parametrize("bad", ["", "   ", "jane", "jane@", "@champions.example", "jane doe@x.com", "a@b@c.com"])
def test_email_syntax_errors_name_the_email_field(bad: str) -> None:
    assert "email" in error_of(clean_email, bad)


def test_email_too_long() -> None:
    assert "at most" in error_of(clean_email, "a" * 250 + "@x.com")["email"]


def test_full_name_is_trimmed_and_single_spaced() -> None:
    assert clean_full_name("  Jane   Doe ") == "Jane Doe"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("", "Enter"),
        ("   ", "Enter"),
        ("J" * 201, "at most 200"),
        ("Jane\x00Doe", "control"),
        ("Jane\u202eDoe", "control"),
    ],
)
def test_full_name_errors(bad: str, words: str) -> None:
    assert words in error_of(clean_full_name, bad)["full_name"]


def test_full_name_of_exactly_200_characters_is_accepted() -> None:
    assert len(clean_full_name("J" * 200)) == 200


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("", "Enter a password"),
        ("short but sweet", None),  # exactly 15 characters: accepted
        ("fourteen chars", "at least 15"),
        ("x" * 129, "at most 128"),
        ("123456789Qwerty", "too common"),  # in the common-password list, in any case
        ("PASSWORD1234567890"[:15], None),
        ("my jane.doe password!", "email"),
        ("null\x00byte password here", "null"),
    ],
)
def test_password_policy(password: str, words: str | None) -> None:
    if words is None:
        assert check_password(password, "jane.doe@champions.example") == password
    else:
        assert words in error_of(check_password, password, "jane.doe@champions.example")["password"]


def test_password_of_128_characters_is_accepted() -> None:
    assert check_password("a1b2" * 32, None)


def test_common_password_list_is_large() -> None:
    from services.rules import _common_passwords

    assert len(_common_passwords()) >= 10_000


def test_no_composition_rules() -> None:
    assert check_password("all lower case words here", "x@y.com")


@pytest.mark.parametrize(
    "name",
    [
        "Champions Corp",
        "Champions Corp.",
        "Acme Inc.",
        "ACME INC",
        "Widgets LLC",
        "Widgets L.L.C.",
        "Müller GmbH",
        "Contoso Ltd",
        "Contoso Ltd.",
        "Contoso Limited",
        "Banco S.A.",
        "Banco SA",
        "Dutch B.V.",
        "Swiss AG",
        "British PLC",
        "Aussie Pty Ltd",
        "Pasta S.r.l.",
        "Pasta SRL",
        "Acme GmbH & Co. KG",
        "AB Volvo",
        "Contoso Ltd (UK)",
        "The Boeing Company",
    ],
)
def test_legal_entity_types_are_recognised(name: str) -> None:
    assert has_legal_entity_type(name)
    assert clean_company_name(f"  {name}  ") == name


@pytest.mark.parametrize("name", ["Champions", "Incognito Partners", "Acme Ltdx", "Inc", "Software as a service"])
def test_names_without_entity_type_are_rejected_with_examples(name: str) -> None:
    message = error_of(clean_company_name, name)["company_name"]
    assert "legal entity type" in message
    assert "Inc." in message and "LLC" in message


@pytest.mark.parametrize(("bad", "words"), [("", "Enter"), ("  ", "Enter"), ("A" * 197 + " Inc", "at most 200")])
def test_company_name_errors(bad: str, words: str) -> None:
    assert words in error_of(clean_company_name, bad)["company_name"]


HIDDEN = ["\x1b[31m", "\u202e", "\u2066", "\u200f", "\r", "\n", "\x07", "\u2028", "\ufeff", "\u00ad"]


@pytest.mark.parametrize("hidden", HIDDEN)
def test_control_and_bidi_characters_are_refused_in_every_typed_name_note_and_title(
    portal: Portal, hidden: str
) -> None:
    from services.activation.invitations import InvitationTerms
    from services.distributor import agreements
    from services.distributor import invitations as distributor_invitations
    from services.distributor.agreements import clean_agreement_title, clean_distributor_name
    from services.rules import clean_company_name, clean_email, clean_full_name

    for clean, value in (
        (clean_full_name, f"Jane{hidden}Doe"),
        (clean_company_name, f"Acme{hidden} Inc"),
        (clean_agreement_title, f"Terms{hidden}"),
        (clean_distributor_name, f"Mick{hidden} LLC"),
        (clean_email, f"jane{hidden}@example.com"),
    ):
        with pytest.raises(ValidationFailed):
            clean(value)
    for field, value in (("company_name", f"Acme{hidden} Inc"), ("note_to_signee", f"Hello{hidden}there")):
        if field == "note_to_signee" and hidden == "\n":
            continue  # a note has several lines
        terms: dict[str, Any] = {
            "invitee_email": None,
            "company_name": None,
            "note_to_signee": None,
            "expires_in_days": 14,
        }
        with pytest.raises(ValidationFailed) as failure:
            InvitationTerms.clean(**{**terms, field: value})
        assert field in failure.value.errors
    if hidden not in "\n\r":
        with pytest.raises(ValidationFailed):
            agreements.clean_agreement_text(f"# Terms\n\nThe reseller{hidden} agrees.")
    assert distributor_invitations  # imported for the service, not only its rules


@pytest.mark.parametrize(
    "name",
    ["Zoë Ångström", "محمد‌رضا", "क्‍ष Sharma", "李小龍", "Siobhán Ó Súilleabháin", "Анна-Мария", "👩‍💻 Dev"],
)
def test_legitimate_unicode_names_are_kept(name: str) -> None:
    from services.rules import clean_full_name

    assert clean_full_name(name) == name


def test_multi_line_text_keeps_its_line_breaks_and_tabs() -> None:
    from services.activation.invitations import clean_note

    assert clean_note("Hello,\r\n\tthere\nand bye") == "Hello,\r\n\tthere\nand bye"
    with pytest.raises(ValidationFailed):
        clean_note("a lone\rcarriage return")


@pytest.mark.parametrize("length", [129, 156, 500])
def test_a_password_longer_than_the_rule_is_refused_not_truncated(length: int) -> None:
    with pytest.raises(ValidationFailed, match=f"at most 128 characters; this one has {length}"):
        check_password(("a long passphrase of words " * 20)[:length], None)


def test_one_size_rule_where_a_password_is_set_and_where_it_is_checked() -> None:
    """16 characters that NFKC expands past 512 bytes could be set but never verified; now they cannot be set."""
    from services.security import hash_password, password_fits, verify_password

    expanding = "\ufdfa" * 16  # each normalises to 18 characters, 33 bytes
    assert not password_fits(expanding)
    with pytest.raises(ValidationFailed, match="too long once"):
        check_password(expanding, None)
    longest = "a quite long passphrase " * 5 + "x" * 8  # exactly 128 characters
    assert len(longest) == 128 and check_password(longest, None) == longest
    assert verify_password(longest, hash_password(longest))
    assert not verify_password(longest + "y", hash_password(longest + "y"))  # 129: never matches
