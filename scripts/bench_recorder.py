"""What logging every write costs: records written per second with and without the log.

    .venv/bin/python scripts/bench_recorder.py [--records 20000] [--batch 2000] [--pg URL]

Writes mapping records (a logged table with no child rows) in batches of write
transactions, first through a store whose log is switched off (the baseline, same run,
same database engine), then through one that appends every record to the log in the same
transaction (canonical JSON, SHA-256, envelope, batched append, record index).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from commonground.store.engine import Store
from commonground.store.migrate import upgrade
from commonground.store.models import Mapping, Source
from commonground.tlog.models import TlogRecordIndex

ORIGIN = "bench.commonground.org/log"


def _write(store: Store, tag: str, total: int, batch: int) -> float:
    t0 = time.perf_counter()
    for lo in range(0, total, batch):
        with store.transaction() as session:
            session.add_all(
                Mapping(
                    mapping_set=f"bench-{tag}",
                    subject_id=f"s-{i:08d}",
                    subject_type="term",
                    predicate="skos:closeMatch",
                    object_id=f"o-{i:08d}",
                    object_type="term",
                    justification="semapv:ManualMappingCuration",
                    method="manual",
                    review_status="unreviewed",
                    source_id="bench",
                )
                for i in range(lo, min(lo + batch, total))
            )
    return total / (time.perf_counter() - t0)


def run(url: str, label: str, total: int, batch: int) -> None:
    plain = Store.from_url(url, log_origin=None)
    upgrade(plain)
    with plain.transaction() as session:
        session.add(Source(id="bench", title="Benchmark", origin="bench"))
    baseline = _write(plain, "plain", total, batch)
    logged = Store.from_url(url, log_origin=ORIGIN)
    with_log = _write(logged, "logged", total, batch)
    with logged.sessions() as session:
        entries = session.scalar(select(func.count()).select_from(TlogRecordIndex))
    assert entries == total, entries
    print(
        f"{label}: {total:,} records, batches of {batch:,}: "
        f"{baseline:,.0f}/s without the log, {with_log:,.0f}/s with every record logged "
        f"({with_log / baseline:.2f}× the baseline)"
    )
    plain.dispose()
    logged.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--pg", help="PostgreSQL server URL (a database is made and dropped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite", args.records, args.batch)
    if args.pg:
        admin_url = make_url(args.pg).set(drivername="postgresql+psycopg")
        name = f"cg_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin_url.set(database=name).render_as_string(hide_password=False)
            run(url, "PostgreSQL", args.records, args.batch)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
