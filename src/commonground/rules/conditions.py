"""Condition trees over a profile's facts, with exact numbers.

A tree is `all` / `any` / `not` over leaves; a leaf compares one typed fact with a
value, e.g. `{fact: training_compute_flop, op: ">", value: "10^25"}`. Numbers are
Python `int` from the YAML to the comparison: written as integers or as strings
(`"10^25"`, `"10**26"`, `"5 x 10^24"`, `"2.1e25"`, `"500,000,000"`), parsed exactly
through `Decimal`, never through a float; a float in the input is refused.

Facts (`FACTS`) have a kind and a unit:

| fact | kind | unit |
|---|---|---|
| training_compute_flop, fine_tuning_compute_flop | int | FLOP |
| cumulative_compute_flop (training + fine-tuning and other modifications) | int | FLOP |
| compute_cost_usd, developer_revenue_usd | int | USD |
| users, eu_business_users | int | users |
| modality (what the model can generate) | set | text image audio video code biology other |
| jurisdictions (deployed or offered in) | set | ISO 3166-1 alpha-2 or 3166-2 (US-CA), or EU |
| open_weights, biological_sequence_data | bool | |
| provider_role | str | provider developer deployer downstream_modifier importer distributor |
| date (the date asked) | date | |

Comparators: `>`, `>=`, `<`, `<=`, `==` (numbers and dates), `==` (bool, role, or "the
set contains"), `in` (role is one of, or the set meets the list). A jurisdiction in
a rule matches itself, its subdivisions (`US` matches `US-CA`) and, for `EU`, the
member states.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

# -- exact numbers ---------------------------------------------------------------------

_POWER = re.compile(r"^(\d+)(?:\^|\*\*)(\d+)$")
_SCALED = re.compile(r"^(\d+(?:\.\d+)?)[x×*](\d+)(?:\^|\*\*)(\d+)$")


def exact_number(value: Any) -> int:
    """An exact `int` from an int or a string; floats and fractions are refused."""
    if isinstance(value, bool):
        raise ValueError(f"a number is expected, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        raise ValueError(
            f"write an exact integer or a string such as '10^25', not a float ({value!r}): "
            "floats cannot hold such numbers exactly"
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = re.sub(r"[\s,_\u202f\u00a0]", "", value)
        if match := _POWER.match(text):
            return int(match[1]) ** int(match[2])
        if match := _SCALED.match(text):
            number = Decimal(match[1]) * Decimal(int(match[2]) ** int(match[3]))
        else:
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"a number is expected, not {type(value).__name__} {value!r}")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


def exact_count(value: Any) -> int:
    """`exact_number`, and not negative (compute, money and users are counts)."""
    number = exact_number(value)
    if number < 0:
        raise ValueError(f"must not be negative: {value!r}")
    return number


def format_number(value: int) -> str:
    """Exact and short: 21000000000000000000000000 → `2.1×10^25`; 500000000 → `500,000,000`."""
    if value < 10**10:
        return f"{value:,}"
    digits = str(value)
    exponent = len(digits) - 1
    mantissa = digits.rstrip("0")
    if len(mantissa) == 1:
        return f"10^{exponent}" if mantissa == "1" else f"{mantissa}×10^{exponent}"
    return f"{mantissa[0]}.{mantissa[1:]}×10^{exponent}"


# -- facts -------------------------------------------------------------------------------

Kind = Literal["int", "bool", "set", "str", "date"]


@dataclass(frozen=True)
class Fact:
    name: str
    kind: Kind
    unit: str
    en: str
    zh: str


FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("training_compute_flop", "int", "FLOP", "training compute", "训练算力"),
        Fact("fine_tuning_compute_flop", "int", "FLOP", "fine-tuning compute", "微调算力"),
        Fact(
            "cumulative_compute_flop",
            "int",
            "FLOP",
            "compute including fine-tuning and other modifications",
            "累计算力（含微调等后续修改）",
        ),
        Fact("compute_cost_usd", "int", "USD", "compute cost", "算力成本"),
        Fact(
            "developer_revenue_usd",
            "int",
            "USD",
            "developer's annual gross revenue (with affiliates)",
            "开发者年度总收入（含关联方）",
        ),
        Fact("users", "int", "users", "number of users", "用户数量"),
        Fact(
            "eu_business_users",
            "int",
            "users",
            "registered business users established in the EU",
            "欧盟境内注册企业用户数",
        ),
        Fact("modality", "set", "", "modalities it can generate", "可生成的模态"),
        Fact("jurisdictions", "set", "", "jurisdictions deployed or offered in", "部署或提供地"),
        Fact("open_weights", "bool", "", "open weights", "开放权重"),
        Fact(
            "biological_sequence_data",
            "bool",
            "",
            "trained primarily on biological sequence data",
            "主要使用生物序列数据训练",
        ),
        Fact("provider_role", "str", "", "role", "角色"),
        Fact("date", "date", "", "date asked", "查询日期"),
    )
}
# Derived facts and the facts they are computed from (named when they are missing).
DERIVED = {"cumulative_compute_flop": ("training_compute_flop", "fine_tuning_compute_flop")}
# A fact's known lower bound travels in the facts under this suffix (see profile.facts).
AT_LEAST = ":at_least"

MODALITIES = ("text", "image", "audio", "video", "code", "biology", "other")
ROLES = ("provider", "developer", "deployer", "downstream_modifier", "importer", "distributor")
EU_MEMBERS = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
_JURISDICTION = re.compile(r"^(EU|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")

Op = Literal[">", ">=", "<", "<=", "==", "in"]
OPS_BY_KIND: dict[str, tuple[str, ...]] = {
    "int": (">", ">=", "<", "<=", "=="),
    "date": (">", ">=", "<", "<=", "=="),
    "bool": ("==",),
    "set": ("==", "in"),
    "str": ("==", "in"),
}


def jurisdiction_code(value: Any) -> str:
    if not isinstance(value, str) or not _JURISDICTION.match(value.strip().upper()):
        raise ValueError(
            f"not a jurisdiction code: {value!r} (use ISO 3166-1 alpha-2 such as CN or DE, "
            "ISO 3166-2 such as US-CA, or EU)"
        )
    return value.strip().upper()


def jurisdiction_matches(have: str, wanted: str) -> bool:
    """Does being in `have` put one in `wanted`? US-CA is in US; DE is in EU."""
    if have == wanted or have.startswith(wanted + "-"):
        return True
    return wanted == "EU" and have.split("-")[0] in EU_MEMBERS


def _word(value: Any, vocabulary: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in vocabulary:
        raise ValueError(f"unknown {what} {value!r}; use one of: {', '.join(vocabulary)}")
    return value


def normalise_value(fact: Fact, op: str, value: Any) -> Any:
    """The leaf's value as the comparison needs it (exact int, date, bool, tuple)."""
    if fact.kind == "int":
        return exact_count(value)
    if fact.kind == "date":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"not a date (YYYY-MM-DD): {value!r}") from None
    if fact.kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{fact.name} compares with true or false, not {value!r}")
        return value
    check = {
        "modality": lambda v: _word(v, MODALITIES, "modality"),
        "jurisdictions": jurisdiction_code,
        "provider_role": lambda v: _word(v, ROLES, "role"),
    }[fact.name]
    if op == "in":
        if not isinstance(value, list | tuple) or not value:
            raise ValueError(f"'in' takes a non-empty list, not {value!r}")
        return tuple(check(v) for v in value)
    return check(value)


