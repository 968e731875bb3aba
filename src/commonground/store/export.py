"""Export any table as CSV or JSON, streamed in primary-key order."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import select

from commonground.errors import NotFoundError
from commonground.store.engine import Store
from commonground.store.models import Base


def _table(name: str):  # type: ignore[no-untyped-def]
    table = Base.metadata.tables.get(name)
    if table is None:
        known = ", ".join(sorted(Base.metadata.tables))
        raise NotFoundError(f"no table {name!r}; tables: {known}")
    return table


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        # JSON readers parse numbers as doubles; exact integers travel as strings.
        return str(value)
    return value


def _query(name: str, restricted: bool):  # type: ignore[no-untyped-def]
    """All rows of a table; without `restricted`, only what anyone may see."""
    from commonground.registry.disclosure import is_published  # the one embargo rule
    from commonground.store.stats import PUBLIC_TABLES

    table = _table(name)
    query = select(table).order_by(*table.primary_key.columns)
    if restricted or name in PUBLIC_TABLES:
        return query
    if name == "vulnerability":
        return query.where(is_published(dt.datetime.now(dt.UTC)))
    raise NotFoundError(
        f"table {name!r} holds restricted records (accounts, embargoed cases, log secrets); "
        "an operator exports it with --restricted"
    )


def rows(store: Store, name: str, *, restricted: bool = False) -> Iterator[dict[str, Any]]:
    query = _query(name, restricted)
    with store.engine.connect() as conn:
        result = conn.execute(query)
        for row in result.mappings():
            yield {key: _plain(value) for key, value in row.items()}


def write_csv(store: Store, name: str, out: IO[str], *, restricted: bool = False) -> int:
    table = _table(name)
    writer = csv.DictWriter(out, fieldnames=[c.name for c in table.columns])
    writer.writeheader()
    count = 0
    for row in rows(store, name, restricted=restricted):
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                for k, v in row.items()
            }
        )
        count += 1
    return count


def write_json(store: Store, name: str, out: IO[str], *, restricted: bool = False) -> int:
    out.write("[")
    count = 0
    for row in rows(store, name, restricted=restricted):
        out.write(",\n" if count else "\n")
        out.write(json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
