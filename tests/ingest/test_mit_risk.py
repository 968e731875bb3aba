from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.mit_risk import WORKBOOK_NAME, MitRiskImporter
from commonground.store.models import ImportRun, RiskEntry, Source, Taxonomy, Term


def count(store, model=RiskEntry, *where) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def beside_workbook(tmp_path: Path, shared_data: Path, csv: Path) -> Path:
    """A copy of `csv` in a folder with a link to the real workbook."""
    (tmp_path / WORKBOOK_NAME).symlink_to(shared_data / "mit-ai-risk-repository" / WORKBOOK_NAME)
    target = tmp_path / csv.name
    target.write_bytes(csv.read_bytes())
    return target


def test_import_mit_risk_loads_1612_entries_two_taxonomies_and_their_terms(store, shared_data):
    importer = MitRiskImporter()
    result = run_import(store, importer, shared_data / "mit-ai-risk-repository")
    assert result.records == 1612
    assert count(store) == 1612
    assert count(store, RiskEntry, RiskEntry.category_level == "Risk Category") == 515
    assert count(store, RiskEntry, RiskEntry.category_level == "Risk Sub-Category") == 1097
    assert importer.unlinked_evidence == []
    assert count(store, Taxonomy) == 2
    # 3 causal groups with 4 coded values each; 7 domains, 24 sub-domains, "X.1 > Excluded".
    assert count(store, Term, Term.taxonomy_id == "mit-causal-v3") == 15
    assert count(store, Term, Term.taxonomy_id == "mit-domain-v3") == 32
    with store.sessions() as s:
        entry = s.get(RiskEntry, "MIT:01.01.00")
        assert entry.paper_id == "1"
        assert entry.paper_title == "TASRA: a Taxonomy and Analysis of Societal-Scale Risks from AI"
        assert entry.quickref == "Critch2023"
        assert entry.risk_category == "Type 1: Diffusion of responsibility"
        assert entry.risk_subcategory is None
        assert entry.description.startswith("Societal-scale harm can arise from AI built by")
        assert entry.additional_evidence.startswith('"Automated processes can cause societal harm')
        assert "\n\n[01.01.00.a] Example:" in entry.additional_evidence
        assert "\n\n[01.01.00.c] " in entry.additional_evidence
        assert (
            entry.entity_term_id,
            entry.intent_term_id,
            entry.timing_term_id,
            entry.domain_term_id,
            entry.subdomain_term_id,
        ) == (
            "mit-causal:entity-1",
            "mit-causal:intent-2",
            "mit-causal:timing-3",
            "mit-domain:6",
            "mit-domain:6.5",
        )
        assert entry.source_id == "mit-ai-risk-repository-v3"
        # Upstream repeats five Ev_IDs; the second occurrence gets "-2".
        assert s.get(RiskEntry, "MIT:62.31.00").risk_category == "Impacts of AI (Societal Impacts)"
        assert (
            s.get(RiskEntry, "MIT:62.31.00-2").risk_category == "Impacts of AI (Financial Impacts)"
        )
        assert s.get(RiskEntry, "MIT:62.31.00-2").subdomain_term_id == "mit-domain:X.1"
        # Evidence rows whose id slipped are linked by their texts.
        assert (
            "[21.02.01.b] Model form error"
            in s.get(RiskEntry, "MIT:21.02.01.a").additional_evidence
        )
        assert s.get(RiskEntry, "MIT:21.02.01").additional_evidence is None
        human = s.get(Term, "mit-causal:entity-1")
        assert (human.name_en, human.parent_id, human.kind) == (
            "Human",
            "mit-causal:entity",
            "term",
        )
        assert human.definition_en == "The risk is caused by a decision or action made by humans"
        governance = s.get(Term, "mit-domain:6.5")
        assert (governance.name_en, governance.parent_id) == ("Governance failure", "mit-domain:6")
        assert governance.definition_en.startswith("Inadequate regulatory frameworks")
        assert s.get(Term, "mit-domain:6").name_en == "Socioeconomic and Environmental"
        assert s.get(Term, "mit-domain:6").extra["sheet_name"] == "Socioeconomic & Environmental"
        taxonomy = s.get(Taxonomy, "mit-domain-v3")
        assert taxonomy.version == "3 (2025-03-26)"
        assert taxonomy.description_en.startswith("The Domain Taxonomy of AI Risks adapted from")
        source = s.get(Source, "mit-ai-risk-repository-v3")
        assert (source.url, source.license, source.published) == (
            "https://airisk.mit.edu/",
            "CC BY 4.0",
            "2025-03-26",
        )
        assert "davidturturean/airi-chatbot-class" in source.note
        by_domain = dict(
            s.execute(
                select(RiskEntry.domain_term_id, func.count()).group_by(RiskEntry.domain_term_id)
            ).all()
        )
        assert by_domain[None] == 203  # "X.1 > Excluded"
        assert sum(by_domain.values()) == 1612


def test_reimport_mit_risk_updates_and_never_duplicates(store, shared_data):
    run_import(store, MitRiskImporter(), shared_data / "mit-ai-risk-repository")
    run_import(store, MitRiskImporter(), shared_data / "mit-ai-risk-repository")
    assert count(store) == 1612
    assert count(store, Term) == 47
    assert count(store, ImportRun) == 2


def test_import_mit_risk_links_evidence_and_keeps_repeated_ids(store, shared_data, asset, tmp_path):
    importer = MitRiskImporter()
    csv = beside_workbook(
        tmp_path, shared_data, asset("ingest/mit-risk/evidence_and_duplicates.csv")
    )
    result = run_import(store, importer, csv)
    assert result.records == 4
    assert importer.unlinked_evidence == ["02.03.00.a"]
    with store.sessions() as s:
        first = s.get(RiskEntry, "MIT:01.01.00")
        assert first.paper_title == "A test paper"
        assert first.risk_category == "First risk"
        assert first.additional_evidence == "Own evidence.\n\n[01.01.00.a] Example: one."
        domain_only = s.get(RiskEntry, "MIT:01.01.01")
        assert (domain_only.domain_term_id, domain_only.subdomain_term_id) == ("mit-domain:4", None)
        assert domain_only.timing_term_id == "mit-causal:timing-4"
        repeated = s.get(RiskEntry, "MIT:01.01.01-2")
        assert (repeated.domain_term_id, repeated.subdomain_term_id) == (None, "mit-domain:X.1")
        assert repeated.additional_evidence == (
            "[01.01.01b] Evidence in Description.\n\n[01.01.05a] Slipped id; same texts."
        )
        lonely = s.get(RiskEntry, "MIT:02.01.00")
        assert (lonely.paper_id, lonely.paper_title) == ("2", "Another paper")
        assert lonely.description is None  # "-" is a placeholder
        assert lonely.entity_term_id is None and lonely.additional_evidence is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_entity.csv", ['field "Entity"', "'4 - Alien'", "unknown coded value"]),
        ("missing_ev_id.csv", ['field "Ev_ID"', "every row needs an Ev_ID"]),
    ],
)
def test_import_mit_risk_rejects_bad_rows_and_changes_nothing(
    store, shared_data, asset, tmp_path, name, expected
):
    csv = beside_workbook(tmp_path, shared_data, asset(f"ingest/mit-risk/{name}"))
    with pytest.raises(IngestError) as caught:
        run_import(store, MitRiskImporter(), csv)
    message = str(caught.value)
    assert message.startswith(f"{name}, record 3 (line 4), ")
    for part in expected:
        assert part in message
    for model in (RiskEntry, Term, Taxonomy, Source, ImportRun):
        assert count(store, model) == 0
