"""Evaluation: four results per rule, with reasons that cite the provision.

Three-valued (Kleene) logic: a leaf whose fact is unknown is *unknown*, not false;
`all` is false if any child is false, else unknown if any is unknown; `any` is true
if any child is true, else unknown if any is unknown; `not` leaves unknown unknown.

A rule is
- `not_applicable` when the date asked is outside its dates in force (from inclusive,
  until exclusive: a rule revoked on 20 Jan 2025 is not in force that day), or when
  its scope is false (not offered in the jurisdiction, not a provider…);
- `does_not_apply` when its condition is false;
- `applies` when scope and condition are true;
- `cannot_tell` otherwise, naming the facts that are missing.

Two evaluators share the semantics: `compile_node` turns a tree into nested Python
closures (the fast path: no dispatch, no allocation per leaf), and `explain` walks
the tree to say why (used for reasons and missing facts, and as the reference).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from commonground.rules.conditions import (
    AT_LEAST,
    DERIVED,
    FACTS,
    All,
    Leaf,
    Not,
    format_number,
    jurisdiction_matches,
)

if TYPE_CHECKING:
    from commonground.rules.regimes import Rule

Facts = Mapping[str, Any]
Compiled = Callable[[Facts], bool | None]


class Outcome(StrEnum):
    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    NOT_APPLICABLE = "not_applicable"
    CANNOT_TELL = "cannot_tell"


OUTCOME_LABELS = {
    Outcome.APPLIES: ("applies", "适用"),
    Outcome.DOES_NOT_APPLY: ("does not apply", "不适用"),
    Outcome.NOT_APPLICABLE: ("not applicable", "不在适用范围或未生效"),
    Outcome.CANNOT_TELL: ("cannot tell", "无法判断"),
}

# -- the fast path: closures ---------------------------------------------------------------


def _compile_leaf(leaf: Leaf) -> Compiled:
    name, op, want = leaf.fact, leaf.op, leaf.value
    kind = FACTS[name].kind
    if kind in ("int", "date"):
        lo_key = name + AT_LEAST
        if op == ">":

            def gt(f: Facts) -> bool | None:
                v = f.get(name)
                if v is None:
                    lo = f.get(lo_key)
                    return True if lo is not None and lo > want else None
                return v > want

            return gt
        if op == ">=":

            def ge(f: Facts) -> bool | None:
                v = f.get(name)
                if v is None:
                    lo = f.get(lo_key)
                    return True if lo is not None and lo >= want else None
                return v >= want

            return ge
        if op == "<":

            def lt(f: Facts) -> bool | None:
                v = f.get(name)
                if v is None:
                    lo = f.get(lo_key)
                    return False if lo is not None and lo >= want else None
                return v < want

            return lt
        if op == "<=":

            def le(f: Facts) -> bool | None:
                v = f.get(name)
                if v is None:
                    lo = f.get(lo_key)
                    return False if lo is not None and lo > want else None
                return v <= want

            return le

        def eq(f: Facts) -> bool | None:
            v = f.get(name)
            if v is None:
                lo = f.get(lo_key)
                return False if lo is not None and lo > want else None
            return v == want

        return eq
    if kind in ("bool", "str"):
        if op == "in":
            options = frozenset(want)
            return lambda f: None if (v := f.get(name)) is None else v in options
        return lambda f: None if (v := f.get(name)) is None else v == want
    # sets: modality, jurisdictions
    wanted = want if op == "in" else (want,)
    if name == "jurisdictions":

        def meets_jurisdiction(f: Facts) -> bool | None:
            have = f.get(name)
            if have is None:
                return None
            return any(jurisdiction_matches(h, w) for h in have for w in wanted)

        return meets_jurisdiction
    options = frozenset(wanted)
    return lambda f: None if (v := f.get(name)) is None else not options.isdisjoint(v)


def compile_node(node: Any) -> Compiled:
    if isinstance(node, Leaf):
        return _compile_leaf(node)
    if isinstance(node, Not):
        inner = compile_node(node.not_)
        return lambda f: None if (v := inner(f)) is None else not v
    children = [compile_node(c) for c in (node.all if isinstance(node, All) else node.any)]
    if len(children) == 1:
        return children[0]
    if isinstance(node, All):
        if len(children) == 2:
            a, b = children

            def all2(f: Facts) -> bool | None:
                x = a(f)
                if x is False:
                    return False
                y = b(f)
                if y is False:
                    return False
                return None if x is None or y is None else True

            return all2

        def all_(f: Facts) -> bool | None:
            unknown = False
            for child in children:
                v = child(f)
                if v is False:
                    return False
                if v is None:
                    unknown = True
            return None if unknown else True

        return all_

    def any_(f: Facts) -> bool | None:
        unknown = False
        for child in children:
            v = child(f)
            if v is True:
                return True
            if v is None:
                unknown = True
        return None if unknown else False

    return any_


# -- the explaining walk (and the reference) ------------------------------------------------

_CMP = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
}
_OP_WORDS = {
    ">": ("above", "高于"),
    ">=": ("at or above", "达到或高于"),
    "<": ("below", "低于"),
    "<=": ("at or below", "不高于"),
    "==": ("equal to", "等于"),
    "in": ("one of", "属于"),
}


def leaf_value(leaf: Leaf, facts: Facts) -> bool | None:
    """One leaf, written plainly (the reference for the closures)."""
    fact = FACTS[leaf.fact]
    have = facts.get(leaf.fact)
    if have is None:
        if fact.kind in ("int", "date"):
            lo = facts.get(leaf.fact + AT_LEAST)
            if lo is not None:
                # every possible value v >= lo: decided if all of them agree
                if leaf.op in (">", ">=") and _CMP[leaf.op](lo, leaf.value):
                    return True
                if leaf.op in ("<", "<=", "==") and lo > leaf.value:
                    return False
                if leaf.op == "<" and lo == leaf.value:
                    return False
        return None
    if fact.kind in ("int", "date"):
        return _CMP[leaf.op](have, leaf.value)
    if fact.kind in ("bool", "str"):
        return have in leaf.value if leaf.op == "in" else have == leaf.value
    wanted = leaf.value if leaf.op == "in" else (leaf.value,)
    if leaf.fact == "jurisdictions":
        return any(jurisdiction_matches(h, w) for h in have for w in wanted)
    return any(w in have for w in wanted)


@dataclass(frozen=True)
class Because:
    """A leaf and what the facts made of it."""

    leaf: Leaf
    value: bool | None
    have: Any

    def text(self, lang: str = "en") -> str:
        fact = FACTS[self.leaf.fact]
        zh = lang != "en"
        label = fact.zh if zh else fact.en
        want = _show(self.leaf.value, fact.unit)
        word = _OP_WORDS[self.leaf.op][1 if zh else 0]
        if self.value is None:
            if self.have is not None:  # a lower bound only
                return (
                    f"{label}至少为{_show(self.have, fact.unit)}，无法确定是否{word}{want}"
                    if zh
                    else f"{label} is at least {_show(self.have, fact.unit)}; "
                    f"whether it is {word} {want} is not known"
                )
            return f"{label}未知" if zh else f"{label} is not known"
        have = _show(self.have, fact.unit)
        if fact.kind == "bool":
            if zh:
                return f"{label}：{'是' if self.have else '否'}"
            return f"{label}: {'yes' if self.have else 'no'}"
        if fact.kind in ("set", "str"):
            if zh:
                return f"{label}：{have}（{'符合' if self.value else '不符合'}{want}）"
            return f"{label}: {have} ({'matches' if self.value else 'does not match'} {want})"
        if zh:
            return f"{label}为{have}，{'' if self.value else '不'}{word}{want}"
        return f"{label} is {have}, {'' if self.value else 'not '}{word} {want}"


def _show(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        number = format_number(value)
        return f"USD {number}" if unit == "USD" else f"{number} {unit}".strip()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set | tuple | list):
        return ", ".join(sorted(value)) or "none"
    return str(value)


@dataclass
class Explained:
    value: bool | None
    missing: set[str] = field(default_factory=set)
    because: list[Because] = field(default_factory=list)


def _missing(leaf: Leaf, facts: Facts) -> set[str]:
    parts = DERIVED.get(leaf.fact)
    if parts:
        unknown = {p for p in parts if facts.get(p) is None}
        return unknown or {leaf.fact}
    return {leaf.fact}


def explain(node: Any, facts: Facts) -> Explained:
    """Walk the tree: the value, the facts missing where it is unknown, and why."""
    if isinstance(node, Leaf):
        value = leaf_value(node, facts)
        have = facts.get(node.fact)
        if have is None:
            have = facts.get(node.fact + AT_LEAST)
        return Explained(
            value,
            _missing(node, facts) if value is None else set(),
            [Because(node, value, have)],
        )
    if isinstance(node, Not):
        inner = explain(node.not_, facts)
        return Explained(
            None if inner.value is None else not inner.value, inner.missing, inner.because
        )
    is_all = isinstance(node, All)
    children = [explain(c, facts) for c in (node.all if is_all else node.any)]
    decisive = False if is_all else True
    if any(c.value is decisive for c in children):
        picked = [c for c in children if c.value is decisive]
        return Explained(decisive, set(), [b for c in picked for b in c.because])
    unknown = [c for c in children if c.value is None]
    if unknown:
        return Explained(
            None,
            set().union(*(c.missing for c in unknown)),
            [b for c in children for b in c.because],
        )
    return Explained(not decisive, set(), [b for c in children for b in c.because])


# -- rules ---------------------------------------------------------------------------------


@dataclass
class RuleResult:
    regime: str
    rule: str
    outcome: Outcome
    reason: str
    reason_zh: str
    missing: list[str]
    provision: dict[str, Any]
    obligation_en: str
    obligation_zh: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "rule": self.rule,
            "result": self.outcome.value,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "missing": self.missing,
            "provision": self.provision,
            "obligation": {"en": self.obligation_en, "zh": self.obligation_zh},
        }


class CompiledRule:
    """A rule with its scope and condition compiled, ready for many profiles."""

    __slots__ = ("rule", "scope", "condition", "start", "end")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.scope = compile_node(rule.scope) if rule.scope is not None else None
        self.condition = compile_node(rule.condition)
        self.start = rule.in_force_from
        self.end = rule.in_force_until

    def outcome(self, facts: Facts, as_of: dt.date) -> Outcome:
        """Only the result (the fast path, used by the benchmark and coverage)."""
        if (self.start is not None and as_of < self.start) or (
            self.end is not None and as_of >= self.end
        ):
            return Outcome.NOT_APPLICABLE
        scope = True if self.scope is None else self.scope(facts)
        if scope is False:
            return Outcome.NOT_APPLICABLE
        value = self.condition(facts)
        if value is False:
            return Outcome.DOES_NOT_APPLY
        if value is True and scope is True:
            return Outcome.APPLIES
        return Outcome.CANNOT_TELL

    def evaluate(self, facts: Facts, as_of: dt.date) -> RuleResult:
        facts = {**facts, "date": as_of}
        outcome = self.outcome(facts, as_of)
        rule = self.rule
        cite = rule.provision.cite()
        missing: list[str] = []
        if outcome is Outcome.NOT_APPLICABLE and not rule.in_force_on(as_of):
            en, zh = rule.not_in_force_reason(as_of)
        else:
            scope = explain(rule.scope, facts) if rule.scope is not None else Explained(True)
            condition = explain(rule.condition, facts)
            if outcome is Outcome.NOT_APPLICABLE:
                en = "Out of scope: " + "; ".join(b.text("en") for b in scope.because)
                zh = "不在适用范围内：" + "；".join(b.text("zh") for b in scope.because)
            elif outcome is Outcome.DOES_NOT_APPLY:
                en = "Threshold not met: " + "; ".join(b.text("en") for b in condition.because)
                zh = "未达到条件：" + "；".join(b.text("zh") for b in condition.because)
            elif outcome is Outcome.APPLIES:
                met = scope.because + condition.because
                en = "Conditions met: " + "; ".join(b.text("en") for b in met)
                zh = "满足条件：" + "；".join(b.text("zh") for b in met)
            else:
                unknown = (scope.missing if scope.value is None else set()) | (
                    condition.missing if condition.value is None else set()
                )
                missing = sorted(unknown)
                shown = scope.because + condition.because
                en = f"Cannot tell without: {', '.join(missing)}. " + "; ".join(
                    b.text("en") for b in shown
                )
                zh = (
                    f"缺少以下事实，无法判断：{'、'.join(FACTS[m].zh for m in missing)}。"
                    + "；".join(b.text("zh") for b in shown)
                )
        return RuleResult(
            regime=rule.regime,
            rule=rule.id,
            outcome=outcome,
            reason=f"{en} ({cite})",
            reason_zh=f"{zh}（{cite}）",
            missing=missing,
            provision=rule.provision.to_dict(),
            obligation_en=rule.obligation.en,
            obligation_zh=rule.obligation.zh,
        )


def evaluate_all(rules: list[CompiledRule], facts: Facts, as_of: dt.date) -> list[RuleResult]:
    return [r.evaluate(facts, as_of) for r in rules]
