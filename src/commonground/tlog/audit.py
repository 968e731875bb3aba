"""Monitor any C2SP tlog-tiles log: rebuild it from its entry bundles, check every file.

:func:`audit` reads a log served as a directory or over HTTP (ours, published by
:mod:`commonground.tlog.publish`, or another operator's, e.g. tessera's ``testdata/log``):

1. the ``checkpoint`` note, whose signature must verify with the log's key;
2. against the state of an earlier audit (size and root last seen): a smaller size is a
   replay or roll-back, another root at the same size is a fork;
3. every entry bundle in order, each entry leaf-hashed, the tree rebuilt on a compact range
   of O(log n) hashes; every hash tile, full and partial, at every level, compared with the
   hashes rebuilt from the entries (a level-L tile entry is the root of a full level-(L-1)
   tile, so each level keeps at most one tile's worth of hashes);
4. the rebuilt root against the checkpoint's, and the root rebuilt at the size seen before
   against the root seen before (consistency, checked on the entries themselves).

Memory is O(log n) hashes plus one tile per level, whatever the log's size.  The first
discrepancy is raised as :class:`AuditError`, naming the file, the tile and the index, and
the expected and found values.  A level-0 tile that disagrees with its entries is blamed on
the file the signed root contradicts: the tiles' own hashes are folded on the side from
the first disagreement, so when they (not the entries) reach the checkpoint's root, the
entry bundle is the one that was changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from commonground.tlog.checkpoint import Checkpoint, open_checkpoint
from commonground.tlog.errors import FormatError, TlogError, VerificationError
from commonground.tlog.hashing import HASH_SIZE, fold_right, leaf_hash, root_from_leaf_hashes
from commonground.tlog.note import NoteVerifier, b64decode, b64encode
from commonground.tlog.proof import range_nodes
from commonground.tlog.publish import CHECKPOINT, write_atomic
from commonground.tlog.storage import _Frontier as Frontier
from commonground.tlog.tiles import TILE_WIDTH, Tile, parse_entry_bundle

Progress = Callable[[int, int], None]
"""Called with the number of entries checked so far and the checkpoint's size."""


class AuditError(VerificationError):
    """The first discrepancy found: ``file`` (path in the log), what differs, and values."""

    code = "tlog-audit"

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        expected: object = None,
        found: object = None,
        index: int | None = None,
    ) -> None:
        self.file = file
        self.reason = reason
        self.expected = expected
        self.found = found
        self.index = index
        parts = [f"{file}: {reason}"]
        if expected is not None and found is not None:
            parts.append(f"expected {_show(expected)}, found {_show(found)}")
        super().__init__("; ".join(parts))


class MissingFileError(AuditError):
    """A file the checkpoint needs is not served."""

    code = "tlog-audit-missing"


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


# --------------------------------------------------------------------------- sources


class Source(Protocol):
    """Where the log's files come from."""

    def read(self, path: str) -> bytes: ...

    def describe(self) -> str: ...


@dataclass
class DirectorySource:
    """A log in a local directory (offline)."""

    root: Path

    def read(self, path: str) -> bytes:
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError:
            raise MissingFileError(path, "missing (no such file)") from None
        except OSError as exc:
            raise AuditError(path, f"cannot be read: {exc.strerror}") from None

    def describe(self) -> str:
        return str(self.root)


@dataclass
class HttpSource:
    """A log served over HTTP(S) under ``base_url``."""

    base_url: str
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def read(self, path: str) -> bytes:
        url = self.base_url.rstrip("/") + "/" + path
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise AuditError(path, f"cannot be fetched from {url}: {exc}") from None
        if response.status_code == 404:
            raise MissingFileError(path, f"missing (404 from {url})")
        if response.status_code != 200:
            raise AuditError(path, f"{url} answered {response.status_code}")
        return response.content

    def describe(self) -> str:
        return self.base_url

    def close(self) -> None:
        self.client.close()


def source_for(location: str) -> DirectorySource | HttpSource:
    """An HTTP source for ``http(s)://`` locations, else a directory."""
    if location.startswith(("http://", "https://")):
        return HttpSource(location)
    path = Path(location)
    if not path.is_dir():
        raise TlogError(f"{location}: not a directory or an http(s) URL")
    return DirectorySource(path)


# --------------------------------------------------------------------------- state


