"""Sign-ins write but change no public page: the data version (and page cache) stays."""

from __future__ import annotations

import pytest

from commonground.auth import accounts
from commonground.auth.errors import AuthError
from tests.auth_helpers import PASSWORD, make_account


def test_sign_ins_leave_the_data_version_alone(store):
    make_account(store, "alice", roles=("viewer",))
    version = store.version()
    for _ in range(3):
        with pytest.raises(AuthError):
            accounts.authenticate(store, "alice", "wrong password here", address="10.0.0.9")
    accounts.authenticate(store, "alice", PASSWORD, address="10.0.0.9")
    assert store.version() == version
    with store.transaction() as session:  # an ordinary write still moves it
        session.info["note"] = "public write"
    assert store.version() == version + 1
