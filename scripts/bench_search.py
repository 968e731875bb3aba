"""Benchmark search: index N instruments cloned from the curated records, then time a few
queries with `commonground.search.search` (ranked, faceted, highlighted top 20) against a
naive LIKE '%q%' scan over the same texts, in the same run.

    .venv/bin/python scripts/bench_search.py [-n 20000] [--url postgresql://…] [--seconds 2]

Without --url it uses a throwaway SQLite file. With --url the database must be empty and
is left with the synthetic rows in it (use a scratch database).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from sqlalchemy import func, insert, or_, select

from commonground.search import rebuild, search
from commonground.store.engine import Store
from commonground.store.migrate import upgrade
from commonground.store.models import Instrument

DATA = Path(__file__).resolve().parents[1] / "src" / "commonground" / "data" / "instruments"
QUERIES = [
    "人工智能",
    "治理",
    "安全",
    "人工智慧",
    "灾难性",
    "governance",
    "Bletchley",
    "Zambia",
    "frontier AI safety",
]
YEARS = list(range(2016, 2026))


def curated_records() -> list[dict]:
    records = []
    for path in sorted(DATA.glob("*.yaml")):
        for r in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            names, summary = r.get("names") or {}, r.get("summary") or {}
            short = r.get("short_names") or {}
            records.append(
                {
                    "name_en": names.get("en") or r["id"],
                    "name_zh": names.get("zh"),
                    "short_name_en": short.get("en"),
                    "short_name_zh": short.get("zh"),
                    "summary_en": summary.get("en"),
                    "summary_zh": summary.get("zh"),
                    "type": r.get("type") or "other",
                    "legal_force": r.get("legal_force"),
                    "jurisdiction": r.get("jurisdiction"),
                    "id": r["id"],
                }
            )
    return records


def populate(store: Store, n: int) -> None:
    base = curated_records()
    rows = []
    for k, r in zip(range(n), itertools.cycle(base), strict=False):
        rows.append({**r, "id": f"{r['id']}#{k}", "year": YEARS[k % len(YEARS)], "origin": "bench"})
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 1000):
            conn.execute(insert(Instrument), rows[start : start + 1000])


def like_scan(store: Store, q: str) -> int:
    """The naive baseline: substring match over names and summaries, count + first 20."""
    i = Instrument.__table__
    pattern = f"%{q}%"
    cols = (i.c.name_en, i.c.name_zh, i.c.summary_en, i.c.summary_zh)
    if store.dialect == "postgresql":
        cond = or_(*(c.ilike(pattern) for c in cols))
    else:
        cond = or_(*(c.like(pattern) for c in cols))  # ASCII case-insensitive in SQLite
    with store.engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(i).where(cond)) or 0
        conn.execute(select(i.c.id, i.c.name_en).where(cond).limit(20)).all()
    return total


def rate(fn: Callable[[], object], seconds: float) -> float:
    fn()  # warm up
    runs, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        runs += 1
    return runs / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20_000, help="documents (default 20000)")
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    args = parser.parse_args()

    tmp = None
    if args.url:
        url = args.url
    else:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    store = Store.from_url(url)
    upgrade(store)
    populate(store, args.n)
    start = time.perf_counter()
    size = rebuild(store)
    print(f"{store.dialect}: indexed {size} documents in {time.perf_counter() - start:.2f} s")
    print(f"{'query':<22}{'hits':>7}{'search q/s':>12}{'LIKE hits':>11}{'LIKE q/s':>10}{'x':>7}")
    for q in QUERIES:
        total = search(store, q).total
        fast = rate(lambda q=q: search(store, q), args.seconds)
        like_total = like_scan(store, q)
        slow = rate(lambda q=q: like_scan(store, q), args.seconds)
        print(f"{q:<22}{total:>7}{fast:>12.1f}{like_total:>11}{slow:>10.1f}{fast / slow:>7.1f}")
    store.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