@dataclass(frozen=True, slots=True)
class SeenState:
    """The checkpoint an earlier audit accepted: origin, size, root and the note."""

    origin: str
    size: int
    root_hash: bytes
    checkpoint: str

    @classmethod
    def load(cls, path: Path) -> SeenState | None:
        if not path.exists():
            return None
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                origin=str(raw["origin"]),
                size=int(raw["size"]),
                root_hash=b64decode(raw["root"]),
                checkpoint=str(raw["checkpoint"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise TlogError(f"{path}: not an audit state file: {exc}") from None

    def save(self, path: Path) -> None:
        text = json.dumps(
            {
                "origin": self.origin,
                "size": self.size,
                "root": b64encode(self.root_hash),
                "checkpoint": self.checkpoint,
            },
            indent=2,
        )
        write_atomic(path, (text + "\n").encode("utf-8"))


# --------------------------------------------------------------------------- the audit


@dataclass(frozen=True, slots=True)
class AuditResult:
    checkpoint: Checkpoint
    previous_size: int | None
    entries: int
    tiles: int
    bytes_read: int


class _Roots:
    """The tree's root at any size, from the roots of its full level-0 tiles.

    A compact range over the tile roots (tree level 8) plus the leaves of the one partial
    tile: ``root = fold_right(range over full tiles + [root of the partial leaves])``.
    """

    __slots__ = ("tiles",)

    def __init__(self) -> None:
        self.tiles = Frontier(0, [])

    def add_tile(self, root: bytes) -> None:
        self.tiles.extend([root])

    def root(self, partial: list[bytes]) -> bytes:
        last = self.tiles.last
        hashes = [last[level] for level, _ in range_nodes(0, self.tiles.size)]
        if partial:
            hashes.append(root_from_leaf_hashes(partial))
        return fold_right(hashes)

    def copy(self) -> _Roots:
        twin = _Roots()
        twin.tiles.size, twin.tiles.last = self.tiles.size, dict(self.tiles.last)
        return twin


@dataclass
class _Pending:
    """A level-0 tile that disagreed with its entries; who is wrong is decided by the root."""

    error: AuditError
    entry: int
    bundle: str = ""  # set when the disagreement is between a bundle and its level-0 tile
    shadow: _Roots | None = None  # the tree over the tiles' own hashes from then on
    shadow_partial: list[bytes] = field(default_factory=list)


class _Auditor:
    def __init__(self, source: Source, checkpoint: Checkpoint, seen: SeenState | None) -> None:
        self.source = source
        self.cp = checkpoint
        self.seen = seen
        self.roots = _Roots()
        self.partial: list[bytes] = []  # leaf hashes of the last, partial, entry bundle
        self.levels: list[list[bytes]] = [[]]  # rebuilt hashes awaiting their tile, per level
        self.done: list[int] = [0]  # full tiles checked, per level
        self.tiles = 0
        self.bytes_read = 0
        self.pending: _Pending | None = None
        self.seen_root: bytes | None = None

    def read(self, path: str) -> bytes:
        data = self.source.read(path)
        self.bytes_read += len(data)
        return data

    def hash_tile(self, tile: Tile) -> list[bytes]:
        path = tile.path()
        data = self.read(path)
        self.tiles += 1
        if len(data) != tile.width * HASH_SIZE:
            raise AuditError(
                path,
                f"is {len(data)} bytes, want {tile.width} hashes of 32 bytes",
                expected=tile.width * HASH_SIZE,
                found=len(data),
            )
        return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]

    def compare(self, tile: Tile, rebuilt: list[bytes], found: list[bytes]) -> bool:
        """Record the first difference (if none is recorded yet); True when they differ."""
        if rebuilt == found:
            return False
        i = next(i for i, (a, b) in enumerate(zip(rebuilt, found, strict=True)) if a != b)
        first = (tile.index * TILE_WIDTH + i) * TILE_WIDTH**tile.level
        what = f"entry {first}" if tile.level == 0 else f"subtree from entry {first}"
        if self.pending is None:
            self.pending = _Pending(
                AuditError(
                    tile.path(),
                    f"hash {i} (level {tile.level}, {what}) differs from the one rebuilt "
                    "from the entry bundles",
                    expected=rebuilt[i],
                    found=found[i],
                    index=i,
                ),
                first,
            )
        return True

    def push(self, level: int, h: bytes) -> None:
        """A rebuilt hash at tile level ``level``; check the tile when it fills up."""
        if level == len(self.levels):
            self.levels.append([])
            self.done.append(0)
        buf = self.levels[level]
        buf.append(h)
        if len(buf) == TILE_WIDTH:
            tile = Tile(level, self.done[level])
            self.compare(tile, buf, self.hash_tile(tile))
            self.done[level] += 1
            self.levels[level] = []
            self.push(level + 1, root_from_leaf_hashes(buf))

    def bundle(self, index: int, width: int) -> int:
        """Check entry bundle ``index`` and its level-0 tile; return the entries read."""
        path = Tile(-1, index, width).path()
        try:
            entries = parse_entry_bundle(self.read(path), width=width)
        except FormatError as exc:
            raise AuditError(path, f"{exc.reason} (the path promises {width})") from None
        self.tiles += 1
        hashes = [leaf_hash(e) for e in entries]
        tile = Tile(0, index, width)
        found = self.hash_tile(tile)
        first_difference = self.pending is None and self.compare(tile, hashes, found)
        if first_difference and self.pending is not None:
            self.pending.bundle = path
            self.pending.shadow = self.roots.copy()
        pending = self.pending
        seen = self.seen
        start = index * TILE_WIDTH
        if seen is not None and start < seen.size < start + width:
            self.seen_root = self.roots.root(hashes[: seen.size - start])
        if width == TILE_WIDTH:
            root = root_from_leaf_hashes(hashes)
            self.roots.add_tile(root)
            if pending is not None and pending.shadow is not None:
                pending.shadow.add_tile(root_from_leaf_hashes(found))
            self.push(1, root)
        else:
            self.partial = hashes
            if pending is not None and pending.shadow is not None:
                pending.shadow_partial = found
        if seen is not None and seen.size == start + width:
            self.seen_root = self.roots.root(self.partial if width < TILE_WIDTH else [])
        return width

    def finish(self) -> None:
        """Partial tiles above level 0, then the root and the consistency checks."""
        size = self.cp.size
        for level in range(1, len(self.levels)):
            width = (size >> (8 * level)) % TILE_WIDTH
            rebuilt = self.levels[level]
            if width != len(rebuilt):  # pragma: no cover - follows from the loop above
                raise AuditError(f"tile/{level}", "internal: partial tile width mismatch")
            if width:
                tile = Tile(level, self.done[level], width)
                self.compare(tile, rebuilt, self.hash_tile(tile))
        root = self.roots.root(self.partial)
        pending = self.pending
        if root != self.cp.root_hash:
            if (
                pending is not None
                and pending.shadow is not None
                and pending.shadow.root(pending.shadow_partial) == self.cp.root_hash
            ):
                raise AuditError(
                    pending.bundle,
                    f"entry {pending.entry} was changed: its leaf hash differs from "
                    f"{pending.error.file} hash {pending.error.index}, and the tile's hashes "
                    "(not the entries) reach the checkpoint's root",
                    expected=pending.error.found,
                    found=pending.error.expected,
                    index=pending.entry,
                )
            if pending is not None:
                raise pending.error
            raise AuditError(
                CHECKPOINT,
                f"the root rebuilt from the {size} entries differs from the checkpoint's",
                expected=self.cp.root_hash,
                found=root,
            )
        if pending is not None:
            raise pending.error
        seen = self.seen
        if seen is not None and seen.size:
            if self.seen_root != seen.root_hash:
                raise AuditError(
                    CHECKPOINT,
                    f"fork: the first {seen.size} entries of this log hash to another root "
                    f"than the checkpoint of size {seen.size} seen before",
                    expected=seen.root_hash,
                    found=self.seen_root,
                )


def check_against_seen(cp: Checkpoint, seen: SeenState | None) -> None:
    """Replay and same-size fork checks that need no entries."""
    if seen is None:
        return
    if seen.origin != cp.origin:
        raise AuditError(
            CHECKPOINT,
            "the state file is for another log",
            expected=seen.origin,
            found=cp.origin,
        )
    if cp.size < seen.size:
        raise AuditError(
            CHECKPOINT,
            f"replay or roll-back: size {cp.size} is smaller than the size {seen.size} seen before",
            expected=f">= {seen.size}",
            found=cp.size,
        )
    if cp.size == seen.size and cp.root_hash != seen.root_hash:
        raise AuditError(
            CHECKPOINT,
            f"fork: another root at size {cp.size} than the checkpoint seen before",
            expected=seen.root_hash,
            found=cp.root_hash,
        )


def audit(
    source: Source,
    verifiers: list[NoteVerifier],
    *,
    origin: str | None = None,
    state: Path | None = None,
    progress: Progress | None = None,
) -> AuditResult:
    """Audit the log ``source`` serves; raise :class:`AuditError` at the first discrepancy.

    On success the state file (if given) is updated to the checkpoint just audited.
    """
    note = source.read(CHECKPOINT)
    try:
        cp, _ = open_checkpoint(note, verifiers)
    except TlogError as exc:
        raise AuditError(CHECKPOINT, f"signature or format: {exc}") from None
    if origin is not None and cp.origin != origin:
        raise AuditError(CHECKPOINT, "origin differs", expected=origin, found=cp.origin)
    seen = SeenState.load(state) if state is not None else None
    check_against_seen(cp, seen)
    auditor = _Auditor(source, cp, seen)
    auditor.bytes_read += len(note)
    checked = 0
    full, rest = divmod(cp.size, TILE_WIDTH)
    for index in range(full + (1 if rest else 0)):
        checked += auditor.bundle(index, TILE_WIDTH if index < full else rest)
        if progress is not None:
            progress(checked, cp.size)
    auditor.finish()
    if state is not None:
        SeenState(cp.origin, cp.size, cp.root_hash, note.decode("utf-8")).save(state)
    return AuditResult(
        checkpoint=cp,
        previous_size=seen.size if seen else None,
        entries=checked,
        tiles=auditor.tiles,
        bytes_read=auditor.bytes_read,
    )
