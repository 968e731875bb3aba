"""Append every change of a logged record to the log, in the transaction that made it.

:class:`Recorder` listens to the session's flushes and notes which logged records (see
:mod:`commonground.tlog.logged`) were created, changed or deleted, directly or through a
child row. When the unit of work ends, :meth:`Recorder.finish` builds each record's
canonical form once, skips records whose form is what the log already holds, and appends
one envelope per changed record (a salted commitment for a sealed one) in one batch —
before the transaction commits, so a record and its log entry commit or roll back
together. Publishing a sealed record appends its envelope and marks its commitments
opened, so anyone given the salt can check the earlier commitment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from commonground.tlog import storage
from commonground.tlog.envelope import Envelope, commitment, new_salt
from commonground.tlog.logged import BY_MODEL, BY_SCHEMA, CHILDREN, SPECS, columns, records
from commonground.tlog.models import TlogCoordinator, TlogRecordIndex, TlogSealed

DEFAULT_SUBMITTER = "operator"
_LOAD = object()  # touched through a child row: load the parent at the end
_DELETED = object()
_ORDER = {s.schema: i for i, s in enumerate(SPECS)}
_CHUNK = 500


class Recorder:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.touched: dict[tuple[str, str], Any] = {}

    # -- during the unit of work ----------------------------------------------------

    def after_flush(self, session: Session, _context: Any) -> None:
        for obj in session.new:
            self._touch(obj, deleted=False)
        for obj in session.dirty:
            if session.is_modified(obj, include_collections=False):
                self._touch(obj, deleted=False)
        for obj in session.deleted:
            self._touch(obj, deleted=True)

    def _touch(self, obj: Any, *, deleted: bool) -> None:
        kind = type(obj)
        spec = BY_MODEL.get(kind)
        if spec is not None:
            self.touched[(spec.schema, spec.record_id(obj))] = _DELETED if deleted else obj
        for parent, child in CHILDREN.get(kind, ()):
            parent_id = child.parent_id(obj)
            if parent_id is not None:
                self.touched.setdefault((parent.schema, parent_id), _LOAD)

    # -- at the end -----------------------------------------------------------------

    def finish(self, session: Session) -> list[int]:
        """Append the changed records' entries; return their leaf indices."""
        session.flush()
        if not self.touched:
            return []
        submitter = str(session.info.get("submitter") or DEFAULT_SUBMITTER)
        forms = self._forms(session)
        last = _last_logged(session, self.origin, list(forms))
        entries: list[bytes] = []
        index_rows: list[dict[str, Any]] = []
        sealed_rows: list[dict[str, Any]] = []
        opened: list[tuple[str, str, int]] = []  # (schema, record, position in batch)
        now = dt.datetime.now(dt.UTC)
        for (schema, record_id), (form, sealed) in sorted(
            forms.items(), key=lambda kv: (_ORDER[kv[0][0]], kv[0][1])
        ):
            envelope = Envelope.for_record(schema, record_id, form, submitter)
            previous = last.get((schema, record_id))
            if previous is not None and previous == (envelope.digest, sealed):
                continue  # the log already holds this very version
            position = len(entries)
            data = envelope.to_bytes()
            if sealed:
                salt = new_salt()
                entries.append(commitment(data, salt))
                sealed_rows.append(
                    {
                        "position": position,
                        "schema": schema,
                        "record_id": record_id,
                        "salt": salt,
                        "envelope": data,
                        "sealed_at": now,
                    }
                )
            else:
                entries.append(data)
                if previous is not None and previous[1]:
                    opened.append((schema, record_id, position))
            index_rows.append(
                {
                    "position": position,
                    "schema": schema,
                    "record_id": record_id,
                    "sealed": sealed,
                    "digest": envelope.digest,
                }
            )
        self.touched.clear()
        if not entries:
            return []
        indices = storage.append(session, self.origin, entries)
        log_id = _log_id(session, self.origin)
        conn = session.connection()
        conn.execute(
            TlogRecordIndex.__table__.insert(),
            [
                {
                    "log_id": log_id,
                    "leaf_index": indices[r.pop("position")],
                    **r,
                }
                for r in index_rows
            ],
        )
        if sealed_rows:
            conn.execute(
                TlogSealed.__table__.insert(),
                [
                    {"log_id": log_id, "leaf_index": indices[r.pop("position")], **r}
                    for r in sealed_rows
                ],
            )
        table = TlogSealed.__table__
        for schema, record_id, position in opened:
            conn.execute(
                update(table)
                .where(
                    table.c.log_id == log_id,
                    table.c.schema == schema,
                    table.c.record_id == record_id,
                    table.c.opened_index.is_(None),
                )
                .values(opened_index=indices[position], opened_at=now)
            )
        return indices

    def _forms(self, session: Session) -> dict[tuple[str, str], tuple[dict, bool]]:
        """(schema, id) → (canonical form, sealed?) of every touched record."""
        forms: dict[tuple[str, str], tuple[dict, bool]] = {}
        load: dict[str, list[str]] = {}
        for (schema, record_id), obj in self.touched.items():
            spec = BY_SCHEMA[schema]
            if obj is _DELETED:
                forms[(schema, record_id)] = ({"deleted": True}, False)
            elif obj is _LOAD or spec.children:
                load.setdefault(schema, []).append(record_id)
            else:
                forms[(schema, record_id)] = (columns(obj, spec.skip), spec.sealed(obj))
        for schema, ids in load.items():
            spec = BY_SCHEMA[schema]
            for record_id, (row, form) in records(session, spec, ids).items():
                forms[(schema, record_id)] = (form, spec.sealed(row))
        return forms


def _log_id(session: Session, origin: str) -> int:
    table = TlogCoordinator.__table__
    return session.connection().scalar(select(table.c.id).where(table.c.origin == origin))


def _last_logged(
    session: Session, origin: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], tuple[bytes, bool]]:
    """The digest and sealed flag of each record's latest entry in the log."""
    log_id = _log_id(session, origin)
    if log_id is None:
        return {}
    table = TlogRecordIndex.__table__
    by_schema: dict[str, list[str]] = {}
    for schema, record_id in keys:
        by_schema.setdefault(schema, []).append(record_id)
    last: dict[tuple[str, str], tuple[bytes, bool]] = {}
    conn = session.connection()
    for schema, ids in by_schema.items():
        for start in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(table.c.record_id, table.c.digest, table.c.sealed)
                .where(
                    table.c.log_id == log_id,
                    table.c.schema == schema,
                    table.c.record_id.in_(ids[start : start + _CHUNK]),
                )
                .order_by(table.c.leaf_index)
            )
            for record_id, digest, sealed in rows:
                last[(schema, record_id)] = (bytes(digest), bool(sealed))
    return last
