from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.ibm_nexus import (
    MAPPING_FILE,
    MAPPING_SET,
    IbmNexusImporter,
    dangling_references,
)
from commonground.store.models import ImportRun, Mapping, Source, Taxonomy, Term

WRONG_PARENT = "ibm-risk-atlas-robustness-Prompt-attacks"  # upstream spells it "-prompt-"


def count(store, model=Term, *where) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def terms(store, taxonomy: str, kind: str) -> int:
    return count(store, Term, Term.taxonomy_id == taxonomy, Term.kind == kind)


def nexus_copy(tmp_path: Path, shared_data: Path, replace: dict[str, Path]) -> Path:
    """The real folder (as links), with some files replaced by test assets."""
    folder = tmp_path / "ibm-risk-atlas-nexus"
    folder.mkdir()
    for file in (shared_data / "ibm-risk-atlas-nexus").iterdir():
        if file.name in replace:
            (folder / file.name).write_bytes(replace[file.name].read_bytes())
        else:
            (folder / file.name).symlink_to(file)
    return folder


def test_import_ibm_nexus_loads_taxonomies_terms_and_crosswalk(store, shared_data):
    importer = IbmNexusImporter()
    result = run_import(store, importer, shared_data / "ibm-risk-atlas-nexus")
    assert result.records == 795  # terms
    assert count(store, Taxonomy) == 9
    assert count(store, Source) == 10  # one per file
    assert (
        terms(store, "ai-risk-taxonomy", "risk"),
        terms(store, "ai-risk-taxonomy", "group"),
    ) == (
        314,
        59,
    )
    assert (terms(store, "ibm-risk-atlas", "risk"), terms(store, "ibm-risk-atlas", "group")) == (
        99,
        16,
    )
    assert terms(store, "oecd-ai-principles-2019", "principle") == 5
    assert terms(store, "un-system-principles-2022", "principle") == 10
    assert terms(store, "nist-ai-rmf", "action") == 212
    assert terms(store, "nist-ai-rmf", "risk") == 12
    assert terms(store, "owasp-llm-2.0", "risk") == 10
    assert terms(store, "ailuminate-v1.0", "risk") == 12
    assert terms(store, "mit-ai-risk-repository", "risk") == 24
    assert terms(store, "mit-ai-risk-repository-causal", "risk") == 9
    # 504 crosswalk entries, one pair each; three pairs are listed twice more.
    assert count(store, Mapping, Mapping.mapping_set == MAPPING_SET) == 500
    # AIR 2024 groups: 43 broadMatch and 43 narrowMatch pairs.
    assert count(store, Mapping, Mapping.mapping_set == "ibm-nexus:ai-risk-taxonomy") == 86
    assert count(store, Mapping) == 586
    # No mapping id dangles; nine Atlas risks name a parent id that does not exist.
    assert [d for d in importer.dangling if d.field != "isPartOf"] == []
    assert {(d.field, d.target) for d in importer.dangling} == {("isPartOf", WRONG_PARENT)}
    assert len(importer.dangling) == 9
    assert dangling_references(shared_data / "ibm-risk-atlas-nexus") == importer.dangling
    with store.sessions() as s:
        evasion = s.get(Term, "atlas-evasion-attack")
        assert evasion.parent_id == "ibm-risk-atlas-robustness-model-behavior-manipulation"
        assert evasion.kind == "risk" and evasion.taxonomy_id == "ibm-risk-atlas"
        assert evasion.definition_en.startswith("Evasion attacks attempt to make a model output")
        assert evasion.url.endswith("/ai-risk-atlas/evasion-attack.html")
        assert evasion.extra["dateCreated"] == "2024-03-06"
        assert evasion.extra["descriptor"] == ["amplified by generative AI"]
        leaking = s.get(Term, "atlas-prompt-leaking")
        assert leaking.parent_id is None and leaking.extra["isPartOf"] == WRONG_PARENT
        action = s.get(Term, "GV-1.1-001")
        assert action.kind == "action" and action.taxonomy_id == "nist-ai-rmf"
        assert action.extra["hasRelatedRisk"] == ["nist-data-privacy", "nist-intellectual-property"]
        principle = s.get(Term, "principle-oecd-inclusive-growth")
        assert principle.taxonomy_id == "oecd-ai-principles-2019" and principle.position == 1
        oecd = s.get(Taxonomy, "oecd-ai-principles-2019")
        assert (oecd.name_en, oecd.url) == (
            "OECD AI Principles",
            "https://oecd.ai/en/ai-principles",
        )
        assert s.get(Term, "ail-violent-crimes").parent_id == "ail-physical-hazards"
        mapping = s.scalars(
            select(Mapping).where(
                Mapping.mapping_set == MAPPING_SET,
                Mapping.subject_id == "atlas-attribute-inference-attack",
                Mapping.object_id == "mit-ai-risk-subdomain-2.2",
            )
        ).one()
        assert (mapping.predicate, mapping.justification, mapping.method) == (
            "skos:relatedMatch",
            "semapv:ManualMappingCuration",
            "imported",
        )
        assert (mapping.review_status, mapping.author) == ("unreviewed", "IBM risk-atlas-nexus")
        assert (mapping.subject_type, mapping.object_type) == ("term", "term")
        source = s.get(Source, mapping.source_id)
        assert source.url == (
            "https://github.com/IBM/risk-atlas-nexus/blob/97fbe673b276dd07e783b1dbe90ea77b1c571d44/"
            "src/risk_atlas_nexus/data/knowledge_graph/mappings/"
            "mit-ai-risk-repository_ibm-risk-atlas_from_tsv_data.yaml"
        )
        assert (source.publisher, source.license) == (
            "IBM Research (risk-atlas-nexus)",
            "Apache-2.0",
        )
        narrow = s.scalars(
            select(Mapping.object_id).where(
                Mapping.subject_id == "ai-risk-taxonomy-child-harm",
                Mapping.predicate == "skos:narrowMatch",
            )
        ).all()
        assert sorted(narrow) == [
            "ai-risk-taxonomy-child-sexual-abuse",
            "ai-risk-taxonomy-endangerment,-harm,-or-abuse-of-children",
        ]


