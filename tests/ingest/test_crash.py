"""A process killed with SIGKILL in the middle of an import leaves the store as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from commonground.ingest.base import FAULT_ENV, run_import
from commonground.ingest.country_codes import CountryCodesImporter
from tests.snapshot import snapshot

pytestmark = pytest.mark.slow


def _import_killed_after(database_url: str, path, rows: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, **{FAULT_ENV: str(rows)})
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "commonground.cli",
            "import",
            "country-codes",
            str(path),
            "--database-url",
            database_url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sigkill_during_first_import_leaves_store_empty(store, database_url, shared_data):
    before = snapshot(store)
    store.dispose()
    result = _import_killed_after(database_url, shared_data / "country-codes", 120)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert snapshot(store) == before


def test_sigkill_during_reimport_leaves_previous_import_intact(
    store, database_url, shared_data, tmp_path
):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    before = snapshot(store)
    assert len(before["actor"]) == 249
    # The second import changes every name, then dies part-way through.
    src = shared_data / "country-codes"
    changed = (src / "country-codes.csv").read_text(encoding="utf-8").replace("China", "Chine")
    (tmp_path / "country-codes.csv").write_text(changed, encoding="utf-8")
    (tmp_path / "UNSD-m49-cn.csv").write_bytes((src / "UNSD-m49-cn.csv").read_bytes())
    store.dispose()
    result = _import_killed_after(database_url, tmp_path, 200)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert snapshot(store) == before
