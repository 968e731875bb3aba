"""Fixtures: a real, migrated database per test — SQLite by default, PostgreSQL when
COMMONGROUND_TEST_DATABASE_URL names a server (the test command runs the suite on both)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, exists, literal, select, text, union_all
from sqlalchemy.engine import make_url

from commonground.config import default_shared_data_dir
from commonground.store.engine import Store
from commonground.store.migrate import upgrade
from commonground.store.models import Base

TEST_URL = os.environ.get("COMMONGROUND_TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_URL.startswith("postgres")
DATA = Path(__file__).parent / "data"


def pytest_report_header(config: pytest.Config) -> str:
    return f"commonground database: {'postgresql' if ON_POSTGRES else 'sqlite'}"


@contextmanager
def _new_database(tmp_dir: Path) -> Iterator[str]:
    """A new, migrated database: a file on SQLite, a fresh database on PostgreSQL."""
    if ON_POSTGRES:
        admin_url = make_url(TEST_URL).set(drivername="postgresql+psycopg")
        name = f"cg_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_dir / 'db.sqlite3'}"
    store = Store.from_url(url)
    upgrade(store)
    store.dispose()
    try:
        yield url
    finally:
        if ON_POSTGRES:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy (SQLite) or truncate (PostgreSQL) for each test."""
    with _new_database(tmp_path_factory.mktemp("template")) as url:
        yield url if ON_POSTGRES else make_url(url).database


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Store]:
    """One database with the states, income classes, IBM's vocabularies and the bundled
    dataset, read-only for the tests that share it (data quality, claims, analyses)."""
    from commonground.ingest.base import run_import
    from commonground.ingest.catalog import get_importer

    with _new_database(tmp_path_factory.mktemp("loaded")) as url:
        store = Store.from_url(url)
        # The principle crosswalk in the bundled dataset points at IBM's OECD/UN terms.
        for name in ("country-codes", "worldbank", "ibm-nexus", "curated"):
            importer = get_importer(name)
            run_import(store, importer, importer.default_path(shared_data))
        yield store
        store.dispose()


_FILLED_TABLES = union_all(
    *(
        select(literal(t.name)).where(exists(select(literal(1)).select_from(t)))
        for t in Base.metadata.sorted_tables
    )
)


@pytest.fixture
def database_url(_template: str, tmp_path: Path) -> str:
    """A fresh, empty, migrated database for this test."""
    if ON_POSTGRES:
        engine = create_engine(make_url(_template))
        with engine.begin() as conn:
            # TRUNCATE costs per table (~2 ms each): empty only the tables the last test
            # filled, then restart every sequence (a rolled-back insert still moves one).
            filled = [name for (name,) in conn.execute(_FILLED_TABLES)]
            if filled:
                names = ", ".join(f'"{t}"' for t in filled)
                conn.execute(text(f"TRUNCATE {names} CASCADE"))
            conn.execute(
                text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")
            )
            conn.execute(text("INSERT INTO store_state (id, version) VALUES (1, 0)"))
        engine.dispose()
        return _template
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store.from_url(database_url)
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = default_shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path}")
    return path


@pytest.fixture
def asset():
    """Path to a named test input under tests/data/ (bad inputs are named for the fault)."""

    def find(name: str) -> Path:
        path = DATA / name
        assert path.exists(), f"missing test asset {path}"
        return path

    return find
