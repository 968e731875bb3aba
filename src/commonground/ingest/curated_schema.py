"""Pydantic schemas of the bundled dataset's files (see src/commonground/data/README.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from commonground.ingest.values import partial_date

INSTRUMENT_TYPES = (
    "law regulation standard declaration statement commitment resolution action_plan framework "
    "report treaty body dialogue summit guidelines recommendation principles initiative network "
    "memorandum meeting process"
).split()
EVENTS = (
    "proposed adopted opened_for_signature signed in_force applies revoked superseded "
    "established first_meeting held published expired withdrawn renamed endorsed"
).split()
PREDICATES = "builds_on implements follows_up supersedes revokes part_of annex_of".split()
ACTS = (
    "signed endorsed co_sponsored main_sponsor adopted_by_consensus member refused withdrew "
    "joined_later participant voted_yes voted_no abstained observer co_chair"
).split()
ACTOR_KINDS = (
    "regional_org intl_org company institute civil_society individual government_body"
).split()

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")


def _check_slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("ids use letters, digits and . _ : / - only")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Bilingual(Strict):
    """A text in English and simplified Chinese: both are required."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class OptionalBilingual(Strict):
    en: str | None = None
    zh: str | None = None


def _date_text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    partial_date(text)  # raises ValueError with the expected forms
    return text


class SourceRecord(Strict):
    id: Slug
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str | None = None
    date: str | None = None
    language: str = Field(pattern=r"^[a-z]{2}(-[A-Za-z]+)?$")
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str | None:
        return None if value in (None, "") else _date_text(value)


class ActorRecord(Strict):
    id: Slug
    kind: Literal[tuple(ACTOR_KINDS)]  # type: ignore[valid-type]
    names: Bilingual
    short_names: OptionalBilingual | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    country_basis: str | None = None
    parent: str | None = None
    url: str | None = None
    sources: list[str] = Field(min_length=1)
    note: str | None = None


class StatusEvent(Strict):
    event: Literal[tuple(EVENTS)]  # type: ignore[valid-type]
    date: str
    source: str
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: object) -> str:
        return _date_text(value)


class Relation(Strict):
    predicate: Literal[tuple(PREDICATES)]  # type: ignore[valid-type]
    object: str
    source: str | None = None
    note: str | None = None


class Coverage(Strict):
    participants: Literal["complete", "partial", "none"]
    expected_count: int | None = Field(default=None, ge=0)
    note: str | None = None


class InstrumentRecord(Strict):
    id: Slug
    type: Literal[tuple(INSTRUMENT_TYPES)]  # type: ignore[valid-type]
    legal_force: Literal["binding", "soft", "none"]
    names: Bilingual
    short_names: OptionalBilingual | None = None
    jurisdiction: str = Field(min_length=2)
    issuers: list[str] = Field(default_factory=list)
    place: OptionalBilingual | None = None
    url: str | None = None
    summary: Bilingual
    status: list[StatusEvent] = Field(default_factory=list)  # empty where no source dates it
    relations: list[Relation] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)
    coverage: Coverage | None = None
    versions: list[dict[str, str]] = Field(default_factory=list)
    uncertain: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered_dates(self) -> InstrumentRecord:
        # adopted ≤ in force ≤ revoked, whatever order the file lists them in.
        order = ["proposed", "adopted", "in_force", "revoked"]
        dates = {e.event: partial_date(e.date)[0] for e in self.status if e.event in order}
        present = [dates[k] for k in order if k in dates]
        if present != sorted(present):
            raise ValueError(
                f"status dates out of order (proposed ≤ adopted ≤ in force ≤ revoked): {dates}"
            )
        return self


class ParticipationRow(Strict):
    actor: str = Field(min_length=2)
    act: Literal[tuple(ACTS)]  # type: ignore[valid-type]
    date: str | None = None
    capacity: str | None = None
    source: str = Field(min_length=1)
    note: str | None = None

    @field_validator("date", "capacity", "note", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is None:
            return None
        dt.date.fromisoformat(value)  # participation dates are full dates or empty
        return value


TextKind = Literal["verbatim", "summary", "guidance"]


class TextKinds(Strict):
    """How each language's text relates to the source (they often differ)."""

    en: TextKind | None = None
    zh: TextKind | None = None


class ProvisionRecord(Strict):
    id: Slug
    label: str | None = None
    kind: Literal["group", "provision", "part"]
    title: OptionalBilingual | None = None
    text: OptionalBilingual | None = None
    text_kind: TextKind | TextKinds
    source: str
    note: str | None = None
    children: list[ProvisionRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _bilingual(self) -> ProvisionRecord:
        for name in ("title", "text"):
            value = getattr(self, name)
            if value is not None and bool(value.en) != bool(value.zh):
                raise ValueError(f"{name} needs both en and zh")
        if self.title is None and self.text is None:
            raise ValueError("a provision needs a title or a text")
        if isinstance(self.text_kind, str):
            self.text_kind = TextKinds(en=self.text_kind, zh=self.text_kind)
        return self


class ProvisionFile(Strict):
    instrument: str
    provisions: list[ProvisionRecord] = Field(min_length=1)


class TermRecord(Strict):
    id: Slug
    code: str | None = None
    names: Bilingual
    definitions: OptionalBilingual | None = None
    parent: str | None = None
    kind: str = "term"
    source: str
    note: str | None = None


class TaxonomyFile(Strict):
    """A versioned vocabulary of ours (e.g. the principle taxonomy, the glossary)."""

    id: Slug
    version: str = Field(min_length=1)
    names: Bilingual
    description: OptionalBilingual | None = None
    publisher: str = Field(min_length=1)
    source: str
    terms: list[TermRecord] = Field(min_length=1)


MAPPING_PREDICATES = (
    "skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch skos:relatedMatch "
    "cg:expresses cg:defines cg:contradicts"
).split()


class MappingRow(Strict):
    """SSSOM-like: one mapping or tag, with how it was made and whether it was reviewed."""

    subject_id: str = Field(min_length=1)
    subject_type: Literal["term", "provision", "instrument"]
    predicate: Literal[tuple(MAPPING_PREDICATES)]  # type: ignore[valid-type]
    object_id: str = Field(min_length=1)
    object_type: Literal["term", "provision", "instrument"]
    justification: str = Field(pattern=r"^semapv:[A-Za-z]+$")
    confidence: float | None = Field(default=None, ge=0, le=1)
    method: Literal["manual", "rule", "model"]
    author: str = Field(min_length=1)
    review_status: Literal["unreviewed", "reviewed", "rejected"]
    source: str = Field(min_length=1)
    note: str | None = None

    @field_validator("confidence", "note", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value
