"""Password hashing (argon2id) and the strength rule for new passwords."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rapport.fieldtypes import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH

MIN_LENGTH = PASSWORD_MIN_LENGTH
MAX_LENGTH = PASSWORD_MAX_LENGTH  # long passphrases welcome; the cap only bounds hashing work

# OWASP's argon2id floor: m=19 MiB, t=2, p=1.
OWASP_FLOOR = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# The hasher in use. Only the test suite puts another here (the same argon2id at its
# cheapest parameters, tests/conftest.py); a stored hash names its own parameters, so
# verifying works whichever hasher made it.
_hasher = OWASP_FLOOR
# Verified against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("rapport-timing-equaliser")


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if password.lower() in _common_passwords():
        return "is too common; choose a less guessable password"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish cost whether or not the user (or their hash) exists."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
