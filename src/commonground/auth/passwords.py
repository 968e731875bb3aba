"""Password hashing: argon2id through argon2-cffi, with the library's default costs."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from commonground.auth.errors import AuthError

MIN_LENGTH = 12
# argon2 accepts any length; a cap stops a megabyte "password" costing a hash's memory.
MAX_LENGTH = 1024

DEFAULT = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, 64 MiB, p=4)
_hasher = DEFAULT
_dummies: dict[int, str] = {}


def set_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher for this process (tests use cheap costs; production never calls it)."""
    global _hasher
    _hasher = hasher


def _dummy() -> str:
    # A hash to verify against when there is none, made once per hasher.
    if id(_hasher) not in _dummies:
        _dummies[id(_hasher)] = _hasher.hash("x" * MIN_LENGTH)
    return _dummies[id(_hasher)]


def check_rules(password: str) -> None:
    """Raise :class:`AuthError` naming the rule a password breaks."""
    if len(password) < MIN_LENGTH:
        raise AuthError(
            f"password too short: at least {MIN_LENGTH} characters (got {len(password)})"
        )
    if len(password) > MAX_LENGTH:
        raise AuthError(f"password too long: at most {MAX_LENGTH} characters")
    if not password.strip():
        raise AuthError("password must not be only spaces")


def hash_password(password: str) -> str:
    check_rules(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; False for a mismatch, a malformed or missing hash."""
    if not password_hash or len(password) > MAX_LENGTH:
        # Spend the same work as a real check so timing does not tell whether
        # the account exists or has a password.
        _hasher.verify(_dummy(), "x" * MIN_LENGTH)
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
