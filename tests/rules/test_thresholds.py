"""Exactly at, one below and one above every threshold; dates in force; the four results."""

from __future__ import annotations

import datetime as dt

import pytest

from commonground.rules.evaluate import CompiledRule, Outcome
from commonground.rules.profile import Profile
from commonground.rules.regimes import compiled_rules, load_regimes

D = dt.date
RULES = {r.rule.id: r for r in compiled_rules()}


def outcome(rule_id: str, as_of: dt.date, **fields) -> Outcome:
    return RULES[rule_id].evaluate(Profile(name="t", **fields).facts(), as_of).outcome


# (rule, other facts, the number's field, threshold, comparator, a date it is in force)
BOUNDARIES = [
    (
        "eu-ai-act/gpai-systemic-risk-presumption",
        {"jurisdictions": ["EU"], "provider_role": "provider"},
        "training_compute_flop",
        10**25,
        ">",
        D(2025, 9, 1),
    ),
    (
        "eu-ai-act/annex-xiii-f-reach",
        {"jurisdictions": ["FR"], "provider_role": "provider"},
        "eu_business_users",
        10_000,
        ">=",
        D(2025, 9, 1),
    ),
    (
        "eu-gpai-guidelines/indicative-gpai-criterion",
        {"jurisdictions": ["EU"], "provider_role": "provider", "modalities": ["text"]},
        "training_compute_flop",
        10**23,
        ">",
        D(2025, 9, 1),
    ),
    ("eo-14110/sec-4-2-b-i-general", {}, "training_compute_flop", 10**26, ">", D(2024, 6, 1)),
    (
        "eo-14110/sec-4-2-b-i-biological",
        {"biological_sequence_data": True},
        "training_compute_flop",
        10**23,
        ">",
        D(2024, 6, 1),
    ),
    (
        "us-ca-sb53/frontier-developer",
        {"jurisdictions": ["US-CA"], "provider_role": "developer", "fine_tuning_compute_flop": 0},
        "training_compute_flop",
        10**26,
        ">",
        D(2026, 2, 1),
    ),
    (
        "us-ca-sb53/large-frontier-developer",
        {
            "jurisdictions": ["US-CA"],
            "provider_role": "provider",
            "fine_tuning_compute_flop": 0,
            "developer_revenue_usd": 10**9,
        },
        "training_compute_flop",
        10**26,
        ">",
        D(2026, 2, 1),
    ),
    (
        "us-ca-sb53/large-frontier-developer",
        {"jurisdictions": ["US-CA"], "provider_role": "provider", "training_compute_flop": 10**27},
        "developer_revenue_usd",
        500_000_000,
        ">",
        D(2026, 2, 1),
    ),
    (
        "us-ny-raise-s8828/large-frontier-developer",
        {
            "jurisdictions": ["US-NY"],
            "provider_role": "provider",
            "fine_tuning_compute_flop": 0,
            "developer_revenue_usd": 10**9,
        },
        "training_compute_flop",
        10**26,
        ">",
        D(2027, 1, 1),
    ),
    (
        "us-ny-raise-s8828/large-frontier-developer",
        {
            "jurisdictions": ["US-NY"],
            "provider_role": "provider",
            "cumulative_compute_flop": 10**27,
        },
        "developer_revenue_usd",
        500_000_000,
        ">",
        D(2027, 1, 1),
    ),
    (
        "kr-ai-basic-act/high-performance-ai",
        {"jurisdictions": ["KR"], "fine_tuning_compute_flop": 0},
        "training_compute_flop",
        10**26,
        ">=",
        D(2026, 2, 1),
    ),
    (
        "us-ai-diffusion-framework/eccn-4e091",
        {"open_weights": False, "fine_tuning_compute_flop": 0},
        "training_compute_flop",
        10**26,
        ">",
        D(2025, 3, 1),
    ),
]


@pytest.mark.parametrize(
    "rule_id,others,field,threshold,op,day", BOUNDARIES, ids=[f"{b[0]}:{b[2]}" for b in BOUNDARIES]
)
def test_at_below_and_above_every_threshold(rule_id, others, field, threshold, op, day):
    at = Outcome.APPLIES if op == ">=" else Outcome.DOES_NOT_APPLY
    assert outcome(rule_id, day, **others, **{field: threshold}) is at
    assert outcome(rule_id, day, **others, **{field: threshold - 1}) is Outcome.DOES_NOT_APPLY
    assert outcome(rule_id, day, **others, **{field: threshold + 1}) is Outcome.APPLIES


