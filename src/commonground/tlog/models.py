"""The transparency log's tables, registered on the store's `Base` (migration 0004).

- ``tlog_coordinator``: one row per log (its origin). ``next_index`` is the only source of
  leaf indices and ``size``/``root_hash`` the tree state; all three change in the same
  transaction as the batch of entries and nodes, under the row's lock (SQLite: the write
  transaction is ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR UPDATE``).
- ``tlog_entry``: the leaves, keyed by (log, leaf index) — the index is assigned from the
  coordinator, never an autoincrement — with the entry bytes and their leaf hash (so the
  leaf hashes are level 0 of the stored tree).
- ``tlog_node``: the hash of every complete perfect subtree above the leaves, keyed by
  (log, level, index); any proof reads O(log n) of them.
- ``tlog_checkpoint``: every checkpoint the log signed, in order.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from commonground.store.models import Base


class TlogCoordinator(Base):
    """One log: the next leaf index and the tree state, updated with every batch."""

    __tablename__ = "tlog_coordinator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(255), unique=True)
    next_index: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TlogEntry(Base):
    """One leaf: entry bytes (a canonical envelope) and SHA-256(0x00 ‖ entry)."""

    __tablename__ = "tlog_entry"

    log_id: Mapped[int] = mapped_column(ForeignKey("tlog_coordinator.id"), primary_key=True)
    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class TlogNode(Base):
    """The hash of the complete subtree (level ≥ 1, index) over 2**level leaves."""

    __tablename__ = "tlog_node"

    log_id: Mapped[int] = mapped_column(ForeignKey("tlog_coordinator.id"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class TlogCheckpoint(Base):
    """A checkpoint the log signed (the signed note, verbatim)."""

    __tablename__ = "tlog_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("tlog_coordinator.id"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class TlogSealed(Base):
    """An embargoed record's logged commitment and the secrets that open it (migration 0005).

    ``salt`` and ``envelope`` stay private until the record is published; then the log
    appends the envelope itself and ``opened_index`` points at it, and anyone may check
    with the published salt that the earlier commitment entry was this envelope.
    """

    __tablename__ = "tlog_sealed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("tlog_coordinator.id"))
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    schema: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(200), index=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    envelope: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    opened_index: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TlogRecordIndex(Base):
    """Which leaf logged which version of which record, so a record's bundle can be found
    by its id (the entries themselves are opaque bytes)."""

    __tablename__ = "tlog_record"

    log_id: Mapped[int] = mapped_column(ForeignKey("tlog_coordinator.id"), primary_key=True)
    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    schema: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[str] = mapped_column(String(200))
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # SHA-256 of the record's canonical form: a write that changes nothing logs nothing.
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))


Index("ix_tlog_record_lookup", TlogRecordIndex.schema, TlogRecordIndex.record_id)
