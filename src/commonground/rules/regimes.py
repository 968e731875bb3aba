"""Every regime's rules, from `commonground/data/rules/<regime>.yaml`, validated.

A rules file (one per regime; the regime is an instrument id of the bundled data):

```yaml
regime: eu-ai-act                       # instrument id
name: {en: "EU AI Act", zh: 欧盟人工智能法案}
jurisdiction: EU
rules:
  - id: eu-ai-act/gpai-systemic-risk    # prefixed with the regime, unique
    obligation: {en: "...", zh: "..."}  # what the rule triggers
    provision:
      id: eu-ai-act/art-51-2            # stable provision id
      label: "Art. 51(2)"
      quote: "A general-purpose AI model shall be presumed ..."   # verbatim, from thresholds.csv
      quote_status: primary_text        # primary_text | secondary_quote | secondary_summary | ...
      source: {id: ul-s01, url: https://..., publisher: "...", date: 2024-07-12}
    in_force_from: 2025-08-02           # inclusive; optional
    in_force_until: null                # exclusive (the day it is revoked); optional;
                                        # equal to in_force_from: never in force
    in_force_note: {en: "...", zh: "..."}   # optional: why these dates (revoked by ...)
    scope: {fact: jurisdictions, op: in, value: [EU]}   # optional: false → not applicable
    condition:                          # see rules.conditions
      all:
        - {fact: training_compute_flop, op: ">", value: "10^25"}
    note: "optional: interpretation, caveats"
```

A new regime is a new file (and a test); no code changes.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from commonground.errors import Error
from commonground.rules.conditions import Node

RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class SourceRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    url: str
    publisher: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD, as precise as the source

    @model_validator(mode="before")
    @classmethod
    def _date_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("date"), dt.date | int):
            return {**data, "date": str(data["date"])}
        return data


class ProvisionRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    label: str
    quote: str = Field(min_length=1)
    quote_status: str
    source: SourceRef

    def cite(self) -> str:
        return f"{self.label}, {self.id}"

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    regime: str = ""
    obligation: Text
    provision: ProvisionRef
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    in_force_note: Text | None = None
    scope: Node | None = None
    condition: Node
    note: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Rule:
        # from == until: an empty interval, a rule that never took effect
        if self.in_force_from and self.in_force_until and self.in_force_until < self.in_force_from:
            raise ValueError("in_force_until must not be before in_force_from")
        return self

    def in_force_on(self, day: dt.date) -> bool:
        return (self.in_force_from is None or day >= self.in_force_from) and (
            self.in_force_until is None or day < self.in_force_until
        )

    def not_in_force_reason(self, day: dt.date) -> tuple[str, str]:
        note_en = f" {self.in_force_note.en}" if self.in_force_note else ""
        note_zh = self.in_force_note.zh if self.in_force_note else ""
        if self.in_force_from is not None and self.in_force_from == self.in_force_until:
            return (f"Never in force.{note_en}", f"从未生效。{note_zh}")
        if self.in_force_from is not None and day < self.in_force_from:
            start = self.in_force_from.isoformat()
            return (
                f"Not in force on {day}: applies from {start}.{note_en}",
                f"{day}尚未生效：自{start}起适用。{note_zh}",
            )
        end = self.in_force_until.isoformat() if self.in_force_until else ""
        return (
            f"Not in force on {day}: ceased to apply on {end}.{note_en}",
            f"{day}已不再有效：自{end}起失效。{note_zh}",
        )


class Regime(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    regime: str
    name: Text
    jurisdiction: str
    rules: list[Rule] = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _ids(self) -> Regime:
        fixed = []
        for rule in self.rules:
            if rule.regime and rule.regime != self.regime:
                raise ValueError(f"rule {rule.id}: regime {rule.regime!r} ≠ {self.regime!r}")
            if not rule.id.startswith(self.regime + "/"):
                raise ValueError(f"rule id {rule.id!r} must start with {self.regime + '/'!r}")
            fixed.append(rule.model_copy(update={"regime": self.regime}))
        object.__setattr__(self, "rules", fixed)
        return self


def _describe(exc: ValidationError) -> str:
    lines = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        message = str(e.get("msg", "")).removeprefix("Value error, ")
        lines.append(f"{where}: {message}" if where else message)
    return "; ".join(lines)


def load_regime_file(path: Path) -> Regime:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise Error(f"{path.name}: not valid YAML: {exc}") from None
    try:
        regime = Regime.model_validate(data)
    except ValidationError as exc:
        raise Error(f"{path.name}: {_describe(exc)}") from None
    if path.stem != regime.regime:
        raise Error(f"{path.name}: the file name must be the regime id ({regime.regime}.yaml)")
    return regime


def load_regimes(directory: Path | None = None) -> list[Regime]:
    """Every rules file in the directory, with rule ids unique across them."""
    if directory is None:
        return list(_bundled())
    return _load(directory)


def _load(directory: Path) -> list[Regime]:
    regimes = [load_regime_file(p) for p in sorted(directory.glob("*.yaml"))]
    seen: set[str] = set()
    for regime in regimes:
        for rule in regime.rules:
            if rule.id in seen:
                raise Error(f"duplicate rule id {rule.id}")
            seen.add(rule.id)
    return regimes


@lru_cache(maxsize=1)
def _bundled() -> tuple[Regime, ...]:
    return tuple(_load(RULES_DIR))


@lru_cache(maxsize=1)
def compiled_rules() -> tuple[Any, ...]:
    """Every bundled rule, compiled once (CompiledRule)."""
    from commonground.rules.evaluate import CompiledRule

    return tuple(CompiledRule(rule) for regime in _bundled() for rule in regime.rules)


def regime_names() -> dict[str, Text]:
    return {r.regime: r.name for r in _bundled()}
