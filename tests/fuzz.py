"""Schemathesis fuzzing of the app's JSON API from its own OpenAPI document, in-process
over ASGI: no request may cause a 5xx, and every response must conform to the
documented status codes, media types and schemas. Each operation gets a bounded,
derandomised Hypothesis run; every failing operation is reported, not only the first."""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def operations(app, keep: Callable[[str], bool] = lambda path: True) -> list:  # type: ignore[no-untyped-def]
    """The documented operations whose path `keep` accepts."""
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    return [op for op in (r.ok() for r in schema.get_all_operations()) if keep(op.path)]


def fuzz(ops: list, *, headers: dict[str, str] | None = None, max_examples: int = 25) -> list[str]:  # type: ignore[type-arg]
    """Fuzz each operation; return one message per failing operation."""
    failures = []
    for operation in ops:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):  # type: ignore[no-untyped-def]
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # report every operation, not just the first
            failures.append(f"{operation.label}: {exc}")
    return failures
