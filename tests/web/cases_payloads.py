"""Hostile text for the incident and vulnerability web tests, and a census of the case
tables (to prove a refused write changed nothing)."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from commonground.store.engine import Store
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_cases import (
    CaseAttribute,
    CaseComment,
    CaseEvent,
    CaseTag,
    Incident,
    IncidentReport,
    IncidentReportLink,
    Vulnerability,
)

XSS = '<script>alert("cg")</script><img src=x onerror=alert(1)>'
SQLI = "Robert'); DROP TABLE incident; -- \" OR 1=1 --"
PAYLOADS = (XSS, SQLI, "x' UNION SELECT username FROM account --", "{{ 7*7 }} {% raw %}")
TABLES = (
    Incident,
    IncidentReport,
    IncidentReportLink,
    Vulnerability,
    CaseAttribute,
    CaseTag,
    CaseComment,
    CaseEvent,
    AuditEvent,
)


def census(store: Store) -> dict[str, int]:
    with store.sessions() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


def assert_escaped(html: str, payload: str) -> None:
    """The payload shows as text: escaped, never as markup (and Jinja never ran it)."""
    if "<" in payload or '"' in payload or "'" in payload:
        assert payload not in html
    assert str(escape(payload)) in html
    assert "<script>alert" not in html
