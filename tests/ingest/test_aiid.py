import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.aiid import MIT_MAPPING, OECD_FILE, WORKBOOK, AiidImporter
from commonground.ingest.base import run_import
from commonground.ingest.mit_risk import MitRiskImporter
from commonground.store.models import Mapping, Term
from commonground.store.models_cases import CaseAttribute, CaseTag, Incident
from commonground.store.stats import table_counts
from tests.ingest.cases_data import count, loaded_cases

HEADER = (
    "Incident ID", "Data Sources", "Risk Domain", "Risk Subdomain", "Harm Domain",
    "AI Harm Level", "Tangible Harm", "AI Goal", "Potential AI Goal", "AI Technology",
    "Potential AI Technology", "AI Task", "AI Methods", "Autonomy Level",
    "AI System Description", "Data Inputs", "Technical Failure", "Potential Technical Failure",
    "Responsible Entity", "Intent", "Intentional Harm", "Timing", "Sector of Deployment",
    "Public Sector Deployment", "Infrastructure Sectors", "Incident Year", "Incident Month",
    "Location Region", "Country Code", "Lives Lost", "Injuries", "Involving Minor",
)  # fmt: skip
# Incident 209 as the real workbook has it.
ROW_209 = {
    "Incident ID": 209,
    "Data Sources": "MIT | GMF",
    "Risk Domain": "7. AI system safety, failures, and limitations",
    "Risk Subdomain": "7.3. Lack of capability or robustness",
    "AI Goal": "Autonomous Driving",
    "AI Technology": "Convolutional Neural Network, Recurrent Neural Network, "
    "Image Segmentation, Visual Object Detection",
    "Technical Failure": "Generalization Failure",
    "Potential Technical Failure": "Untested Deployment",
    "Responsible Entity": "AI",
    "Intent": "Intentional",
    "Timing": "Post-deployment",
}


@pytest.fixture(scope="module")
def cases(request, tmp_path_factory, shared_data):
    return loaded_cases(request, tmp_path_factory, shared_data)


