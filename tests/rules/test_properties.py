"""Hypothesis: the compiled evaluator agrees with direct reference implementations."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.rules.conditions import AT_LEAST, All, AnyOf, Leaf, Not
from commonground.rules.evaluate import Outcome, compile_node, explain
from commonground.rules.profile import Profile
from commonground.rules.regimes import compiled_rules

THRESHOLDS = [10**23, 10**25, 10**26, 500_000_000]
NUMBERS = st.one_of(
    st.sampled_from(THRESHOLDS).flatmap(lambda t: st.sampled_from([t - 1, t, t + 1])),
    st.integers(min_value=0, max_value=10**28),
)
INT_FACTS = ["training_compute_flop", "users", "cumulative_compute_flop"]


def leaves():
    numeric = st.builds(
        lambda f, op, v: Leaf(fact=f, op=op, value=v),
        st.sampled_from(INT_FACTS),
        st.sampled_from([">", ">=", "<", "<=", "=="]),
        NUMBERS,
    )
    flag = st.builds(lambda v: Leaf(fact="open_weights", op="==", value=v), st.booleans())
    place = st.builds(
        lambda v: Leaf(fact="jurisdictions", op="in", value=v),
        st.lists(st.sampled_from(["EU", "US", "US-CA", "CN"]), min_size=1, max_size=2),
    )
    return st.one_of(numeric, flag, place)


trees = st.recursive(
    leaves(),
    lambda kids: st.one_of(
        st.builds(lambda c: All(all=c), st.lists(kids, min_size=1, max_size=4)),
        st.builds(lambda c: AnyOf(any=c), st.lists(kids, min_size=1, max_size=4)),
        st.builds(lambda c: Not(**{"not": c}), kids),
    ),
    max_leaves=12,
)


@st.composite
def fact_sets(draw):
    facts = {}
    for name in INT_FACTS:
        how = draw(st.sampled_from(["value", "missing", "at_least"]))
        if how == "value":
            facts[name] = draw(NUMBERS)
        elif how == "at_least":
            facts[name + AT_LEAST] = draw(NUMBERS)
    if draw(st.booleans()):
        facts["open_weights"] = draw(st.booleans())
    if draw(st.booleans()):
        facts["jurisdictions"] = frozenset(
            draw(st.lists(st.sampled_from(["DE", "FR", "US-CA", "US-NY", "CN", "JP"]), max_size=3))
        )
    return facts


# -- the reference: Kleene logic as min/max over 0, ½, 1, and leaves by brute force ------------

EU = {"DE", "FR"}


def ref_leaf(leaf, facts):
    import operator

    cmp = {
        ">": operator.gt,
        ">=": operator.ge,
        "<": operator.lt,
        "<=": operator.le,
        "==": operator.eq,
    }
    if leaf.fact in INT_FACTS:
        if leaf.fact in facts:
            return 1.0 if cmp[leaf.op](facts[leaf.fact], leaf.value) else 0.0
        lo = facts.get(leaf.fact + AT_LEAST)
        if lo is None:
            return 0.5
        # every value from lo upward is possible: try the points where the answer can change
        t = leaf.value
        candidates = [v for v in (lo, t - 1, t, t + 1, max(lo, t) + 10**60) if v >= lo]
        answers = {cmp[leaf.op](v, t) for v in candidates}
        return 0.5 if len(answers) == 2 else (1.0 if answers.pop() else 0.0)
    if leaf.fact == "open_weights":
        if "open_weights" not in facts:
            return 0.5
        return 1.0 if facts["open_weights"] == leaf.value else 0.0
    if "jurisdictions" not in facts:
        return 0.5
    hit = False
    for have in facts["jurisdictions"]:
        for want in leaf.value:
            if have == want or have.startswith(want + "-") or (want == "EU" and have in EU):
                hit = True
    return 1.0 if hit else 0.0


def ref(node, facts):
    if isinstance(node, Leaf):
        return ref_leaf(node, facts)
    if isinstance(node, Not):
        return 1.0 - ref(node.not_, facts)
    values = [ref(c, facts) for c in (node.all if isinstance(node, All) else node.any)]
    return min(values) if isinstance(node, All) else max(values)


AS_BOOL = {1.0: True, 0.0: False, 0.5: None}


@settings(max_examples=400, deadline=None)
@given(trees, fact_sets())
def test_compiled_and_explaining_evaluators_agree_with_the_reference(tree, facts):
    expected = AS_BOOL[ref(tree, facts)]
    assert compile_node(tree)(facts) is expected
    explained = explain(tree, facts)
    assert explained.value is expected
    assert bool(explained.missing) == (expected is None)


# -- bundled rules against hand-written readings of the texts ---------------------------------

profiles = st.builds(
    Profile,
    name=st.just("p"),
    training_compute_flop=st.one_of(st.none(), NUMBERS),
    fine_tuning_compute_flop=st.one_of(st.none(), st.sampled_from([0, 1, 10**24, 10**26])),
    developer_revenue_usd=st.one_of(st.none(), NUMBERS),
    jurisdictions=st.one_of(st.none(), st.lists(st.sampled_from(["DE", "US-CA", "CN", "US"]))),
    provider_role=st.one_of(st.none(), st.sampled_from(["provider", "deployer", "developer"])),
)
DAYS = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2028, 1, 1))
RULES = {r.rule.id: r for r in compiled_rules()}


def eu_systemic(p, day):
    if day < dt.date(2025, 8, 2):
        return Outcome.NOT_APPLICABLE
    in_eu = None if p.jurisdictions is None else any(j in ("DE",) for j in p.jurisdictions)
    role = None if p.provider_role is None else p.provider_role == "provider"
    if in_eu is False or role is False:
        return Outcome.NOT_APPLICABLE
    big = None if p.training_compute_flop is None else p.training_compute_flop > 10**25
    if big is False:
        return Outcome.DOES_NOT_APPLY
    return Outcome.APPLIES if (big and in_eu and role) else Outcome.CANNOT_TELL


def eo_general(p, day):
    if not dt.date(2023, 10, 30) <= day < dt.date(2025, 1, 20):
        return Outcome.NOT_APPLICABLE
    if p.training_compute_flop is None:
        return Outcome.CANNOT_TELL
    return Outcome.APPLIES if p.training_compute_flop > 10**26 else Outcome.DOES_NOT_APPLY


def ca_large(p, day):
    if day < dt.date(2026, 1, 1):
        return Outcome.NOT_APPLICABLE
    in_ca = None if p.jurisdictions is None else "US-CA" in p.jurisdictions
    role = None if p.provider_role is None else p.provider_role in ("provider", "developer")
    if in_ca is False or role is False:
        return Outcome.NOT_APPLICABLE
    t, f = p.training_compute_flop, p.fine_tuning_compute_flop
    if t is not None and f is not None:
        frontier = t + f > 10**26
    elif t is not None and t > 10**26 or f is not None and f > 10**26:
        frontier = True
    else:
        frontier = None
    rich = None if p.developer_revenue_usd is None else p.developer_revenue_usd > 500_000_000
    if frontier is False or rich is False:
        return Outcome.DOES_NOT_APPLY
    if frontier and rich and in_ca and role:
        return Outcome.APPLIES
    return Outcome.CANNOT_TELL


@settings(max_examples=500, deadline=None)
@given(profiles, DAYS)
def test_bundled_rules_agree_with_direct_readings(profile, day):
    facts = profile.facts()
    for rule_id, direct in (
        ("eu-ai-act/gpai-systemic-risk-presumption", eu_systemic),
        ("eo-14110/sec-4-2-b-i-general", eo_general),
        ("us-ca-sb53/large-frontier-developer", ca_large),
    ):
        assert RULES[rule_id].outcome(facts, day) is direct(profile, day), rule_id
    for rule in compiled_rules():  # the fast path and the explained result agree
        assert rule.evaluate(facts, day).outcome is rule.outcome({**facts, "date": day}, day)
