"""Benchmark the transparency-log proofs at 10^6 entries against the naive RFC recursion.

    .venv/bin/python scripts/bench_tlog.py [--size 1000000] [--proofs 20000] [--naive-reps 2]

Prints leaf-hashing and tree-building throughput, then inclusion and consistency proof
generation and verification per second for ``commonground.tlog`` (MemoryTree node source:
O(log n) stored-hash reads per proof), and for the naive baseline measured in the same run:
``tests/tlog/reference.py`` (RFC 9162 PATH/PROOF written recursively over the whole entry
list, rehashing every subtree it touches — O(n) hashes per proof).  The naive
"verification" is what a proof spares a client: recomputing MTH over all n entries.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.tlog.reference
sys.path.insert(0, str(ROOT / "src"))

from tests.tlog import reference  # noqa: E402

from commonground.tlog.hashing import leaf_hash  # noqa: E402
from commonground.tlog.proof import verify_consistency, verify_inclusion  # noqa: E402
from commonground.tlog.tree import MemoryTree  # noqa: E402


def rate(count: int, seconds: float) -> str:
    per_s = count / seconds
    shown = f"{per_s:>12,.0f}" if per_s >= 100 else f"{per_s:>12,.3f}"
    return f"{shown}/s  ({count:,} in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=20_000)
    parser.add_argument("--naive-reps", type=int, default=2)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    n, k = args.size, args.proofs
    rng = random.Random(args.seed)
    print(
        f"tlog benchmark: {n:,} entries, {k:,} proofs per measurement, Python {sys.version.split()[0]}"
    )

    entries = [b"entry %d" % i for i in range(n)]
    t = time.perf_counter()
    hashes = [leaf_hash(e) for e in entries]
    print("leaf hashing            ", rate(n, time.perf_counter() - t))
    t = time.perf_counter()
    tree = MemoryTree.from_leaf_hashes(hashes)
    print("tree build (append)     ", rate(n, time.perf_counter() - t))
    root = tree.root()

    indices = [rng.randrange(n) for _ in range(k)]
    t = time.perf_counter()
    proofs = [tree.inclusion_proof(i, n) for i in indices]
    print("inclusion proof gen     ", rate(k, time.perf_counter() - t))
    t = time.perf_counter()
    for i, p in zip(indices, proofs, strict=True):
        verify_inclusion(hashes[i], i, n, p, root)
    print("inclusion verify        ", rate(k, time.perf_counter() - t))

    olds = [rng.randrange(1, n) for _ in range(k)]
    old_roots = {s: tree.root(s) for s in olds}
    t = time.perf_counter()
    cproofs = [tree.consistency_proof(s, n) for s in olds]
    print("consistency proof gen   ", rate(k, time.perf_counter() - t))
    t = time.perf_counter()
    for s, p in zip(olds, cproofs, strict=True):
        verify_consistency(s, n, p, old_roots[s], root)
    print("consistency verify      ", rate(k, time.perf_counter() - t))

    reps = args.naive_reps
    print(f"naive baseline (tests/tlog/reference.py) at the same n = {n:,}, {reps} reps each:")
    t = time.perf_counter()
    for i in indices[:reps]:
        assert reference.path(i, entries) == tree.inclusion_proof(i, n)
    naive_incl = time.perf_counter() - t
    print("naive inclusion gen     ", rate(reps, naive_incl))
    t = time.perf_counter()
    for s in olds[:reps]:
        assert reference.proof(s, entries) == tree.consistency_proof(s, n)
    naive_cons = time.perf_counter() - t
    print("naive consistency gen   ", rate(reps, naive_cons))
    t = time.perf_counter()
    for _ in range(reps):
        assert reference.mth(entries) == root
    naive_root = time.perf_counter() - t
    print("naive verify (full MTH) ", rate(reps, naive_root))


if __name__ == "__main__":
    main()