def aiid_folder(tmp_path: Path, shared_data: Path, rows: list[dict], oecd: Path) -> Path:
    """A folder with a small workbook, AIID's real mit-mapping.json and an OECD file."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Master Dataset"
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(name) for name in HEADER])
    book.save(tmp_path / WORKBOOK)
    shutil.copyfile(shared_data / "aiid" / MIT_MAPPING, tmp_path / MIT_MAPPING)
    shutil.copyfile(oecd, tmp_path / OECD_FILE)
    return tmp_path


@pytest.fixture
def with_mit(store, shared_data):
    run_import(store, MitRiskImporter(), shared_data / "mit-ai-risk-repository")
    return store


def tags(session, subject_id: str) -> dict[str, str | None]:
    rows = session.scalars(select(CaseTag).where(CaseTag.subject_id == subject_id))
    return {r.term_id: r.note for r in rows}


@pytest.mark.slow
def test_aiid_loads_1242_incidents_tags_and_the_oecd_crosswalk(cases):
    store, results = cases
    assert results["aiid"].records == 1242
    ns = Incident.namespace == "AIID"
    assert count(store, Incident, ns) == 1242
    assert count(store, Incident, ns, Incident.title_en.is_(None)) == 1242
    assert count(store, Incident, ns, Incident.date_precision == "month") == 144
    assert count(store, Incident, ns, Incident.date_precision == "year") == 57
    assert count(store, Term, Term.taxonomy_id == "aiid-gmf") == 3 + 231
    assert count(store, Term, Term.taxonomy_id == "aiid-csetv1") == 8 + 39
    with store.sessions() as s:
        by_taxonomy = dict(
            s.execute(
                select(Term.taxonomy_id, func.count())
                .join(CaseTag, CaseTag.term_id == Term.id)
                .where(CaseTag.subject_id.startswith("AIID:"))
                .group_by(Term.taxonomy_id)
            ).all()
        )
        # Every incident has an MIT domain, sub-domain, entity, intent and timing.
        assert by_taxonomy == {
            "mit-domain-v3": 2 * 1242,
            "mit-causal-v3": 3 * 1242,
            "aiid-gmf": 2131,
            "aiid-csetv1": 1461,
        }
        first = s.get(Incident, "AIID:1")
        assert (first.date, first.date_precision) == (dt.date(2016, 1, 1), "year")
        assert first.url == "https://incidentdatabase.ai/cite/1"
        assert first.extra["data_sources"] == ["MIT", "GMF", "CSETv1"]
        assert "not in the imported data" in first.extra["note"]
        first_tags = tags(s, "AIID:1")
        assert {t for t in first_tags if t.startswith("mit-")} == {
            "mit-domain:1",
            "mit-domain:1.2",
            "mit-causal:entity-2",
            "mit-causal:intent-2",
            "mit-causal:timing-2",
        }
        assert first_tags["aiid-gmf:goal/content-recommendation"] is None
        assert first_tags["aiid-gmf:failure/concept-drift"] == "potential"
        assert first_tags["aiid-csetv1:tangible-harm/no-tangible-harm-near-miss-or-issue"] is None
        boeing = s.get(Incident, "AIID:3")
        assert (boeing.date, boeing.date_precision) == (dt.date(2018, 10, 1), "month")
        attrs = {
            (a.kind, a.value, a.actor_id)
            for a in s.scalars(select(CaseAttribute).where(CaseAttribute.subject_id == "AIID:3"))
        }
        assert {("country", "ID", "IDN"), ("lives-lost", "189", None)} <= attrs
        assert (
            s.scalar(
                select(CaseAttribute.actor_id).where(
                    CaseAttribute.subject_id == "AIID:92", CaseAttribute.kind == "country"
                )
            )
            == "USA"
        )
        links = s.scalars(
            select(Mapping.object_id)
            .where(Mapping.mapping_set == "aiid:oecd-aim", Mapping.subject_id == "AIID:209")
            .order_by(Mapping.object_id)
        ).all()
        assert links == [
            "https://oecd.ai/en/incidents/2022-01-10-5735",
            "https://oecd.ai/en/incidents/2022-01-30-0121",
            "https://oecd.ai/en/incidents/2022-02-01-1c74",
        ]
    assert count(store, Mapping, Mapping.mapping_set == "aiid:oecd-aim") == 681
    with store.sessions() as s:
        assert (
            s.scalar(
                select(func.count(func.distinct(Mapping.subject_id))).where(
                    Mapping.mapping_set == "aiid:oecd-aim"
                )
            )
            == 446
        )


def test_aiid_small_workbook_writes_a_repeated_oecd_pair_once(
    with_mit, shared_data, asset, tmp_path
):
    folder = aiid_folder(
        tmp_path, shared_data, [ROW_209], asset("ingest/aiid/oecd_repeated_pair.json")
    )
    assert run_import(with_mit, AiidImporter(), folder).records == 1
    assert count(with_mit, Mapping, Mapping.mapping_set == "aiid:oecd-aim") == 2
    with with_mit.sessions() as s:
        found = tags(s, "AIID:209")
        assert found["mit-domain:7.3"] == "AIID MIT classification"
        assert found["mit-causal:intent-1"] == "AIID MIT classification"
        assert found["aiid-gmf:failure/untested-deployment"] == "potential"
        assert found["aiid-gmf:technology/convolutional-neural-network"] is None
        assert len([t for t in found if t.startswith("aiid-gmf:technology/")]) == 4


def test_aiid_without_mit_terms_names_the_missing_import(store, shared_data, asset, tmp_path):
    folder = aiid_folder(
        tmp_path, shared_data, [ROW_209], asset("ingest/aiid/oecd_repeated_pair.json")
    )
    before = table_counts(store)
    with pytest.raises(IngestError, match="import mit-risk first"):
        run_import(store, AiidImporter(), folder)
    assert table_counts(store) == before


@pytest.mark.parametrize(
    ("change", "oecd", "expected"),
    [
        (
            {"Incident Month": "Smarch"},
            "oecd_repeated_pair.json",
            ['record 2 (line 3), field "Incident Month"', "'Smarch'"],
        ),
        (
            {"Incident ID": None},
            "oecd_repeated_pair.json",
            ['record 2 (line 3), field "Incident ID"'],
        ),
        (
            {"Risk Subdomain": "9.9. Made-up subdomain"},
            "oecd_repeated_pair.json",
            ['record 2 (line 3), field "Risk Subdomain"', "mit-mapping.json"],
        ),
        (
            {"Intent": "Accidental"},
            "oecd_repeated_pair.json",
            ['record 2 (line 3), field "Intent"', "expected one of"],
        ),
        ({}, "oecd_bad_url.json", ['oecd_relationships_2025_09_09.json, record 2, field "sameAs"']),
    ],
)
def test_aiid_rejects_bad_input_and_changes_nothing(
    with_mit, shared_data, asset, tmp_path, change, oecd, expected
):
    second = {**ROW_209, "Incident ID": 210, **change}
    folder = aiid_folder(tmp_path, shared_data, [ROW_209, second], asset(f"ingest/aiid/{oecd}"))
    before = table_counts(with_mit)
    with pytest.raises(IngestError) as caught:
        run_import(with_mit, AiidImporter(), folder)
    message = str(caught.value)
    for part in expected:
        assert part in message
    if "sameAs" not in message:
        assert message.startswith(WORKBOOK)
    assert table_counts(with_mit) == before
