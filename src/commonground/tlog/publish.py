"""Write the log in the store as a static C2SP tlog-tiles v0.1.0 directory.

https://c2sp.org/tlog-tiles@v0.1.0 — the directory holds

- ``checkpoint``: the latest signed (and possibly cosigned) checkpoint note, verbatim;
- ``tile/<L>/<N>[.p/<W>]``: hash tiles covering exactly that checkpoint's tree size;
- ``tile/entries/<N>[.p/<W>]``: the entry bundles of the same size.

Any static file server or mirror can serve it; :mod:`commonground.tlog.audit` checks it.

Publishing is incremental.  The ``checkpoint`` already in the directory says which size was
published; only the tiles that :func:`tiles.new_tiles` names for the growth since then are
written (the full tiles that became complete and the new partial ones).  A full tile is
immutable: one already on disk is compared, never rewritten, and a different one is refused
(that would be a fork).  Every file is written to a temporary name and renamed into place,
and the checkpoint goes last, so a reader never sees a checkpoint whose tiles are missing.
Older partial tiles stay: tlog-tiles says a log MUST serve the partial tiles of the sizes
it published checkpoints for (and MAY delete them once the full tile exists), and readers
that still hold an older checkpoint fetch them.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.tlog import storage
from commonground.tlog.checkpoint import Checkpoint
from commonground.tlog.errors import FormatError, TlogError
from commonground.tlog.hashing import leaf_hash
from commonground.tlog.models import TlogCoordinator, TlogEntry, TlogNode
from commonground.tlog.note import Note
from commonground.tlog.tiles import TILE_HEIGHT, TILE_WIDTH, Tile, encode_entry_bundle, new_tiles

CHECKPOINT = "checkpoint"


class PublishError(TlogError):
    """The directory or the store does not allow a consistent publication."""

    code = "tlog-publish"


@dataclass(frozen=True, slots=True)
class Published:
    """What one :func:`publish` run did."""

    origin: str
    size: int
    previous_size: int
    written: tuple[str, ...]
    unchanged: int
    checkpoint_written: bool


def checkpoint_body(note: str) -> Checkpoint:
    """The checkpoint in a signed note (the text above the signatures)."""
    return Checkpoint.from_text(Note.from_text(note).text)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def published_checkpoint(directory: Path) -> Checkpoint | None:
    """The checkpoint body already in ``directory`` (not verified: we wrote it), or None."""
    path = directory / CHECKPOINT
    if not path.exists():
        return None
    try:
        return checkpoint_body(path.read_text(encoding="utf-8"))
    except (FormatError, UnicodeDecodeError) as exc:
        raise PublishError(f"{path}: not a checkpoint note: {exc}") from None


def _log_id(session: Session, origin: str) -> int:
    table = TlogCoordinator.__table__
    log_id = session.connection().scalar(select(table.c.id).where(table.c.origin == origin))
    if log_id is None:
        raise storage.UnknownLogError(origin)
    return int(log_id)


def _entry_tile(session: Session, log_id: int, tile: Tile, origin: str) -> tuple[bytes, bytes]:
    """(entry bundle, level-0 hash tile) of the ``tile.width`` entries of tile ``tile.index``."""
    e = TlogEntry.__table__
    start = tile.index * TILE_WIDTH
    rows = session.connection().execute(
        select(e.c.leaf_index, e.c.data, e.c.leaf_hash)
        .where(e.c.log_id == log_id, e.c.leaf_index >= start, e.c.leaf_index < start + tile.width)
        .order_by(e.c.leaf_index)
    )
    entries: list[bytes] = []
    hashes: list[bytes] = []
    for i, data, stored in rows:
        data, stored = bytes(data), bytes(stored)
        if i != start + len(entries):
            raise storage.LogIntegrityError(origin, "entry missing", index=start + len(entries))
        if leaf_hash(data) != stored:
            raise storage.LogIntegrityError(
                origin, "entry bytes do not match their leaf hash", index=i
            )
        entries.append(data)
        hashes.append(stored)
    if len(entries) != tile.width:
        raise storage.LogIntegrityError(origin, "entry missing", index=start + len(entries))
    return encode_entry_bundle(entries), b"".join(hashes)


def _hash_tile(session: Session, log_id: int, tile: Tile, origin: str) -> bytes:
    """A hash tile of level ≥ 1: the stored nodes at tree level 8·L."""
    n = TlogNode.__table__
    level = TILE_HEIGHT * tile.level
    start = tile.index * TILE_WIDTH
    rows = session.connection().execute(
        select(n.c.node_index, n.c.hash)
        .where(
            n.c.log_id == log_id,
            n.c.level == level,
            n.c.node_index >= start,
            n.c.node_index < start + tile.width,
        )
        .order_by(n.c.node_index)
    )
    out = bytearray()
    expected = start
    for i, h in rows:
        if i != expected:
            break
        out += bytes(h)
        expected += 1
    if expected != start + tile.width:
        raise storage.LogIntegrityError(origin, "stored node missing", node=(level, expected))
    return bytes(out)


def _put_immutable(path: Path, data: bytes) -> bool:
    """Write a full tile unless it exists; refuse one that exists with other bytes."""
    if path.exists():
        if path.read_bytes() != data:
            raise PublishError(
                f"{path}: a full tile already published differs from the log's "
                "(full tiles never change: the directory holds another tree)"
            )
        return False
    write_atomic(path, data)
    return True


def publish(session: Session, origin: str, directory: Path) -> Published:
    """Publish the log's latest checkpoint and its tiles into ``directory``.

    Reads in the caller's session (use ``Store.sessions()``: one consistent snapshot).
    Raises :class:`PublishError` if the directory holds another log or a larger one, and
    :class:`storage.LogIntegrityError` if the store disagrees with the checkpoint.
    """
    note = storage.latest_checkpoint(session, origin)
    if note is None:
        raise PublishError(f"log {origin!r} has signed no checkpoint yet: nothing to publish")
    cp = checkpoint_body(note)
    old = published_checkpoint(directory)
    old_size = 0
    if old is not None:
        if old.origin != origin:
            raise PublishError(
                f"{directory / CHECKPOINT} is for log {old.origin!r}, not {origin!r}"
            )
        if old.size > cp.size:
            raise PublishError(
                f"{directory} already holds size {old.size}, larger than the latest "
                f"checkpoint's {cp.size}"
            )
        old_size = old.size
    root = storage.tree_hash(session, origin, cp.size)
    if root != cp.root_hash:
        raise storage.LogIntegrityError(
            origin, "stored tree differs from the signed checkpoint", size=cp.size, stored=root
        )
    if old is not None and old.root_hash != storage.tree_hash(session, origin, old.size):
        raise PublishError(
            f"{directory / CHECKPOINT} (size {old.size}) has a root this log never had"
        )
    log_id = _log_id(session, origin)
    written: list[str] = []
    unchanged = 0
    for tile in new_tiles(old_size, cp.size):
        if tile.level == 0:
            bundle_tile = Tile(-1, tile.index, tile.width)
            bundle, data = _entry_tile(session, log_id, tile, origin)
            files = [(bundle_tile, bundle), (tile, data)]
        else:
            files = [(tile, _hash_tile(session, log_id, tile, origin))]
        for t, content in files:
            path = directory / t.path()
            if t.is_partial:
                write_atomic(path, content)
                written.append(t.path())
            elif _put_immutable(path, content):
                written.append(t.path())
            else:
                unchanged += 1
    checkpoint_path = directory / CHECKPOINT
    current = checkpoint_path.read_bytes() if checkpoint_path.exists() else None
    changed = current != note.encode("utf-8")
    if changed:
        write_atomic(checkpoint_path, note.encode("utf-8"))  # last: its tiles are all in place
    return Published(origin, cp.size, old_size, tuple(written), unchanged, changed)
