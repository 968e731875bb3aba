"""An in-memory Merkle tree that keeps every perfect-subtree hash, level by level.

Each level is one ``bytearray`` of 32-byte hashes (level 0 the leaf hashes), so a tree of
10^6 leaves holds about 2·10^6 hashes in 64 MB.  Appending costs one hash per completed
subtree (amortised two); :meth:`MemoryTree.node` is the node source the proof functions
of :mod:`commonground.tlog.proof` read, so a proof costs O(log n) reads and no rehashing
of the tree.  The same levels are what tlog-tiles publishes (tile level l = tree level 8l).
"""

from __future__ import annotations

from collections.abc import Iterable

from commonground.tlog import proof as _proof
from commonground.tlog.errors import ProofInputError
from commonground.tlog.hashing import HASH_SIZE, leaf_hash, node_hash


class MemoryTree:
    """An append-only RFC 9162 tree; also a proof node source via :meth:`node`."""

    __slots__ = ("_levels", "_size")

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MemoryTree:
        """A tree over raw entries (each leaf-hashed)."""
        tree = cls()
        tree.extend(leaf_hash(e) for e in entries)
        return tree

    @classmethod
    def from_leaf_hashes(cls, hashes: Iterable[bytes]) -> MemoryTree:
        """A tree over already leaf-hashed entries."""
        tree = cls()
        tree.extend(hashes)
        return tree

    @property
    def size(self) -> int:
        """Number of leaves."""
        return self._size

    def append(self, leaf: bytes) -> int:
        """Append one *leaf hash*; return its index."""
        if len(leaf) != HASH_SIZE:
            raise ProofInputError(field="leaf_hash", reason=f"is {len(leaf)} bytes, want 32")
        levels = self._levels
        index = self._size
        levels[0] += leaf
        level, i, h = 0, index, bytes(leaf)
        while i & 1:  # the new node completes its parent
            row = levels[level]
            left = bytes(row[(i - 1) * HASH_SIZE : i * HASH_SIZE])
            h = node_hash(left, h)
            level += 1
            i >>= 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += h
        self._size = index + 1
        return index

    def append_entry(self, entry: bytes) -> int:
        """Append one raw entry (leaf-hashed here); return its index."""
        return self.append(leaf_hash(entry))

    def extend(self, hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes."""
        for h in hashes:
            self.append(h)

    def node(self, level: int, index: int) -> bytes:
        """Hash of the perfect subtree ``(level, index)``; a :data:`proof.NodeSource`."""
        if level < 0 or index < 0 or level >= len(self._levels):
            raise ProofInputError(field="node", reason="not in the tree", value=(level, index))
        row = self._levels[level]
        start = index * HASH_SIZE
        if start + HASH_SIZE > len(row):
            raise ProofInputError(field="node", reason="not in the tree", value=(level, index))
        return bytes(row[start : start + HASH_SIZE])

    def leaf_hash(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        return self.node(0, index)

    def _check_size(self, size: int | None) -> int:
        size = self._size if size is None else size
        if size < 0 or size > self._size:
            raise ProofInputError(
                field="size", reason=f"must be within the tree's {self._size} leaves", value=size
            )
        return size

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first ``size`` leaves (default: all)."""
        return _proof.tree_root(self._check_size(size), self.node)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.3.1 audit path of leaf ``index`` in the tree of ``size`` leaves."""
        return _proof.inclusion_proof(index, self._check_size(size), self.node)

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        """RFC 9162 §2.1.4.1 consistency proof from ``size1`` to ``size2`` (default: all)."""
        return _proof.consistency_proof(size1, self._check_size(size2), self.node)
