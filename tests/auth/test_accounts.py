import pytest
from sqlalchemy import func, select

from commonground.auth import accounts, audit
from commonground.auth.errors import AuthError
from commonground.auth.operator import OPERATOR
from commonground.auth.principal import Principal
from commonground.errors import NotFoundError
from commonground.store.models_accounts import Account, AuditEvent, Organisation, WebSession
from tests.auth_helpers import make_account


def _counts(store):
    with store.sessions() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (Account, Organisation, AuditEvent)
        )


def test_create_account_with_organisation_and_roles(store):
    with store.transaction() as s:
        accounts.create_organisation(
            s, OPERATOR, "uk-aisi", "UK AI Security Institute", "英国人工智能安全研究所"
        )
        account = accounts.create_account(
            s, OPERATOR, "alice", password="correct horse battery staple",
            roles=["editor", "reporter"], organisation_id="uk-aisi", display_name="Alice",
        )  # fmt: skip
    with store.sessions() as s:
        a = s.get(Account, account.id)
        assert (a.username, a.roles, a.organisation_id, a.display_name) == (
            "alice",
            "reporter editor",
            "uk-aisi",
            "Alice",
        )
        assert a.password_hash.startswith("$argon2id$")
        events = [(e.action, e.subject_type, e.subject_id, e.account_id)
                  for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]  # fmt: skip
    assert events == [
        ("organisation.create", "organisation", "uk-aisi", None),
        ("account.create", "account", str(account.id), None),
    ]
    principal = accounts.principal_of(a)
    assert principal.roles == frozenset({"reporter", "editor"}) and principal.scopes is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "al"}, "bad username 'al'"),
        ({"username": "Alice"}, "bad username 'Alice'"),
        ({"username": "a" * 81}, "3 to 80 characters"),
        ({"username": "bob smith"}, "bad username"),
        ({"username": "<script>"}, "bad username"),
        ({"username": "bob", "roles": ["god"]}, "unknown role.*god"),
        ({"username": "bob", "roles": []}, "at least one role"),
        ({"username": "bob", "password": "short"}, "at least 12 characters"),
        ({"username": "bob", "organisation_id": "nowhere"}, "no such organisation: nowhere"),
        ({"username": "bob", "email": "not-an-email"}, "bad email"),
        ({"username": "bob", "display_name": "x" * 201}, "display name too long"),
        ({"username": "taken"}, "username taken is taken"),
    ],
)
def test_bad_account_input_changes_nothing(store, kwargs, message):
    make_account(store, "taken")
    before = _counts(store)
    with pytest.raises(AuthError, match=message), store.transaction() as s:
        accounts.create_account(s, OPERATOR, **kwargs)
    assert _counts(store) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("UK AISI", "UK"), "bad organisation id"),
        (("x", "X"), "bad organisation id"),
        (("uk-aisi", "  "), "English name is required"),
        (("uk-aisi", "UK", None, "no-such-actor"), "no such actor: no-such-actor"),
        (("dup", "Again"), "organisation dup already exists"),
    ],
)
def test_bad_organisation_input_changes_nothing(store, args, message):
    with store.transaction() as s:
        accounts.create_organisation(s, OPERATOR, "dup", "Dup")
    before = _counts(store)
    with pytest.raises(AuthError, match=message), store.transaction() as s:
        accounts.create_organisation(s, OPERATOR, *args)
    assert _counts(store) == before


def test_set_roles_is_audited_with_before_and_after(store):
    alice = make_account(store, "alice")
    admin = make_account(store, "root", roles=("admin",))
    actor = Principal(account_id=admin, username="root", roles=frozenset({"admin"}))
    with store.transaction() as s:
        accounts.set_roles(s, actor, "alice", ["triager", "viewer"])
    with store.sessions() as s:
        assert s.get(Account, alice).roles == "viewer triager"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "account.roles"))
        assert (event.account_id, event.subject_id) == (admin, str(alice))
        assert event.detail == {"before": ["viewer"], "after": ["viewer", "triager"]}


def test_bad_roles_and_unknown_account_change_nothing(store):
    make_account(store, "alice")
    root = make_account(store, "root", roles=("admin",))
    actor = Principal(account_id=root, username="root", roles=frozenset({"admin"}))
    before = _counts(store)
    with pytest.raises(AuthError, match="unknown role"), store.transaction() as s:
        accounts.set_roles(s, actor, "alice", ["viewer", "superuser"])
    with pytest.raises(NotFoundError, match="no such account: ghost"), store.transaction() as s:
        accounts.set_roles(s, actor, "ghost", ["viewer"])
    with pytest.raises(AuthError, match="own admin role"), store.transaction() as s:
        accounts.set_roles(s, actor, "root", ["editor"])
    assert _counts(store) == before
    with store.sessions() as s:
        assert s.scalar(select(Account.roles).where(Account.username == "alice")) == "viewer"


def test_disable_ends_sessions_and_is_audited(store):
    alice = make_account(store, "alice")
    from commonground.auth import sessions

    with store.transaction() as s:
        sessions.create_session(s, alice)
    with store.transaction() as s:
        accounts.disable_account(s, OPERATOR, "alice")
    with store.sessions() as s:
        account = s.get(Account, alice)
        assert account.disabled_at is not None
        assert accounts.principal_of(account).authenticated is False
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
        assert audit.count_events(s, action="account.disable") == 1
    with pytest.raises(AuthError, match="already disabled"), store.transaction() as s:
        accounts.disable_account(s, OPERATOR, "alice")


def test_cannot_disable_oneself(store):
    root = make_account(store, "root", roles=("admin",))
    actor = Principal(account_id=root, username="root", roles=frozenset({"admin"}))
    with pytest.raises(AuthError, match="your own account"), store.transaction() as s:
        accounts.disable_account(s, actor, "root")


def test_audit_reader_pages_newest_first(store):
    for i in range(7):
        make_account(store, f"user{i}")
    with store.sessions() as s:
        assert audit.count_events(s) == 7
        first = audit.list_events(s, limit=3)
        rest = audit.list_events(s, limit=10, offset=3)
    assert [e.detail["username"] for e in first] == ["user6", "user5", "user4"]
    assert [e.detail["username"] for e in rest] == ["user3", "user2", "user1", "user0"]


def test_audit_record_rolls_back_with_its_transaction(store):
    with pytest.raises(RuntimeError), store.transaction() as s:
        audit.record(s, OPERATOR, "test.action", "thing", 1)
        raise RuntimeError("boom")
    with store.sessions() as s:
        assert audit.count_events(s) == 0
