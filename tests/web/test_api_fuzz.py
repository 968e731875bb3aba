"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis,
in-process over ASGI): no request may cause a 5xx, and every response must conform
to the documented status codes, media types and schemas.

Each operation gets a bounded hypothesis run (25 examples, no deadline), driven from
one test so that it can use the session's loaded database."""

from __future__ import annotations

import pytest

from commonground.config import Settings
from commonground.web.app import create_app
from tests.fuzz import fuzz, operations
from tests.web.test_api import api_store  # noqa: F401  (the loaded, read-only database)


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(api_store):  # noqa: F811
    app = create_app(Settings(database_url="sqlite://"), store=api_store)
    ops = operations(app)
    assert len(ops) >= 20
    failures = fuzz(ops)
    assert not failures, "\n\n".join(failures)
