"""search index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:00:00

The `search_document` table (commonground.search.models) and its full-text index:
on SQLite the FTS5 virtual table `search_fts` (external content, unicode61 over the
pre-normalised tokens); on PostgreSQL a GIN index on the `tsv` tsvector column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS_CREATE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_tok, body_tok, content='search_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')"
)


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref_id", sa.String(length=200), nullable=False),
        sa.Column("instrument_id", sa.String(length=200), nullable=True),
        sa.Column("type", sa.String(length=40), nullable=True),
        sa.Column("legal_force", sa.String(length=20), nullable=True),
        sa.Column("jurisdiction", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("origin", sa.String(length=40), nullable=True),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("title_zh", sa.Text(), nullable=True),
        sa.Column("body_en", sa.Text(), nullable=True),
        sa.Column("body_zh", sa.Text(), nullable=True),
        sa.Column("title_tok", sa.Text(), nullable=False),
        sa.Column("body_tok", sa.Text(), nullable=False),
        sa.Column(
            "tsv", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("kind", "ref_id", name=op.f("uq_search_document_kind")),
    )
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_document_instrument_id"), ["instrument_id"], unique=False
        )
        batch_op.create_index(
            "ix_search_document_tsv", ["tsv"], unique=False, postgresql_using="gin"
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(FTS_CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_document", schema=None) as batch_op:
        batch_op.drop_index("ix_search_document_tsv", postgresql_using="gin")
        batch_op.drop_index(batch_op.f("ix_search_document_instrument_id"))
    op.drop_table("search_document")
