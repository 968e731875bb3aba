"""Audit speed of a published tlog-tiles log: streaming audit against an in-memory baseline.

    .venv/bin/python scripts/bench_tlog_audit.py [--entries 100000] [--database-url URL]

Builds a log of N entries in a fresh SQLite store (or the given database), signs a
checkpoint, publishes the tiles to a temporary directory, then times

- ``audit``: commonground.tlog.audit — streams the entry bundles, rebuilds the tree on a
  compact range and checks every hash tile, in O(log n) hashes plus a tile per level;
- a naive monitor in the same run: read every bundle into memory, build the whole tree
  (:class:`MemoryTree`), then compare every tile and the root.

Both are timed without tracing, then run again under tracemalloc for their peak memory.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

from commonground.store.engine import Store
from commonground.store.migrate import upgrade
from commonground.tlog import storage
from commonground.tlog.audit import DirectorySource, audit
from commonground.tlog.checkpoint import open_checkpoint
from commonground.tlog.note import Signer
from commonground.tlog.publish import publish
from commonground.tlog.tiles import (
    TILE_WIDTH,
    Tile,
    parse_entry_bundle,
    read_tile,
    tiles_for_size,
)
from commonground.tlog.tree import MemoryTree

ORIGIN = "bench.example/audit"


def naive(directory: Path, signer: Signer) -> int:
    """Everything in memory: all entries, the whole tree, then every tile."""
    cp, _ = open_checkpoint((directory / "checkpoint").read_bytes(), [signer.verifier()])
    entries: list[bytes] = []
    full, rest = divmod(cp.size, TILE_WIDTH)
    for n in range(full + (1 if rest else 0)):
        width = TILE_WIDTH if n < full else rest
        entries += parse_entry_bundle((directory / Tile(-1, n, width).path()).read_bytes())
    tree = MemoryTree.from_entries(entries)
    for tile in tiles_for_size(cp.size):
        if (directory / tile.path()).read_bytes() != read_tile(tile, tree.node):
            raise SystemExit(f"naive: {tile.path()} differs")
    if tree.root() != cp.root_hash:
        raise SystemExit("naive: root differs")
    return cp.size


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak(fn) -> int:  # type: ignore[no-untyped-def]
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    n = args.entries
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        store = Store.from_url(url, log_origin=None)
        upgrade(store)
        signer = Signer.generate(ORIGIN)
        start = time.perf_counter()
        with store.transaction() as session:
            base = storage.log_size(session, ORIGIN)
            for lo in range(base, base + n, 10_000):
                hi = min(base + n, lo + 10_000)
                storage.append(session, ORIGIN, [b"bench entry %d" % i for i in range(lo, hi)])
            storage.sign_checkpoint(session, ORIGIN, signer)
        built = time.perf_counter() - start
        site = Path(tmp) / "site"
        start = time.perf_counter()
        with store.sessions() as session:
            result = publish(session, ORIGIN, site)
        published = time.perf_counter() - start
        store.dispose()
        size = result.size
        files = sum(1 for p in site.rglob("*") if p.is_file())
        source = DirectorySource(site)
        verifiers = [signer.verifier()]
        t_audit = timed(lambda: audit(source, verifiers))
        t_naive = timed(lambda: naive(site, signer))
        m_audit = peak(lambda: audit(source, verifiers))
        m_naive = peak(lambda: naive(site, signer))
    print(f"log of {size:,} entries: appended and signed in {built:.2f}s")
    print(f"publish: {files:,} files in {published:.2f}s ({size / published:,.0f} entries/s)")
    print(
        f"audit (streaming): {t_audit:.3f}s = {size / t_audit:,.0f} entries/s, "
        f"peak {m_audit / 1e6:.2f} MB"
    )
    print(
        f"naive (all in memory): {t_naive:.3f}s = {size / t_naive:,.0f} entries/s, "
        f"peak {m_naive / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
