"""Response models of the JSON API, so that /api/v1/openapi.json describes every field.

Exact integers (training compute, parameters, cost) are decimal strings: values
above 2^53 would lose digits as JSON numbers in most readers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _exact(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Digits = Annotated[str, Field(pattern=r"^[0-9]+$")]
ExactInt = Annotated[
    Digits | None,
    BeforeValidator(_exact),
    Field(description="An exact non-negative integer as a decimal string (may exceed 2^53)."),
]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FacetCount(Out):
    value: str
    count: int


class ListPage(Out):
    next: str | None = Field(description="Cursor of the next page, or null on the last page.")
    next_url: str | None = Field(description="URL of the next page (also in the Link header).")
    total: int = Field(description="Rows matching the filters, over all pages.")
    facets: dict[str, list[FacetCount]] = Field(
        description="Per facet, the count of each value under all the other filters."
    )


# -- sources, actors -----------------------------------------------------------------


class SourceOut(Out):
    id: str
    title: str
    publisher: str | None
    url: str | None
    published: str | None = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    language: str | None
    license: str | None
    note: str | None
    origin: str


class ActorRef(Out):
    id: str
    kind: str
    name_en: str
    name_zh: str | None


class ActorOut(Out):
    id: str
    kind: str
    name_en: str
    name_zh: str | None
    short_name_en: str | None
    short_name_zh: str | None
    iso_alpha2: str | None
    iso_alpha3: str | None
    m49_region_en: str | None
    m49_region_zh: str | None
    m49_subregion_en: str | None
    m49_subregion_zh: str | None
    is_ldc: bool | None
    is_lldc: bool | None
    is_sids: bool | None
    un_member: bool | None
    country: str | None
    parent_id: str | None
    url: str | None
    origin: str
    source_id: str | None


class InstrumentRef(Out):
    id: str
    name_en: str
    name_zh: str | None
    type: str
    year: int | None


class ActorFactOut(Out):
    key: str
    period: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    value: str | None
    note: str | None
    source: SourceOut


class ActorEntryOut(Out):
    instrument: InstrumentRef
    act: str = Field(description="signed, endorsed, member, refused … or issued")
    date: dt.date | None
    capacity: str | None
    source: SourceOut | None


class ActorDetailOut(ActorOut):
    formal_name_en: str | None
    formal_name_zh: str | None
    iso_numeric: str | None
    m49_region_code: str | None
    m49_subregion_code: str | None
    is_independent: bool | None
    un_status: str | None
    country_basis: str | None
    jurisdiction: str | None
    note: str | None
    parent: ActorRef | None
    members: list[ActorRef]
    facts: list[ActorFactOut]
    timeline: list[ActorEntryOut]


class ActorList(ListPage):
    items: list[ActorOut]


class SourceList(ListPage):
    items: list[SourceOut]


class SourceDetailOut(SourceOut):
    instruments: list[InstrumentRef] = Field(description="Instruments citing it (first 500).")
    participation_rows: int


# -- instruments -----------------------------------------------------------------------


class InstrumentOut(Out):
    id: str
    name_en: str
    name_zh: str | None
    short_name_en: str | None
    short_name_zh: str | None
    type: str
    legal_force: str | None
    jurisdiction: str | None
    year: int | None
    status: str | None
    origin: str
    url: str | None
    summary_en: str | None
    summary_zh: str | None
    coverage_participants: str | None


class InstrumentList(ListPage):
    items: list[InstrumentOut]


class EventOut(Out):
    event: str
    date: dt.date | None
    date_text: str = Field(description="As precise as the source: YYYY[-MM[-DD]]")
    note: str | None
    source: SourceOut


class VersionOut(Out):
    version: str
    date: dt.date | None
    url: str | None
    source_id: str
    note: str | None


class IssuerOut(Out):
    actor: ActorRef
    role: str


class RelationOut(Out):
    direction: str = Field(description="out: this instrument is the subject; in: the object")
    predicate: str
    instrument: InstrumentRef
    source_id: str | None
    note: str | None


class ProvisionOut(Out):
    id: str
    instrument_id: str
    parent_id: str | None
    position: int
    kind: str
    label: str | None
    title_en: str | None
    title_zh: str | None
    text_en: str | None
    text_zh: str | None
    text_kind_en: str | None
    text_kind_zh: str | None
    source_id: str


class ProvisionNodeOut(ProvisionOut):
    children: list[ProvisionNodeOut]


class IncomeOut(Out):
    group: str | None = Field(description="World Bank income group: H, UM, LM or L")
    period: str | None = Field(description="The fiscal year the group comes from, e.g. FY24")
    nearest: bool = Field(description="True when the data end before the date's fiscal year")


class SignatoryActor(ActorRef):
    iso_alpha3: str | None
    m49_region_en: str | None
    m49_region_zh: str | None


class SignatoryOut(Out):
    actor: SignatoryActor
    act: str
    date: dt.date | None
    capacity: str | None
    note: str | None
    income: IncomeOut
    source: SourceOut


class CollectionOut(Out):
    id: str
    name_en: str
    name_zh: str | None
    description_en: str | None
    origin: str


class MappingOut(Out):
    mapping_set: str
    subject_id: str
    subject_type: str
    predicate: str
    object_id: str
    object_type: str
    justification: str
    confidence: float | None
    method: str
    author: str | None
    review_status: str
    source_id: str
    note: str | None


class CiteOut(Out):
    permalink: str
    csl_json: dict[str, Any] = Field(description="One CSL-JSON item")
    bibtex: str


class InstrumentDetailOut(InstrumentOut):
    place_en: str | None
    place_zh: str | None
    coverage_expected: int | None
    coverage_note: str | None
    uncertain: str | None
    note: str | None
    extra: dict[str, Any] | None
    as_of: dt.date | None = Field(description="The date the instrument speaks for")
    events: list[EventOut]
    versions: list[VersionOut]
    issuers: list[IssuerOut]
    sources: list[SourceOut]
    relations: list[RelationOut]
    provisions: list[ProvisionNodeOut]
    signatories: list[SignatoryOut]
    collections: list[CollectionOut]
    mappings: list[MappingOut]
    cite: CiteOut


class ProvisionDetailOut(ProvisionOut):
    instrument: InstrumentRef
    children: list[ProvisionNodeOut]
    mappings: list[MappingOut]


# -- participation, vocabularies ----------------------------------------------------


class ParticipationOut(Out):
    instrument_id: str
    actor_id: str
    act: str
    date: dt.date | None
    capacity: str | None
    source_id: str
    note: str | None


class ParticipationList(ListPage):
    items: list[ParticipationOut]


class TaxonomyOut(Out):
    id: str
    name_en: str
    name_zh: str | None
    version: str | None
    publisher: str | None
    url: str | None
    description_en: str | None
    source_id: str
    origin: str


class TaxonomyList(ListPage):
    items: list[TaxonomyOut]


class TaxonomyDetailOut(TaxonomyOut):
    source: SourceOut | None
    terms: int


class TermOut(Out):
    id: str
    taxonomy_id: str
    parent_id: str | None
    code: str | None
    kind: str
    name_en: str
    name_zh: str | None
    definition_en: str | None
    definition_zh: str | None
    url: str | None
    position: int | None


class TermList(ListPage):
    items: list[TermOut]


class TermDetailOut(TermOut):
    extra: dict[str, Any] | None
    children: list[TermOut]
    mappings: list[MappingOut]


class MappingList(ListPage):
    items: list[MappingOut]


# -- models, risks --------------------------------------------------------------------


class ModelOut(Out):
    id: str
    name: str
    organization: str | None
    organization_category: str | None
    countries: str | None
    publication_date: dt.date | None
    domain: str | None
    task: str | None
    parameters: ExactInt
    training_compute_flop: ExactInt
    training_compute_text: str | None = Field(description="Compute as written in the source")
    finetune_compute_flop: ExactInt
    finetune_compute_text: str | None
    training_cost_usd: ExactInt
    training_cost_text: str | None
    confidence: str | None
    accessibility: str | None
    base_model: str | None
    link: str | None
    in_notable: bool
    in_large_scale: bool
    source_id: str


class ModelList(ListPage):
    items: list[ModelOut]


class ModelDetailOut(ModelOut):
    training_compute_notes: str | None
    extra: dict[str, Any] | None
    source: SourceOut | None


class RiskOut(Out):
    id: str
    paper_id: str | None
    paper_title: str | None
    quickref: str | None
    category_level: str
    risk_category: str | None
    risk_subcategory: str | None
    description: str | None
    additional_evidence: str | None
    entity_term_id: str | None
    intent_term_id: str | None
    timing_term_id: str | None
    domain_term_id: str | None
    subdomain_term_id: str | None
    source_id: str


class RiskList(ListPage):
    items: list[RiskOut]


class RiskDetailOut(RiskOut):
    terms: list[TermOut] = Field(description="The entity, intent, timing, domain and sub-domain")
    source: SourceOut | None


class ErrorOut(BaseModel):
    ok: bool = False
    error: str
    status: int


class ValidationDetail(BaseModel):
    loc: list[str | int]
    msg: str


class ValidationErrorOut(BaseModel):
    ok: bool = False
    error: str
    errors: list[ValidationDetail]
    status: int
