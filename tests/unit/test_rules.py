"""Field rules: email, full name, password policy, company legal name."""

from __future__ import annotations

import pytest

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
