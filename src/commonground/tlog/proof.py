"""Inclusion and consistency proofs of RFC 9162 §2.1.3 and §2.1.4: generation and verification.

https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3 (inclusion)
https://www.rfc-editor.org/rfc/rfc9162#section-2.1.4 (consistency)

Generation works over a *node source*: any callable ``node(level, index)`` returning the
hash of the perfect subtree of ``2**level`` leaves that starts at leaf ``index * 2**level``
(the "stored hashes" of golang's tlog, the entries of tlog-tiles' hash tiles).  A proof
first names the nodes it needs (:func:`inclusion_nodes`, :func:`consistency_nodes`: at most
about 2·log2(n) of them, so a store can fetch them in one query), then hashes the few
that are not stored, the right border of an incomplete tree (:meth:`ProofNodes.rehash`).

Verification follows the RFC's algorithms step by step and checks its inputs first
(merkle's ``proof/verify.go``): index below size, every hash 32 bytes, the proof length
the sizes imply; the ``sn = 0`` test at the end is kept as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from commonground.tlog.errors import ProofInputError, RootMismatchError
from commonground.tlog.hashing import EMPTY_ROOT, HASH_SIZE, fold_right, node_hash, split_point

NodeId = tuple[int, int]
"""(level, index): the perfect subtree over leaves ``[index·2**level, (index+1)·2**level)``."""

NodeSource = Callable[[int, int], bytes]
"""``node(level, index) -> hash`` of a stored perfect subtree."""


# --------------------------------------------------------------------------- input checks


def _check_size(field: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProofInputError(field=field, reason="must be an integer", value=value)
    if value < 0:
        raise ProofInputError(field=field, reason="must not be negative", value=value)
    return value


def _check_hash(field: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ProofInputError(field=field, reason="must be bytes", value=value)
    raw = bytes(value)
    if len(raw) != HASH_SIZE:
        raise ProofInputError(
            field=field, reason=f"is {len(raw)} bytes, want {HASH_SIZE}", value=raw
        )
    return raw


def _check_proof(proof: Sequence[bytes] | None, want: int) -> list[bytes]:
    items = list(proof or ())
    checked = [_check_hash(f"proof[{i}]", h) for i, h in enumerate(items)]
    if len(checked) != want:
        raise ProofInputError(
            field="proof", reason=f"has {len(checked)} hashes, want {want}", value=len(checked)
        )
    return checked


def inclusion_proof_size(index: int, size: int) -> int:
    """Number of hashes in the inclusion proof of leaf ``index`` in a tree of ``size``."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def consistency_proof_size(size1: int, size2: int) -> int:
    """Number of hashes in the consistency proof from ``size1`` to ``size2`` (0 < size1 < size2)."""
    shift = (size1 & -size1).bit_length() - 1  # trailing zeros of size1
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length() - shift
    border = ((size1 - 1) >> (inner + shift)).bit_count()
    start = 0 if size1 == 1 << shift else 1
    return start + inner + border


# --------------------------------------------------------------------------- generation


def range_nodes(begin: int, end: int) -> tuple[NodeId, ...]:
    """The compact range of ``[begin, end)``: maximal aligned perfect subtrees, left to right."""
    out: list[NodeId] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        out.append((level, begin >> level))
        begin += 1 << level
    return tuple(out)


