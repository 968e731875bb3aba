"""Errors are caught once at the edge: a message naming the record, exit status 1."""

import subprocess
import sys


def test_bad_import_prints_file_record_field_and_exits_1(database_url, asset):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "commonground.cli",
            "import",
            "epoch",
            str(asset("ingest/epoch/bad_compute.csv")),
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "error:" in result.stderr
    assert "bad_compute.csv" in result.stderr and "Training compute (FLOP)" in result.stderr
    assert "Traceback" not in result.stderr
