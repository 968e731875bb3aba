"""OECD.AI policy corpus as scored by 3ie's ai-governance-capacity project: one
instrument per entry, with the project's LLM-generated scores kept apart in `extra`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import select

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import read_csv
from commonground.ingest.values import blank
from commonground.store.models import Actor, Instrument, InstrumentActor, InstrumentSource

SOURCE = {
    "id": "oecd-ai-policies-scored",
    "title": "Global Observatory of AI Governance Capacity: OECD.AI policy corpus with "
    "capacity and ethics scores (master_dataset.csv)",
    "publisher": "International Initiative for Impact Evaluation (3ie), "
    "ai-governance-capacity project; entries from the OECD.AI Policy Observatory",
    "url": "https://github.com/lsempe77/ai-governance-capacity/tree/"
    "528f8c88725f2c762d73699efc51bb81007bf985/data/analysis/shared",
    "published": "2026-02-20",
    "language": "en",
    "license": "none stated (no license file; treat as all rights reserved)",
    "note": "Titles, jurisdictions and years describe OECD.AI entries; policy type, "
    "binding nature and all scores are the project's own, the scores LLM-generated.",
    "origin": "oecd-ai",
}

LEGAL_FORCE = {
    "Hard law": "binding",
    "Binding regulation": "binding",
    "Soft law": "soft",
    "Non-binding": "none",
}
# OECD's own country names that no country-codes name matches.
OECD_NAMES = {
    "united states": "USA",
    "united kingdom": "GBR",
    "korea": "KOR",
    "china (people’s republic of)": "CHN",
    "china (people's republic of)": "CHN",
}
SCORES = (
    "c1_clarity", "c2_resources", "c3_authority", "c4_accountability", "c5_coherence",
    "e1_framework", "e2_rights", "e3_governance", "e4_operationalisation", "e5_inclusion",
)  # fmt: skip
AGGREGATES = ("capacity_score", "ethics_score", "overall_score", "mean_spread")


def _none_if_blank(value: Any) -> Any:
    return None if blank(value) else value


def _year(value: Any) -> int | None:
    """ "2018.0" → 2018; a fractional or non-numeric year is an error, not a guess."""
    if blank(value):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not a year: {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"not a whole year: {value!r}")
    return int(number)


Year = Annotated[int | None, BeforeValidator(_year)]
OptFloat = Annotated[float | None, BeforeValidator(_none_if_blank)]
Score = Annotated[int, Field(ge=0, le=4)]


class PolicyRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    entry_id: str = Field(pattern=r"^[0-9a-f]{6,40}$")
    title: str = Field(min_length=1)
    jurisdiction: str = ""
    year: Year = None
    text_quality: str = ""
    n_models: int
    policy_type: str = Field(min_length=1, max_length=40)
    binding_nature: Literal["Hard law", "Binding regulation", "Soft law", "Non-binding"]
    c1_clarity: Score
    c2_resources: Score
    c3_authority: Score
    c4_accountability: Score
    c5_coherence: Score
    e1_framework: Score
    e2_rights: Score
    e3_governance: Score
    e4_operationalisation: Score
    e5_inclusion: Score
    capacity_score: float
    ethics_score: float
    overall_score: float
    mean_spread: float
    income_group: str = ""
    income_binary: str = ""
    region: str = ""
    region_code: str = ""
    gdp_pc: OptFloat = None
    is_international: bool | None = None


def _names(name: str) -> list[str]:
    """Lower-case forms to match: UNTERM writes "the Czech Republic", "Korea (the)"."""
    text = name.strip().lower().rstrip("*").strip()
    forms = [text]
    if text.startswith("the "):
        forms.append(text[4:])
    if text.endswith(" (the)"):
        forms.append(text[:-6])
    return forms


class OecdAiImporter(Importer):
    name = "oecd-ai"
    description = "OECD.AI national AI policies, with a research project's LLM-generated scores"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "oecd-ai-policies-scored" / "master_dataset.csv"

    def load(self, ctx: ImportContext, path: Path) -> int:
        rows = []
        seen: dict[str, int] = {}
        for row in read_csv(path, required=("entry_id", "title")):
            policy = validate(PolicyRow, row, path)
            if policy.entry_id in seen:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="entry_id",
                    value=policy.entry_id,
                    reason=f"duplicate of record {seen[policy.entry_id]}",
                )
            seen[policy.entry_id] = row.record
            rows.append(policy)

        states = self._states(ctx)
        source_id = ctx.source(**SOURCE)
        ctx.start("oecd-ai", len(rows))
        links: list[tuple[str, str]] = []
        for p in rows:
            instrument_id = f"OECD.AI:{p.entry_id}"
            note = None
            if p.year is not None and not 1900 <= p.year <= 2100:
                note = f"Year {p.year} as given; the dataset's PROVENANCE notes a few outliers."
            ctx.upsert(
                Instrument,
                {
                    "id": instrument_id,
                    "name_en": p.title,
                    "jurisdiction": p.jurisdiction or None,
                    "year": p.year,
                    "type": p.policy_type.lower(),
                    "legal_force": LEGAL_FORCE[p.binding_nature],
                    "origin": "oecd-ai",
                    "note": note,
                    "extra": self._extra(p),
                },
            )
            actor = states.get(p.jurisdiction.lower()) if p.jurisdiction else None
            if actor is not None:
                links.append((instrument_id, actor))
        ctx.session.flush()  # instruments before the rows that point at them
        for instrument_id in (f"OECD.AI:{p.entry_id}" for p in rows):
            ctx.upsert(
                InstrumentSource,
                {"instrument_id": instrument_id, "source_id": source_id},
                key=("instrument_id", "source_id"),
            )
        for instrument_id, actor in links:
            ctx.upsert(
                InstrumentActor,
                {"instrument_id": instrument_id, "actor_id": actor, "role": "jurisdiction"},
                key=("instrument_id", "actor_id", "role"),
            )
        return len(rows)

    @staticmethod
    def _states(ctx: ImportContext) -> dict[str, str]:
        """Lower-cased names of ISO actors → id; empty when country-codes is not imported."""
        index: dict[str, str] = {}
        actors = ctx.session.scalars(select(Actor).where(Actor.iso_alpha3.is_not(None)))
        for actor in actors:
            for name in (actor.name_en, actor.short_name_en, actor.formal_name_en):
                for form in _names(name) if name else ():
                    index.setdefault(form, actor.id)
        for name, iso3 in OECD_NAMES.items():
            if any(v == iso3 for v in index.values()):
                index.setdefault(name, iso3)
        return index

    @staticmethod
    def _extra(p: PolicyRow) -> dict[str, Any]:
        scores: dict[str, Any] = {
            "note": "Ratings 0-4 generated by large language models (3-model scoring) in the "
            "ai-governance-capacity project; not OECD data.",
            "n_models": p.n_models,
        }
        scores |= {name: getattr(p, name) for name in SCORES + AGGREGATES}
        # As the dataset reports them (the project's World Bank-style metadata).
        reported = {
            "text_quality": p.text_quality,
            "income_group": p.income_group,
            "income_binary": p.income_binary,
            "region": p.region,
            "region_code": p.region_code,
            "gdp_pc": p.gdp_pc,
            "is_international": p.is_international,
        }
        return {"scores_llm_generated": scores} | {
            k: v for k, v in reported.items() if v not in ("", None)
        }
