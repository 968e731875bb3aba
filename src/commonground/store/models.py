"""The data model (see ../shared/docs/data-model.md), as typed SQLAlchemy 2 tables.

Texts come in pairs, `*_en` and `*_zh` (simplified; traditional is derived with
OpenCC when shown). Ids of curated and imported records are stable strings
(`bletchley-declaration`, `AGORA:1046`, `CHN`), never autoincrement numbers, so
that links and citations survive re-imports.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from commonground.store.types import ExactInteger

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = String(200)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON}


# -- provenance -----------------------------------------------------------------


class Source(Base):
    """A citable document: every fact in the store names one."""

    __tablename__ = "source"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(20))  # YYYY, YYYY-MM or YYYY-MM-DD
    language: Mapped[str | None] = mapped_column(String(10))
    license: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40))


class StoreState(Base):
    """One row: a counter every write transaction increments, so that caches of
    rendered pages and ETags know when the data changed."""

    __tablename__ = "store_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)


class ImportRun(Base):
    """One completed import: which file, its digest, how many records."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    importer: Mapped[str] = mapped_column(String(40), index=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    records: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


# -- actors ----------------------------------------------------------------------


class Actor(Base):
    """A state (id = ISO 3166-1 alpha-3), organisation, company, institute or person."""

    __tablename__ = "actor"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    short_name_en: Mapped[str | None] = mapped_column(Text)
    short_name_zh: Mapped[str | None] = mapped_column(Text)
    formal_name_en: Mapped[str | None] = mapped_column(Text)
    formal_name_zh: Mapped[str | None] = mapped_column(Text)
    iso_alpha2: Mapped[str | None] = mapped_column(String(2))
    iso_alpha3: Mapped[str | None] = mapped_column(String(3), unique=True)
    iso_numeric: Mapped[str | None] = mapped_column(String(3))
    m49_region_code: Mapped[str | None] = mapped_column(String(3))
    m49_region_en: Mapped[str | None] = mapped_column(Text)
    m49_region_zh: Mapped[str | None] = mapped_column(Text)
    m49_subregion_code: Mapped[str | None] = mapped_column(String(3))
    m49_subregion_en: Mapped[str | None] = mapped_column(Text)
    m49_subregion_zh: Mapped[str | None] = mapped_column(Text)
    m49_intermediate_code: Mapped[str | None] = mapped_column(String(3))
    m49_intermediate_en: Mapped[str | None] = mapped_column(Text)
    is_ldc: Mapped[bool | None] = mapped_column(Boolean)
    is_lldc: Mapped[bool | None] = mapped_column(Boolean)
    is_sids: Mapped[bool | None] = mapped_column(Boolean)
    is_independent: Mapped[bool | None] = mapped_column(Boolean)
    un_member: Mapped[bool | None] = mapped_column(Boolean)
    un_status: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(3))  # seat or nationality, ISO3
    country_basis: Mapped[str | None] = mapped_column(Text)
    jurisdiction: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"))
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))

    facts: Mapped[list[ActorFact]] = relationship(back_populates="actor")


class ActorFact(Base):
    """A dated fact about an actor, e.g. World Bank income group in fiscal year FY23."""

    __tablename__ = "actor_fact"
    __table_args__ = (UniqueConstraint("actor_id", "key", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(20))  # e.g. FY23
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    value: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    note: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[Actor] = relationship(back_populates="facts")


class ActorSource(Base):
    __tablename__ = "actor_source"

    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), primary_key=True)


# -- instruments -----------------------------------------------------------------


class Instrument(Base):
    """A law, declaration, standard, report…, or a body, dialogue or summit."""

    __tablename__ = "instrument"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    short_name_en: Mapped[str | None] = mapped_column(Text)
    short_name_zh: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(40), index=True)
    legal_force: Mapped[str | None] = mapped_column(String(20), index=True)
    jurisdiction: Mapped[str | None] = mapped_column(Text, index=True)
    place_en: Mapped[str | None] = mapped_column(Text)
    place_zh: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    summary_en: Mapped[str | None] = mapped_column(Text)
    summary_zh: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str | None] = mapped_column(String(40))
    coverage_participants: Mapped[str | None] = mapped_column(String(20))
    coverage_expected: Mapped[int | None] = mapped_column(Integer)
    coverage_note: Mapped[str | None] = mapped_column(Text)
    uncertain: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40), index=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    events: Mapped[list[InstrumentEvent]] = relationship(
        back_populates="instrument", order_by="InstrumentEvent.date"
    )


class InstrumentEvent(Base):
    """A dated status event: proposed, adopted, in force, revoked…"""

    __tablename__ = "instrument_event"
    __table_args__ = (UniqueConstraint("instrument_id", "event", "date_text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date | None] = mapped_column(Date)
    date_text: Mapped[str] = mapped_column(String(20))  # as precise as the source: YYYY[-MM[-DD]]
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    note: Mapped[str | None] = mapped_column(Text)

    instrument: Mapped[Instrument] = relationship(back_populates="events")


class InstrumentVersion(Base):
    __tablename__ = "instrument_version"
    __table_args__ = (UniqueConstraint("instrument_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), index=True)
    version: Mapped[str] = mapped_column(String(80))
    date: Mapped[dt.date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    note: Mapped[str | None] = mapped_column(Text)


class InstrumentActor(Base):
    """Who issued (or is the authority behind) an instrument."""

    __tablename__ = "instrument_actor"

    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), primary_key=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


class InstrumentRelation(Base):
    __tablename__ = "instrument_relation"

    subject_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), primary_key=True)
    predicate: Mapped[str] = mapped_column(String(30), primary_key=True)
    object_id: Mapped[str] = mapped_column(
        ForeignKey("instrument.id"), primary_key=True, index=True
    )
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    note: Mapped[str | None] = mapped_column(Text)


class InstrumentSource(Base):
    __tablename__ = "instrument_source"

    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"), primary_key=True, index=True)


class Collection(Base):
    """A named set of instruments (AGORA's collections, our own families)."""

    __tablename__ = "collection"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40))


