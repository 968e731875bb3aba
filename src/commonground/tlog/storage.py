"""The log in the store: batched appends under one coordinator row, proofs, checkpoints.

Every function takes the caller's session, so a record and its log entry commit (or roll
back) together.  :func:`append` must run in a write transaction (``Store.transaction()``):

1. lock the log's coordinator row — created on first use — (SQLite: the transaction is
   already ``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR UPDATE``);
2. read the right border of the tree (the compact range of ``[0, size)``: at most log2(n)
   stored hashes) and hash the new leaves and every subtree they complete in memory;
3. insert the entries and the new nodes in two ``executemany`` batches;
4. move ``next_index``, ``size`` and ``root_hash`` forward.

Indices come only from ``next_index`` (never an autoincrement id, never ``COUNT(*)``), so
they are dense and a failed transaction leaves no trace.  Proofs read the O(log n) stored
nodes they need (:mod:`commonground.tlog.proof` names them) in one query per table.

:func:`sign_checkpoint` refuses to sign a tree that is not consistent with the last
checkpoint the log signed: it re-derives the new part of the tree from the entry bytes,
checks it against the stored nodes and the coordinator, and verifies a consistency proof
from the last signed checkpoint before signing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from commonground.tlog import proof as _proof
from commonground.tlog.checkpoint import Checkpoint, open_checkpoint
from commonground.tlog.checkpoint import sign_checkpoint as _sign
from commonground.tlog.errors import ProofInputError, VerificationError
from commonground.tlog.hashing import EMPTY_ROOT, fold_right, leaf_hash, node_hash
from commonground.tlog.models import TlogCheckpoint, TlogCoordinator, TlogEntry, TlogNode
from commonground.tlog.note import NoteSigner, Verifier

NodeId = tuple[int, int]
_CHUNK = 50_000


class LogIntegrityError(VerificationError):
    """The stored log disagrees with itself or with a checkpoint it signed before."""

    code = "tlog-integrity"

    def __init__(self, origin: str, reason: str, **evidence: object) -> None:
        self.origin = origin
        self.reason = reason
        self.evidence = evidence
        shown = ", ".join(
            f"{k}={v.hex() if isinstance(v, bytes) else v}" for k, v in evidence.items()
        )
        super().__init__(f"log {origin}: {reason}" + (f" ({shown})" if shown else ""))


class UnknownLogError(VerificationError):
    code = "tlog-unknown-log"

    def __init__(self, origin: str) -> None:
        self.origin = origin
        super().__init__(f"no log with origin {origin!r} in this store")


# --------------------------------------------------------------------------- coordinator


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _lock(session: Session, origin: str, *, create: bool) -> TlogCoordinator:
    """The coordinator row of ``origin``, locked for this transaction (created if asked)."""
    conn = session.connection()
    table = TlogCoordinator.__table__
    if create:
        ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            ins(table)
            .values(origin=origin, next_index=0, size=0, root_hash=EMPTY_ROOT, updated_at=_now())
            .on_conflict_do_nothing(index_elements=["origin"])
        )
    row = conn.execute(
        select(table).where(table.c.origin == origin).with_for_update()
    ).one_or_none()
    if row is None:
        raise UnknownLogError(origin)
    if row.next_index != row.size:
        raise LogIntegrityError(
            origin,
            "coordinator next_index differs from size",
            next_index=row.next_index,
            size=row.size,
        )
    return row  # type: ignore[return-value]


def _read(session: Session, origin: str) -> TlogCoordinator:
    table = TlogCoordinator.__table__
    row = session.connection().execute(select(table).where(table.c.origin == origin)).one_or_none()
    if row is None:
        raise UnknownLogError(origin)
    return row  # type: ignore[return-value]


def log_size(session: Session, origin: str) -> int:
    """The tree size the coordinator holds (0 for a log that has no row yet)."""
    table = TlogCoordinator.__table__
    size = session.connection().scalar(select(table.c.size).where(table.c.origin == origin))
    return int(size or 0)


# --------------------------------------------------------------------------- nodes


def _fetch(session: Session, log_id: int, ids: Sequence[NodeId], origin: str) -> list[bytes]:
    """The stored hashes of ``ids`` (level 0 from the entries), in order; all must exist."""
    if not ids:
        return []
    conn = session.connection()
    found: dict[NodeId, bytes] = {}
    leaves = sorted({i for level, i in ids if level == 0})
    if leaves:
        e = TlogEntry.__table__
        for i, h in conn.execute(
            select(e.c.leaf_index, e.c.leaf_hash).where(
                e.c.log_id == log_id, e.c.leaf_index.in_(leaves)
            )
        ):
            found[(0, i)] = bytes(h)
    by_level: dict[int, set[int]] = {}
    for level, i in ids:
        if level:
            by_level.setdefault(level, set()).add(i)
    if by_level:
        n = TlogNode.__table__
        cond = or_(
            *(
                and_(n.c.level == level, n.c.node_index.in_(sorted(idx)))
                for level, idx in by_level.items()
            )
        )
        for level, i, h in conn.execute(
            select(n.c.level, n.c.node_index, n.c.hash).where(n.c.log_id == log_id, cond)
        ):
            found[(level, i)] = bytes(h)
    missing = [node for node in ids if node not in found]
    if missing:
        raise LogIntegrityError(origin, "stored node missing", node=missing[0])
    return [found[node] for node in ids]


class _Frontier:
    """The last hash at each level: enough to extend the tree leaf by leaf.

    When the node ``(level, i)`` with ``i`` odd is made, its left sibling ``(level, i-1)``
    is the last node made at that level — in this batch, or on the stored right border.
    """

    __slots__ = ("last", "size")

    def __init__(self, size: int, border: Sequence[bytes]) -> None:
        self.size = size
        self.last: dict[int, bytes] = {
            level: h for (level, _), h in zip(_proof.range_nodes(0, size), border, strict=True)
        }

    def extend(
        self, hashes: Iterable[bytes], log_id: int = 0, out: list[dict] | None = None
    ) -> None:
        """Append leaf hashes; collect each completed node (level ≥ 1) as a row in ``out``."""
        last = self.last
        size = self.size
        for h in hashes:
            level, i = 0, size
            while i & 1:
                left = last[level]
                last[level] = h
                h = node_hash(left, h)
                level += 1
                i >>= 1
                if out is not None:
                    out.append({"log_id": log_id, "level": level, "node_index": i, "hash": h})
            last[level] = h
            size += 1
        self.size = size

    def root(self) -> bytes:
        return fold_right([self.last[level] for level, _ in _proof.range_nodes(0, self.size)])


def _frontier(session: Session, log_id: int, size: int, origin: str) -> _Frontier:
    return _Frontier(size, _fetch(session, log_id, _proof.range_nodes(0, size), origin))


# --------------------------------------------------------------------------- append


def append(session: Session, origin: str, entries: Sequence[bytes]) -> list[int]:
    """Append ``entries`` to the log ``origin`` in the caller's write transaction.

    Returns their leaf indices (dense, in order).  Nothing is committed here: the entries,
    the new subtree hashes and the coordinator's new state commit with the caller's
    transaction, or none of them do.
    """
    coord = _lock(session, origin, create=True)
    if not entries:
        return []
    log_id, start = coord.id, coord.size
    frontier = _frontier(session, log_id, start, origin)
    hashes = [leaf_hash(e) for e in entries]
    nodes: list[dict] = []
    frontier.extend(hashes, log_id, nodes)
    rows = [
        {"log_id": log_id, "leaf_index": start + k, "leaf_hash": h, "data": bytes(e)}
        for k, (e, h) in enumerate(zip(entries, hashes, strict=True))
    ]
    conn = session.connection()
    conn.execute(TlogEntry.__table__.insert(), rows)
    if nodes:
        conn.execute(TlogNode.__table__.insert(), nodes)
    new_size = frontier.size
    table = TlogCoordinator.__table__
    done = conn.execute(
        update(table)
        .where(table.c.id == log_id, table.c.next_index == start)
        .values(next_index=new_size, size=new_size, root_hash=frontier.root(), updated_at=_now())
    )
    if done.rowcount != 1:  # pragma: no cover - the lock makes this impossible
        raise LogIntegrityError(origin, "coordinator moved during an append", expected=start)
    return list(range(start, new_size))


# --------------------------------------------------------------------------- reading


def _check_size(session: Session, origin: str, size: int) -> TlogCoordinator:
    coord = _read(session, origin)
    if not 0 <= size <= coord.size:
        raise ProofInputError(
            field="size", reason=f"must be within the log's {coord.size} entries", value=size
        )
    return coord


def tree_hash(session: Session, origin: str, size: int | None = None) -> bytes:
    """MTH of the first ``size`` entries (default: the whole log), from O(log n) nodes."""
    coord = _read(session, origin)
    size = coord.size if size is None else size
    _check_size(session, origin, size)
    ids = _proof.range_nodes(0, size)
    return fold_right(_fetch(session, coord.id, ids, origin))


def inclusion_proof(session: Session, origin: str, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 audit path of entry ``index`` in the tree of ``size`` entries."""
    coord = _check_size(session, origin, size)
    need = _proof.inclusion_nodes(index, size)
    return need.rehash(_fetch(session, coord.id, need.ids(), origin))


