"""Each checkable claim of the seeds, decided by the data (see docs/claims.md).

The expected verdicts were checked by hand against the source lists in
../shared/data/governance-sources; where the data disagrees with a seed, the
test pins the difference rather than the seed's number.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from commonground.analysis.claims import CHECKS, check_claims, read_claims, to_markdown

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_VERDICTS = {
    "claim-001": "confirmed",
    "claim-002": "confirmed",
    "claim-003": "confirmed",
    "claim-004": "confirmed",
    "claim-005": "confirmed",
    "claim-006": "confirmed",
    "claim-007": "undecided",
    "claim-008": "confirmed",
    "claim-009": "undecided",
    "claim-010": "differs",
    "claim-011": "undecided",
    "claim-012": "undecided",
    "claim-013": "differs",
    "claim-014": "confirmed",
    "claim-015": "confirmed",
    "claim-016": "confirmed",
    "claim-017": "confirmed",
    "claim-018": "confirmed",
    "claim-019": "confirmed",
    "claim-020": "differs",
    "claim-021": "confirmed",
    "claim-022": "differs",
    "claim-023": "differs",
    "claim-024": "confirmed",
    "claim-025": "confirmed",
    "claim-026": "confirmed",
    "claim-027": "confirmed",
    "claim-028": "confirmed",
    "claim-029": "confirmed",
    "claim-030": "undecided",
    "claim-031": "confirmed",
    "claim-032": "confirmed",
    "claim-033": "confirmed",
    "claim-034": "confirmed",
    "claim-035": "confirmed",
    "claim-036": "confirmed",
    "claim-037": "confirmed",
    "claim-038": "confirmed",
    "claim-039": "confirmed",
}


@pytest.fixture(scope="module")
def results(loaded_store):
    return {r.id: r for r in check_claims(loaded_store)}


def test_every_claim_in_the_table_has_a_check_and_a_pinned_verdict():
    ids = [row["id"] for row in read_claims()]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(CHECKS) == set(EXPECTED_VERDICTS)


@pytest.mark.parametrize("claim", sorted(EXPECTED_VERDICTS))
def test_claim_verdict(results, claim):
    assert results[claim].verdict == EXPECTED_VERDICTS[claim], results[claim].ours


def test_china_and_the_us_both_endorsed_bletchley(results):
    assert results["claim-001"].ours == "bletchley-declaration: CHN endorsed, USA endorsed"


def test_sixteen_original_frontier_commitment_signatories_with_zhipu(results):
    assert results["claim-004"].ours.startswith(
        "16 original signatories (Zhipu AI among them); 4 joined later"
    )


def test_paris_us_and_uk_refused_and_count_is_reported_not_computed(results):
    assert results["claim-008"].ours == (
        "paris-statement-inclusive-sustainable-ai: GBR refused, USA refused"
    )
    assert "partial list" in results["claim-007"].ours


def test_hlab_high_income_bounds_from_the_members_held(results):
    # 34 of 39 members held; 12 high-income (FY23); 5 not held + 7 without stated nationality.
    assert "34 of 39 members held; high-income (FY23): 12" in results["claim-009"].ours
    assert "12–24 of 39" in results["claim-009"].ours


def test_hlab_upper_middle_claim_differs_on_india_and_the_count(results):
    ours = results["claim-010"].ours
    assert "classes it as LM" in ours
    assert "at most 33 of 39" in ours and "at most 35 (89.7%)" in ours


def test_aisi_network_includes_kenya_a_lower_middle_income_member(results):
    assert results["claim-013"].ours == "10 members; not high income: KEN (LM, FY23)"


def test_seoul_summit_had_four_outcome_documents_not_three(results):
    assert results["claim-022"].ours.startswith("4 outcome documents")


def test_claims_document_is_current(results):
    current = (ROOT / "docs" / "claims.md").read_text(encoding="utf-8")
    assert current == to_markdown(list(results.values())), (
        "docs/claims.md is stale: regenerate with `commonground claims --format md > docs/claims.md`"
    )
