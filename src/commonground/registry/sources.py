"""Sources: every document the store cites, and what cites it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.registry.pagination import MAX_PAGE, Page, decode_cursor, encode_cursor
from commonground.store.models import Instrument, InstrumentSource, Participation, Source

FACETS = ("origin", "language")


def _conditions(filters: Mapping[str, Sequence[str]], skip: str | None = None) -> list:
    return [
        getattr(Source, f).in_(v) for f, v in filters.items() if f in FACETS and f != skip and v
    ]


def list_sources(
    session: Session,
    filters: Mapping[str, Sequence[str]] | None = None,
    *,
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[Source]:
    filters = filters or {}
    limit = max(1, min(limit, MAX_PAGE))
    where = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(Source).where(*where)) or 0
    stmt = select(Source).where(*where).order_by(Source.id)
    if cursor:
        (last,) = decode_cursor(cursor, 1, (str,))
        stmt = stmt.where(Source.id > last)
    rows = session.scalars(stmt.limit(limit + 1)).all()
    next_cursor = encode_cursor([rows[limit - 1].id]) if len(rows) > limit else None
    facets = {}
    if with_facets:
        for facet in FACETS:
            col = getattr(Source, facet)
            facets[facet] = sorted(
                (
                    (str(v), n)
                    for v, n in session.execute(
                        select(col, func.count())
                        .where(*_conditions(filters, skip=facet))
                        .group_by(col)
                    )
                    if v
                ),
                key=lambda item: (-item[1], item[0]),
            )
    return Page(list(rows[:limit]), next_cursor, total, facets)


@dataclass
class SourceDetail:
    source: Source
    instruments: list[Instrument]
    participation_rows: int


def get_source(session: Session, id: str) -> SourceDetail:
    source = session.get(Source, id)
    if source is None:
        raise NotFoundError(f"no source {id!r}")
    instruments = session.scalars(
        select(Instrument)
        .join(InstrumentSource, InstrumentSource.instrument_id == Instrument.id)
        .where(InstrumentSource.source_id == id)
        .order_by(Instrument.year.desc(), Instrument.id)
        .limit(500)
    ).all()
    rows = session.scalar(select(func.count()).where(Participation.source_id == id)) or 0
    return SourceDetail(source, list(instruments), rows)
