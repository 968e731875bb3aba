"""The search index's table, registered on the store's `Base` (migration 0002).

One row per searchable record: its display texts (for hits and snippets), its facet
values, and its normalised tokens (`commonground.search.text`). The full-text index
over the tokens is per database:

* SQLite: the FTS5 virtual table `search_fts` (external content = this table,
  tokenizer unicode61 over the pre-normalised, space-separated tokens). It and its
  shadow tables are not in the metadata; `_ignore_fts_tables` below keeps Alembic's
  autogenerate comparison from reporting them as tables to drop.
* PostgreSQL: the `tsv` column (tsvector, 'simple' configuration over the same
  tokens, title weighted A and body C) with a GIN index. On SQLite `tsv` is an
  unused, always-NULL text column, so one model describes both databases.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate.compare import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority, PriorityDispatchResult
from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from commonground.store.models import Base, Id

FTS_TABLE = "search_fts"
# FTS5 creates these beside an external-content table (no _content table).
FTS_SHADOW_TABLES = tuple(
    f"{FTS_TABLE}_{suffix}" for suffix in ("data", "idx", "docsize", "config")
)
FTS_TABLES = frozenset((FTS_TABLE, *FTS_SHADOW_TABLES))

TSVector = Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchDocument(Base):
    """One searchable record: an instrument, a provision or an actor."""

    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),
    )

    # Small columns first: SQLite then reads a row's facets without following the
    # overflow pages of its long texts.
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the FTS5 rowid
    kind: Mapped[str] = mapped_column(String(20))  # instrument | provision | actor
    ref_id: Mapped[str] = mapped_column(Id)  # id of the instrument, provision or actor
    instrument_id: Mapped[str | None] = mapped_column(Id, index=True)
    # facets (a provision inherits its instrument's; an actor's type is its kind)
    type: Mapped[str | None] = mapped_column(String(40))
    legal_force: Mapped[str | None] = mapped_column(String(20))
    jurisdiction: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str | None] = mapped_column(String(40))
    title_en: Mapped[str | None] = mapped_column(Text)
    title_zh: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)
    body_zh: Mapped[str | None] = mapped_column(Text)
    # normalised, space-separated tokens
    title_tok: Mapped[str] = mapped_column(Text)
    body_tok: Mapped[str] = mapped_column(Text)
    tsv: Mapped[Any] = mapped_column(TSVector, nullable=True)


def is_fts_table(name: str | None) -> bool:
    return name in FTS_TABLES


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """An Alembic `include_name` filter hiding the FTS5 tables (for env.py, if wanted)."""
    return not (type_ == "table" and is_fts_table(name))


@comparators.dispatch_for("autogenerate", qualifier="sqlite", priority=DispatchPriority.LAST)
def _ignore_fts_tables(autogen_context: Any, upgrade_ops: ops.UpgradeOps) -> Any:
    """Drop 'remove table' ops for the FTS5 tables, which only migration 0002 manages."""
    upgrade_ops.ops[:] = [
        op
        for op in upgrade_ops.ops
        if not (isinstance(op, ops.DropTableOp) and is_fts_table(op.table_name))
    ]
    return PriorityDispatchResult.CONTINUE
