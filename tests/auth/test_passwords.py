import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.auth import passwords
from commonground.auth.errors import AuthError


def test_hash_is_argon2id_and_verifies():
    h = passwords.hash_password("correct horse battery staple")
    assert h.startswith("$argon2id$")
    assert passwords.verify_password(h, "correct horse battery staple")
    assert not passwords.verify_password(h, "correct horse battery stapl")
    assert not passwords.needs_rehash(h)  # made with today's hasher


def test_production_costs_are_rfc_9106_low_memory():
    assert passwords.DEFAULT.type.name == "ID"
    assert (passwords.DEFAULT.time_cost, passwords.DEFAULT.memory_cost) == (3, 65536)
    h = passwords.DEFAULT.hash("correct horse battery staple")
    assert h.startswith("$argon2id$v=19$m=65536,t=3,")


def test_same_password_hashes_differently():
    a = passwords.hash_password("correct horse battery staple")
    b = passwords.hash_password("correct horse battery staple")
    assert a != b


@pytest.mark.parametrize("bad", ["", "short", "x" * 11])
def test_short_password_is_refused_with_the_rule(bad):
    with pytest.raises(AuthError, match=rf"at least 12 characters \(got {len(bad)}\)"):
        passwords.hash_password(bad)


def test_blank_and_huge_passwords_are_refused():
    with pytest.raises(AuthError, match="only spaces"):
        passwords.hash_password(" " * 20)
    with pytest.raises(AuthError, match="at most 1024"):
        passwords.hash_password("x" * 1025)


def test_missing_or_malformed_hash_never_verifies():
    assert not passwords.verify_password(None, "correct horse battery staple")
    assert not passwords.verify_password("not-a-hash", "correct horse battery staple")


def test_weaker_parameters_need_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("x" * 12)
    assert passwords.DEFAULT.check_needs_rehash(weak)
    assert passwords.needs_rehash(weak)
    assert passwords.verify_password(weak, "x" * 12)


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=12, max_size=40).filter(lambda s: s.strip()))
def test_any_valid_password_round_trips(pw):
    h = passwords.hash_password(pw)
    assert passwords.verify_password(h, pw)
    assert not passwords.verify_password(h, pw + "!")
