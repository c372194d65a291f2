"""Field rules for what a reseller or distributor types. Each returns the cleaned value or raises
:class:`~services.errors.ValidationFailed` naming the field."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from email_validator import EmailNotValidError, validate_email

from services.errors import ValidationFailed
from services.security import PASSWORD_MAX_CHARACTERS, password_fits

NAME_MAX = 200
PASSWORD_MIN = 15
PASSWORD_MAX = PASSWORD_MAX_CHARACTERS
EMAIL_MAX = 254
NOTE_MAX = 2000

# Legal entity types, written in lower case without dots. A name qualifies when it ends with one of them
# ("Acme Inc.", "ACME INC", "Acme GmbH & Co. KG", "Acme Pty Ltd"), or, for the forms written first, starts
# with one ("AB Volvo", "OOO Romashka"). Dots and commas are ignored, case too.
LEGAL_ENTITY_SUFFIXES: frozenset[str] = frozenset(
    {
        "inc",
        "incorporated",
        "llc",
        "l l c",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "llp",
        "lp",
        "l p",
        "pllc",
        "pc",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "e v",
        "ev",
        "gbr",
        "sa",
        "s a",
        "sas",
        "s a s",
        "sarl",
        "s a r l",
        "sasu",
        "sca",
        "sl",
        "s l",
        "sll",
        "slu",
        "spa",
        "s p a",
        "srl",
        "s r l",
        "sapa",
        "bv",
        "b v",
        "nv",
        "n v",
        "vof",
        "cv",
        "ab",
        "as",
        "a s",
        "asa",
        "aps",
        "a/s",
        "oy",
        "oyj",
        "pty",
        "pty ltd",
        "pte ltd",
        "pvt ltd",
        "sdn bhd",
        "bhd",
        "kk",
        "k k",
        "gk",
        "sp z oo",
        "sp z o o",
        "sro",
        "s r o",
        "zrt",
        "kft",
        "nyrt",
        "doo",
        "d o o",
        "ad",
        "ead",
        "ood",
        "sc",
        "scs",
        "se",
        "lda",
        "ltda",
        "sa de cv",
        "s a de c v",
        "eirl",
        "cic",
        "cio",
        "ulc",
        "lc",
        "ltée",
        "ltee",
        "ag & co kg",
    }
)
LEGAL_ENTITY_PREFIXES: frozenset[str] = frozenset({"ab", "pt", "ooo", "oao", "zao", "pao", "kk", "cv"})
_SUFFIX_PATTERN = re.compile(
    r"\s(" + "|".join(sorted(map(re.escape, LEGAL_ENTITY_SUFFIXES), key=len, reverse=True)) + r")$"
)
_PREFIX_PATTERN = re.compile(
    r"^(" + "|".join(sorted(map(re.escape, LEGAL_ENTITY_PREFIXES), key=len, reverse=True)) + r")\s\S"
)
ACCEPTANCE_REQUIRED = "Tick the box to confirm you have read and accepted the agreement."
COMPANY_EXAMPLES = "Champions Corp, Acme Inc., Widgets LLC, Müller GmbH, Contoso Ltd"


# Characters that change how text around them is displayed (bidi embeddings, overrides and isolates, marks) or
# that a terminal obeys (ESC, CR, ...): refused wherever text is typed, so that names, notes and titles read the
# same on every screen and cannot rewrite an operator's terminal. ZWJ and ZWNJ stay: Persian, Indic and emoji
# spellings need them.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
JOINERS = frozenset("\u200c\u200d")


def text_value(raw: object, field: str) -> str:
    """``raw`` as text: ``None`` is empty; anything but a string (a browser can send a number, a list or an
    object for any field) is a field error, never an exception deeper down."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationFailed({field: "This field takes text; please retype it."})
    return raw


def hidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` that must not be stored (a control, bidi or invisible formatting
    character; line breaks and tabs only in multi-line text), or ``None``."""
    for index, ch in enumerate(value):
        if multiline and (ch in "\n\t" or (ch == "\r" and value[index + 1 : index + 2] == "\n")):
            continue
        if ch in JOINERS:
            continue
        if ch in BIDI_CONTROLS or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}:
            return ch
    return None


def refuse_hidden_characters(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or :class:`ValidationFailed` naming the first refused character."""
    found = hidden_character(value, multiline=multiline)
    if found is not None:
        raise ValidationFailed(
            {field: f"This text contains a control or invisible character (U+{ord(found):04X}); please remove it."}
        )
    return value


def is_storable(value: str) -> bool:
    """Whether a string is valid Unicode that UTF-8 can store (a lone surrogate, which a browser can send
    as a JSON escape, is not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def require_storable(value: str, field: str) -> str:
    """``value`` unchanged, or :class:`ValidationFailed` for text that cannot be stored."""
    if not is_storable(value):
        raise ValidationFailed({field: "This text contains characters that are not valid; please retype it."})
    return value


def _has_control_characters(value: str) -> bool:
    return hidden_character(value) is not None


def _single_spaced(value: str) -> str:
    return " ".join(value.split())


def clean_email(raw: str | None, field: str = "email", *, missing: str = "Enter your email address.") -> str:
    """A syntactically valid email (no DNS look-up), normalised and lower-cased. ``missing``: what to say when
    it is empty (whose email it is)."""
    value = require_storable(text_value(raw, field).strip(), field)
    if not value:
        raise ValidationFailed({field: missing})
    refuse_hidden_characters(value, field)
    if len(value) > EMAIL_MAX:
        raise ValidationFailed({field: f"An email address has at most {EMAIL_MAX} characters."})
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationFailed({field: "Enter a valid email address, like name@company.com."}) from None
    return result.normalized.lower()


def clean_full_name(raw: str | None, *, missing: str = "Enter your full name.") -> str:
    """A person's full name: required, single-spaced, at most 200 characters, no control characters. ``missing``:
    what to say when it is empty (whose name it is)."""
    raw_value = require_storable(text_value(raw, "full_name"), "full_name")
    if _has_control_characters(raw_value.strip(" ")):  # before spacing, which would turn a line break into a space
        raise ValidationFailed({"full_name": "A full name cannot contain control or invisible characters."})
    value = _single_spaced(raw_value)
    if not value:
        raise ValidationFailed({"full_name": missing})
    if len(value) > NAME_MAX:
        raise ValidationFailed({"full_name": f"A full name has at most {NAME_MAX} characters."})
    return value


def load_common_passwords() -> None:
    """Load the common-password list now (about 80 ms), so that the first password checked does not wait."""
    _common_passwords()


@cache
def _common_passwords() -> frozenset[str]:
    """30,000 common passwords (from the zxcvbn package's frequency lists), lower-cased."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def check_password(password: str | None, email: str | None) -> str:
    """A password per NIST SP 800-63B: 15 to 128 characters, no composition rules, not a common password
    and not containing the email's local part. Returns it unchanged."""
    value = require_storable(text_value(password, "password"), "password")
    if not value:
        raise ValidationFailed({"password": "Enter a password."})
    if "\x00" in value:
        raise ValidationFailed({"password": "A password cannot contain a null character."})
    if len(value) < PASSWORD_MIN:
        raise ValidationFailed({"password": f"Use at least {PASSWORD_MIN} characters; a short sentence works well."})
    if len(value) > PASSWORD_MAX:
        raise ValidationFailed({"password": f"Use at most {PASSWORD_MAX} characters; this one has {len(value)}."})
    if not password_fits(value):
        raise ValidationFailed(
            {"password": "This password is too long once its special characters are spelled out; use fewer of them."}
        )
    lowered = value.lower()
    if lowered in _common_passwords() or lowered.strip() in _common_passwords():
        raise ValidationFailed({"password": "This password is too common; choose another."})
    local_part = (email or "").split("@", 1)[0].split("+", 1)[0].lower()
    if len(local_part) >= 3 and local_part in lowered:
        raise ValidationFailed({"password": "The password must not contain your email address."})
    return value


def clean_company_name(raw: str | None, *, missing: str = "Enter your company's legal name.") -> str:
    """A legal entity name that includes its entity type (Inc., LLC, GmbH, Ltd, S.A., ...). ``missing``: what to
    say when it is empty (whose company it is)."""
    raw_value = require_storable(text_value(raw, "company_name"), "company_name")
    if _has_control_characters(raw_value.strip(" ")):
        raise ValidationFailed({"company_name": "A company name cannot contain control or invisible characters."})
    value = _single_spaced(raw_value)
    if not value:
        raise ValidationFailed({"company_name": missing})
    if len(value) > NAME_MAX:
        raise ValidationFailed({"company_name": f"A company name has at most {NAME_MAX} characters."})
    if not has_legal_entity_type(value):
        raise ValidationFailed(
            {
                "company_name": f"Include the legal entity type, for example: {COMPANY_EXAMPLES}.",
            }
        )
    return value


def has_legal_entity_type(name: str) -> bool:
    """Whether a company name names its legal entity type (case-insensitive, dots optional)."""
    simplified = _single_spaced(re.sub(r"\([^)]*\)\s*$", "", name.lower()).replace(".", " ").replace(",", " "))
    return bool(_SUFFIX_PATTERN.search(simplified) or _PREFIX_PATTERN.search(simplified))


def clean_optional_text(raw: object, field: str, limit: int, *, multiline: bool = False) -> str | None:
    """Optional free text (a note, a pre-filled name): trimmed, ``None`` when empty, at most ``limit``, no control
    or invisible characters (line breaks and tabs allowed in ``multiline`` text such as a note)."""
    value = require_storable(text_value(raw, field).strip(), field)
    if not value:
        return None
    if len(value) > limit:
        raise ValidationFailed({field: f"At most {limit} characters."})
    return refuse_hidden_characters(value, field, multiline=multiline)
