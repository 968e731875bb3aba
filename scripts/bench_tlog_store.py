"""Appends per second to the transparency log in the store, batched vs one-per-transaction.

    .venv/bin/python scripts/bench_tlog_store.py [--entries 200000] [--batch 10000] [--pg URL]

Each run uses a fresh migrated database (a temporary SQLite file; with --pg, a new
database on that server, dropped afterwards). The baseline, measured in the same run, is
the naive path: one entry per write transaction through the same `storage.append`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commonground.store.engine import Store
from commonground.store.migrate import upgrade
from commonground.tlog import storage
from commonground.tlog.hashing import merkle_tree_hash

ORIGIN = "bench.commonground.org/log"


def _entries(n: int, tag: str) -> list[bytes]:
    # about the size of a canonical envelope
    return [
        f"commonground.org/tlog-envelope/v1\nrecord {tag}-{i:09d}\n".encode() * 4 for i in range(n)
    ]


def run(store: Store, label: str, total: int, batch: int, naive: int) -> None:
    data = _entries(total, "b")
    t0 = time.perf_counter()
    for lo in range(0, total, batch):
        with store.transaction() as session:
            storage.append(session, ORIGIN, data[lo : lo + batch])
    batched = total / (time.perf_counter() - t0)
    with store.sessions() as session:
        assert storage.tree_hash(session, ORIGIN) == merkle_tree_hash(data)
    few = _entries(naive, "n")
    t0 = time.perf_counter()
    for e in few:
        with store.transaction() as session:
            storage.append(session, ORIGIN + "/naive", [e])
    single = naive / (time.perf_counter() - t0)
    print(
        f"{label:10s} batched: {batched:>10,.0f} appends/s ({total:,} entries, batches of "
        f"{batch:,})   one per transaction: {single:>8,.0f} appends/s ({naive:,})   "
        f"speed-up x{batched / single:.0f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--entries", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--naive", type=int, default=2_000)
    ap.add_argument("--pg", help="postgresql:// URL of a server to create a database on")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.from_url(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        upgrade(store)
        run(store, "sqlite", args.entries, args.batch, args.naive)
        store.dispose()
    if args.pg:
        admin_url = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"cg_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            store = Store.from_url(admin_url.set(database=name).render_as_string(False))
            upgrade(store)
            run(store, "postgresql", args.entries, args.batch, args.naive)
            store.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
