"""One database per test run with the incident and vulnerability sources fully loaded.

The full loads are slow, so test_aiaaic, test_aiid, test_avid, test_ibm_incidents and
tests/registry/test_crosswalk share it (READ-ONLY apart from idempotent re-imports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, func, select

from commonground.ingest.base import ImportResult, run_import
from commonground.ingest.catalog import get_importer
from commonground.store.engine import Store
from commonground.store.models import Base
from tests.conftest import _new_database

# In catalog order; curated adds the EU and Kosovo actors countries resolve to.
PREREQUISITES = ("country-codes", "worldbank", "mit-risk", "ibm-nexus", "curated")
CASE_SOURCES = ("aiaaic", "aiid", "avid", "ibm-incidents")
# Tables the case importers write (besides import_run).
CASE_TABLES = (
    "source",
    "taxonomy",
    "term",
    "mapping",
    "incident",
    "incident_report",
    "incident_report_link",
    "vulnerability",
    "vulnerability_link",
    "case_attribute",
    "case_tag",
    "tlog_entry",
)

_LOADED: dict[str, Any] = {}


def loaded_cases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared: Path
) -> tuple[Store, dict[str, ImportResult]]:
    if "store" not in _LOADED:
        database = _new_database(tmp_path_factory.mktemp("cases"))
        url = database.__enter__()
        store = Store.from_url(url)
        results: dict[str, ImportResult] = {}
        for name in PREREQUISITES + CASE_SOURCES:
            importer = get_importer(name)
            results[name] = run_import(store, importer, importer.default_path(shared))

        def close() -> None:
            store.dispose()
            database.__exit__(None, None, None)
            _LOADED.clear()

        request.config.add_cleanup(close)
        _LOADED.update(store=store, results=results)
    return _LOADED["store"], _LOADED["results"]


def count(store: Store, model: type, *where: Any) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of the case tables (ids of autoincrement rows left out), sorted."""
    rows: dict[str, list[tuple]] = {}
    with store.sessions() as s:
        for name in CASE_TABLES:
            table = Base.metadata.tables[name]
            cols = [c for c in table.columns if not (c.primary_key and isinstance(c.type, Integer))]
            if name == "tlog_entry":
                rows[name] = [(s.scalar(select(func.count()).select_from(table)),)]
                continue
            result = s.execute(select(*cols)).all()
            rows[name] = sorted((tuple(repr(v) for v in r) for r in result), key=repr)
    return rows
