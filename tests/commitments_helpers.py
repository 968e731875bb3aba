"""A database with what the commitments tracker reads: states, IBM's vocabularies (the
curated crosswalk needs them), the bundled dataset and the commitments data. Built
once per test module; tests that write check deltas, or use cells nobody else uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from commonground.ingest.base import run_import
from commonground.ingest.catalog import get_importer
from commonground.store.engine import Store

FASC = "frontier-ai-safety-commitments"
FRAMEWORK = f"{FASC}/framework"
IMPORTS = ("country-codes", "ibm-nexus", "curated", "commitments")


@contextmanager
def tracker_store(tmp_dir: Path, shared_data: Path) -> Iterator[Store]:
    from tests.conftest import _new_database

    with _new_database(tmp_dir) as url:
        store = Store.from_url(url)
        for name in IMPORTS:
            importer = get_importer(name)
            run_import(store, importer, importer.default_path(shared_data))
        try:
            yield store
        finally:
            store.dispose()
