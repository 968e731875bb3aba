"""Threshold coverage: where each regime's compute line falls on the imported models.

For every compute threshold in the rules (a leaf on training or cumulative compute),
the number of models meeting it and of distinct organisations (with their
countries), overall and by year of publication. A model without a compute estimate
is counted as *unknown*, never as below. Models whose estimate Epoch rates below
"Likely" (Speculative, Unknown, Unverified or unrated) are counted separately as
low-confidence, so a line's count can be read with its uncertainty.

The counts use the compute condition alone; other conditions of the same rule
(jurisdiction, revenue, modality…) are listed beside it as "also requires".
Counts are exact integer comparisons; only the chart draws floats.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from commonground.rules.conditions import All, AnyOf, Leaf, Not, format_number

COMPUTE_FACTS = ("training_compute_flop", "cumulative_compute_flop")
CONFIDENT = frozenset({"Confident", "Likely"})
_CMP = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq}

SEED_004 = {
    "seed": "004_4a4f11ac61068251.txt",
    "quote": "在美国，这一阈值足够高，只有最富有的公司才能打破它，但欧盟的较低阈值已将数百家公司置于其机构的庇护之下。",
    "en": "In the US the threshold is high enough that only the richest companies break it, "
    "but the EU's lower threshold has already put hundreds of companies under its institutions.",
}


@dataclass(frozen=True)
class Threshold:
    regime: str
    rule: str
    provision: str
    fact: str
    op: str
    value: int
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    also_requires: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.op} {format_number(self.value)} FLOP"


@dataclass(frozen=True)
class ModelPoint:
    id: str
    name: str
    organisations: tuple[str, ...]
    countries: tuple[str, ...]
    date: dt.date | None
    compute: int | None
    confidence: str | None

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None

    @property
    def low_confidence(self) -> bool:
        return self.confidence not in CONFIDENT


@dataclass
class Count:
    models: int = 0
    low_confidence: int = 0
    unknown: int = 0
    total: int = 0
    organisations: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "low_confidence": self.low_confidence,
            "unknown": self.unknown,
            "below": self.total - self.models - self.unknown,
            "total": self.total,
            "organisations": len(self.organisations),
            "organisation_names": sorted(self.organisations),
            "countries": sorted(self.countries),
        }


@dataclass
class LineCoverage:
    op: str
    value: int
    thresholds: list[Threshold]
    all: Count
    by_year: dict[int | None, Count]

    @property
    def label(self) -> str:
        return f"{self.op} {format_number(self.value)} FLOP"

    @property
    def regimes(self) -> list[str]:
        return sorted({t.regime for t in self.thresholds})

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.label,
            "op": self.op,
            "value": str(self.value),
            "rules": [
                {
                    "regime": t.regime,
                    "rule": t.rule,
                    "provision": t.provision,
                    "fact": t.fact,
                    "in_force_from": t.in_force_from.isoformat() if t.in_force_from else None,
                    "in_force_until": t.in_force_until.isoformat() if t.in_force_until else None,
                    "also_requires": list(t.also_requires),
                }
                for t in self.thresholds
            ],
            **self.all.to_dict(),
            "by_year": {
                str(year) if year else "undated": c.to_dict()
                for year, c in sorted(
                    self.by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
                )
            },
        }


@dataclass
class CoverageReport:
    lines: list[LineCoverage]
    models: int
    with_compute: int
    seed_claim: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": self.models,
            "with_compute": self.with_compute,
            "without_compute": self.models - self.with_compute,
            "lines": [line.to_dict() for line in self.lines],
            "seed_004": self.seed_claim,
        }


def _walk(node: Any, out: list[Leaf]) -> None:
    if isinstance(node, Leaf):
        out.append(node)
    elif isinstance(node, All):
        for child in node.all:
            _walk(child, out)
    elif isinstance(node, AnyOf):
        for child in node.any:
            _walk(child, out)
    elif isinstance(node, Not):
        _walk(node.not_, out)


def thresholds(regimes: list[Any] | None = None) -> list[Threshold]:
    """Every compute threshold in the rules, with the rule's other conditions."""
    from commonground.rules.regimes import load_regimes

    found = []
    for regime in regimes if regimes is not None else load_regimes():
        for rule in regime.rules:
            leaves: list[Leaf] = []
            _walk(rule.condition, leaves)
            others = tuple(
                sorted(
                    {
                        f"{leaf.fact} {leaf.op} {_value_text(leaf.value)}"
                        for leaf in leaves
                        if leaf.fact not in COMPUTE_FACTS
                    }
                )
            )
            for leaf in leaves:
                if leaf.fact in COMPUTE_FACTS and leaf.op in (">", ">="):
                    found.append(
                        Threshold(
                            regime=regime.regime,
                            rule=rule.id,
                            provision=rule.provision.label,
                            fact=leaf.fact,
                            op=leaf.op,
                            value=leaf.value,
                            in_force_from=rule.in_force_from,
                            in_force_until=rule.in_force_until,
                            also_requires=others,
                        )
                    )
    return found


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def model_points(session: Any) -> list[ModelPoint]:
    """The imported models, with organisations and countries split."""
    from sqlalchemy import select

    from commonground.store.models import AIModel

    rows = session.execute(
        select(
            AIModel.id,
            AIModel.name,
            AIModel.organization,
            AIModel.countries,
            AIModel.publication_date,
            AIModel.training_compute_flop,
            AIModel.confidence,
        ).order_by(AIModel.id)
    ).all()
    return [
        ModelPoint(
            id=r.id,
            name=r.name,
            organisations=tuple(dict.fromkeys(_split(r.organization))),
            countries=tuple(dict.fromkeys(_split(r.countries))),
            date=r.publication_date,
            compute=r.training_compute_flop,
            confidence=r.confidence or None,
        )
        for r in rows
    ]