def test_floats_would_get_these_boundaries_wrong():
    # why the engine never converts: as floats, one above the line equals the line
    assert float(10**25 + 1) == float(10**25)
    assert float(10**26 + 1) == float(10**26)
    assert (
        outcome("eo-14110/sec-4-2-b-i-general", D(2024, 6, 1), training_compute_flop=10**26 + 1)
        is Outcome.APPLIES
    )


def test_every_compute_threshold_is_covered_by_a_boundary_test():
    from commonground.rules.coverage import thresholds

    tested = {(b[0], b[3]) for b in BOUNDARIES}
    for t in thresholds():
        if t.regime == "us-ny-raise-act":
            continue  # never in force: its condition is tested below
        assert (t.rule, t.value) in tested, t


def test_ny_raise_as_passed_condition_boundaries():
    rule = RULES["us-ny-raise-act/frontier-model"]
    cond = rule.condition
    for compute, cost, expected in [
        (10**26, 10**9, False),
        (10**26 - 1, 10**9, False),
        (10**26 + 1, 10**9, True),
        (10**27, 100_000_000, False),
        (10**27, 99_999_999, False),
        (10**27, 100_000_001, True),
    ]:
        assert cond({"training_compute_flop": compute, "compute_cost_usd": cost}) is expected
    # and it was never in force
    for day in (D(2025, 12, 19), D(2026, 3, 27), D(2030, 1, 1)):
        result = rule.evaluate({"training_compute_flop": 10**27, "compute_cost_usd": 10**9}, day)
        assert result.outcome is Outcome.NOT_APPLICABLE
        assert "Never in force" in result.reason


def test_eo_14110_before_and_after_revocation():
    big = {"training_compute_flop": 10**26 + 1}
    assert outcome("eo-14110/sec-4-2-b-i-general", D(2023, 10, 29), **big) is Outcome.NOT_APPLICABLE
    assert outcome("eo-14110/sec-4-2-b-i-general", D(2023, 10, 30), **big) is Outcome.APPLIES
    assert outcome("eo-14110/sec-4-2-b-i-general", D(2025, 1, 19), **big) is Outcome.APPLIES
    result = RULES["eo-14110/sec-4-2-b-i-general"].evaluate(
        Profile(name="t", **big).facts(), D(2025, 1, 20)
    )
    assert result.outcome is Outcome.NOT_APPLICABLE
    assert "14148" in result.reason and "2025-01-20" in result.reason
    assert "EO 14110 Sec. 4.2(b)(i)" in result.reason
    assert outcome("eo-14110/sec-4-2-b-i-general", D(2025, 9, 1), **big) is Outcome.NOT_APPLICABLE


def test_eu_gpai_obligations_before_and_after_2_august_2025():
    fields = {
        "training_compute_flop": 10**25 + 1,
        "jurisdictions": ["EU"],
        "provider_role": "provider",
        "modalities": ["text"],
    }
    for rule in (
        "eu-ai-act/gpai-systemic-risk-presumption",
        "eu-gpai-guidelines/indicative-gpai-criterion",
    ):
        before = RULES[rule].evaluate(Profile(name="t", **fields).facts(), D(2025, 8, 1))
        assert before.outcome is Outcome.NOT_APPLICABLE
        assert "applies from 2025-08-02" in before.reason
        assert outcome(rule, D(2025, 8, 2), **fields) is Outcome.APPLIES
        assert outcome(rule, D(2027, 1, 1), **fields) is Outcome.APPLIES


def test_out_of_scope_is_not_applicable_and_wins_over_unknowns():
    r = RULES["eu-ai-act/gpai-systemic-risk-presumption"].evaluate(
        Profile(name="t", jurisdictions=["US", "CN"]).facts(), D(2025, 9, 1)
    )
    assert r.outcome is Outcome.NOT_APPLICABLE
    assert r.reason.startswith("Out of scope")
    # subdivisions and EU members match
    assert (
        outcome(
            "eu-ai-act/gpai-systemic-risk-presumption",
            D(2025, 9, 1),
            training_compute_flop=10**26,
            jurisdictions=["DE-BY"],
            provider_role="provider",
        )
        is Outcome.APPLIES
    )
    assert (
        outcome(
            "us-ca-sb53/frontier-developer",
            D(2026, 2, 1),
            cumulative_compute_flop=10**27,
            jurisdictions=["US"],
            provider_role="provider",
        )
        is Outcome.NOT_APPLICABLE
    )


