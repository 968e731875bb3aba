"""Accounts, tokens and sign-in for tests (shared by every test that needs a principal).

account_id = make_account(store, "alice", roles=("editor",), organisation="uk-aisi")
headers = auth_header(make_token(store, "alice", scopes=("read", "write")))
csrf = login(client, "alice")            # the client now holds the session cookie
client.post("/en/…", data={"csrf_token": csrf, …})
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import PasswordHasher

from commonground.auth import accounts, passwords, tokens
from commonground.auth.operator import OPERATOR
from commonground.store.engine import Store
from commonground.store.models_accounts import Organisation

PASSWORD = "correct horse battery staple"

# argon2's production cost (64 MiB, three passes) takes about half a second per hash on a
# busy machine; tests that import these helpers hash cheaply. Hashes stay argon2id.
passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def make_account(
    store: Store,
    username: str,
    *,
    roles: Sequence[str] = ("viewer",),
    organisation: str | None = None,
    password: str | None = PASSWORD,
) -> int:
    """Create an account (and its organisation, if new); returns the account id."""
    with store.transaction() as session:
        if organisation is not None and session.get(Organisation, organisation) is None:
            accounts.create_organisation(session, OPERATOR, organisation, f"{organisation} (test)")
        account = accounts.create_account(
            session, OPERATOR, username, password=password, roles=roles,
            organisation_id=organisation,
        )  # fmt: skip
        return account.id


def make_token(store: Store, username: str, scopes: Sequence[str] = ("read", "write")) -> str:
    """A new API token for ``username``; returns the raw ``cg_…`` token."""
    with store.transaction() as session:
        account = accounts.get_account(session, username)
        _, raw = tokens.create_token(session, OPERATOR, account, f"test {username}", scopes)
        return raw


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = PASSWORD, lang: str = "en") -> str:  # type: ignore[no-untyped-def]
    """Sign ``client`` in through the login form; returns the session's CSRF token
    (send it as form field ``csrf_token`` or header ``X-CSRF-Token``)."""
    response = client.post(
        f"/{lang}/login", data={"username": username, "password": password},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, (
        f"login failed: {response.status_code} {response.text[:300]}"
    )
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    return me.json()["csrf_token"]
