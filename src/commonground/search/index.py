"""Build the search index from the store: one document per instrument, provision, actor.

`rebuild(store)` replaces the whole index in one transaction: readers see the old
index until it commits, and a failure leaves the old index in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    insert,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import to_tsvector
from sqlalchemy.sql import func

from commonground.search.models import FTS_TABLE, SearchDocument
from commonground.search.text import index_text
from commonground.store.engine import Store
from commonground.store.models import Actor, Instrument, Provision
from commonground.store.version import bump

KINDS = ("instrument", "provision", "actor")
BATCH = 500

_table = SearchDocument.__table__
# Rebuild the whole FTS5 index from its content table (a fixed command, no input).
_FTS_REBUILD = text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
# PostgreSQL: move the GIN index's pending entries into the index proper, and give the
# planner statistics for the new rows (without them it scans the table).
_PG_AFTER_REBUILD = (
    text("SELECT gin_clean_pending_list('ix_search_document_tsv'::regclass)"),
    text("ANALYZE search_document"),
)


@contextmanager
def reading(store: Store) -> Iterator[Connection]:
    """A connection for reads only, seeing one consistent snapshot; never writes."""
    # The store's plain sessions and connections read a deferred snapshot (only
    # Store.transaction takes the write lock), so searches never wait on a writer.
    with store.engine.connect() as conn:
        yield conn


def _instrument_documents(conn: Connection) -> Iterator[dict[str, Any]]:
    rows = conn.execute(select(Instrument.__table__).order_by(Instrument.id))
    for r in rows.mappings():
        yield {
            "kind": "instrument",
            "ref_id": r["id"],
            "instrument_id": r["id"],
            "title_en": r["name_en"],
            "title_zh": r["name_zh"],
            "body_en": r["summary_en"],
            "body_zh": r["summary_zh"],
            "type": r["type"],
            "legal_force": r["legal_force"],
            "jurisdiction": r["jurisdiction"],
            "year": r["year"],
            "origin": r["origin"],
            "title_tok": index_text(
                r["name_en"], r["short_name_en"], r["name_zh"], r["short_name_zh"]
            ),
            "body_tok": index_text(r["summary_en"], r["summary_zh"]),
        }


def _provision_documents(conn: Connection) -> Iterator[dict[str, Any]]:
    p, i = Provision.__table__, Instrument.__table__
    rows = conn.execute(
        select(
            p.c.id,
            p.c.instrument_id,
            p.c.label,
            p.c.title_en,
            p.c.title_zh,
            p.c.text_en,
            p.c.text_zh,
            i.c.type,
            i.c.legal_force,
            i.c.jurisdiction,
            i.c.year,
            i.c.origin,
        )
        .join_from(p, i, p.c.instrument_id == i.c.id)
        .order_by(p.c.instrument_id, p.c.position, p.c.id)
    )
    for r in rows.mappings():
        title_en = r["title_en"] or r["label"]
        yield {
            "kind": "provision",
            "ref_id": r["id"],
            "instrument_id": r["instrument_id"],
            "title_en": title_en,
            "title_zh": r["title_zh"],
            "body_en": r["text_en"],
            "body_zh": r["text_zh"],
            "type": r["type"],
            "legal_force": r["legal_force"],
            "jurisdiction": r["jurisdiction"],
            "year": r["year"],
            "origin": r["origin"],
            "title_tok": index_text(title_en, r["title_zh"]),
            "body_tok": index_text(r["text_en"], r["text_zh"]),
        }


def _actor_documents(conn: Connection) -> Iterator[dict[str, Any]]:
    rows = conn.execute(select(Actor.__table__).order_by(Actor.id))
    for r in rows.mappings():
        yield {
            "kind": "actor",
            "ref_id": r["id"],
            "instrument_id": None,
            "title_en": r["name_en"],
            "title_zh": r["name_zh"],
            "body_en": None,
            "body_zh": None,
            "type": r["kind"],
            "legal_force": None,
            "jurisdiction": r["jurisdiction"] or r["country"],
            "year": None,
            "origin": r["origin"],
            "title_tok": index_text(
                r["name_en"], r["short_name_en"], r["name_zh"], r["short_name_zh"]
            ),
            "body_tok": index_text(
                r["formal_name_en"], r["formal_name_zh"], r["iso_alpha3"], r["iso_alpha2"]
            ),
        }


def documents(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every search document the store's records make, as rows of `search_document`."""
    yield from _instrument_documents(conn)
    yield from _provision_documents(conn)
    yield from _actor_documents(conn)


def _insert_statement(dialect: str):  # type: ignore[no-untyped-def]
    if dialect != "postgresql":
        return insert(_table)
    # title weighs A, body C (ts_rank's default weights: 1.0 and 0.2)
    tsv = func.setweight(to_tsvector("simple", bindparam("tt")), literal_column("'A'")).op("||")(
        func.setweight(to_tsvector("simple", bindparam("bt")), literal_column("'C'"))
    )
    return insert(_table).values(tsv=tsv)


def rebuild(store: Store) -> int:
    """Replace the whole search index with one built from the store; returns its size.

    The records are read from one snapshot and analysed first; the old index is then
    replaced by the new one in a single transaction."""
    dialect = store.dialect
    stmt = _insert_statement(dialect)
    count = 0
    # Analyse outside the write transaction, so the write lock is held only for the swap.
    with reading(store) as conn:
        docs = list(documents(conn))
    with store.write_engine.begin() as conn:
        conn.execute(delete(_table))
        for start in range(0, len(docs), BATCH):
            batch = docs[start : start + BATCH]
            if dialect == "postgresql":
                batch = [{**d, "tt": d["title_tok"], "bt": d["body_tok"]} for d in batch]
            conn.execute(stmt, batch)
            count += len(batch)
        if dialect == "sqlite":
            conn.execute(_FTS_REBUILD)
        elif dialect == "postgresql":
            for statement in _PG_AFTER_REBUILD:
                conn.execute(statement)
        bump(conn)
    return count
