"""A model or system profile: the facts the rules ask about.

The YAML profile (`commonground applies --profile profile.yaml`); every field but
`name` may be left out, and a missing fact is *unknown*, never zero:

```yaml
name: Example-1                         # required
training_compute_flop: "3.8 x 10^25"   # FLOP: an integer, or a string such as "10^25" or "3.8e25"
fine_tuning_compute_flop: 0             # FLOP spent on fine-tuning, RL and other modifications
compute_cost_usd: 150000000             # USD
developer_revenue_usd: "2 x 10^9"       # USD, annual gross revenue with affiliates, preceding year
users: 1000000                          # number of users
eu_business_users: 12000                # registered business users established in the EU
open_weights: false                     # true | false
modalities: [text, image]               # what it can generate: text image audio video code biology other
jurisdictions: [EU, US-CA, CN]          # where it is deployed or offered: ISO 3166-1 alpha-2,
                                        # ISO 3166-2 subdivisions (US-CA, US-NY), or EU
provider_role: provider                 # provider developer deployer downstream_modifier importer distributor
biological_sequence_data: false         # trained primarily on biological sequence data
```

Numbers are exact integers (a float such as `1.0e+25` is refused: it is not exact).
`cumulative_compute_flop` may be given; otherwise it is training plus fine-tuning
compute, and where only one is known, the other's value is a lower bound.

`from_model` builds a profile from an imported Epoch model (see its docstring for
which fields come from where and which stay unknown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    ValidationError,
    field_validator,
)

from commonground.errors import Error
from commonground.rules.conditions import (
    AT_LEAST,
    MODALITIES,
    ROLES,
    exact_count,
    jurisdiction_code,
)

Count = Annotated[int, PlainValidator(exact_count)]

NUMBER_FIELDS = (
    "training_compute_flop",
    "fine_tuning_compute_flop",
    "cumulative_compute_flop",
    "compute_cost_usd",
    "developer_revenue_usd",
    "users",
    "eu_business_users",
)


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    training_compute_flop: Count | None = None
    fine_tuning_compute_flop: Count | None = None
    cumulative_compute_flop: Count | None = None
    compute_cost_usd: Count | None = None
    developer_revenue_usd: Count | None = None
    users: Count | None = None
    eu_business_users: Count | None = None
    open_weights: StrictBool | None = None
    modalities: list[str] | None = None
    jurisdictions: list[str] | None = None
    provider_role: str | None = None
    biological_sequence_data: StrictBool | None = None
    model_id: str | None = None  # the Epoch model it was built from, if any
    notes: list[str] = Field(default_factory=list)

    @field_validator("modalities")
    @classmethod
    def _modalities(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for v in value:
            if v not in MODALITIES:
                raise ValueError(f"unknown modality {v!r}; use: {', '.join(MODALITIES)}")
        return sorted(set(value))

    @field_validator("jurisdictions", mode="before")
    @classmethod
    def _jurisdictions(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if not isinstance(value, list):
            raise ValueError("a list of jurisdiction codes, e.g. [EU, US-CA, CN]")
        return sorted({jurisdiction_code(v) for v in value})

    @field_validator("provider_role")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None and value not in ROLES:
            raise ValueError(f"unknown role {value!r}; use: {', '.join(ROLES)}")
        return value

    def facts(self) -> dict[str, Any]:
        """The facts the conditions read; unknown facts are absent."""
        found: dict[str, Any] = {}
        for name in NUMBER_FIELDS:
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        for name in ("open_weights", "provider_role", "biological_sequence_data"):
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        if self.modalities is not None:
            found["modality"] = frozenset(self.modalities)
        if self.jurisdictions is not None:
            found["jurisdictions"] = frozenset(self.jurisdictions)
        if self.cumulative_compute_flop is None:
            train, tune = self.training_compute_flop, self.fine_tuning_compute_flop
            if train is not None and tune is not None:
                found["cumulative_compute_flop"] = train + tune
            elif train is not None or tune is not None:
                found["cumulative_compute_flop" + AT_LEAST] = train if train is not None else tune
        return found

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: exact integers as strings (JSON readers often hold numbers as doubles)."""
        data = self.model_dump(exclude_none=True)
        for name in NUMBER_FIELDS:
            if name in data:
                data[name] = str(data[name])
        return data


