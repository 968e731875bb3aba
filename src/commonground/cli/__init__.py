"""The `commonground` command line (Typer). Errors are caught once, here."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from commonground.config import Settings
from commonground.errors import Error

app = typer.Typer(
    name="commonground",
    help="Common Ground: an open, bilingual, verifiable observatory of international AI governance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


def _register_groups() -> None:
    from commonground.cli import analyse
    from commonground.cli import applies as _applies
    from commonground.cli import cases as _cases
    from commonground.cli import commitments as _commitments
    from commonground.cli import evals as _evals
    from commonground.cli import log as _log
    from commonground.cli import users as _users
    from commonground.cli import witness as _witness

    app.add_typer(analyse.app, name="analyse")
    app.command("applies")(_applies.applies)
    app.add_typer(_cases.app, name="cases")
    app.add_typer(_log.app, name="log")
    app.add_typer(_users.app, name="users")
    app.add_typer(_witness.app, name="witness")
    app.add_typer(_evals.app, name="evals")
    app.add_typer(_commitments.app, name="commitments")


DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default: COMMONGROUND_DATABASE_URL or SQLite in the user data dir.",
        show_default=False,
    ),
]


def _settings(database_url: str | None) -> Settings:
    if database_url:
        return Settings(database_url=database_url)
    return Settings()


def _store(database_url: str | None, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    from commonground.store.engine import Store
    from commonground.store.migrate import upgrade

    settings = _settings(database_url)
    store = Store.from_url(settings.database_url, log_origin=settings.log_origin)
    if migrate:
        upgrade(store)
    return store


@app.command()
def init(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the database schema (Alembic `upgrade head`)."""
    from commonground.store.migrate import current_revision

    store = _store(database_url)
    out.print(f"schema at revision {current_revision(store)} ({store.dialect})")


