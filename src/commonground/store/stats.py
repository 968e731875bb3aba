"""Counts per table, for `commonground stats` and the home page."""

from __future__ import annotations

from sqlalchemy import func, select

from commonground.store.engine import Store
from commonground.store.models import Base


def table_counts(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    with store.sessions() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = session.scalar(select(func.count()).select_from(table)) or 0
    return counts
