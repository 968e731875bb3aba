"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis,
in-process over ASGI): no request may cause a 5xx, and every response must conform
to the documented status codes, media types and schemas.

Each operation gets a bounded hypothesis run (25 examples, no deadline), driven from
one test so that it can use the session's loaded database."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from commonground.config import Settings
from commonground.web.app import create_app
from tests.web.test_api import api_store  # noqa: F401  (the loaded, read-only database)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 25


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(api_store):  # noqa: F811
    app = create_app(Settings(database_url="sqlite://"), store=api_store)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # report every operation, not just the first
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