@app.command("import")
def import_(
    source: Annotated[
        str, typer.Argument(help="Which importer; `commonground sources` lists them.")
    ],
    path: Annotated[
        Path | None, typer.Argument(help="File or folder; default: its folder in ../shared/data.")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Import one source, all-or-nothing: a bad record changes nothing and exits 1."""
    from commonground.ingest.base import run_import
    from commonground.ingest.catalog import get_importer

    importer = get_importer(source)
    settings = _settings(database_url)
    target = path or importer.default_path(settings.shared_data_dir)
    store = _store(database_url)
    result = run_import(store, importer, target, console=err)
    out.print(
        f"imported {result.records} {source} records from {result.path} "
        f"({result.rows_written} rows written)"
    )


@app.command()
def load(
    database_url: DatabaseOption = None,
    force: Annotated[bool, typer.Option(help="Re-import even unchanged inputs.")] = False,
) -> None:
    """Create the schema and import every source whose input changed since its last import."""
    from commonground.ingest.loader import load_all

    settings = _settings(database_url)
    store = _store(database_url)
    for line in load_all(store, settings.shared_data_dir, force=force, console=err):
        out.print(line)


@app.command()
def sources() -> None:
    """List the importers and their default inputs."""
    from commonground.ingest.catalog import IMPORTERS

    settings = Settings()
    table = Table("source", "what", "default path")
    for name, cls in IMPORTERS.items():
        importer = cls()
        table.add_row(name, cls.description, str(importer.default_path(settings.shared_data_dir)))
    out.print(table)


@app.command()
def stats(database_url: DatabaseOption = None) -> None:
    """Row counts per table."""
    from commonground.store.stats import table_counts

    table = Table("table", "rows")
    for name, count in table_counts(_store(database_url)).items():
        table.add_row(name, f"{count:,}")
    out.print(table)


@app.command()
def export(
    table: Annotated[str, typer.Argument(help="Table name, e.g. instrument or participation.")],
    format: Annotated[str, typer.Option("--format", "-f", help="csv or json")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File; default stdout.")
    ] = None,
    restricted: Annotated[
        bool,
        typer.Option(
            "--restricted",
            help="Operator only: include accounts, embargoed records and log secrets.",
        ),
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Export one table as CSV or JSON (exact integers as strings in JSON).

    Only public rows unless --restricted: embargoed vulnerabilities, accounts and the
    log's sealing secrets stay out of ordinary exports."""
    from commonground.store.export import write_csv, write_json

    if format not in ("csv", "json"):
        raise Error(f"unknown format {format!r}: use csv or json")
    writer = write_csv if format == "csv" else write_json
    store = _store(database_url)
    if output is None:
        writer(store, table, sys.stdout, restricted=restricted)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        count = writer(store, table, fh, restricted=restricted)
    err.print(f"wrote {count} rows to {output}")


@app.command()
def coverage(
    format: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    database_url: DatabaseOption = None,
) -> None:
    """Which fields and lists each bundled record fills; counts per jurisdiction and type."""
    import json

    from commonground.analysis.coverage import coverage as compute

    report = compute(_store(database_url))
    if format == "json":
        out.print_json(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    if format != "table":
        raise Error(f"unknown format {format!r}: use table or json")
    table = Table(
        "record", "type", "jurisdiction", "dates", "sources", "participants", "provisions", "gaps"
    )
    for r in report.records:
        shown = str(r.participants)
        if r.participants_status:
            shown += f" ({r.participants_status}"
            shown += f", of {r.participants_expected})" if r.participants_expected else ")"
        table.add_row(
            r.id,
            r.type,
            r.jurisdiction or "",
            str(r.events),
            str(r.sources),
            shown,
            str(r.provisions),
            ", ".join(r.gaps),
        )
    out.print(table)
    for title, counts in (("jurisdiction", report.by_jurisdiction), ("type", report.by_type)):
        summary = Table(title, "records")
        for key, count in counts.items():
            summary.add_row(key, str(count))
        out.print(summary)
    missing = report.without_source
    out.print(
        f"{len(report.records)} records; "
        + (
            f"[red]{len(missing)} without a source: {', '.join(missing)}[/]"
            if missing
            else "every record has a source"
        )
    )


@app.command()
def claims(
    format: Annotated[str, typer.Option("--format", "-f", help="table, md or json")] = "table",
    database_url: DatabaseOption = None,
) -> None:
    """The seeds' claims, checked against the data: confirmed, differs or undecided."""
    import json

    from commonground.analysis.claims import as_dicts, check_claims, to_markdown

    results = check_claims(_store(database_url))
    if format == "json":
        out.print_json(json.dumps(as_dicts(results), ensure_ascii=False))
    elif format == "md":
        sys.stdout.write(to_markdown(results))
    elif format == "table":
        table = Table("claim", "the seed says", "what the data shows", "verdict")
        for r in results:
            table.add_row(r.id, r.expected, r.ours, r.verdict)
        out.print(table)
    else:
        raise Error(f"unknown format {format!r}: use table, md or json")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    database_url: DatabaseOption = None,
    load_data: Annotated[
        bool, typer.Option("--load/--no-load", help="Import changed inputs before serving.")
    ] = True,
) -> None:
    """Serve the web app (loads the bundled and shared data first, if changed)."""
    import uvicorn

    from commonground.web.app import create_app

    settings = _settings(database_url)
    store = _store(database_url)
    if load_data:
        from commonground.ingest.loader import load_all

        for line in load_all(store, settings.shared_data_dir, console=err):
            err.print(line)
    bind_host = host or settings.host
    bind_port = port or settings.port
    from commonground.jobs import start_jobs

    jobs = start_jobs(store, settings)
    if jobs.signer is not None:
        err.print(f"transparency log {settings.log_origin}, verifier key:")
        err.print(f"  {jobs.signer.verifier().to_text()}", highlight=False, soft_wrap=True)
    err.print(f"Common Ground on http://{bind_host}:{bind_port}/  ({store.dialect})")
    try:
        uvicorn.run(
            create_app(settings, store=store), host=bind_host, port=bind_port, log_level="info"
        )
    finally:
        jobs.close()


_register_groups()


def main() -> None:
    verbose = "--verbose" in sys.argv
    if verbose:
        sys.argv.remove("--verbose")
    try:
        app()
    except Error as exc:
        if verbose:
            raise
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
