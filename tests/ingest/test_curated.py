"""The bundled dataset's importer: validation, references, idempotency, pruning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.ingest.curated import CuratedImporter
from commonground.store.models import Instrument, InstrumentEvent, Participation, Provision
from tests.snapshot import snapshot


@pytest.fixture
def with_states(store, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    return store


@pytest.fixture
def dataset(asset, tmp_path) -> Path:
    """A writable copy of the good excerpt, to break one thing at a time."""
    target = tmp_path / "dataset"
    shutil.copytree(asset("ingest/curated/good"), target)
    return target


def count(store, model) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_curated_excerpt_loads_records_participation_and_provisions(with_states, dataset):
    result = run_import(with_states, CuratedImporter(), dataset)
    assert result.records == 2
    with with_states.sessions() as s:
        bletchley = s.get(Instrument, "bletchley-declaration")
        assert bletchley.name_zh == "《布莱切利宣言》"
        assert (bletchley.year, bletchley.status, bletchley.legal_force) == (
            2023,
            "adopted",
            "soft",
        )
        assert bletchley.coverage_participants == "partial"
        acts = dict(
            s.execute(
                select(Participation.actor_id, Participation.act).where(
                    Participation.instrument_id == "bletchley-declaration"
                )
            ).all()
        )
        assert acts == {
            "CHN": "endorsed",
            "USA": "endorsed",
            "GBR": "endorsed",
            "EU": "endorsed",
            "NZL": "joined_later",
        }
        child = s.get(Provision, "bletchley-declaration/agenda/1")
        assert child.parent_id == "bletchley-declaration/agenda" and child.position == 1


def test_reimport_curated_is_idempotent(with_states, dataset):
    run_import(with_states, CuratedImporter(), dataset)
    first = snapshot(with_states)
    run_import(with_states, CuratedImporter(), dataset)
    second = snapshot(with_states)
    for volatile in ("import_run", "store_state"):  # a log of runs, and the data version
        first.pop(volatile), second.pop(volatile)
    assert first == second


def test_reimport_curated_removes_rows_dropped_from_the_files(with_states, dataset):
    run_import(with_states, CuratedImporter(), dataset)
    csv = dataset / "participation" / "bletchley-declaration.csv"
    csv.write_text("\n".join(csv.read_text().splitlines()[:-1]) + "\n")  # drop New Zealand
    (dataset / "provisions" / "bletchley-declaration.yaml").unlink()
    run_import(with_states, CuratedImporter(), dataset)
    assert count(with_states, Participation) == 4
    assert count(with_states, Provision) == 0


BAD_CASES = {
    # fault: (file, old text, new text, expected fragments of the message)
    "unknown_actor": (
        "participation/bletchley-declaration.csv",
        "USA,endorsed",
        "USX,endorsed",
        [
            "bletchley-declaration.csv",
            "record 2 (line 3)",
            'field "actor"',
            "unknown actor",
            "'USX'",
        ],
    ),
    "unknown_act": (
        "participation/bletchley-declaration.csv",
        "CHN,endorsed",
        "CHN,liked",
        ["record 1 (line 2)", 'field "act"', "'liked'"],
    ),
    "unknown_source": (
        "instruments/summits.yaml",
        "sources: [govuk-bletchley]\n  coverage",
        "sources: [govuk-nowhere]\n  coverage",
        ["summits.yaml", "record 2", 'field "sources.0"', "unknown source", "'govuk-nowhere'"],
    ),
    "missing_zh_name": (
        "instruments/summits.yaml",
        "zh: 人工智能安全峰会（2023年）",
        "fr: Sommet",
        ["summits.yaml", "record 1 (line 1)", 'field "names.zh"'],
    ),
    "dangling_relation": (
        "instruments/summits.yaml",
        "object: ai-safety-summit-2023",
        "object: ai-safety-summit-2033",
        ['field "relations.0.object"', "unknown instrument"],
    ),
    "bad_date": (
        "instruments/summits.yaml",
        "{event: held, date: 2023-11-01",
        "{event: held, date: 1 Nov 2023",
        ['field "status.0.date"', "YYYY"],
    ),
    "dates_out_of_order": (
        "instruments/summits.yaml",
        "    - {event: adopted, date: 2023-11-01, source: govuk-bletchley}",
        "    - {event: adopted, date: 2023-11-01, source: govuk-bletchley}\n"
        "    - {event: proposed, date: 2024-01-01, source: govuk-bletchley}",
        ["summits.yaml", "record 2", "out of order"],
    ),
    "duplicate_source": (
        "sources.yaml",
        "id: govuk-bletchley-2025",
        "id: govuk-bletchley",
        ["sources.yaml", "record 2 (line 8)", "duplicate source id"],
    ),
    "provision_outside_instrument": (
        "provisions/bletchley-declaration.yaml",
        "id: bletchley-declaration/agenda/1",
        "id: seoul-declaration/1",
        ["bletchley-declaration.yaml", "start with the instrument id"],
    ),
    "invalid_yaml": (
        "actors.yaml",
        "names: {en: European Union, zh: 欧洲联盟}",
        "names: {en: European Union, zh: [",
        ["actors.yaml", "invalid YAML"],
    ),
}


@pytest.mark.parametrize("fault", sorted(BAD_CASES))
def test_import_curated_rejects_bad_input_and_changes_nothing(with_states, dataset, fault):
    file, old, new, expected = BAD_CASES[fault]
    path = dataset / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = snapshot(with_states)
    with pytest.raises(IngestError) as caught:
        run_import(with_states, CuratedImporter(), dataset)
    for fragment in expected:
        assert fragment in str(caught.value)
    assert snapshot(with_states) == before


def test_import_curated_without_states_names_the_missing_actor(store, dataset):
    with pytest.raises(IngestError, match="unknown actor.*import country-codes first"):
        run_import(store, CuratedImporter(), dataset)
    assert count(store, InstrumentEvent) == 0
