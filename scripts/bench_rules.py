"""Benchmark the applicability engine: all rules × all imported models.

Usage: .venv/bin/python scripts/bench_rules.py [--database-url URL] [--repeat N]

Prints rule evaluations and leaf evaluations per second for the compiled closures
(`CompiledRule.outcome`) and, measured in the same run, for a naive baseline: a
recursive walk of the Pydantic condition tree with generic comparisons
(`evaluate.leaf_value`) and no short-circuit. Leaf evaluations are counted in a
separate instrumented pass (not timed), so counting does not slow the timed runs.
Every comparison is on Python ints; no float is involved.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from commonground.config import Settings
from commonground.rules.conditions import All, Leaf, Not
from commonground.rules.evaluate import Outcome, leaf_value
from commonground.rules.profile import from_model
from commonground.rules.regimes import compiled_rules
from commonground.store.engine import Store
from commonground.store.models import AIModel

AS_OF = dt.date(2026, 2, 1)  # most regimes in force
PLACES = ["EU", "US-CA", "US-NY", "CN", "KR"]


NAIVE_LEAVES = [0, False]  # count, counting on


def naive(node, facts) -> bool | None:  # type: ignore[no-untyped-def]
    if isinstance(node, Leaf):
        if NAIVE_LEAVES[1]:
            NAIVE_LEAVES[0] += 1
        return leaf_value(node, facts)
    if isinstance(node, Not):
        v = naive(node.not_, facts)
        return None if v is None else not v
    values = [naive(c, facts) for c in (node.all if isinstance(node, All) else node.any)]
    if isinstance(node, All):
        return False if False in values else (None if None in values else True)
    return True if True in values else (None if None in values else False)


def naive_outcome(rule, facts, day) -> Outcome:  # type: ignore[no-untyped-def]
    if not rule.in_force_on(day):
        return Outcome.NOT_APPLICABLE
    scope = True if rule.scope is None else naive(rule.scope, facts)
    if scope is False:
        return Outcome.NOT_APPLICABLE
    value = naive(rule.condition, facts)
    if value is False:
        return Outcome.DOES_NOT_APPLY
    return Outcome.APPLIES if value is True and scope is True else Outcome.CANNOT_TELL


def count_leaves(compiled, facts_list, day) -> int:  # type: ignore[no-untyped-def]
    """Leaves the compiled closures evaluate (short-circuit included), by instrumenting."""
    import commonground.rules.evaluate as ev

    counter = [0]
    original = ev._compile_leaf

    def counting(leaf):  # type: ignore[no-untyped-def]
        inner = original(leaf)

        def f(facts):  # type: ignore[no-untyped-def]
            counter[0] += 1
            return inner(facts)

        return f

    ev._compile_leaf = counting
    try:
        rules = [ev.CompiledRule(r.rule) for r in compiled]
    finally:
        ev._compile_leaf = original
    for facts in facts_list:
        for r in rules:
            r.outcome(facts, day)
    return counter[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = args.database_url or Settings().database_url
    store = Store.from_url(url)
    with store.sessions() as session:
        models = list(session.query(AIModel).order_by(AIModel.id))
        profiles = [from_model(m) for m in models]
    if not profiles:
        sys.exit("no imported models: import the Epoch data first (commonground load)")
    facts_list = []
    for p in profiles:
        facts = p.model_copy(update={"jurisdictions": PLACES}).facts()
        facts["date"] = AS_OF
        facts_list.append(facts)
    compiled = list(compiled_rules())
    n_rules, n_models = len(compiled), len(facts_list)
    evaluations = n_rules * n_models
    leaves = count_leaves(compiled, facts_list, AS_OF)

    # the results must agree before any timing counts
    for facts in facts_list:
        for r in compiled:
            assert r.outcome(facts, AS_OF) is naive_outcome(r.rule, facts, AS_OF)

    def timed(fn) -> float:  # type: ignore[no-untyped-def]
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - start)
        return best

    def fast() -> None:
        for facts in facts_list:
            for r in compiled:
                r.outcome(facts, AS_OF)

    rules = [r.rule for r in compiled]

    def slow() -> None:
        for facts in facts_list:
            for rule in rules:
                naive_outcome(rule, facts, AS_OF)

    NAIVE_LEAVES[1] = True
    slow()
    NAIVE_LEAVES[1] = False
    naive_leaves = NAIVE_LEAVES[0]
    t_fast, t_slow = timed(fast), timed(slow)
    print(
        f"{n_rules} rules × {n_models} imported models = {evaluations:,} rule evaluations "
        f"per pass, as of {AS_OF}; best of {args.repeat} passes"
    )
    print(
        f"leaf evaluations per pass: {leaves:,} compiled (short-circuit), "
        f"{naive_leaves:,} naive (no short-circuit)"
    )
    for label, t, n_leaves in (
        ("compiled closures", t_fast, leaves),
        ("naive tree walk", t_slow, naive_leaves),
    ):
        print(
            f"{label:18s} {t * 1e3:8.2f} ms/pass  {evaluations / t:12,.0f} rule evals/s"
            f"  {n_leaves / t:12,.0f} leaf evals/s"
        )
    print(f"speed-up: {t_slow / t_fast:.1f}×")


if __name__ == "__main__":
    main()
