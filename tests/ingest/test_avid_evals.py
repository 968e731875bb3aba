"""AVID's measured results load as evaluation results, each citing its report."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.avid_evaluations import AvidEvaluationsImporter
from commonground.ingest.base import run_import
from commonground.store.models import Source
from commonground.store.models_cases import EvaluationResult
from tests.snapshot import snapshot

pytestmark = pytest.mark.slow


def test_every_measured_avid_result_loads_once_with_its_source(store, shared_data):
    importer = AvidEvaluationsImporter()
    result = run_import(store, importer, importer.default_path(shared_data))
    assert result.records == 847
    with store.sessions() as session:
        rows = session.scalars(select(EvaluationResult)).all()
        suites = {r.suite.split("/")[0] for r in rows}
        garak = [r for r in rows if r.suite == "garak"]
        cited = session.scalar(
            select(func.count())
            .select_from(EvaluationResult)
            .join(Source, Source.id == EvaluationResult.source_id)
        )
    assert len(rows) == 847 and cited == 847
    assert suites == {"garak", "inspect_evals"}
    assert len(garak) == 696 and all(r.unit == "%" for r in garak)
    before = snapshot(store)
    run_import(store, importer, importer.default_path(shared_data))  # unchanged input
    assert snapshot(store)["evaluation_result"] == before["evaluation_result"]


def test_a_malformed_report_names_the_file_and_changes_nothing(store, tmp_path):
    (tmp_path / "AVID-2026-R9999.json").write_text("{not json", encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(IngestError, match="AVID-2026-R9999.json"):
        run_import(store, AvidEvaluationsImporter(), tmp_path)
    assert snapshot(store) == before
    (tmp_path / "AVID-2026-R9999.json").write_text(json.dumps([1, 2]), encoding="utf-8")
    result = run_import(store, AvidEvaluationsImporter(), tmp_path)  # not a report: skipped
    assert result.records == 0
