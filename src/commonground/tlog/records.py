"""A logged record's entries and proof bundle, looked up by schema and record id.

Only the public side: a record whose latest entry is a sealed commitment (an embargoed
vulnerability) is treated exactly like one that was never logged, so these functions
reveal nothing about embargoed records whoever calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.tlog import storage
from commonground.tlog.bundle import build_bundle
from commonground.tlog.checkpoint import Checkpoint
from commonground.tlog.logged import BY_SCHEMA, records
from commonground.tlog.models import TlogCoordinator, TlogRecordIndex, TlogSealed


@dataclass(frozen=True)
class LoggedRecord:
    schema: str
    record_id: str
    leaf_index: int
    entry: bytes
    form: dict[str, Any]
    # Earlier versions' leaf indices (unsealed), oldest first.
    history: tuple[int, ...]
    # Size of the latest signed checkpoint (None: none yet) and whether it covers the entry.
    checkpoint_size: int | None

    @property
    def covered(self) -> bool:
        return self.checkpoint_size is not None and self.leaf_index < self.checkpoint_size


def _missing(schema: str, record_id: str) -> NotFoundError:
    return NotFoundError(f"no published log entry for {schema} {record_id!r}")


def logged_record(session: Session, origin: str, schema: str, record_id: str) -> LoggedRecord:
    """The record's latest log entry and current canonical form."""
    spec = BY_SCHEMA.get(schema)
    if spec is None:
        raise NotFoundError(f"no logged record type {schema!r} (known: {', '.join(BY_SCHEMA)})")
    coord = TlogCoordinator.__table__
    log_id = session.scalar(select(coord.c.id).where(coord.c.origin == origin))
    t = TlogRecordIndex.__table__
    rows = (
        session.execute(
            select(t.c.leaf_index, t.c.sealed)
            .where(t.c.log_id == log_id, t.c.schema == schema, t.c.record_id == record_id)
            .order_by(t.c.leaf_index)
        ).all()
        if log_id is not None
        else []
    )
    if not rows or rows[-1].sealed:
        raise _missing(schema, record_id)
    found = records(session, spec, [record_id]).get(record_id)
    form: dict[str, Any] = found[1] if found else {"deleted": True}
    note = storage.latest_checkpoint(session, origin)
    size = Checkpoint.from_text(note.split("\n\n", 1)[0] + "\n").size if note else None
    index = int(rows[-1].leaf_index)
    return LoggedRecord(
        schema=schema,
        record_id=record_id,
        leaf_index=index,
        entry=storage.entry(session, origin, index),
        form=form,
        history=tuple(int(r.leaf_index) for r in rows[:-1] if not r.sealed),
        checkpoint_size=size,
    )


def record_bundle(session: Session, origin: str, logged: LoggedRecord) -> str:
    """A C2SP tlog-proof bundle for the record's latest entry against the latest checkpoint."""
    if not logged.covered:
        raise NotFoundError(
            f"{logged.schema} {logged.record_id!r} is entry {logged.leaf_index}; no signed "
            "checkpoint covers it yet (checkpoints are signed on a fixed cadence)"
        )
    note = storage.latest_checkpoint(session, origin)
    assert note is not None and logged.checkpoint_size is not None
    proof = storage.inclusion_proof(session, origin, logged.leaf_index, logged.checkpoint_size)
    return build_bundle(note, logged.leaf_index, proof, logged.entry)


def opened_commitment(session: Session, origin: str, leaf_index: int) -> tuple[bytes, bytes]:
    """(salt, envelope) of a sealed entry whose record has been published."""
    coord = TlogCoordinator.__table__
    s = TlogSealed.__table__
    row = session.execute(
        select(s.c.salt, s.c.envelope)
        .join(coord, coord.c.id == s.c.log_id)
        .where(
            coord.c.origin == origin, s.c.leaf_index == leaf_index, s.c.opened_index.is_not(None)
        )
    ).one_or_none()
    if row is None:
        raise NotFoundError(f"entry {leaf_index} is not an opened commitment")
    return bytes(row.salt), bytes(row.envelope)
