"""Schemathesis against the OpenAPI document of the incident and vulnerability API,
in-process over ASGI, with an admin's Bearer token (every role, scopes read, write and
triage), so the write endpoints are exercised past authentication.

No request may cause a 5xx; every answer must have a documented status code, media type
and schema. A second run without a token checks the same for the anonymous."""

from __future__ import annotations

import pytest

from tests.fuzz import fuzz, operations
from tests.web.case_world import world

MINE = ("/api/v1/incidents", "/api/v1/vulnerabilities")


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("fuzz"), page_cache=False) as built:
        built.incident()
        built.vulnerability()
        built.vulnerability("Public", embargo=False)
        yield built


@pytest.mark.slow
@pytest.mark.parametrize("who", ["admin.own", None])
def test_case_api_conforms_to_its_openapi_document(w, who):
    ops = operations(w.client.app, lambda path: path.startswith(MINE))
    assert len(ops) == 15, [op.label for op in ops]
    failures = fuzz(ops, headers=w.as_(who), max_examples=30)
    assert not failures, "\n\n".join(failures)