@dataclass(frozen=True, slots=True)
class ProofNodes:
    """The nodes a proof needs: one group per proof hash, each group folded right to left.

    A group of one node is a stored hash; a longer group is an *ephemeral* node (the root of
    an incomplete right subtree) recomputed from its compact range.
    """

    groups: tuple[tuple[NodeId, ...], ...]

    def ids(self) -> list[NodeId]:
        """Every node to read, in order (fetch these, then :meth:`rehash`)."""
        return [node for group in self.groups for node in group]

    def rehash(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Turn the hashes read for :meth:`ids` into the proof."""
        out: list[bytes] = []
        pos = 0
        for group in self.groups:
            chunk = hashes[pos : pos + len(group)]
            pos += len(group)
            out.append(chunk[0] if len(chunk) == 1 else fold_right(chunk))
        return out

    def fetch(self, node: NodeSource) -> list[bytes]:
        """Read every node from ``node`` and build the proof."""
        return self.rehash([node(level, index) for level, index in self.ids()])


def inclusion_nodes(index: int, size: int) -> ProofNodes:
    """Nodes of PATH(m, D[n]) — RFC 9162 §2.1.3.1, bottom-up."""
    _check_size("size", size)
    _check_size("index", index)
    if index >= size:
        raise ProofInputError(field="index", reason=f"must be below size {size}", value=index)
    groups: list[tuple[NodeId, ...]] = []
    begin, end, m = 0, size, index
    while end - begin > 1:  # walk down from the root, prepending each sibling
        k = split_point(end - begin)
        if m < k:
            groups.append(range_nodes(begin + k, end))
            end = begin + k
        else:
            groups.append(range_nodes(begin, begin + k))
            begin, m = begin + k, m - k
    groups.reverse()
    return ProofNodes(tuple(groups))


def consistency_nodes(size1: int, size2: int) -> ProofNodes:
    """Nodes of PROOF(m, D[n]) = SUBPROOF(m, D[n], true) — RFC 9162 §2.1.4.1.

    Empty when ``size1`` is 0 or equals ``size2``.
    """
    _check_size("size1", size1)
    _check_size("size2", size2)
    if size1 > size2:
        raise ProofInputError(field="size1", reason=f"must not exceed size2 {size2}", value=size1)
    groups: list[tuple[NodeId, ...]] = []
    if size1 == 0 or size1 == size2:
        return ProofNodes(())
    begin, end, m, whole = 0, size2, size1, True
    while True:
        n = end - begin
        if m == n:  # SUBPROOF(m, D[m], b): nothing when b, else MTH(D[m])
            if not whole:
                groups.append(range_nodes(begin, end))
            break
        k = split_point(n)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            groups.append(range_nodes(begin + k, end))
            end = begin + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            groups.append(range_nodes(begin, begin + k))
            begin, m, whole = begin + k, m - k, False
    groups.reverse()
    return ProofNodes(tuple(groups))


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves — RFC 9162 §2.1.3.1."""
    return inclusion_nodes(index, size).fetch(node)


def consistency_proof(size1: int, size2: int, node: NodeSource) -> list[bytes]:
    """The consistency proof from ``size1`` to ``size2`` — RFC 9162 §2.1.4.1."""
    return consistency_nodes(size1, size2).fetch(node)


def tree_root(size: int, node: NodeSource) -> bytes:
    """MTH of the first ``size`` leaves, from their compact range (at most log2(n) reads)."""
    _check_size("size", size)
    return fold_right([node(level, index) for level, index in range_nodes(0, size)])


# --------------------------------------------------------------------------- verification


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes] | None
) -> bytes:
    """The root that ``proof`` chains ``leaf_hash`` to — RFC 9162 §2.1.3.2 steps 1–4.

    Raises :class:`ProofInputError` for an index not below the size, a hash that is not
    32 bytes, or a proof of the wrong length.
    """
    _check_size("size", size)
    _check_size("index", index)
    if index >= size:  # step 1
        raise ProofInputError(field="index", reason=f"must be below size {size}", value=index)
    r = _check_hash("leaf_hash", leaf_hash)
    path = _check_proof(proof, inclusion_proof_size(index, size))
    fn, sn = index, size - 1  # step 2
    for p in path:  # step 4
        if sn == 0:
            raise ProofInputError(field="proof", reason="longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:  # shift until LSB(fn) is set or fn is 0
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 5
        raise ProofInputError(field="proof", reason="shorter than the path to the root")
    return r


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes] | None, root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree ``(size, root)`` — RFC 9162 §2.1.3.2.

    Returns None or raises :class:`ProofInputError` / :class:`RootMismatchError`.
    """
    _check_size("size", size)
    _check_size("index", index)
    if index >= size:
        raise ProofInputError(field="index", reason=f"must be below size {size}", value=index)
    expected = _check_hash("root", root)
    calculated = root_from_inclusion_proof(leaf_hash, index, size, proof)
    if calculated != expected:
        raise RootMismatchError(expected=expected, calculated=calculated)


def verify_consistency(
    size1: int,
    size2: int,
    proof: Sequence[bytes] | None,
    root1: bytes,
    root2: bytes,
    *,
    allow_empty_old: bool = False,
) -> None:
    """Check that the tree ``(size2, root2)`` extends ``(size1, root1)`` — RFC 9162 §2.1.4.2.

    Special cases, decided before any hashing:

    - ``size1 > size2`` is rejected.
    - ``size1 == 0``: rejected by default, as transparency-dev/merkle and its vectors do (a
      proof from the empty tree proves nothing).  With ``allow_empty_old=True`` — the
      c2sp.org/tlog-witness rule for ``old 0`` — it holds when the proof is empty, ``root1``
      is the empty-tree hash and ``root2`` is 32 bytes (the empty-tree hash too if
      ``size2 == 0``).
    - ``size1 == size2``: the proof must be empty and ``root1 == root2``; nothing else is
      checked (merkle's vector ``sizes-are-equal-one-and-proof-is-empty`` has 12-byte roots).

    Returns None or raises :class:`ProofInputError` / :class:`RootMismatchError`.
    """
    _check_size("size1", size1)
    _check_size("size2", size2)
    if size1 > size2:
        raise ProofInputError(field="size1", reason=f"must not exceed size2 {size2}", value=size1)
    if size1 == 0:
        if not allow_empty_old:
            raise ProofInputError(
                field="size1",
                reason="a consistency proof from the empty tree is meaningless",
                value=0,
            )
        _check_proof(proof, 0)
        r1 = _check_hash("root1", root1)
        r2 = _check_hash("root2", root2)
        if r1 != EMPTY_ROOT:
            raise RootMismatchError(expected=r1, calculated=EMPTY_ROOT, which="root1")
        if size2 == 0 and r2 != EMPTY_ROOT:
            raise RootMismatchError(expected=r2, calculated=EMPTY_ROOT, which="root2")
        return
    if size1 == size2:
        if proof:
            raise ProofInputError(
                field="proof", reason="must be empty when the sizes are equal", value=len(proof)
            )
        if bytes(root1) != bytes(root2):
            raise RootMismatchError(expected=bytes(root2), calculated=bytes(root1), which="root1")
        return
    first_hash = _check_hash("root1", root1)
    second_hash = _check_hash("root2", root2)
    path = _check_proof(proof, consistency_proof_size(size1, size2))
    if size1 & (size1 - 1) == 0:  # step 2: size1 is a power of two
        path.insert(0, first_hash)
    fn, sn = size1 - 1, size2 - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofInputError(field="proof", reason="longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:  # shift until LSB(fn) is set or fn is 0
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 7
        raise ProofInputError(field="proof", reason="shorter than the path to the root")
    if fr != first_hash:
        raise RootMismatchError(expected=first_hash, calculated=fr, which="root1")
    if sr != second_hash:
        raise RootMismatchError(expected=second_hash, calculated=sr, which="root2")
