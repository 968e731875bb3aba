"""Data-quality checks over the bundled dataset as loaded into the store."""

from __future__ import annotations

from sqlalchemy import func, select

from commonground.analysis.coverage import coverage
from commonground.store.models import (
    Actor,
    ActorSource,
    Instrument,
    InstrumentEvent,
    InstrumentRelation,
    InstrumentSource,
    Participation,
    Provision,
    Source,
)


def test_every_bundled_record_cites_at_least_one_source(loaded_store):
    with loaded_store.sessions() as s:
        unsourced = s.scalars(
            select(Instrument.id)
            .where(Instrument.origin == "curated")
            .where(~Instrument.id.in_(select(InstrumentSource.instrument_id)))
        ).all()
        assert unsourced == []
        actors = s.scalars(
            select(Actor.id)
            .where(Actor.origin == "curated")
            .where(~Actor.id.in_(select(ActorSource.actor_id)))
        ).all()
        assert actors == []
    assert coverage(loaded_store).without_source == []


def test_every_source_has_title_publisher_and_address_or_date(loaded_store):
    with loaded_store.sessions() as s:
        for src in s.scalars(select(Source).where(Source.origin == "curated")):
            assert src.title and src.publisher, src.id
            assert src.url or src.published, f"{src.id}: neither address nor date"


def test_every_participation_row_has_a_source_and_a_known_actor(loaded_store):
    with loaded_store.sessions() as s:
        rows = s.execute(
            select(Participation, Actor.kind).join(Actor, Actor.id == Participation.actor_id)
        ).all()
        total = s.scalar(select(func.count()).select_from(Participation))
        assert rows and len(rows) == total
        assert all(p.source_id for p, _ in rows)


def test_participants_of_states_use_iso_codes(loaded_store):
    with loaded_store.sessions() as s:
        states = s.scalars(
            select(Actor)
            .join(Participation, Participation.actor_id == Actor.id)
            .where(Actor.kind.in_(("state", "territory")))
        ).all()
        assert states
        assert all(a.iso_alpha3 == a.id for a in states)


def test_relations_point_at_existing_records(loaded_store):
    with loaded_store.sessions() as s:
        ids = set(s.scalars(select(Instrument.id)))
        for rel in s.scalars(select(InstrumentRelation)):
            assert rel.subject_id in ids and rel.object_id in ids


def test_status_dates_are_ordered_adopted_before_in_force_before_revoked(loaded_store):
    order = ["proposed", "adopted", "in_force", "revoked"]
    with loaded_store.sessions() as s:
        events: dict[str, dict[str, object]] = {}
        for e in s.scalars(select(InstrumentEvent)):
            events.setdefault(e.instrument_id, {})[e.event] = e.date
    for instrument, dated in events.items():
        present = [dated[k] for k in order if k in dated]
        assert present == sorted(present), instrument


def test_names_titles_and_summaries_exist_in_both_languages(loaded_store):
    with loaded_store.sessions() as s:
        for i in s.scalars(select(Instrument).where(Instrument.origin == "curated")):
            assert i.name_en and i.name_zh, i.id
            assert i.summary_en and i.summary_zh, i.id
            assert any("\u4e00" <= ch <= "\u9fff" for ch in i.summary_zh), i.id
        for a in s.scalars(select(Actor).where(Actor.origin == "curated")):
            assert a.name_en and a.name_zh, a.id
        for p in s.scalars(select(Provision)):
            assert bool(p.text_en) == bool(p.text_zh), p.id
            assert bool(p.title_en) == bool(p.title_zh), p.id


def test_summaries_are_two_to_four_sentences(loaded_store):
    with loaded_store.sessions() as s:
        for i in s.scalars(select(Instrument).where(Instrument.origin == "curated")):
            sentences = [x for x in i.summary_en.replace("e.g.", "eg").split(". ") if x.strip()]
            assert 1 <= len(sentences) <= 6, (i.id, len(sentences))
