"""Fuzz the account API from its OpenAPI document, anonymous and with a token: no 5xx,
every status code, media type and body as documented."""

import pytest

from commonground.config import Settings
from commonground.web.app import create_app
from tests.auth_helpers import auth_header, make_account, make_token
from tests.fuzz import fuzz, operations


@pytest.mark.parametrize("signed_in", [False, True])
def test_account_api_conforms_to_its_document(store, signed_in):
    make_account(store, "fuzzer", roles=("editor",))
    headers = auth_header(make_token(store, "fuzzer", ["read", "write"])) if signed_in else {}
    app = create_app(Settings(database_url="sqlite://"), store=store)
    ops = operations(
        app, lambda p: p in ("/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}")
    )
    assert sorted(op.label for op in ops) == [
        "DELETE /api/v1/tokens/{token_id}",
        "GET /api/v1/me",
        "GET /api/v1/tokens",
        "POST /api/v1/tokens",
    ]
    failures = fuzz(ops, headers=headers)
    assert not failures, "\n\n".join(failures)
