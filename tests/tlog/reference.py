"""A naive RFC 9162 reference: the recursive definitions of §2.1, over the whole leaf list.

MTH, PATH and PROOF/SUBPROOF exactly as written in RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1,
rehashing every subtree they touch; used by the Hypothesis tests and as the benchmark's
baseline.  Deliberately shares no code with ``commonground.tlog`` but ``hashlib``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(entries: Sequence[bytes]) -> bytes:
    """MTH(D[n]) — RFC 9162 §2.1.1."""
    n = len(entries)
    if n == 0:
        return _h(b"")
    if n == 1:
        return _h(b"\x00" + entries[0])
    k = _k(n)
    return _h(b"\x01" + mth(entries[:k]) + mth(entries[k:]))


def path(m: int, entries: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) — RFC 9162 §2.1.3.1."""
    n = len(entries)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return path(m, entries[:k]) + [mth(entries[k:])]
    return path(m - k, entries[k:]) + [mth(entries[:k])]


def _subproof(m: int, entries: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if b else [mth(entries)]
    k = _k(n)
    if m <= k:
        return _subproof(m, entries[:k], b) + [mth(entries[k:])]
    return _subproof(m - k, entries[k:], False) + [mth(entries[:k])]


def proof(m: int, entries: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) — RFC 9162 §2.1.4.1 (empty for m = 0 or m = n)."""
    if m == 0 or m == len(entries):
        return []
    return _subproof(m, entries, True)