def test_reimport_ibm_nexus_updates_and_never_duplicates(store, shared_data):
    run_import(store, IbmNexusImporter(), shared_data / "ibm-risk-atlas-nexus")
    run_import(store, IbmNexusImporter(), shared_data / "ibm-risk-atlas-nexus")
    assert count(store, Term) == 795
    assert count(store, Mapping) == 586
    assert count(store, Taxonomy) == 9
    assert count(store, ImportRun) == 2


def test_import_ibm_nexus_skips_and_counts_mappings_to_missing_ids(
    store, shared_data, asset, tmp_path
):
    folder = nexus_copy(
        tmp_path, shared_data, {MAPPING_FILE: asset("ingest/ibm-nexus/mapping_dangling_id.yaml")}
    )
    importer = IbmNexusImporter()
    run_import(store, importer, folder)
    crosswalk = [d for d in importer.dangling if d.file == MAPPING_FILE]
    assert {(d.record, d.subject, d.field, d.target) for d in crosswalk} == {
        (2, "mit-ai-risk-subdomain-2.2", "relatedMatch", "atlas-no-such-risk"),
        (3, "mit-ai-risk-subdomain-9.9", "closeMatch", "mit-ai-risk-subdomain-9.9"),
    }
    with store.sessions() as s:
        written = s.execute(
            select(Mapping.subject_id, Mapping.object_id).where(Mapping.mapping_set == MAPPING_SET)
        ).all()
    assert sorted(written) == [
        ("atlas-attribute-inference-attack", "mit-ai-risk-subdomain-2.2"),
        ("mit-ai-risk-subdomain-2.2", "atlas-attribute-inference-attack"),
    ]


@pytest.mark.parametrize(
    ("asset_name", "expected"),
    [
        ("malformed.yaml", ["owasp_llm_2.0_data.yaml", "invalid YAML"]),
        (
            "risk_without_id.yaml",
            ["owasp_llm_2.0_data.yaml, record 2 (line 9), ", 'field "id"', "Field required"],
        ),
    ],
)
def test_import_ibm_nexus_rejects_bad_files_and_changes_nothing(
    store, shared_data, asset, tmp_path, asset_name, expected
):
    bad = asset(f"ingest/ibm-nexus/{asset_name}")
    folder = nexus_copy(tmp_path, shared_data, {"owasp_llm_2.0_data.yaml": bad})
    with pytest.raises(IngestError) as caught:
        run_import(store, IbmNexusImporter(), folder)
    message = str(caught.value)
    for part in expected:
        assert part in message
    for model in (Term, Taxonomy, Mapping, Source, ImportRun):
        assert count(store, model) == 0