# -- the tree ----------------------------------------------------------------------------


class Leaf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: str
    op: Op
    value: Any

    @model_validator(mode="before")
    @classmethod
    def _typed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        name, op = data.get("fact"), data.get("op")
        fact = FACTS.get(name)  # type: ignore[arg-type]
        if fact is None:
            raise ValueError(f"unknown fact {name!r}; use one of: {', '.join(FACTS)}")
        allowed = OPS_BY_KIND[fact.kind]
        if op not in allowed:
            raise ValueError(f"{name} takes the comparators {' '.join(allowed)}, not {op!r}")
        if "value" not in data:
            raise ValueError(f"{name} {op}: a value is required")
        return {**data, "value": normalise_value(fact, op, data["value"])}


class All(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list[Node] = Field(min_length=1)


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list[Node] = Field(min_length=1)


class Not(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    not_: Node = Field(alias="not")


def _kind(data: Any) -> str | None:
    if isinstance(data, BaseModel):
        return {All: "all", AnyOf: "any", Not: "not", Leaf: "leaf"}.get(type(data))
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return key
        if "fact" in data:
            return "leaf"
    return None


Node = Annotated[
    Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message="a condition is {all: [...]}, {any: [...]}, {not: ...} "
        "or a leaf {fact, op, value}",
    ),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def leaves(node: Any) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, All):
        return [leaf for child in node.all for leaf in leaves(child)]
    if isinstance(node, AnyOf):
        return [leaf for child in node.any for leaf in leaves(child)]
    return leaves(node.not_)
