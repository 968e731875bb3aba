import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from commonground.auth import tokens
from commonground.auth.errors import AuthError
from commonground.auth.operator import OPERATOR
from commonground.auth.principal import Principal
from commonground.errors import NotFoundError
from commonground.store.models_accounts import ApiToken, AuditEvent
from tests.auth_helpers import make_account

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def _account(session, username):
    from commonground.auth.accounts import get_account

    return get_account(session, username)


def _count(store, model):
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_token_format_and_only_hash_stored(store):
    make_account(store, "alice")
    with store.transaction() as s:
        row, raw = tokens.create_token(s, OPERATOR, _account(s, "alice"), "ci", ["write", "read"])
    prefix = raw.split("_")[1]
    assert raw.startswith(f"cg_{prefix}_") and len(prefix) == 12
    with store.sessions() as s:
        stored = s.get(ApiToken, row.id)
        assert stored.prefix == prefix
        assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert raw not in (stored.token_hash, stored.prefix, stored.name)
        assert stored.scopes == "read write"
        found = tokens.find_token(s, raw)
        assert found is not None and found.id == row.id


def test_wrong_or_malformed_tokens_find_nothing(store):
    make_account(store, "alice")
    with store.transaction() as s:
        _, raw = tokens.create_token(s, OPERATOR, _account(s, "alice"), "ci", ["read"])
    prefix, secret = raw.split("_", 2)[1:]
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    with store.sessions() as s:
        assert tokens.find_token(s, f"cg_{prefix}_{flipped}") is None
        assert tokens.find_token(s, "cg_000000000000_" + secret) is None
        assert tokens.find_token(s, "") is None
        assert tokens.find_token(s, raw + "x") is None
        assert tokens.find_token(s, "Bearer " + raw) is None


def test_expired_token_is_dead(store):
    make_account(store, "alice")
    with store.transaction() as s:
        row, raw = tokens.create_token(
            s, OPERATOR, _account(s, "alice"), "ci", "read", expires_in_days=1, now=T0
        )
    with store.sessions() as s:
        assert tokens.find_token(s, raw, now=T0 + dt.timedelta(hours=23)) is not None
        assert tokens.find_token(s, raw, now=T0 + dt.timedelta(days=1)) is None


def test_revoke_and_audit(store):
    alice = make_account(store, "alice")
    with store.transaction() as s:
        row, raw = tokens.create_token(s, OPERATOR, _account(s, "alice"), "ci", ["read"])
    owner = Principal(account_id=alice, username="alice", roles=frozenset({"viewer"}))
    with store.transaction() as s:
        tokens.revoke_token(s, owner, row.id)
    with store.sessions() as s:
        assert tokens.find_token(s, raw) is None
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["account.create", "token.create", "token.revoke"]
    with pytest.raises(AuthError, match="already revoked"), store.transaction() as s:
        tokens.revoke_token(s, owner, row.id)


def test_someone_elses_token_cannot_be_revoked(store):
    make_account(store, "alice")
    bob = make_account(store, "bob", roles=("editor",))
    with store.transaction() as s:
        row, raw = tokens.create_token(s, OPERATOR, _account(s, "alice"), "ci", ["read"])
    before = _count(store, AuditEvent)
    bob_p = Principal(account_id=bob, username="bob", roles=frozenset({"editor"}))
    with pytest.raises(NotFoundError), store.transaction() as s:
        tokens.revoke_token(s, bob_p, row.id)
    with store.sessions() as s:
        assert tokens.find_token(s, raw) is not None
    assert _count(store, AuditEvent) == before


@pytest.mark.parametrize(
    ("name", "scopes", "days", "message"),
    [
        ("", ["read"], None, "needs a name"),
        ("x" * 121, ["read"], None, "too long"),
        ("ci", [], None, "at least one scope"),
        ("ci", ["read", "root"], None, "unknown scope.*root"),
        ("ci", ["read"], 0, "expiry must be 1 to 366"),
        ("ci", ["read"], 367, "expiry must be 1 to 366"),
    ],
)
def test_bad_token_input_changes_nothing(store, name, scopes, days, message):
    make_account(store, "alice")
    before = (_count(store, ApiToken), _count(store, AuditEvent))
    with pytest.raises(AuthError, match=message), store.transaction() as s:
        tokens.create_token(s, OPERATOR, _account(s, "alice"), name, scopes, expires_in_days=days)
    assert (_count(store, ApiToken), _count(store, AuditEvent)) == before


def test_a_token_cannot_mint_a_wider_token(store):
    alice = make_account(store, "alice", roles=("admin",))
    via_token = Principal(
        account_id=alice, username="alice", roles=frozenset({"admin"}),
        scopes=frozenset({"read", "write"}),
    )  # fmt: skip
    with pytest.raises(AuthError, match="does not hold: admin"), store.transaction() as s:
        tokens.create_token(s, via_token, _account(s, "alice"), "x", ["read", "admin"])
    with store.transaction() as s:
        row, _ = tokens.create_token(s, via_token, _account(s, "alice"), "x", ["read"])
    assert row.scopes == "read"


def test_many_tokens_have_distinct_prefixes(store):
    make_account(store, "alice")
    with store.transaction() as s:
        account = _account(s, "alice")
        raws = [tokens.create_token(s, OPERATOR, account, f"t{i}", ["read"])[1] for i in range(20)]
    assert len({r.split("_")[1] for r in raws}) == 20
    with store.sessions() as s:
        assert all(tokens.find_token(s, r) is not None for r in raws)


def test_no_random_string_is_a_token(store):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    make_account(store, "alice")
    with store.transaction() as s:
        _, raw = tokens.create_token(s, OPERATOR, _account(s, "alice"), "ci", ["read"])
    prefix = raw.split("_")[1]

    @settings(max_examples=60, deadline=None)
    @given(st.one_of(st.text(max_size=80), st.text(max_size=43).map(lambda t: f"cg_{prefix}_{t}")))
    def check(candidate):
        with store.sessions() as s:
            found = tokens.find_token(s, candidate)
        assert (found is not None) == (candidate == raw)

    check()
