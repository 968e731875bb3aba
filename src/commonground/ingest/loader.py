"""Bring a store up to date with every input: import what changed, skip the rest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from commonground.ingest.base import run_import
from commonground.ingest.catalog import IMPORTERS
from commonground.ingest.readers import input_digest
from commonground.store.engine import Store
from commonground.store.models import ImportRun


def last_digest(store: Store, importer: str, path: Path) -> str | None:
    with store.sessions() as session:
        return session.scalar(
            select(ImportRun.sha256)
            .where(ImportRun.importer == importer, ImportRun.path == str(path))
            .order_by(ImportRun.id.desc())
            .limit(1)
        )


def load_all(
    store: Store, shared_dir: Path, *, force: bool = False, console: Console | None = None
) -> Iterator[str]:
    """Import each source in catalog order; unchanged inputs are skipped. The search
    index is rebuilt when anything was imported (or when it is empty)."""
    from commonground.search.index import rebuild
    from commonground.search.models import SearchDocument

    changed = False
    for name, cls in IMPORTERS.items():
        importer = cls()
        path = importer.default_path(shared_dir)
        if not path.exists():
            yield f"{name}: skipped, {path} not found"
            continue
        files = importer.files(path)
        if not force and all(f.is_file() for f in files):
            if last_digest(store, name, path) == input_digest(files):
                yield f"{name}: up to date"
                continue
        result = run_import(store, importer, path, console=console)
        changed = True
        yield f"{name}: imported {result.records} records"
    with store.sessions() as session:
        empty = session.scalar(select(SearchDocument.id).limit(1)) is None
    if changed or empty:
        yield f"search index: {rebuild(store)} documents"
