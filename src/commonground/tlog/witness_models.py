"""The witness's state: the latest checkpoint it cosigned for each log (C2SP tlog-witness).

Kept on its own :class:`~sqlalchemy.MetaData` (not the store's ``Base``) so that a witness
can run on a small database of its own — an SQLite file by default, or PostgreSQL — with
no dependence on the store's migrations.  :func:`create_tables` makes the one table.

``witness_state`` holds one row per log origin: the size and root hash of the latest
checkpoint cosigned, and that checkpoint as a signed note carrying the log's signature
and this witness's cosignature (what the monitoring endpoint serves).  A row with size 0
and the empty-tree root stands for "never cosigned".
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

witness_state = Table(
    "witness_state",
    metadata,
    Column("origin", String(255), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("checkpoint", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def create_tables(engine: Engine) -> None:
    """Create the witness table if it is missing (idempotent)."""
    metadata.create_all(engine)


def drop_tables(engine: Engine) -> None:
    """Drop the witness table (tests on a shared database)."""
    metadata.drop_all(engine)
