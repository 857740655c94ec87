"""The production password hasher is argon2id at OWASP's floor (the suite itself hashes
more cheaply, tests/conftest.py), and hashes made with other parameters still verify."""

from __future__ import annotations

from argon2 import PasswordHasher

from rapport.tenancy import passwords


def test_production_hashes_are_argon2id_at_owasps_floor():
    made = passwords.OWASP_FLOOR.hash("correct horse battery staple")
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.OWASP_FLOOR.verify(made, "correct horse battery staple")


def test_a_hash_of_other_parameters_verifies_and_a_wrong_password_does_not():
    stored = PasswordHasher(time_cost=3, memory_cost=32 * 1024, parallelism=1).hash("s3cret pass")
    assert passwords.verify_password(stored, "s3cret pass")
    assert not passwords.verify_password(stored, "s3cret pasS")
    assert not passwords.verify_password(None, "s3cret pass")
    assert not passwords.verify_password("not a hash", "s3cret pass")
