"""The v1 evaluation-results format: import all-or-nothing, exact values, export round trip."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from commonground.auth.principal import Principal
from commonground.errors import IngestError
from commonground.ingest import evaluations as fmt
from commonground.ingest.base import run_import
from commonground.ingest.evaluations import EvaluationsImporter
from commonground.registry.evaluations import iter_evaluations
from commonground.store.engine import Store
from commonground.store.migrate import upgrade
from commonground.store.models import Source
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_cases import EvaluationResult
from tests.auth_helpers import make_account
from tests.conftest import ON_POSTGRES, _new_database
from tests.evaluations_helpers import COMMITMENT, MODEL_A, VALID, counts, mutated, rows, seed


@pytest.fixture
def editor(store: Store) -> Principal:
    seed(store)
    account_id = make_account(store, "eve", roles=("editor",))
    return Principal(account_id=account_id, username="eve", roles=frozenset({"editor"}))


def _import(store: Store, path: Path, principal: Principal | None) -> EvaluationsImporter:
    importer = EvaluationsImporter(principal)
    run_import(store, importer, path)
    return importer


def _write(tmp_path: Path, doc: object, name: str = "doc.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_import_evaluations_keeps_values_exact_and_audits_each_result(store, editor):
    importer = _import(store, VALID, editor)
    assert len(importer.added) == 3
    with store.sessions() as session:
        results = {
            r.model_name + "/" + r.evaluator: r for r in session.scalars(select(EvaluationResult))
        }
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "evaluation_result")
            .order_by(AuditEvent.id)
        ).all()
        source = session.get(Source, "test-eval-source")
    a = results["Test Model A/Test Evaluator"]
    assert a.value == "0.7340"  # the JSON number's own text, trailing zero kept
    assert a.model_id == MODEL_A and a.suite_version == "1.0" and a.date == dt.date(2025, 1, 15)
    assert a.id.startswith("CG:E-") and len(a.id) == len("CG:E-") + 16
    assert a.created_by == editor.account_id
    big = results["Unlinked Test Model/Test Evaluator"]
    assert big.value == "12345678901234567890.123456789"
    assert big.id == "CG:E-test-unlinked" and big.model_id is None and big.unit == "%"
    second = results["Test Model A/Second Test Evaluator"]
    assert (second.threshold, second.threshold_crossed, second.commitment_id) == (
        "test threshold T1",
        True,
        COMMITMENT,
    )
    assert [e.action for e in events] == ["evaluation.create"] * 3
    assert sorted(e.subject_id for e in events) == sorted(importer.added)
    assert all(e.account_id == editor.account_id for e in events)
    assert source is not None and source.origin == "evaluations"
    assert source.publisher == "Test Evaluator"


def test_reimporting_the_same_document_adds_nothing(store, editor):
    _import(store, VALID, editor)
    before = rows(store)
    again = _import(store, VALID, editor)
    assert again.added == []
    assert rows(store) == before
    assert counts(store)["results"] == 3


def test_export_then_import_into_an_empty_store_gives_identical_rows(store, editor, tmp_path):
    _import(store, VALID, editor)
    with store.sessions() as session:
        doc = fmt.document(session, list(iter_evaluations(session)))
    assert doc["format"] == fmt.FORMAT
    assert [s["id"] for s in doc["sources"]] == ["test-eval-source"]
    assert all(isinstance(r["value"], str) for r in doc["results"])
    path = _write(tmp_path, fmt.dumps(doc), "export.json")
    with _new_database(tmp_path / "second") as url:
        other = Store.from_url(url)
        try:
            upgrade(other)
            seed(other)
            _import(other, path, None)
            assert rows(other) == rows(store)
            assert len(rows(other)) == 3
        finally:
            other.dispose()


def _bad(change) -> dict:  # type: ignore[no-untyped-def]
    return mutated(change)


def _set(record: int, field: str, value: object):  # type: ignore[no-untyped-def]
    def change(doc: dict) -> None:
        doc["results"][record - 1][field] = value

    return change


def _drop(record: int, field: str):  # type: ignore[no-untyped-def]
    def change(doc: dict) -> None:
        del doc["results"][record - 1][field]

    return change


FUTURE = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
BAD = [
    (
        "wrong format",
        lambda d: d.update(format="commonground.org/evaluation-results/v2"),
        None,
        "format",
        "must be",
    ),
    ("value not a number", _set(1, "value", "about 0.7"), 1, "value", "decimal number"),
    ("value boolean", _set(2, "value", True), 2, "value", "decimal string or a JSON number"),
    ("value too long", _set(3, "value", "1" * 61), 3, "value", "longer than 60"),
    ("date in the future", _set(2, "date", FUTURE), 2, "date", "in the future"),
    ("date malformed", _set(1, "date", "15/01/2025"), 1, "date", "YYYY-MM-DD"),
    (
        "crossed without threshold",
        _set(3, "threshold_crossed", False),
        3,
        None,
        "needs a threshold",
    ),
    (
        "commitment not a provision",
        _set(2, "commitment_id", "test-commitments"),
        2,
        "commitment_id",
        "no such provision",
    ),
    ("unknown model", _set(1, "model_id", "test:no-such-model"), 1, "model_id", "no such model"),
    ("url not http", _set(2, "url", "ftp://example.org/x"), 2, "url", "http"),
    ("url javascript", _set(2, "url", "javascript:alert(1)"), 2, "url", "http"),
    ("unknown field", _set(3, "score", "1"), 3, "score", "unknown field"),
    ("missing evaluator", _drop(3, "evaluator"), 3, "evaluator", "is required"),
    ("empty suite", _set(1, "suite", "   "), 1, "suite", "must not be empty"),
    ("suite too long", _set(1, "suite", "s" * 301), 1, "suite", "longer than 300"),
    ("bad id", _set(3, "id", "CG:E bad id"), 3, "id", "not a valid id"),
    ("unknown source", _set(3, "source_id", "no-such-source"), 3, "source_id", "no such source"),
    (
        "duplicate id",
        lambda d: d["results"].append(dict(d["results"][2])),
        4,
        "id",
        "repeats record 3",
    ),
    ("results not a list", lambda d: d.update(results={"a": 1}), None, "results", "must be a list"),
    (
        "source url",
        lambda d: d["sources"][0].update(url="file:///etc/passwd"),
        1,
        "sources.url",
        "http",
    ),
    (
        "crossed as string",
        _set(2, "threshold_crossed", "yes"),
        2,
        "threshold_crossed",
        "true, false or null",
    ),
]


@pytest.mark.parametrize(
    ("change", "record", "field", "reason"),
    [pytest.param(c, r, f, why, id=name) for name, c, r, f, why in BAD],
)
def test_a_bad_field_names_record_and_field_and_changes_nothing(
    store, editor, tmp_path, change, record, field, reason
):
    before = counts(store)
    path = _write(tmp_path, _bad(change))
    with pytest.raises(IngestError) as caught:
        _import(store, path, editor)
    err = caught.value
    assert reason in str(err)
    assert err.path.name == "doc.json"
    assert err.record == record
    assert err.field == field
    assert counts(store) == before == {"results": 0, "sources": 0, "audit": 0}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            '{"format": "commonground.org/evaluation-results/v1", "results": [{"value": NaN}]}',
            "NaN",
        ),
        ("{not json", "not valid JSON"),
        ("[]", '"format"'),
    ],
)
def test_malformed_json_is_refused_with_the_file_named(store, editor, tmp_path, text, reason):
    path = _write(tmp_path, text)
    with pytest.raises(IngestError) as caught:
        _import(store, path, editor)
    assert reason in str(caught.value) and "doc.json" in str(caught.value)
    assert counts(store)["results"] == 0


def test_an_id_stored_with_other_values_is_refused_not_overwritten(store, editor, tmp_path):
    _import(store, VALID, editor)
    before = rows(store)
    doc = mutated(_set(3, "value", "99"))
    with pytest.raises(IngestError) as caught:
        _import(store, _write(tmp_path, doc), editor)
    assert "already stored with another value" in str(caught.value)
    assert caught.value.record == 3
    assert rows(store) == before


def test_a_conflicting_source_is_refused(store, editor, tmp_path):
    _import(store, VALID, editor)
    doc = mutated(lambda d: d["sources"][0].update(title="Another title"))
    doc["results"] = doc["results"][:1]
    doc["results"][0]["value"] = "0.5"  # a new result, so only the source conflicts
    with pytest.raises(IngestError, match="already stored with another title"):
        _import(store, _write(tmp_path, doc), editor)
    assert counts(store)["results"] == 3


DECIMALS = st.from_regex(r"\A-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,25})?\Z")


@settings(max_examples=200, deadline=None)
@given(DECIMALS, st.booleans())
def test_any_decimal_number_is_kept_as_written(text, as_string):
    token = json.dumps(text) if as_string else text
    raw = (
        '{"format": "commonground.org/evaluation-results/v1", "results": [{"model_name": "m",'
        f' "suite": "s", "metric": "x", "value": {token}, "date": "2024-01-01",'
        ' "evaluator": "Test Evaluator"}]}'
    )
    doc = fmt.parse_bytes(raw, Path("p.json"))
    assert doc.results[0].value == text
    assert Decimal(doc.results[0].value) == Decimal(text)


def test_exact_values_survive_the_database(store, editor, tmp_path):
    values = ["0.1", "0.30000000000000004", "-0", "1e-7", "123456789012345678901234567890.5"]
    results = [
        {"model_name": "Test Model A", "suite": "test-suite", "metric": f"m{i}", "value": v,
         "date": "2024-01-01", "evaluator": "Test Evaluator"}
        for i, v in enumerate(values)
    ]  # fmt: skip
    doc = {"format": fmt.FORMAT, "results": results}
    _import(store, _write(tmp_path, doc), editor)
    with store.sessions() as session:
        stored = {r.metric: r.value for r in session.scalars(select(EvaluationResult))}
    assert [stored[f"m{i}"] for i in range(len(values))] == values


@pytest.mark.skipif(ON_POSTGRES, reason="the file check needs no database; once is enough")
def test_missing_file_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError, match="cannot read"):
        fmt.read(tmp_path / "missing.json")


def test_each_added_result_is_logged_under_its_submitter(store, editor):
    from commonground.store.engine import DEFAULT_LOG_ORIGIN
    from commonground.tlog import storage
    from commonground.tlog.models import TlogRecordIndex

    importer = _import(store, VALID, editor)
    with store.sessions() as session:
        logged = session.scalars(
            select(TlogRecordIndex).where(TlogRecordIndex.schema == "evaluation-result")
        ).all()
        assert sorted(r.record_id for r in logged) == sorted(importer.added)
        entry = storage.entry(session, DEFAULT_LOG_ORIGIN, logged[0].leaf_index)
    assert b"key account:eve" in entry
    _import(store, VALID, editor)  # nothing new: nothing logged
    with store.sessions() as session:
        again = session.scalars(
            select(TlogRecordIndex).where(TlogRecordIndex.schema == "evaluation-result")
        ).all()
    assert len(again) == 3
