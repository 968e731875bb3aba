#!/usr/bin/env python3
"""Load-test the web app and print latency (p50/p95/p99) and throughput, side by side
with Datasette serving the same SQLite file as the anchor. Prints figures; not a test.

    .venv/bin/python scripts/bench_web.py                     # builds a full SQLite DB
    .venv/bin/python scripts/bench_web.py --sqlite /tmp/full.sqlite3 --pg postgresql://…

What it does:
  * the app: `uvicorn --workers N` (N = --workers, default one per core) on loopback,
    over the SQLite file, and again over PostgreSQL when --pg is given (loaded with
    `commonground load` first when its instrument table is empty);
  * Datasette (installed into its own venv under /tmp, never a project dependency):
    `datasette serve --setting suggest_facets off` on the same SQLite file, one process
    (Datasette has no workers; the app suggests no facets, so neither does the anchor);
  * the load: `wrk` (Debian: apt-get install wrk) with C connections (default 20) for D
    seconds per page, or, without wrk, an asyncio + httpx generator in this process;
  * pages compared (app ↔ Datasette):
      list    /en/instruments                       ↔ /DB/instrument?_size=50&_sort_desc=year
                                                       + _facet=type,legal_force,jurisdiction,year,origin
      detail  /en/instruments/bletchley-declaration ↔ /DB/instrument/bletchley-declaration
      search  /en/search?q=治理                      ↔ /DB/search_document?_search=治理 (FTS5)
      export  /en/instruments.csv?origin=curated    ↔ /DB/instrument.csv?origin=curated&_size=max
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DATASETTE_VENV = Path("/tmp/cg-bench-datasette")
Q = quote("治理")

APP_PAGES = {
    "list": "/en/instruments",
    "detail": "/en/instruments/bletchley-declaration",
    "search": f"/en/search?q={Q}",
    "export": "/en/instruments.csv?origin=curated",
}
FACETS = "".join(f"&_facet={f}" for f in ("type", "legal_force", "jurisdiction", "year", "origin"))
DATASETTE_PAGES = {
    "list": "/{db}/instrument?_size=50&_sort_desc=year" + FACETS,  # suggest_facets off
    "detail": "/{db}/instrument/bletchley-declaration",
    "search": f"/{{db}}/search_document?_search={Q}",
    "export": "/{db}/instrument.csv?origin=curated&_size=max",
}
TARGET_P95_MS = 100

APP_MODULE = """
import os
from commonground.config import Settings
from commonground.web.app import create_app
app = create_app(Settings(database_url=os.environ["CG_BENCH_DATABASE_URL"]))
"""

WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, '
    .. '"non2xx": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Result:
    server: str
    page: str
    path: str
    rps: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    p99: float = 0.0
    requests: int = 0
    failed: int = 0
    note: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited with {proc.returncode} before it was ready: {url}")
        try:
            status_of(url)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server not ready after {timeout:.0f} s: {url}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- load generators -------------------------------------------------------------------


def run_wrk(url: str, connections: int, duration: int, lua: Path) -> dict:
    threads = max(1, min(os.cpu_count() or 1, connections))
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    raw = json.loads(line[len("BENCH ") :])
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50"] / 1000,
        "p95": raw["p95"] / 1000,
        "p99": raw["p99"] / 1000,
        "failed": raw["non2xx"] + raw["errors"],
    }


def run_httpx(url: str, connections: int, duration: int) -> dict:
    import httpx

    async def main() -> dict:
        latencies: list[float] = []
        failed = 0
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            start = time.perf_counter()
            deadline = start + duration

            async def worker() -> None:
                nonlocal failed
                while time.perf_counter() < deadline:
                    t = time.perf_counter()
                    try:
                        r = await client.get(url)
                        await r.aread()
                        ok = r.status_code < 400
                    except httpx.HTTPError:
                        ok = False
                    latencies.append(time.perf_counter() - t)
                    failed += not ok

            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.perf_counter() - start
        q = (
            statistics.quantiles(latencies, n=100, method="inclusive")
            if len(latencies) > 1
            else latencies * 99
        )
        return {
            "requests": len(latencies),
            "rps": len(latencies) / elapsed,
            "p50": q[49] * 1000,
            "p95": q[94] * 1000,
            "p99": q[98] * 1000,
            "failed": failed,
        }

    return asyncio.run(main())


def bench(server: str, base: str, pages: dict[str, str], args, lua: Path | None) -> list[Result]:  # type: ignore[no-untyped-def]
    results = []
    for page, path in pages.items():
        url = base + path
        code = status_of(url)
        if code == 404 and page == "search":
            results.append(Result(server, page, path, note="skipped: 404 (no search page yet)"))
            continue
        if code >= 400:
            results.append(Result(server, page, path, note=f"skipped: HTTP {code}"))
            continue
        # Warm up at full concurrency, for every server alike (connection pools, page
        # caches in each worker, SQLite page cache); the warm-up is not measured.
        if lua:
            run_wrk(url, args.connections, 2, lua)
        else:
            run_httpx(url, args.connections, 2)
        figures = (
            run_wrk(url, args.connections, args.duration, lua)
            if lua
            else run_httpx(url, args.connections, args.duration)
        )
        result = Result(server, page, path, **figures)
        results.append(result)
        print(
            f"  {server:<22} {page:<7} {result.rps:8.1f} req/s  p50 {result.p50:7.1f}  "
            f"p95 {result.p95:7.1f}  p99 {result.p99:7.1f} ms  failed {result.failed}",
            flush=True,
        )
    return results


# -- servers ---------------------------------------------------------------------------


def start_app(database_url: str, workers: int, shim_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        CG_BENCH_DATABASE_URL=database_url,
        PYTHONPATH=os.pathsep.join(filter(None, [str(shim_dir), os.environ.get("PYTHONPATH")])),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cg_bench_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=shim_dir,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/en/", proc)
    return proc, base


def datasette_bin(args) -> Path | None:  # type: ignore[no-untyped-def]
    exe = args.datasette_venv / "bin" / "datasette"
    if exe.exists():
        return exe
    print(f"installing Datasette into {args.datasette_venv} (benchmark only) …", flush=True)
    subprocess.run(
        [shutil.which("python3") or sys.executable, "-m", "venv", str(args.datasette_venv)],
        check=True,
    )
    subprocess.run(
        [str(args.datasette_venv / "bin" / "python"), "-m", "pip", "install", "-q", "datasette"],
        check=True,
    )
    return exe if exe.exists() else None


def start_datasette(exe: Path, sqlite_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(exe),
            "serve",
            str(sqlite_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            # The app does not suggest facets; Datasette's suggestions cost a query per column.
            "--setting",
            "suggest_facets",
            "off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/-/versions.json", proc)
    return proc, base


def ensure_loaded(database_url: str) -> None:
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            has = (
                inspect(conn).has_table("instrument")
                and conn.execute(text("SELECT count(*) FROM instrument")).scalar()
            )
    finally:
        engine.dispose()
    if not has:
        print(f"loading all data into {make_url(database_url).render_as_string()} …", flush=True)
        t = time.perf_counter()
        subprocess.run(
            [str(VENV_BIN / "commonground"), "load", "--database-url", database_url],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"  loaded in {time.perf_counter() - t:.0f} s", flush=True)


# -- report ----------------------------------------------------------------------------


def report(results: list[Result]) -> None:
    print()
    print(
        f"{'server':<24}{'page':<8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'requests':>10}{'failed':>8}  note"
    )
    for r in results:
        if r.note:
            print(f"{r.server:<24}{r.page:<8}{'':>63}  {r.note}")
            continue
        miss = (
            " (p95 over target)"
            if r.page != "export" and r.p95 > TARGET_P95_MS and not r.server.startswith("datasette")
            else ""
        )
        print(
            f"{r.server:<24}{r.page:<8}{r.rps:9.1f}{r.p50:9.1f}{r.p95:9.1f}{r.p99:9.1f}{r.requests:10d}{r.failed:8d}  {r.path}{miss}"
        )
    anchor = {r.page: r for r in results if r.server.startswith("datasette") and not r.note}
    if anchor:
        print(
            "\nratios to Datasette (same SQLite file): throughput ×, p95 ×  (throughput > 1 and p95 < 1 are better)"
        )
        for r in results:
            a = anchor.get(r.page)
            if r.server.startswith("datasette") or r.note or not a or not a.rps:
                continue
            print(
                f"  {r.server:<22} {r.page:<7} throughput {r.rps / a.rps:5.2f}×   p95 {r.p95 / a.p95:5.2f}×"
            )
    print(
        f"\ntarget: p95 < {TARGET_P95_MS} ms for list, detail and search at the given concurrency, "
        "and at least Datasette's throughput"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sqlite",
        type=Path,
        help="a loaded SQLite file (default: build one with `commonground load`)",
    )
    parser.add_argument("--pg", help="a PostgreSQL URL to bench as well (loaded first when empty)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="uvicorn workers (default: one per core)",
    )
    parser.add_argument(
        "--connections", type=int, default=20, help="concurrent clients (default 20)"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument("--generator", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--no-datasette", action="store_true", help="skip the Datasette anchor")
    parser.add_argument("--datasette-venv", type=Path, default=DATASETTE_VENV)
    parser.add_argument(
        "--pages",
        default=",".join(APP_PAGES),
        help="comma-separated subset of " + ",".join(APP_PAGES),
    )
    args = parser.parse_args()

    wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
    app_pages = {k: v for k, v in APP_PAGES.items() if k in wanted}
    use_wrk = args.generator == "wrk" or (args.generator == "auto" and shutil.which("wrk"))
    if args.generator == "wrk" and not shutil.which("wrk"):
        sys.exit("wrk not found (apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        tmp_dir = Path(tmp)
        (tmp_dir / "cg_bench_app.py").write_text(APP_MODULE, encoding="utf-8")
        lua = None
        if use_wrk:
            lua = tmp_dir / "report.lua"
            lua.write_text(WRK_LUA, encoding="utf-8")
        sqlite_path = args.sqlite
        if sqlite_path is None:
            sqlite_path = tmp_dir / "bench.sqlite3"
            ensure_loaded(f"sqlite:///{sqlite_path}")
        sqlite_path = sqlite_path.resolve()

        cores = os.cpu_count()
        print(
            f"machine: {cores} cores; app: uvicorn --workers {args.workers}; Datasette: 1 process; "
            f"load: {'wrk' if use_wrk else 'asyncio+httpx'} {args.connections} connections × "
            f"{args.duration} s per page (the generator shares the machine)",
            flush=True,
        )
        results: list[Result] = []

        runs = [(f"app sqlite ×{args.workers}", f"sqlite:///{sqlite_path}")]
        if args.pg:
            ensure_loaded(args.pg)
            runs.append((f"app postgresql ×{args.workers}", args.pg))
        for label, url in runs:
            proc, base = start_app(url, args.workers, tmp_dir)
            try:
                results += bench(label, base, app_pages, args, lua)
            finally:
                stop(proc)

        if not args.no_datasette:
            exe = datasette_bin(args)
            if exe is None:
                print("Datasette could not be installed: no anchor", file=sys.stderr)
            else:
                proc, base = start_datasette(exe, sqlite_path)
                version = json.loads(urllib.request.urlopen(base + "/-/versions.json").read())[
                    "datasette"
                ]["version"]
                db = sqlite_path.stem
                pages = {k: v.format(db=db) for k, v in DATASETTE_PAGES.items() if k in wanted}
                try:
                    results += bench(f"datasette {version}", base, pages, args, lua)
                finally:
                    stop(proc)
        report(results)


if __name__ == "__main__":
    main()
