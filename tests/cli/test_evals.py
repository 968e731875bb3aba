"""`commonground evals`: import as an editor, export, show, and the AVID converter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from commonground.cli import app
from commonground.errors import Error, IngestError
from commonground.ingest import evaluations as fmt
from commonground.store.engine import Store
from tests.auth_helpers import make_account
from tests.evaluations_helpers import MODEL_A, VALID, counts, rows, seed

runner = CliRunner()


@pytest.fixture
def db(store: Store, database_url: str) -> str:
    seed(store)
    make_account(store, "eve", roles=("editor",))
    make_account(store, "vic", roles=("viewer",))
    return database_url


def _run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["evals", *args])


def test_import_as_an_editor_then_show_and_export(db, store, tmp_path):
    result = _run("import", str(VALID), "--as", "eve", "--database-url", db)
    assert result.exit_code == 0, result.output
    assert "imported 3 evaluation results" in result.output
    again = _run("import", str(VALID), "--as", "eve", "--database-url", db)
    assert "imported 0 evaluation results" in again.output and "3 already stored" in again.output

    shown = _run("show", MODEL_A, "--database-url", db)
    assert shown.exit_code == 0, shown.output
    assert "Test Model A (test:model-a): 2 results" in shown.output
    assert (
        "0.7340" in shown.output and "0.81" in shown.output and "threshold crossed" in shown.output
    )

    out = tmp_path / "model-a.json"
    exported = _run("export", "--model", MODEL_A, "--out", str(out), "--database-url", db)
    assert exported.exit_code == 0, exported.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["format"] == fmt.FORMAT
    assert sorted(r["value"] for r in doc["results"]) == ["0.7340", "0.81"]
    everything = _run("export", "--database-url", db)
    assert len(json.loads(everything.output)["results"]) == 3


def test_import_refuses_an_account_without_the_editor_role(db, store):
    result = _run("import", str(VALID), "--as", "vic", "--database-url", db)
    assert result.exit_code != 0
    assert isinstance(result.exception, Error) and "needs the editor role" in str(result.exception)
    nobody = _run("import", str(VALID), "--as", "nobody", "--database-url", db)
    assert "no such account" in str(nobody.exception)
    assert counts(store)["results"] == 0


def test_a_bad_file_exits_1_naming_record_and_field(db, store, tmp_path):
    doc = json.loads(VALID.read_text(encoding="utf-8"))
    doc["results"][1]["value"] = "0.8.1"
    bad = tmp_path / "bad_value.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "commonground.cli", "evals", "import", str(bad), "--as", "eve",
         "--database-url", db],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert 'bad_value.json, record 2, field "value"' in result.stderr
    assert "'0.8.1'" in result.stderr and "Traceback" not in result.stderr
    assert rows(store) == []


def test_from_avid_converts_real_reports_with_their_source(db, store, shared_data, tmp_path):
    reports = shared_data / "avid-db" / "reports"
    inspect = reports / "2025" / "AVID-2025-R0003.json"  # gpt-4o-mini, agentharm, 22 metrics
    garak = reports / "2026" / "AVID-2026-R0125.json"  # Kimi-K2, one garak probe
    anecdote = reports / "2023" / "AVID-2023-R0002.json"  # no measurement
    if not inspect.exists() or not garak.exists():
        pytest.skip("AVID reports not in the shared data")
    out = tmp_path / "avid.json"
    result = _run(
        "from-avid", str(inspect), str(garak), str(anecdote), "--out", str(out),
        "--link", f"gpt-4o-mini-2024-07-18={MODEL_A}", "--database-url", db,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "skipped: 1 no numeric measurement" in result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    source_report = json.loads(inspect.read_text(encoding="utf-8"), parse_float=str)
    by_report = {s["id"]: s for s in doc["sources"]}
    assert set(by_report) == {"avid-db:AVID-2025-R0003", "avid-db:AVID-2026-R0125"}
    assert by_report["avid-db:AVID-2025-R0003"]["url"].endswith(
        "/reports/2025/AVID-2025-R0003.json"
    )
    inspect_results = [r for r in doc["results"] if r["source_id"] == "avid-db:AVID-2025-R0003"]
    assert len(inspect_results) == len(source_report["metrics"])
    first = inspect_results[0]
    assert first["value"] == source_report["metrics"][0]["value"] == "0.5787848042109405"
    assert (first["suite"], first["metric"], first["evaluator"], first["date"]) == (
        "inspect_evals/agentharm",
        "combined_scorer: avg_score",
        "Harsh Raj",
        "2025-05-26",
    )
    assert all(r["model_id"] == MODEL_A for r in inspect_results)
    (probe,) = [r for r in doc["results"] if r["source_id"] == "avid-db:AVID-2026-R0125"]
    assert probe["suite"] == "garak" and probe["unit"] == "%" and probe["evaluator"] == "AVID"
    assert probe["value"] == "39.21568627450981" and "passed 20 of 51" in probe["note"]
    assert "model_id" not in probe  # Kimi-K2-Instruct-0905 is no Epoch model: unresolved

    imported = _run("import", str(out), "--as", "eve", "--database-url", db)
    assert imported.exit_code == 0, imported.output
    assert f"imported {len(doc['results'])} evaluation results" in imported.output


def test_from_avid_rejects_a_link_to_an_unknown_model(db):
    result = _run("from-avid", str(VALID), "--link", "x=test:none", "--database-url", db)
    assert isinstance(result.exception, Error) and "--link" in str(result.exception)


def test_from_avid_names_a_broken_report(db, tmp_path):
    broken = tmp_path / "AVID-2099-R0001.json"
    broken.write_text("{", encoding="utf-8")
    result = _run("from-avid", str(broken), "--database-url", db)
    assert isinstance(result.exception, IngestError)
    assert "AVID-2099-R0001.json" in str(result.exception)
