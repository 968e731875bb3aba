"""Counts per table: every table for the operator (`commonground stats`), and the public
tables only for the web (the home page and /api/v1/stats)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from commonground.store.engine import Store
from commonground.store.models import Base
from commonground.store.models_cases import Vulnerability

# Tables whose every row is public. Accounts, sessions, audit trail, comments and the
# rows of cases (which may belong to an embargoed vulnerability) are never counted in
# public; vulnerabilities are counted once published.
PUBLIC_TABLES = (
    "source",
    "actor",
    "actor_fact",
    "instrument",
    "instrument_event",
    "instrument_version",
    "instrument_actor",
    "instrument_relation",
    "instrument_source",
    "collection",
    "instrument_collection",
    "provision",
    "participation",
    "taxonomy",
    "term",
    "mapping",
    "ai_model",
    "risk_entry",
    "incident",
    "incident_report",
    "evaluation_result",
    "evidence",
    "assessment",
    "tlog_checkpoint",
)


def table_counts(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.sessions() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = session.scalar(select(func.count()).select_from(table)) or 0
    return counts


def public_counts(store: Store, now: dt.datetime | None = None) -> dict[str, int]:
    """Row counts anyone may see: public tables, and vulnerabilities out of embargo."""
    from commonground.registry.disclosure import is_published  # the one embargo rule

    now = now or dt.datetime.now(dt.UTC)
    tables = Base.metadata.tables
    counts: dict[str, int] = {}
    with store.sessions() as session:
        for name in PUBLIC_TABLES:
            counts[name] = session.scalar(select(func.count()).select_from(tables[name])) or 0
        counts["vulnerability"] = (
            session.scalar(select(func.count()).select_from(Vulnerability).where(is_published(now)))
            or 0
        )
    return dict(sorted(counts.items()))
