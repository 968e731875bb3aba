"""transparency log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:10:00

The tables of commonground.tlog.models: the coordinator row per log (next index and tree
state), the entries (leaf index assigned from the coordinator), the stored subtree hashes
and the signed checkpoints. No seed rows: the code creates a log's coordinator row on its
first append.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tlog_coordinator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("next_index", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_coordinator")),
        sa.UniqueConstraint("origin", name=op.f("uq_tlog_coordinator_origin")),
    )
    op.create_table(
        "tlog_entry",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["tlog_coordinator.id"],
            name=op.f("fk_tlog_entry_log_id_tlog_coordinator"),
        ),
        sa.PrimaryKeyConstraint("log_id", "leaf_index", name=op.f("pk_tlog_entry")),
    )
    op.create_table(
        "tlog_node",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["tlog_coordinator.id"],
            name=op.f("fk_tlog_node_log_id_tlog_coordinator"),
        ),
        sa.PrimaryKeyConstraint("log_id", "level", "node_index", name=op.f("pk_tlog_node")),
    )
    op.create_table(
        "tlog_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"],
            ["tlog_coordinator.id"],
            name=op.f("fk_tlog_checkpoint_log_id_tlog_coordinator"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_checkpoint")),
    )
    with op.batch_alter_table("tlog_checkpoint", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tlog_checkpoint_log_id"), ["log_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tlog_checkpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tlog_checkpoint_log_id"))
    op.drop_table("tlog_checkpoint")
    op.drop_table("tlog_node")
    op.drop_table("tlog_entry")
    op.drop_table("tlog_coordinator")
