"""A whole-store snapshot, to assert that a failed write changed nothing."""

from __future__ import annotations

from sqlalchemy import select

from commonground.store.engine import Store
from commonground.store.models import Base


def snapshot(store: Store) -> dict[str, list[tuple]]:
    tables: dict[str, list[tuple]] = {}
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables
