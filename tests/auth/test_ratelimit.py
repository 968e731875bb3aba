import datetime as dt

import pytest
from sqlalchemy import func, select

from commonground.auth import accounts, ratelimit
from commonground.auth.errors import LoginFailed, LoginLocked
from commonground.store.models_accounts import AuditEvent
from tests.auth_helpers import PASSWORD, make_account

# The start of a window, so that every step below stays inside it.
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
assert ratelimit.window_start(T0) == T0


def _fail(store, username, address="10.0.0.1", now=T0):
    with pytest.raises(LoginFailed):
        accounts.authenticate(store, username, "wrong password!!", address=address, now=now)


def test_locks_after_max_failures_until_window_end(store):
    make_account(store, "alice")
    for _ in range(ratelimit.MAX_FAILURES):
        _fail(store, "alice")
    with pytest.raises(LoginLocked) as info:
        accounts.authenticate(store, "alice", PASSWORD, address="10.0.0.9", now=T0)
    assert info.value.until == T0 + ratelimit.WINDOW
    # Still locked one second before the window ends, even with the right password.
    with pytest.raises(LoginLocked):
        accounts.authenticate(
            store,
            "alice",
            PASSWORD,
            address="10.0.0.9",
            now=T0 + ratelimit.WINDOW - dt.timedelta(seconds=1),
        )
    principal, raw, csrf = accounts.authenticate(
        store, "alice", PASSWORD, address="10.0.0.9", now=T0 + ratelimit.WINDOW
    )
    assert principal.username == "alice" and raw and csrf


def test_four_failures_do_not_lock(store):
    make_account(store, "alice")
    for _ in range(ratelimit.MAX_FAILURES - 1):
        _fail(store, "alice")
    principal, _, _ = accounts.authenticate(store, "alice", PASSWORD, address="10.0.0.1", now=T0)
    assert principal.authenticated


def test_per_address_key_locks_every_username(store):
    make_account(store, "alice")
    make_account(store, "bob")
    for name in ("u1", "u2", "u3", "u4", "u5"):  # spraying unknown names from one address
        _fail(store, name, address="192.0.2.7")
    with pytest.raises(LoginLocked):
        accounts.authenticate(store, "bob", PASSWORD, address="192.0.2.7", now=T0)
    principal, _, _ = accounts.authenticate(store, "bob", PASSWORD, address="192.0.2.8", now=T0)
    assert principal.username == "bob"


def test_per_username_key_holds_across_addresses(store):
    make_account(store, "alice")
    for i in range(ratelimit.MAX_FAILURES):
        _fail(store, "alice", address=f"198.51.100.{i}")
    with pytest.raises(LoginLocked):
        accounts.authenticate(store, "alice", PASSWORD, address="198.51.100.200", now=T0)


def test_success_does_not_reset_other_keys(store):
    make_account(store, "alice")
    make_account(store, "mallory")
    for _ in range(3):
        _fail(store, "alice", address="203.0.113.5")
    accounts.authenticate(store, "mallory", PASSWORD, address="203.0.113.5", now=T0)
    with store.sessions() as s:
        assert ratelimit.failures(s, "user:alice", T0) == 3
        assert ratelimit.failures(s, "addr:203.0.113.5", T0) == 3


def test_locked_message_does_not_depend_on_the_username_existing(store):
    make_account(store, "alice")
    for name in ("alice", "nobody-here"):
        for _ in range(ratelimit.MAX_FAILURES):
            _fail(store, name, address=None)
    messages = []
    for name in ("alice", "nobody-here"):
        with pytest.raises(LoginLocked) as info:
            accounts.authenticate(store, name, PASSWORD, now=T0)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_failures_and_successes_are_audited(store):
    alice = make_account(store, "alice")
    _fail(store, "alice")
    _fail(store, "ghost")
    accounts.authenticate(store, "alice", PASSWORD, address="10.0.0.1", now=T0)
    with store.sessions() as s:
        rows = s.execute(
            select(AuditEvent.action, AuditEvent.subject_id, AuditEvent.account_id)
            .where(AuditEvent.action.like("login.%"))
            .order_by(AuditEvent.id)
        ).all()
        failures = s.scalar(select(func.count()).where(AuditEvent.action == "login.failure"))
    assert [tuple(r) for r in rows] == [
        ("login.failure", str(alice), None),
        ("login.failure", "-", None),
        ("login.success", str(alice), alice),
    ]
    assert failures == 2


def test_disabled_account_cannot_sign_in(store):
    make_account(store, "alice")
    make_account(store, "root", roles=("admin",))
    from commonground.auth.operator import OPERATOR

    with store.transaction() as s:
        accounts.disable_account(s, OPERATOR, "alice")
    with pytest.raises(LoginFailed):
        accounts.authenticate(store, "alice", PASSWORD, now=T0)


def test_window_start_is_fixed():
    inside = T0 + dt.timedelta(minutes=14, seconds=59)
    assert ratelimit.window_start(inside) == T0
    assert ratelimit.window_start(T0 + ratelimit.WINDOW) == T0 + ratelimit.WINDOW


def test_concurrent_failures_are_all_counted(store):
    """Workers failing at once each add one: the count is an atomic upsert."""
    from concurrent.futures import ThreadPoolExecutor

    def fail(_):
        with store.transaction() as s:
            ratelimit.record_failure(s, ["user:alice", "addr:10.9.9.9"], T0)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(fail, range(12)))
    with store.sessions() as s:
        assert ratelimit.failures(s, "user:alice", T0) == 12
        assert ratelimit.failures(s, "addr:10.9.9.9", T0) == 12
        assert ratelimit.locked_until(s, ["user:alice"], T0) == T0 + ratelimit.WINDOW
