import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.avid import AvidImporter
from commonground.ingest.base import run_import
from commonground.store.models import Term
from commonground.store.models_cases import CaseAttribute, CaseTag, Vulnerability, VulnerabilityLink
from commonground.store.stats import table_counts
from tests.ingest.cases_data import count, loaded_cases

GOOD = "ingest/avid/AVID-2023-R0002.json"


@pytest.fixture(scope="module")
def cases(request, tmp_path_factory, shared_data):
    return loaded_cases(request, tmp_path_factory, shared_data)


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def avid_folder(tmp_path: Path, *files: Path) -> Path:
    """An avid-db-shaped folder holding `files` under reports/2023/."""
    target = tmp_path / "avid-db" / "reports" / "2023"
    target.mkdir(parents=True)
    for file in files:
        shutil.copyfile(file, target / file.name)
    return tmp_path / "avid-db"


def attributes(session, subject_id: str) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(CaseAttribute)
        .where(CaseAttribute.subject_id == subject_id)
        .order_by(CaseAttribute.kind, CaseAttribute.position)
    )
    return [(r.kind, r.value) for r in rows]


def tag_terms(session, subject_id: str) -> set[str]:
    return set(session.scalars(select(CaseTag.term_id).where(CaseTag.subject_id == subject_id)))


@pytest.mark.slow
def test_avid_loads_1785_records_by_kind_and_data_version(cases):
    store, results = cases
    assert results["avid"].records == 1785
    with store.sessions() as s:
        split = dict(
            s.execute(select(Vulnerability.kind, func.count()).group_by(Vulnerability.kind)).all()
        )
        assert split == {"report": 1745, "vulnerability": 40}
        versions = dict(
            s.execute(
                select(Vulnerability.data_version, func.count()).group_by(
                    Vulnerability.data_version
                )
            ).all()
        )
        assert versions == {"0.1": 18, "0.2": 30, "0.3.3": 1737}
        classes = dict(
            s.execute(
                select(Vulnerability.problem_class, func.count()).group_by(
                    Vulnerability.problem_class
                )
            ).all()
        )
        assert classes == {
            "CVE Entry": 1098,
            "LLM Evaluation": 556,
            "Third-party Report": 96,
            "AIID Incident": 18,
            "ATLAS Case Study": 16,
            None: 1,
        }
        assert s.scalar(select(func.min(Vulnerability.reported_date))) == dt.date(2021, 1, 12)
        assert s.scalar(select(func.max(Vulnerability.reported_date))) == dt.date(2026, 3, 23)
    # Public records: every one published, none embargoed, all new.
    assert count(store, Vulnerability, Vulnerability.published_at.is_(None)) == 0
    assert count(store, Vulnerability, Vulnerability.embargo_until.is_not(None)) == 0
    assert count(store, Vulnerability, Vulnerability.status != "new") == 0
    assert count(store, VulnerabilityLink) == 8
    assert count(store, Term, Term.taxonomy_id == "avid") == 4 + 27
    assert count(store, CaseTag, CaseTag.term_id == "avid:security") == 1488
    with store.sessions() as s:
        first = s.get(Vulnerability, "AVID-2022-V001")
        assert (first.kind, first.data_version, first.taxonomy_version) == (
            "vulnerability",
            "0.1",
            "0.1",
        )
        assert first.title == (
            "Gender Bias in Sentence Completion Tasks performed by bert-base-uncased"
        )
        assert first.description_en.startswith("Sentence Completion Tasks performed by")
        assert first.reported_date == dt.date(2022, 12, 23)  # its published_date
        assert utc(first.published_at) == dt.datetime(2022, 12, 23, tzinfo=dt.UTC)
        assert [c["value"] for c in first.credit] == [
            "Harry Saini, AVID",
            "Sasha Luccioni, Hugging Face",
        ]
        assert attributes(s, "AVID-2022-V001") == [
            ("artifact", "Model: bert-base-uncased"),
            ("deployer", "HuggingFace"),
        ]
        assert tag_terms(s, "AVID-2022-V001") == {"avid:ethics", "avid:E0101", "avid:L05"}
        reports = s.scalars(
            select(VulnerabilityLink.report_id)
            .where(VulnerabilityLink.vulnerability_id == "AVID-2022-V001")
            .order_by(VulnerabilityLink.report_id)
        ).all()
        assert reports == ["AVID-2022-R0001", "AVID-2022-R0003"]
        cve = s.get(Vulnerability, "AVID-2026-R0001")
        assert (cve.kind, cve.problem_class, cve.problem_type, cve.severity) == (
            "report",
            "CVE Entry",
            "Advisory",
            "critical",
        )
        assert cve.title == "Vulnerability CVE-2024-0132"
        assert cve.reported_date == dt.date(2024, 9, 26)
        assert cve.references[0] == {
            "type": "source",
            "label": "NVD entry",
            "url": "https://www.cve.org/CVERecord?id=CVE-2024-0132",
        }
        assert attributes(s, "AVID-2026-R0001") == [
            ("artifact", "System: Container Toolkit"),
            ("artifact", "System: GPU Operator"),
            ("cwe", "CWE-367"),
            ("deployer", "NVIDIA"),
            ("developer", "NVIDIA"),
        ]
        assert tag_terms(s, "AVID-2026-R0001") == {"avid:security", "avid:S0100", "avid:L06"}
        term = s.get(Term, "avid:S0403")
        assert (term.name_en, term.parent_id) == ("Adversarial Example", "avid:security")


def test_avid_small_folder_loads_and_reimport_changes_nothing(store, asset, tmp_path):
    folder = avid_folder(tmp_path, asset(GOOD))
    assert run_import(store, AvidImporter(), folder).records == 1
    with store.sessions() as s:
        row = s.get(Vulnerability, "AVID-2023-R0002")
        assert (row.kind, row.data_version, row.reported_date) == (
            "report",
            "0.2",
            dt.date(2023, 1, 5),
        )
        assert utc(row.created_at) == utc(row.updated_at) == dt.datetime(2023, 1, 5, tzinfo=dt.UTC)
    before = table_counts(store)
    run_import(store, AvidImporter(), folder)
    after = table_counts(store)
    assert after.pop("import_run") == before.pop("import_run") + 1
    assert after == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bad_json.json", ["bad_json.json, record 1 (line 2", "invalid JSON"]),
        (
            "unknown_data_version.json",
            ['unknown_data_version.json, record 1, field "data_version"'],
        ),
        ("missing_id.json", ['missing_id.json, record 1, field "metadata"', "exactly one"]),
        ("bad_date.json", ['bad_date.json, record 1, field "reported_date"', "'2023-02-30'"]),
    ],
)
def test_avid_rejects_bad_files_and_changes_nothing(store, asset, tmp_path, name, expected):
    run_import(store, AvidImporter(), avid_folder(tmp_path / "good", asset(GOOD)))
    before = table_counts(store)
    folder = avid_folder(tmp_path / "bad", asset(GOOD), asset(f"ingest/avid/{name}"))
    with pytest.raises(IngestError) as caught:
        run_import(store, AvidImporter(), folder)
    message = str(caught.value)
    for part in expected:
        assert part in message
    assert table_counts(store) == before