def _add(count: Count, point: ModelPoint, meets: bool | None) -> None:
    count.total += 1
    if meets is None:
        count.unknown += 1
    elif meets:
        count.models += 1
        count.low_confidence += point.low_confidence
        count.organisations.update(point.organisations)
        count.countries.update(point.countries)


def coverage(points: list[ModelPoint], found: list[Threshold] | None = None) -> CoverageReport:
    """Counts per distinct line (comparator and value), highest line last."""
    found = thresholds() if found is None else found
    grouped: dict[tuple[str, int], list[Threshold]] = defaultdict(list)
    for t in found:
        grouped[(t.op, t.value)].append(t)
    lines = []
    for (op, value), members in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        compare = _CMP[op]
        overall = Count()
        by_year: dict[int | None, Count] = defaultdict(Count)
        for point in points:
            meets = None if point.compute is None else compare(point.compute, value)
            _add(overall, point, meets)
            _add(by_year[point.year], point, meets)
        lines.append(LineCoverage(op, value, members, overall, dict(by_year)))
    with_compute = sum(1 for p in points if p.compute is not None)
    return CoverageReport(lines, len(points), with_compute, seed_claim(lines))


def seed_claim(lines: list[LineCoverage]) -> dict[str, Any]:
    """Seed 004's claim beside the organisations each line catches in the data."""

    def line_for(regime: str, value: int) -> LineCoverage | None:
        for line in lines:
            if line.value == value and regime in line.regimes:
                return line
        return None

    answers = []
    for key, regime, value, en, zh in (
        ("eu_systemic", "eu-ai-act", 10**25, "EU systemic-risk line", "欧盟系统性风险阈值"),
        (
            "us_reporting",
            "eo-14110",
            10**26,
            "US EO 14110 reporting line",
            "美国第14110号行政令报告阈值",
        ),
        (
            "eu_gpai",
            "eu-gpai-guidelines",
            10**23,
            "EU indicative GPAI line",
            "欧盟通用人工智能模型参考阈值",
        ),
    ):
        line = line_for(regime, value)
        if line is None:
            continue
        answers.append(
            {
                "key": key,
                "line": line.label,
                "label_en": en,
                "label_zh": zh,
                "organisations": len(line.all.organisations),
                "organisation_names": sorted(line.all.organisations),
                "models": line.all.models,
                "low_confidence": line.all.low_confidence,
                "unknown": line.all.unknown,
            }
        )
    return {**SEED_004, "data": answers}