def consistency_proof(session: Session, origin: str, old: int, new: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 consistency proof from ``old`` to ``new`` entries."""
    coord = _check_size(session, origin, new)
    need = _proof.consistency_nodes(old, new)
    return need.rehash(_fetch(session, coord.id, need.ids(), origin))


def entry(session: Session, origin: str, index: int) -> bytes:
    """The bytes of entry ``index``."""
    coord = _read(session, origin)
    e = TlogEntry.__table__
    data = session.connection().scalar(
        select(e.c.data).where(e.c.log_id == coord.id, e.c.leaf_index == index)
    )
    if data is None:
        raise ProofInputError(field="index", reason=f"no entry in log {origin}", value=index)
    return bytes(data)


def _entries(
    session: Session, log_id: int, begin: int, end: int
) -> Iterable[tuple[int, bytes, bytes]]:
    """(index, data, stored leaf hash) of entries ``[begin, end)``, in order, in chunks."""
    e = TlogEntry.__table__
    conn = session.connection()
    expected = begin
    for lo in range(begin, end, _CHUNK):
        hi = min(end, lo + _CHUNK)
        for i, data, h in conn.execute(
            select(e.c.leaf_index, e.c.data, e.c.leaf_hash)
            .where(e.c.log_id == log_id, e.c.leaf_index >= lo, e.c.leaf_index < hi)
            .order_by(e.c.leaf_index)
        ):
            yield i, bytes(data), bytes(h)
            expected = i + 1
    if expected != end:
        yield expected, b"", b""  # a gap: the caller reports the missing index


# --------------------------------------------------------------------------- checkpoints


def latest_checkpoint(session: Session, origin: str) -> str | None:
    """The signed note of the last checkpoint the log signed, or None."""
    coord = _read(session, origin)
    c = TlogCheckpoint.__table__
    return session.connection().scalar(
        select(c.c.note).where(c.c.log_id == coord.id).order_by(c.c.id.desc()).limit(1)
    )


def checkpoint_due(
    session: Session, origin: str, interval: dt.timedelta, now: dt.datetime | None = None
) -> bool:
    """Whether a fixed cadence calls for a new checkpoint: the log grew and the last one is
    at least ``interval`` old (or there is none)."""
    coord = _read(session, origin)
    c = TlogCheckpoint.__table__
    last = (
        session.connection()
        .execute(
            select(c.c.size, c.c.signed_at)
            .where(c.c.log_id == coord.id)
            .order_by(c.c.id.desc())
            .limit(1)
        )
        .one_or_none()
    )
    if last is None:
        return True
    signed_at = last.signed_at if last.signed_at.tzinfo else last.signed_at.replace(tzinfo=dt.UTC)
    return coord.size > last.size and (now or _now()) - signed_at >= interval


def _check_new_part(
    session: Session, coord: TlogCoordinator, origin: str, old: Checkpoint | None
) -> bytes:
    """Rebuild the tree from ``old`` to the coordinator's size from the entry bytes.

    Checks the old border against the old root, every new entry's stored leaf hash, the
    rebuilt root against the stored nodes and the coordinator; returns the new root.
    """
    old_size = old.size if old else 0
    border = _fetch(session, coord.id, _proof.range_nodes(0, old_size), origin)
    if old is not None and fold_right(border) != old.root_hash:
        raise LogIntegrityError(
            origin,
            "stored nodes no longer hash to the last signed checkpoint",
            size=old.size,
            signed_root=old.root_hash,
            stored_root=fold_right(border),
        )
    frontier = _Frontier(old_size, border)
    rebuilt: list[bytes] = []
    for i, data, stored in _entries(session, coord.id, old_size, coord.size):
        if not stored:
            raise LogIntegrityError(origin, "entry missing", index=i)
        h = leaf_hash(data)
        if h != stored:
            raise LogIntegrityError(
                origin,
                "entry bytes do not match their leaf hash",
                index=i,
                stored=stored,
                computed=h,
            )
        rebuilt.append(h)
        if len(rebuilt) >= _CHUNK:
            frontier.extend(rebuilt)
            rebuilt.clear()
    frontier.extend(rebuilt)
    root = frontier.root()
    stored_root = fold_right(_fetch(session, coord.id, _proof.range_nodes(0, coord.size), origin))
    if root != stored_root or root != bytes(coord.root_hash):
        raise LogIntegrityError(
            origin,
            "the tree rebuilt from the entries differs from the stored tree",
            size=coord.size,
            rebuilt=root,
            stored=stored_root,
            coordinator=bytes(coord.root_hash),
        )
    return root


def sign_checkpoint(
    session: Session,
    origin: str,
    signer: NoteSigner,
    *,
    extensions: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> str:
    """Sign and store a checkpoint of the whole log; return the signed note.

    Refuses (:class:`LogIntegrityError`) unless the tree is consistent with the last
    checkpoint this log signed: no smaller, the entries since then hash to the stored
    nodes, and a consistency proof from the stored nodes verifies between the two roots.
    Run it in a write transaction so no append slips in between.
    """
    coord = _lock(session, origin, create=False)
    last_text = latest_checkpoint(session, origin)
    old: Checkpoint | None = None
    if last_text is not None:
        old = Checkpoint.from_text(last_text.split("\n\n", 1)[0] + "\n")
        if coord.size < old.size:
            raise LogIntegrityError(
                origin,
                "the log is smaller than a checkpoint it signed (rolled back or replayed)",
                signed_size=old.size,
                size=coord.size,
            )
    root = _check_new_part(session, coord, origin, old)
    if old is not None and old.size:
        proof = consistency_proof(session, origin, old.size, coord.size)
        try:
            _proof.verify_consistency(old.size, coord.size, proof, old.root_hash, root)
        except VerificationError as exc:
            raise LogIntegrityError(
                origin,
                f"not consistent with the last signed checkpoint: {exc}",
                old_size=old.size,
                size=coord.size,
            ) from exc
    checkpoint = Checkpoint(
        origin=origin, size=coord.size, root_hash=root, extensions=tuple(extensions)
    )
    note = _sign(checkpoint, [signer])
    session.connection().execute(
        TlogCheckpoint.__table__.insert().values(
            log_id=coord.id, size=coord.size, root_hash=root, note=note, signed_at=now or _now()
        )
    )
    return note


def verify_log(session: Session, origin: str) -> int:
    """Rebuild the whole tree from the entry bytes and compare every stored node.

    Returns the size checked; raises :class:`LogIntegrityError` at the first difference.
    """
    coord = _read(session, origin)
    n = TlogNode.__table__
    stored = {
        (level, i): bytes(h)
        for level, i, h in session.connection().execute(
            select(n.c.level, n.c.node_index, n.c.hash).where(n.c.log_id == coord.id)
        )
    }
    frontier = _Frontier(0, [])
    for i, data, h in _entries(session, coord.id, 0, coord.size):
        if not h or leaf_hash(data) != h:
            raise LogIntegrityError(origin, "entry does not match its leaf hash", index=i)
        made: list[dict] = []
        frontier.extend([h], coord.id, made)
        for row in made:
            key = (row["level"], row["node_index"])
            if stored.pop(key, None) != row["hash"]:
                raise LogIntegrityError(origin, "stored node differs", node=key)
    if stored:
        raise LogIntegrityError(origin, "stored node beyond the tree", node=min(stored))
    if frontier.root() != bytes(coord.root_hash):
        raise LogIntegrityError(origin, "coordinator root differs", size=coord.size)
    return coord.size


def check_checkpoint(
    previous: str | None, current: str, proof: Sequence[bytes], verifier: Verifier
) -> Checkpoint:
    """A client's check that ``current`` extends the ``previous`` checkpoint it saw.

    Both must be signed by ``verifier``; an older (smaller) checkpoint replayed after a
    newer one, or one at the same size with another root, is refused.
    """
    cur, _ = open_checkpoint(current, [verifier])
    if previous is None:
        return cur
    prev, _ = open_checkpoint(previous, [verifier])
    if prev.origin != cur.origin:
        raise VerificationError(f"origin changed from {prev.origin!r} to {cur.origin!r}")
    if cur.size < prev.size:
        raise VerificationError(
            f"checkpoint of size {cur.size} is older than the size {prev.size} already seen "
            "(replayed or rolled back)"
        )
    _proof.verify_consistency(
        prev.size, cur.size, proof, prev.root_hash, cur.root_hash, allow_empty_old=True
    )
    return cur