def test_cannot_tell_names_the_missing_facts():
    r = RULES["eu-ai-act/gpai-systemic-risk-presumption"].evaluate(
        Profile(name="t", training_compute_flop=10**26).facts(), D(2025, 9, 1)
    )
    assert r.outcome is Outcome.CANNOT_TELL
    assert r.missing == ["jurisdictions", "provider_role"]
    assert "jurisdictions" in r.reason and "缺少" in r.reason_zh
    r = RULES["us-ca-sb53/large-frontier-developer"].evaluate(
        Profile(
            name="t",
            training_compute_flop=5 * 10**25,
            jurisdictions=["US-CA"],
            provider_role="provider",
        ).facts(),
        D(2026, 2, 1),
    )
    assert r.outcome is Outcome.CANNOT_TELL
    assert r.missing == ["developer_revenue_usd", "fine_tuning_compute_flop"]
    # training compute alone above the line: fine-tuning can only add, so it is enough
    r = RULES["us-ca-sb53/frontier-developer"].evaluate(
        Profile(
            name="t",
            training_compute_flop=10**26 + 1,
            jurisdictions=["US-CA"],
            provider_role="provider",
        ).facts(),
        D(2026, 2, 1),
    )
    assert r.outcome is Outcome.APPLIES
    # a known false leaf decides, whatever is missing
    r = RULES["us-ca-sb53/large-frontier-developer"].evaluate(
        Profile(name="t", developer_revenue_usd=10).facts(), D(2026, 2, 1)
    )
    assert r.outcome is Outcome.DOES_NOT_APPLY and r.missing == []


def test_four_results_and_provision_in_json():
    r = RULES["cn-genai-interim-measures/art-2-public-service"]
    facts = Profile(
        name="t", jurisdictions=["CN"], provider_role="provider", modalities=["image"]
    ).facts()
    d = r.evaluate(facts, D(2024, 1, 1)).to_dict()
    assert d["result"] == "applies"
    assert set(d) >= {"regime", "rule", "result", "reason", "missing", "provision"}
    assert d["provision"]["source"]["url"].startswith("https://www.cac.gov.cn/")
    assert r.evaluate(facts, D(2023, 8, 14)).outcome is Outcome.NOT_APPLICABLE
    facts = Profile(
        name="t", jurisdictions=["CN"], provider_role="provider", modalities=["biology"]
    ).facts()
    assert r.evaluate(facts, D(2024, 1, 1)).outcome is Outcome.DOES_NOT_APPLY


def test_every_rule_cites_a_provision_with_a_source_in_the_bundled_sources():
    import yaml

    from commonground.rules.regimes import RULES_DIR

    sources = yaml.safe_load((RULES_DIR.parent / "sources.yaml").read_text(encoding="utf-8"))
    known = {s["id"]: s for s in sources}
    instruments = set()
    for path in (RULES_DIR.parent / "instruments").glob("*.yaml"):
        instruments |= {i["id"] for i in yaml.safe_load(path.read_text(encoding="utf-8"))}
    for regime in load_regimes():
        assert regime.regime in instruments
        for rule in regime.rules:
            src = rule.provision.source
            assert src.id in known, src.id
            assert known[src.id]["url"] == src.url
            assert rule.provision.id.startswith(regime.regime + "/")


def test_a_new_regime_is_a_data_file(tmp_path):
    from commonground.rules.regimes import load_regime_file

    path = tmp_path / "xx-new-law.yaml"
    path.write_text(
        """
regime: xx-new-law
name: {en: New law, zh: 新法}
jurisdiction: XX
rules:
  - id: xx-new-law/users
    obligation: {en: Register., zh: 登记。}
    provision:
      id: xx-new-law/art-1
      label: Art. 1
      quote: "more than 45 000 000 users"
      quote_status: primary_text
      source: {id: s, url: "https://example.org", publisher: P, date: 2024}
    in_force_from: 2024-01-01
    condition: {fact: users, op: ">", value: "45 000 000"}
""",
        encoding="utf-8",
    )
    regime = load_regime_file(path)
    rule = CompiledRule(regime.rules[0])
    assert rule.outcome({"users": 45_000_001}, D(2024, 1, 1)) is Outcome.APPLIES
    assert rule.outcome({"users": 45_000_000}, D(2024, 1, 1)) is Outcome.DOES_NOT_APPLY
    assert rule.outcome({}, D(2024, 1, 1)) is Outcome.CANNOT_TELL
