"""Merkle tree hashing of RFC 9162 §2.1.1 (identical to RFC 6962 §2.1), SHA-256.

https://www.rfc-editor.org/rfc/rfc9162#section-2.1.1

- the hash of an empty list is ``SHA-256("")``;
- a leaf hash is ``SHA-256(0x00 ‖ d)``;
- an interior node hash is ``SHA-256(0x01 ‖ left ‖ right)``;
- a list of n > 1 entries is split at k, the largest power of two smaller than n.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

_sha256 = hashlib.sha256


def empty_root() -> bytes:
    """MTH({}) = SHA-256() — RFC 9162 §2.1.1."""
    return EMPTY_ROOT


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 ‖ d) — RFC 9162 §2.1.1."""
    return _sha256(LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ MTH(left) ‖ MTH(right)) — RFC 9162 §2.1.1."""
    return _sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1) — RFC 9162 §2.1.1."""
    if n < 2:
        raise ValueError(f"split_point needs n > 1, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Hash a compact range (perfect subtrees, largest first) into the root of their span.

    The root of any RFC 9162 tree is ``node(c0, node(c1, … node(c_{m-2}, c_{m-1})))``
    over the decreasing perfect subtrees c0 … c_{m-1} of its leaves.
    """
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_from_leaf_hashes(hashes: Iterable[bytes]) -> bytes:
    """MTH of a list given by its leaf hashes, in O(n) hashes and O(log n) memory.

    Keeps a stack of perfect-subtree roots (a compact range), merging equal sizes as
    leaves arrive; equal to the recursive RFC 9162 §2.1.1 definition.
    """
    stack: list[bytes] = []
    count = 0
    for h in hashes:
        stack.append(h)
        count += 1
        c = count
        while c & 1 == 0:  # merge while the new subtree completes a larger one
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            c >>= 1
    return fold_right(stack)


def merkle_tree_hash(entries: Iterable[bytes]) -> bytes:
    """MTH(D[n]) of raw entries — RFC 9162 §2.1.1."""
    return root_from_leaf_hashes(leaf_hash(d) for d in entries)