class InstrumentCollection(Base):
    __tablename__ = "instrument_collection"

    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), primary_key=True)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("collection.id"), primary_key=True, index=True
    )


class Provision(Base):
    """A node of an instrument's provision tree: group → provision → part."""

    __tablename__ = "provision"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("provision.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    title_zh: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    text_zh: Mapped[str | None] = mapped_column(Text)
    # Each language's text is verbatim (quoted from the source), a faithful summary
    # or translation of ours, or guidance; the two often differ.
    text_kind_en: Mapped[str | None] = mapped_column(String(20))
    text_kind_zh: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))


class Participation(Base):
    """Actor ↔ instrument or body: signed, endorsed, co-sponsored, member, refused…"""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("instrument_id", "actor_id", "act"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), index=True)
    act: Mapped[str] = mapped_column(String(30))
    date: Mapped[dt.date | None] = mapped_column(Date)
    capacity: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    note: Mapped[str | None] = mapped_column(Text)


# -- vocabularies ----------------------------------------------------------------


class Taxonomy(Base):
    """A versioned vocabulary: a risk taxonomy, a principle set, a glossary."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(40))
    publisher: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    origin: Mapped[str] = mapped_column(String(40))


class Term(Base):
    __tablename__ = "term"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    taxonomy_id: Mapped[str] = mapped_column(ForeignKey("taxonomy.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("term.id"))
    code: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))  # group | risk | principle | action | term
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    definition_en: Mapped[str | None] = mapped_column(Text)
    definition_zh: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Mapping(Base):
    """An SSSOM-style mapping between two ids (terms, provisions, instruments)."""

    __tablename__ = "mapping"
    __table_args__ = (UniqueConstraint("mapping_set", "subject_id", "predicate", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mapping_set: Mapped[str] = mapped_column(String(80))
    subject_id: Mapped[str] = mapped_column(Id, index=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # term | provision | instrument
    predicate: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(Id, index=True)
    object_type: Mapped[str] = mapped_column(String(20))
    justification: Mapped[str] = mapped_column(String(80))  # semapv term
    confidence: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(20))  # manual | rule | model | imported
    author: Mapped[str | None] = mapped_column(Text)
    review_status: Mapped[str] = mapped_column(String(20))  # unreviewed | reviewed | rejected
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    note: Mapped[str | None] = mapped_column(Text)


# -- models and risks ------------------------------------------------------------


class AIModel(Base):
    """An AI model profile from Epoch AI's exports; compute is an exact integer."""

    __tablename__ = "ai_model"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    organization: Mapped[str | None] = mapped_column(Text)
    organization_category: Mapped[str | None] = mapped_column(Text)
    countries: Mapped[str | None] = mapped_column(Text)
    publication_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    domain: Mapped[str | None] = mapped_column(Text)
    task: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[int | None] = mapped_column(ExactInteger)
    training_compute_flop: Mapped[int | None] = mapped_column(ExactInteger, index=True)
    training_compute_text: Mapped[str | None] = mapped_column(String(60))
    training_compute_notes: Mapped[str | None] = mapped_column(Text)
    finetune_compute_flop: Mapped[int | None] = mapped_column(ExactInteger)
    finetune_compute_text: Mapped[str | None] = mapped_column(String(60))
    training_cost_usd: Mapped[int | None] = mapped_column(ExactInteger)
    training_cost_text: Mapped[str | None] = mapped_column(String(60))
    confidence: Mapped[str | None] = mapped_column(String(30))
    accessibility: Mapped[str | None] = mapped_column(Text)
    base_model: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    in_notable: Mapped[bool] = mapped_column(Boolean, default=False)
    in_large_scale: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RiskEntry(Base):
    """One coded risk from the MIT AI Risk Repository's database."""

    __tablename__ = "risk_entry"

    id: Mapped[str] = mapped_column(Id, primary_key=True)  # MIT:<Ev_ID>
    paper_id: Mapped[str | None] = mapped_column(String(40))
    paper_title: Mapped[str | None] = mapped_column(Text)
    quickref: Mapped[str | None] = mapped_column(Text)
    category_level: Mapped[str] = mapped_column(String(40))
    risk_category: Mapped[str | None] = mapped_column(Text)
    risk_subcategory: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    additional_evidence: Mapped[str | None] = mapped_column(Text)
    entity_term_id: Mapped[str | None] = mapped_column(ForeignKey("term.id"))
    intent_term_id: Mapped[str | None] = mapped_column(ForeignKey("term.id"))
    timing_term_id: Mapped[str | None] = mapped_column(ForeignKey("term.id"))
    domain_term_id: Mapped[str | None] = mapped_column(ForeignKey("term.id"), index=True)
    subdomain_term_id: Mapped[str | None] = mapped_column(ForeignKey("term.id"))
    source_id: Mapped[str] = mapped_column(ForeignKey("source.id"))


Index("ix_participation_actor_act", Participation.actor_id, Participation.act)

# Tables defined by other packages on the same metadata (so Alembic, stats and the
# test harness see them): imported last, after Base exists.
import commonground.search.models  # noqa: E402, F401
from commonground.store import models_accounts as _accounts  # noqa: E402, F401
from commonground.store import models_cases as _cases  # noqa: E402, F401
from commonground.store import models_commitments as _commitments  # noqa: E402, F401
from commonground.tlog import models as _tlog_models  # noqa: E402, F401
