"""Search the index: ranked, highlighted, faceted hits, one interface for both databases.

The user's text never reaches SQL as SQL. It is analysed (`text.query_alternatives`)
into normalised terms, and the full-text query is built from those terms, each
quoted as a phrase (FTS5: "term", "c"*; PostgreSQL tsquery: 'term', 'c':*), and
passed as a bound parameter. All terms of an alternative must match (AND).

Ranking: bm25 on SQLite (title weighted 10, body 1), ts_rank on PostgreSQL
(title weight A, body C). Facets count the full result set after filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.dialects.postgresql import to_tsquery

from commonground.search.index import KINDS, reading
from commonground.search.models import FTS_TABLE, SearchDocument
from commonground.search.text import (
    Alternative,
    QueryTerm,
    highlight,
    query_alternatives,
    snippet,
)
from commonground.store.engine import Store

FACETS = ("kind", "type", "legal_force", "jurisdiction", "year", "origin")
FILTERS = FACETS
MAX_LIMIT = 1000

_doc = SearchDocument.__table__
_columns = [c for c in _doc.c if c.name not in ("tsv", "title_tok", "body_tok")]
_fts = table(FTS_TABLE, column("rowid"))
_fts_match_target = literal_column(FTS_TABLE)
# bm25 weights per FTS5 column (title_tok, body_tok): fixed numbers, not input
_bm25 = func.bm25(_fts_match_target, literal_column("10.0"), literal_column("1.0"))


@dataclass(frozen=True)
class Hit:
    kind: str  # instrument | provision | actor
    ref_id: str
    instrument_id: str | None
    title_en: str | None
    title_zh: str | None
    title_en_html: str  # the whole title, escaped, matches in <mark>
    title_zh_html: str
    snippet_en: str  # an excerpt of the body (or the title), escaped, matches in <mark>
    snippet_zh: str
    score: float  # higher is better
    type: str | None = None
    legal_force: str | None = None
    jurisdiction: str | None = None
    year: int | None = None
    origin: str | None = None


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    limit: int = 20
    offset: int = 0


def fts5_query(alternatives: list[Alternative]) -> str:
    """FTS5 MATCH text from normalised terms, each quoted as a phrase."""

    def phrase(t: QueryTerm) -> str:
        quoted = '"' + t.term.replace('"', '""') + '"'
        return quoted + "*" if t.prefix else quoted

    parts = ["(" + " AND ".join(phrase(t) for t in alt) + ")" for alt in alternatives]
    return " OR ".join(parts)


def tsquery_text(alternatives: list[Alternative]) -> str:
    """PostgreSQL tsquery text from normalised terms, each a quoted lexeme."""

    def lexeme(t: QueryTerm) -> str:
        quoted = "'" + t.term.replace("\\", "\\\\").replace("'", "''") + "'"
        return quoted + ":*" if t.prefix else quoted

    parts = ["(" + " & ".join(lexeme(t) for t in alt) + ")" for alt in alternatives]
    return " | ".join(parts)


def _check(kinds: Any, filters: Any, limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    for kind in kinds or ():
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    for key in filters or {}:
        if key not in FILTERS:
            raise ValueError(f"unknown filter {key!r} (one of {', '.join(FILTERS)})")


def _conditions(kinds: Any, filters: dict[str, list[str]] | None) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if kinds is not None:
        conds.append(_doc.c.kind.in_(list(kinds)))
    for key, values in (filters or {}).items():
        values = list(values)
        if key == "year":
            years = [int(v) for v in values if str(v).strip().lstrip("-").isdigit()]
            conds.append(_doc.c.year.in_(years) if years else false())
        else:
            conds.append(_doc.c[key].in_([str(v) for v in values]))
    return conds


def _matches(dialect: str, alternatives: list[Alternative]) -> tuple[Select[Any], Any]:
    """SELECT … FROM the matching documents, and the score expression (higher = better)."""
    if dialect == "postgresql":
        tsq = to_tsquery("simple", tsquery_text(alternatives))
        score = func.ts_rank(_doc.c.tsv, tsq)
        stmt = select(*_columns).where(_doc.c.tsv.op("@@")(tsq))
        return stmt, score
    stmt = (
        select(*_columns)
        .select_from(_fts.join(_doc, _doc.c.id == _fts.c.rowid))
        .where(_fts_match_target.op("MATCH")(fts5_query(alternatives)))
    )
    return stmt, -_bm25


def _facet_counts(conn: Connection, matches: Select[Any]) -> tuple[int, dict[str, dict[str, int]]]:
    m = matches.with_only_columns(*(_doc.c[f] for f in FACETS)).cte("m").prefix_with("MATERIALIZED")
    parts = [
        select(
            literal("", String).label("facet"),
            literal("", String).label("value"),
            func.count().label("n"),
        ).select_from(m)
    ]
    for facet in FACETS:
        value = cast(m.c[facet], String) if facet == "year" else m.c[facet]
        parts.append(
            select(literal(facet, String), value, func.count())
            .where(m.c[facet].is_not(None))
            .group_by(m.c[facet])
        )
    total = 0
    facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for facet, value, n in conn.execute(union_all(*parts)):
        if facet == "":
            total = n
        else:
            facets[facet][str(value)] = n
    for facet in FACETS:
        facets[facet] = dict(sorted(facets[facet].items(), key=lambda kv: (-kv[1], kv[0])))
    return total, facets


def search(
    store: Store,
    q: str,
    *,
    kinds: list[str] | tuple[str, ...] | None = None,
    filters: dict[str, list[str]] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Search names, summaries and provisions in both languages.

    `kinds` limits to instrument / provision / actor; `filters` maps a facet (type,
    legal_force, jurisdiction, year, origin, kind) to the values allowed (any of them).
    A query without terms (empty, or only punctuation) finds nothing.
    """
    _check(kinds, filters, limit, offset)
    limit = min(limit, MAX_LIMIT)
    alternatives = query_alternatives(q)
    empty_facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    if not alternatives:
        return SearchResults(q, [], 0, empty_facets, limit, offset)

    matches, score = _matches(store.dialect, alternatives)
    conds = _conditions(kinds, filters)
    if conds:
        matches = matches.where(and_(*conds))

    page = (
        matches.add_columns(score.label("score"))
        .order_by(score.desc(), _doc.c.id)
        .limit(limit)
        .offset(offset)
    )
    with reading(store) as conn:
        total, facets = _facet_counts(conn, matches)
        rows = list(conn.execute(page).mappings()) if total and limit else []
    terms = list(dict.fromkeys(t for alt in alternatives for t in alt))
    hits = [_hit(r, terms) for r in rows]
    return SearchResults(q, hits, total, facets, limit, offset)


def _excerpt(body: str | None, title: str | None, terms: list[QueryTerm]) -> str:
    if body:
        return snippet(body, terms)
    return highlight(title, terms)


def _hit(r: Any, terms: list[QueryTerm]) -> Hit:
    return Hit(
        kind=r["kind"],
        ref_id=r["ref_id"],
        instrument_id=r["instrument_id"],
        title_en=r["title_en"],
        title_zh=r["title_zh"],
        title_en_html=highlight(r["title_en"], terms),
        title_zh_html=highlight(r["title_zh"], terms),
        snippet_en=_excerpt(r["body_en"], r["title_en"], terms),
        snippet_zh=_excerpt(r["body_zh"], r["title_zh"], terms),
        score=float(r["score"]),
        type=r["type"],
        legal_force=r["legal_force"],
        jurisdiction=r["jurisdiction"],
        year=r["year"],
        origin=r["origin"],
    )
