"""Shared machinery for the simpler lists (vocabularies, models, risks, participation):
exact-value facets with drill-down counts, and keyset pages over any sort key.

A cursor holds the sort-key values of the last row shown; every value is checked
against its key's kind when decoded, so a forged cursor is a `BadCursor` (HTTP 400),
never a database type error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from commonground.registry.pagination import (
    MAX_PAGE,
    BadCursor,
    Page,
    decode_cursor,
    encode_cursor,
)
from commonground.store.types import MAX_EXACT

Filters = Mapping[str, Sequence[str]]
TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off")


@dataclass(frozen=True)
class Facet:
    """A filterable column; `kind` is str, int or bool; `counted=False` filters only."""

    column: Any
    kind: str = "str"
    counted: bool = True


@dataclass(frozen=True)
class Key:
    """One sort-key column: kind str, int, exact (ExactInteger) or date."""

    expr: Any
    kind: str = "str"
    desc: bool = False


def _condition(facet: Facet, values: Sequence[str]) -> Any:
    if facet.kind == "bool":
        wanted = {True for v in values if str(v).lower() in TRUE} | {
            False for v in values if str(v).lower() in FALSE
        }
        return facet.column.in_(sorted(wanted)) if wanted else false()
    if facet.kind == "int":
        numbers = [int(v) for v in values if str(v).lstrip("-").isdigit() and len(str(v)) < 10]
        return facet.column.in_(numbers) if numbers else false()
    return facet.column.in_([str(v) for v in values])


def conditions(facets: Mapping[str, Facet], filters: Filters, skip: str | None = None) -> list:
    """OR within a facet, AND across facets; unknown names are ignored."""
    return [
        _condition(facets[name], values)
        for name, values in filters.items()
        if name in facets and name != skip and values
    ]


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def facet_counts(
    session: Session, entity: Any, facets: Mapping[str, Facet], filters: Filters
) -> dict:
    """Counts per value of every counted facet, each under all the other filters."""
    counts: dict[str, list[tuple[str, int]]] = {}
    for name, facet in facets.items():
        if not facet.counted:
            continue
        stmt = (
            select(facet.column, func.count())
            .select_from(entity)
            .where(*conditions(facets, filters, skip=name), facet.column.is_not(None))
            .group_by(facet.column)
        )
        rows = [(_shown(v), n) for v, n in session.execute(stmt) if v is not None and v != ""]
        if facet.kind == "int":
            rows.sort(key=lambda item: -int(item[0]))
        else:
            rows.sort(key=lambda item: (-item[1], item[0]))
        counts[name] = rows
    return counts


def _encode(key: Key, value: Any) -> Any:
    if key.kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _decode(key: Key, value: Any) -> Any:
    bad = BadCursor("invalid cursor: a value does not fit its sort key")
    if key.kind == "str":
        if not isinstance(value, str):
            raise bad
        return value
    if key.kind == "date":
        if not isinstance(value, str):
            raise bad
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise bad from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad
    if key.kind == "exact" and not 0 <= value <= MAX_EXACT:
        raise bad
    if key.kind == "int" and not -(2**62) <= value <= 2**62:
        raise bad
    return value


def _after(keys: Sequence[Key], values: Sequence[Any]) -> Any:
    """Rows strictly after `values` in the order of `keys` (row-value comparison)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j].expr == values[j] for j in range(i)]
        beyond = key.expr < values[i] if key.desc else key.expr > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def keyset_page(
    session: Session,
    entity: Any,
    keys: Sequence[Key],
    where: Sequence[Any],
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None, int]:
    """One page of `entity` in key order after `cursor`: (items, next cursor, total)."""
    limit = max(1, min(limit, MAX_PAGE))
    total = session.scalar(select(func.count()).select_from(entity).where(*where)) or 0
    order = [k.expr.desc() if k.desc else k.expr.asc() for k in keys]
    stmt = select(entity, *[k.expr for k in keys]).where(*where).order_by(*order)
    if cursor:
        raw = decode_cursor(cursor, len(keys))
        stmt = stmt.where(_after(keys, [_decode(k, v) for k, v in zip(keys, raw, strict=True)]))
    rows = session.execute(stmt.limit(limit + 1)).all()
    items = [row[0] for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([_encode(k, v) for k, v in zip(keys, last[1:], strict=True)])
    return items, next_cursor, total


def faceted_list(
    session: Session,
    entity: Any,
    facets: Mapping[str, Facet],
    keys: Sequence[Key],
    filters: Filters | None,
    *,
    cursor: str | None,
    limit: int,
    with_facets: bool,
) -> Page:
    filters = filters or {}
    items, next_cursor, total = keyset_page(
        session, entity, keys, conditions(facets, filters), cursor=cursor, limit=limit
    )
    counts = facet_counts(session, entity, facets, filters) if with_facets else {}
    return Page(items, next_cursor, total, counts)
