import pytest

from commonground.registry.crosswalk import mit_counterpart, related_terms
from tests.ingest.cases_data import loaded_cases


@pytest.fixture(scope="module")
def cases(request, tmp_path_factory, shared_data):
    return loaded_cases(request, tmp_path_factory, shared_data)


def ids(session, term_id):
    return [
        (t.id, predicate, taxonomy.id) for t, predicate, taxonomy in related_terms(session, term_id)
    ]


@pytest.mark.parametrize(
    ("ours", "ibm"),
    [
        ("mit-domain:6", "mit-ai-risk-domain-6"),
        ("mit-domain:2.2", "mit-ai-risk-subdomain-2.2"),
        ("mit-causal:entity-2", "mit-ai-causal-risk-entity-ai"),
        ("mit-causal:timing-1", "mit-ai-causal-risk-timing-pre-deployment"),
    ],
)
def test_mit_counterpart_is_symmetric(ours, ibm):
    assert mit_counterpart(ours) == ibm
    assert mit_counterpart(ibm) == ours


def test_mit_counterpart_of_other_terms_is_none():
    assert mit_counterpart("mit-causal:entity-4") is None  # "Not coded": IBM has no such term
    assert mit_counterpart("atlas-data-bias") is None


@pytest.mark.slow
def test_related_terms_follow_ibm_crosswalks_both_ways(cases):
    store, _results = cases
    with store.sessions() as s:
        security = ids(s, "mit-domain:2.2")
        # IBM's copy of the same MIT term, then IBM's MIT→Atlas mappings on it.
        assert (
            "mit-ai-risk-subdomain-2.2",
            "skos:exactMatch",
            "mit-ai-risk-repository",
        ) in security
        atlas = [t for t, p, tax in security if tax == "ibm-risk-atlas"]
        assert atlas == [
            "atlas-attribute-inference-attack",
            "atlas-data-poisoning",
            "atlas-evasion-attack",
            "atlas-extraction-attack",
            "atlas-harmful-code-generation",
            "atlas-jailbreaking",
            "atlas-membership-inference-attack",
            "atlas-prompt-injection",
            "atlas-prompt-leaking",
            "atlas-prompt-priming",
        ]
        assert {p for t, p, tax in security if tax == "ibm-risk-atlas"} == {"skos:relatedMatch"}
        # From the Atlas side, the MIT terms come back under both loaders' ids.
        dangerous = ids(s, "atlas-dangerous-use")
        assert ("mit-causal:entity-1", "skos:relatedMatch", "mit-causal-v3") in dangerous
        assert (
            "mit-ai-causal-risk-entity-human",
            "skos:relatedMatch",
            "mit-ai-risk-repository-causal",
        ) in dangerous
        # AIR 2024's broad/narrow matches, read from either end, with the inverse predicate.
        assert ids(s, "ai-risk-taxonomy-child-harm") == [
            ("ai-risk-taxonomy-child-sexual-abuse", "skos:narrowMatch", "ai-risk-taxonomy"),
            (
                "ai-risk-taxonomy-endangerment,-harm,-or-abuse-of-children",
                "skos:narrowMatch",
                "ai-risk-taxonomy",
            ),
        ]
        assert ids(s, "ai-risk-taxonomy-child-sexual-abuse") == [
            ("ai-risk-taxonomy-child-harm", "skos:broadMatch", "ai-risk-taxonomy")
        ]
        assert ids(s, "no-such-term") == []
