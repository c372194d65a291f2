"""Security helpers in one place: URL tokens and password hashing (argon2id)."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

from passlib.context import CryptContext

TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG
PASSWORD_MAX_CHARACTERS = 128
MAX_PASSWORD_BYTES = 4 * PASSWORD_MAX_CHARACTERS  # what argon2id is given: NFKC-normalised UTF-8

# OWASP's argon2id minimum is m=19456 KiB, t=2, p=1; we use exactly that (about 45 ms on one core here).
_passwords = CryptContext(
    schemes=["argon2"],
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__rounds=2,
    argon2__parallelism=1,
)
_dummy_hash: str | None = None


def new_token() -> tuple[str, str]:
    """A fresh random URL token and the hash to store for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of a token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def text_sha256(text: str) -> str:
    """The SHA-256 (hex) of an agreement text, as recorded in acceptance evidence."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _prepare(password: str) -> bytes:
    """NFKC-normalised UTF-8 (the same bytes passlib would hash for a str); never fails on odd input."""
    return unicodedata.normalize("NFKC", password).encode("utf-8", "surrogatepass")


def password_fits(password: str) -> bool:
    """The one size rule for a password, applied alike where one is set (:func:`services.rules.check_password`)
    and where one is checked (:func:`verify_password`): at most 128 characters, and at most 512 bytes once
    NFKC-normalised (a few characters, like U+FDFA, normalise to 18 characters each)."""
    return len(password) <= PASSWORD_MAX_CHARACTERS and len(_prepare(password)) <= MAX_PASSWORD_BYTES


def _hash(prepared: bytes) -> str:
    return str(_passwords.hash(prepared))  # passlib is untyped: its hash is a str


def hash_password(password: str) -> str:
    """Hash a password with argon2id. CPU-heavy (~30-45 ms): never call it on the event loop (the server runs
    services in worker processes, see :mod:`services.workers`)."""
    return _hash(_prepare(password))


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password against a stored hash. With no hash, a dummy one is checked so that the answer
    takes as long as for a real user (no user enumeration by timing). A password that breaks the size rule
    (:func:`password_fits`) costs the same and never matches: none could have been set."""
    global _dummy_hash
    prepared = _prepare(password)
    if not password_fits(password):
        prepared, password_hash = b"oversized", None
    if password_hash is None:
        if _dummy_hash is None:
            _dummy_hash = hash_password(secrets.token_urlsafe(24))
        _passwords.verify(prepared, _dummy_hash)
        return False
    try:
        return bool(_passwords.verify(prepared, password_hash))  # passlib is untyped: a bool
    except (ValueError, TypeError):
        return False


def new_password(length: int = 20) -> str:
    """A random password that satisfies the password policy."""
    return secrets.token_urlsafe(length)[:length] + "x"
