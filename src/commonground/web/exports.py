"""CSV and JSON downloads of list views: the same filters and order as the page,
every row (walked page by page with the keyset cursor), streamed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi.responses import StreamingResponse

from commonground.registry import actors as actor_queries
from commonground.registry import instruments as instrument_queries
from commonground.registry import sources as source_queries
from commonground.store.engine import Store

INSTRUMENT_COLUMNS = (
    "id",
    "name_en",
    "name_zh",
    "short_name_en",
    "short_name_zh",
    "type",
    "legal_force",
    "jurisdiction",
    "year",
    "status",
    "origin",
    "url",
    "summary_en",
    "summary_zh",
    "coverage_participants",
)
ACTOR_COLUMNS = (
    "id",
    "kind",
    "name_en",
    "name_zh",
    "iso_alpha2",
    "iso_alpha3",
    "m49_region_en",
    "m49_subregion_en",
    "is_ldc",
    "is_lldc",
    "is_sids",
    "un_member",
    "country",
    "origin",
)
SOURCE_COLUMNS = ("id", "title", "publisher", "url", "published", "language", "license", "origin")


@dataclass
class Table:
    columns: Sequence[str]
    rows: Iterator[dict[str, Any]]


def _walk(store: Store, fetch, columns: Sequence[str]) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Rows page by page, each page in its own short session (the response streams
    after the request's own session has closed)."""
    cursor = None
    while True:
        with store.sessions() as session:
            page = fetch(session, cursor)
            rows = [{c: getattr(item, c) for c in columns} for item in page.items]
        yield from rows
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def instruments_table(
    store: Store,
    filters: Mapping[str, Sequence[str]],
    *,
    sort: str,
    lang: str,
    ids: Sequence[str] | None = None,
) -> Table:
    def fetch(session, cursor):  # type: ignore[no-untyped-def]
        return instrument_queries.list_instruments(
            session,
            filters,
            sort=sort,
            lang=lang,
            cursor=cursor,
            limit=1000,
            with_facets=False,
            ids=ids,
        )

    return Table(INSTRUMENT_COLUMNS, _walk(store, fetch, INSTRUMENT_COLUMNS))


def actors_table(store: Store, filters: Mapping[str, Sequence[str]], *, lang: str) -> Table:
    def fetch(session, cursor):  # type: ignore[no-untyped-def]
        return actor_queries.list_actors(
            session, filters, lang=lang, cursor=cursor, limit=1000, with_facets=False
        )

    return Table(ACTOR_COLUMNS, _walk(store, fetch, ACTOR_COLUMNS))


def sources_table(store: Store, filters: Mapping[str, Sequence[str]]) -> Table:
    def fetch(session, cursor):  # type: ignore[no-untyped-def]
        return source_queries.list_sources(
            session, filters, cursor=cursor, limit=1000, with_facets=False
        )

    return Table(SOURCE_COLUMNS, _walk(store, fetch, SOURCE_COLUMNS))


def _csv(table: Table) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table.columns))
    writer.writeheader()
    for row in table.rows:
        writer.writerow(row)
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json(table: Table) -> Iterator[str]:
    yield "["
    first = True
    for row in table.rows:
        yield ("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False, default=str)
        first = False
    yield "\n]\n"


def respond(table: Table, fmt: str, name: str) -> StreamingResponse:
    if fmt == ".csv":
        body, media = _csv(table), "text/csv; charset=utf-8"
    else:
        body, media = _json(table), "application/json"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="commonground-{name}{fmt}"'},
    )
