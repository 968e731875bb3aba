import datetime as dt

from sqlalchemy import func, select

from commonground.auth import sessions
from commonground.store.models_accounts import WebSession
from tests.auth_helpers import make_account

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_session_stores_only_the_hash_and_expires(store):
    alice = make_account(store, "alice")
    with store.transaction() as s:
        raw, row = sessions.create_session(s, alice, now=T0)
    with store.sessions() as s:
        stored = s.scalar(select(WebSession))
        assert stored.id_hash != raw and len(stored.id_hash) == 64
        assert len(stored.csrf_token) >= 40
        assert sessions.find_session(s, raw, now=T0 + dt.timedelta(hours=11)).account_id == alice
        assert sessions.find_session(s, raw, now=T0 + sessions.LIFETIME) is None
        assert sessions.find_session(s, raw[:-1], now=T0) is None
        assert sessions.find_session(s, None, now=T0) is None


def test_end_session_deletes_the_row(store):
    alice = make_account(store, "alice")
    with store.transaction() as s:
        raw, _ = sessions.create_session(s, alice, now=T0)
        other, _ = sessions.create_session(s, alice, now=T0)
    with store.transaction() as s:
        assert sessions.end_session(s, raw)
        assert not sessions.end_session(s, raw)
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
        assert sessions.find_session(s, other, now=T0) is not None


def test_expired_sessions_are_cleared_when_new_ones_start(store):
    alice = make_account(store, "alice")
    with store.transaction() as s:
        sessions.create_session(s, alice, now=T0)
    with store.transaction() as s:
        sessions.create_session(s, alice, now=T0 + dt.timedelta(hours=13))
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 1
