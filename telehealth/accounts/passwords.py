"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from telehealth.errors import ValidationFailed

_hasher = PasswordHasher()  # argon2id with the library's current parameters
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])
# A valid hash for timing-equalised checks of unknown accounts.
_DUMMY = _hasher.hash("dummy-password-for-timing")


def use_hasher(hasher: PasswordHasher) -> None:
    """Swap the hasher (the test suite uses argon2's cheapest profile to stay fast)."""
    global _hasher, _DUMMY
    _hasher = hasher
    _DUMMY = hasher.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password against its hash; unknown users cost the same time."""
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with older parameters."""
    return _hasher.check_needs_rehash(stored_hash)


def check_policy(password: str, *, min_length: int, email: str = "", name: str = "") -> None:
    """Refuse short, over-long, common or personal passwords with a clear message."""
    problems = []
    if len(password) < min_length:
        problems.append(f"must be at least {min_length} characters")
    if len(password) > 200:
        problems.append("must be at most 200 characters")
    lowered = password.lower()
    if lowered in _COMMON or lowered.rstrip("0123456789!") in _COMMON and len(lowered.rstrip("0123456789!")) >= 4:
        problems.append("is too common")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in lowered:
        problems.append("must not contain your e-mail address")
    if problems:
        raise ValidationFailed(
            "Password " + "; ".join(problems) + ".",
            code="weak_password",
            details=[{"field": "password", "problems": problems}],
        )