def describe(exc: ValidationError, where: str = "profile") -> str:
    lines = []
    for e in exc.errors():
        field = ".".join(str(p) for p in e.get("loc", ()))
        message = str(e.get("msg", "")).removeprefix("Value error, ")
        if e.get("type") == "extra_forbidden":
            message = f"unknown field; the fields are: {', '.join(Profile.model_fields)}"
        lines.append(f"{field}: {message}" if field else message)
    return f"{where}: " + "; ".join(lines)


def profile_from_data(data: Any, where: str = "profile") -> Profile:
    if not isinstance(data, dict):
        raise Error(f"{where}: a profile is a mapping of fields (name, training_compute_flop, …)")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise Error(describe(exc, where)) from None


def load_profile(path: Path) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise Error(f"cannot read profile {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Error(f"{path.name}: not valid YAML: {exc}") from None
    return profile_from_data(data, path.name)


# -- from an imported Epoch model ---------------------------------------------------------

_GENERATES = {
    "text": ("language modeling", "language generation", "chat", "translation", "text"),
    "image": ("image generation", "text-to-image", "image-to-image"),
    "video": ("video generation", "text-to-video"),
    "audio": ("audio generation", "speech synthesis", "text-to-speech", "music generation"),
    "code": ("code generation",),
}


def _modalities(domain: str | None, task: str | None) -> list[str] | None:
    domains = {d.strip().lower() for d in (domain or "").split(",") if d.strip()}
    tasks = (task or "").lower()
    found = set()
    if "language" in domains:
        found.add("text")
    if "image generation" in domains:
        found.add("image")
    for modality, words in _GENERATES.items():
        if any(w in tasks for w in words):
            found.add(modality)
    if "biology" in domains:
        found.add("biology")
    if not found and not domains and not tasks:
        return None
    return sorted(found or {"other"})


def from_model(model: Any) -> Profile:
    """A profile from an `AIModel` row (Epoch AI data).

    - training / fine-tuning compute: Epoch's estimates, exact integers;
    - compute cost: Epoch's training compute cost (in constant 2023 USD, not nominal);
    - open weights: from "Model accessibility" (open weights → true; API, hosted,
      unreleased → false; blank → unknown);
    - modalities: from the domain and task columns (an approximation);
    - provider role: `provider` if it was released in any form, `developer` if unreleased;
    - biological sequence data: true when Biology is its only domain, false when
      Biology is not among them, unknown otherwise;
    - revenue, users, EU business users and jurisdictions: unknown (Epoch has none).
    """
    access = (model.accessibility or "").strip().lower()
    open_weights = None if not access else access.startswith("open weights")
    role = None if not access else ("developer" if access == "unreleased" else "provider")
    domains = {d.strip().lower() for d in (model.domain or "").split(",") if d.strip()}
    bio = None if not domains else (domains == {"biology"} if "biology" in domains else False)
    notes = ["Built from Epoch AI's data; facts Epoch does not hold are unknown."]
    if model.confidence and model.confidence not in ("Confident", "Likely"):
        notes.append(f"Epoch's confidence in the compute estimate: {model.confidence}.")
    return Profile(
        name=model.name,
        training_compute_flop=model.training_compute_flop,
        fine_tuning_compute_flop=model.finetune_compute_flop,
        compute_cost_usd=model.training_cost_usd,
        open_weights=open_weights,
        modalities=_modalities(model.domain, model.task),
        provider_role=role,
        biological_sequence_data=bio,
        model_id=model.id,
        notes=notes,
    )


def find_model(session: Any, name: str) -> Any:
    """An imported model by name (case-insensitive exact match, else a unique prefix)."""
    from sqlalchemy import func, select

    from commonground.store.models import AIModel

    exact = session.scalars(
        select(AIModel).where(func.lower(AIModel.name) == name.strip().lower())
    ).all()
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        ids = ", ".join(m.id for m in exact)
        raise Error(f"several models are named {name!r}: {ids}")
    by_id = session.get(AIModel, name)
    if by_id is not None:
        return by_id
    like = session.scalars(
        select(AIModel).where(func.lower(AIModel.name).like(name.strip().lower() + "%")).limit(8)
    ).all()
    if len(like) == 1:
        return like[0]
    hint = f"; did you mean: {', '.join(m.name for m in like)}?" if like else ""
    raise Error(f"no imported model named {name!r}{hint} (import Epoch data first)")
