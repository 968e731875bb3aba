"""`commonground users …`: accounts, roles, tokens and organisations from the command line."""

import subprocess
import sys

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from commonground.auth import tokens
from commonground.auth.errors import AuthError
from commonground.cli import app
from commonground.errors import NotFoundError
from commonground.store.models_accounts import Account, ApiToken, AuditEvent, Organisation
from tests.auth_helpers import PASSWORD

runner = CliRunner()


def _run(database_url, *args, input=None):
    return runner.invoke(app, [*args, "--database-url", database_url], input=input)


def _state(store):
    with store.sessions() as s:
        return (
            [(a.username, a.roles, a.disabled_at is None) for a in s.scalars(select(Account))],
            list(s.scalars(select(Organisation.id))),
            [(t.id, t.revoked_at is None) for t in s.scalars(select(ApiToken))],
            s.scalar(select(func.count()).select_from(AuditEvent)),
        )


def test_org_account_roles_token_revoke_disable(database_url, store):
    r = _run(database_url, "users", "org", "add", "uk-aisi", "--name-en", "UK AI Security Institute",
             "--name-zh", "英国人工智能安全研究所")  # fmt: skip
    assert r.exit_code == 0, r.output
    r = _run(database_url, "users", "add", "alice", "--role", "editor", "--role", "reporter",
             "--org", "uk-aisi", "--password-stdin", input=PASSWORD + "\n")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "created account alice (id 1): reporter editor" in r.output
    with store.sessions() as s:
        account = s.scalar(select(Account))
        assert account.password_hash.startswith("$argon2id$")
        assert account.organisation_id == "uk-aisi"

    r = _run(database_url, "users", "roles", "alice", "triager", "viewer")
    assert r.exit_code == 0 and "alice: viewer triager" in r.output

    r = _run(database_url, "users", "token", "alice", "--scope", "read", "--scope", "triage",
             "--name", "ci")  # fmt: skip
    assert r.exit_code == 0, r.output
    raw = r.stdout.strip().splitlines()[0]
    with store.sessions() as s:
        token = tokens.find_token(s, raw)
        assert token is not None and token.scopes == "read triage"
        token_id = token.id

    r = _run(database_url, "users", "list")
    assert (
        r.exit_code == 0 and "alice" in r.output and f"{token_id}:{raw.split('_')[1]}" in r.output
    )
    assert raw not in r.output

    r = _run(database_url, "users", "revoke", str(token_id))
    assert r.exit_code == 0 and f"revoked token {token_id}" in r.output
    with store.sessions() as s:
        assert tokens.find_token(s, raw) is None

    r = _run(database_url, "users", "disable", "alice")
    assert r.exit_code == 0 and "disabled alice" in r.output
    with store.sessions() as s:
        actions = list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == [
        "organisation.create", "account.create", "account.roles", "token.create",
        "token.revoke", "account.disable",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (["users", "add", "Bad Name"], AuthError, "bad username"),
        (["users", "add", "carol", "--role", "king"], AuthError, "unknown role(s) king"),
        (["users", "add", "carol", "--org", "nowhere"], AuthError, "no such organisation"),
        (["users", "add", "alice"], AuthError, "username alice is taken"),
        (["users", "roles", "ghost", "viewer"], NotFoundError, "no such account: ghost"),
        (["users", "roles", "alice", "viewer", "wizard"], AuthError, "unknown role(s) wizard"),
        (["users", "disable", "ghost"], NotFoundError, "no such account: ghost"),
        (
            ["users", "token", "alice", "--scope", "root", "--name", "x"],
            AuthError,
            "unknown scope(s) root",
        ),
        (["users", "token", "alice", "--scope", "read", "--name", " "], AuthError, "needs a name"),
        (["users", "token", "alice", "--name", "x", "--expires-in-days", "0"], AuthError, "expiry"),
        (["users", "token", "ghost", "--name", "x"], NotFoundError, "no such account: ghost"),
        (["users", "revoke", "999"], NotFoundError, "no such token: 999"),
        (["users", "org", "add", "Bad Id", "--name-en", "X"], AuthError, "bad organisation id"),
        (
            ["users", "org", "add", "ok-org", "--name-en", "X", "--actor", "NOPE"],
            AuthError,
            "no such actor",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(database_url, store, args, error, message):
    assert _run(database_url, "users", "add", "alice").exit_code == 0
    before = _state(store)
    r = _run(database_url, *args)
    assert r.exit_code != 0
    assert isinstance(r.exception, error) and message in str(r.exception)
    assert _state(store) == before


def test_short_password_on_stdin_is_refused(database_url, store):
    r = _run(database_url, "users", "add", "carol", "--password-stdin", input="short\n")
    assert isinstance(r.exception, AuthError) and "at least 12 characters" in str(r.exception)
    r = _run(database_url, "users", "add", "carol", "--password-stdin", input="")
    assert "no password on standard input" in str(r.exception)
    assert _state(store) == ([], [], [], 0)


def test_error_exits_1_with_a_message(database_url):
    result = subprocess.run(
        [sys.executable, "-m", "commonground.cli", "users", "roles", "ghost", "viewer",
         "--database-url", database_url],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no such account: ghost" in result.stderr and "Traceback" not in result.stderr


def test_password_is_set_from_stdin_and_audited(database_url, store):
    from commonground.auth import accounts

    assert _run(database_url, "users", "add", "alice").exit_code == 0
    r = _run(database_url, "users", "password", "alice", input="a brand new passphrase\n")
    assert r.exit_code == 0 and "password set for alice" in r.output
    principal, _, _ = accounts.authenticate(store, "alice", "a brand new passphrase")
    assert principal.username == "alice"
    r = _run(database_url, "users", "password", "alice", input="too short\n")
    assert isinstance(r.exception, AuthError)
    with store.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "account.password")) == 1
