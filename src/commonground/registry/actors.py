"""Actors: lists with facets, and everything one actor issued, signed, refused or joined."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from commonground.analysis.income import KEY as INCOME_KEY
from commonground.errors import NotFoundError
from commonground.registry.pagination import MAX_PAGE, Page, decode_cursor, encode_cursor
from commonground.store.models import (
    Actor,
    ActorFact,
    Instrument,
    InstrumentActor,
    InstrumentEvent,
    Participation,
    Source,
)

FACETS = ("kind", "region", "subregion", "income", "un_member", "origin")
LATEST_INCOME = "FY23"


def _latest_income() -> ColumnElement:
    return (
        select(ActorFact.value)
        .where(
            ActorFact.actor_id == Actor.id,
            ActorFact.key == INCOME_KEY,
            ActorFact.period == LATEST_INCOME,
        )
        .correlate(Actor)
        .scalar_subquery()
    )


def _column(facet: str) -> ColumnElement:
    return {
        "kind": Actor.kind,
        "region": Actor.m49_region_en,
        "subregion": Actor.m49_subregion_en,
        "income": _latest_income(),
        "un_member": Actor.un_member,
        "origin": Actor.origin,
    }[facet]


def _conditions(filters: Mapping[str, Sequence[str]], skip: str | None = None) -> list:
    where = []
    for facet, values in filters.items():
        if facet not in FACETS or facet == skip or not values:
            continue
        if facet == "un_member":
            where.append(Actor.un_member.in_([v in ("true", "1", "yes") for v in values]))
        else:
            where.append(_column(facet).in_(values))
    return where


def facet_counts(session: Session, filters: Mapping[str, Sequence[str]]) -> dict:
    counts = {}
    for facet in FACETS:
        col = _column(facet)
        rows = session.execute(
            select(col, func.count())
            .select_from(Actor)
            .where(*_conditions(filters, skip=facet))
            .group_by(col)
        ).all()
        counts[facet] = sorted(
            (
                (str(v).lower() if isinstance(v, bool) else str(v), n)
                for v, n in rows
                if v is not None
            ),
            key=lambda item: (-item[1], item[0]),
        )
    return counts


def list_actors(
    session: Session,
    filters: Mapping[str, Sequence[str]] | None = None,
    *,
    lang: str = "en",
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[Actor]:
    filters = filters or {}
    limit = max(1, min(limit, MAX_PAGE))
    key = Actor.name_en if lang == "en" else func.coalesce(Actor.name_zh, Actor.name_en)
    where = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(Actor).where(*where)) or 0
    stmt = select(Actor, key).where(*where).order_by(key, Actor.id)
    if cursor:
        last_key, last_id = decode_cursor(cursor, 2, (str, str))
        stmt = stmt.where(or_(key > last_key, and_(key == last_key, Actor.id > last_id)))
    rows = session.execute(stmt.limit(limit + 1)).all()
    items = [r[0] for r in rows[:limit]]
    next_cursor = (
        encode_cursor([rows[limit - 1][1], rows[limit - 1][0].id]) if len(rows) > limit else None
    )
    return Page(items, next_cursor, total, facet_counts(session, filters) if with_facets else {})


@dataclass
class ActorEntry:
    """One line of an actor's timeline: what it did with which instrument, when."""

    instrument: Instrument
    act: str  # signed, endorsed, member, refused … or "issued"
    date: dt.date | None
    capacity: str | None
    source: Source | None


@dataclass
class ActorDetail:
    actor: Actor
    parent: Actor | None
    members: list[Actor]  # people or bodies whose country or parent this actor is
    facts: list[tuple[ActorFact, Source]]
    entries: list[ActorEntry]


def get_actor(session: Session, id: str) -> ActorDetail:
    actor = session.get(Actor, id)
    if actor is None:
        raise NotFoundError(f"no actor {id!r}")
    entries = [
        ActorEntry(inst, part.act, part.date, part.capacity, src)
        for part, inst, src in session.execute(
            select(Participation, Instrument, Source)
            .join(Instrument, Instrument.id == Participation.instrument_id)
            .join(Source, Source.id == Participation.source_id)
            .where(Participation.actor_id == id)
        )
    ]
    issued = session.execute(
        select(Instrument, InstrumentActor.role, func.min(InstrumentEvent.date))
        .join(InstrumentActor, InstrumentActor.instrument_id == Instrument.id)
        .outerjoin(InstrumentEvent, InstrumentEvent.instrument_id == Instrument.id)
        .where(InstrumentActor.actor_id == id)
        .group_by(Instrument.id, InstrumentActor.role)
    ).all()
    entries += [
        ActorEntry(inst, "issued" if role == "issuer" else role, date, None, None)
        for inst, role, date in issued
    ]
    entries.sort(
        key=lambda e: (
            e.date or e.instrument.year and dt.date(e.instrument.year, 1, 1) or dt.date.max,
            e.instrument.id,
        )
    )
    facts = session.execute(
        select(ActorFact, Source)
        .join(Source, Source.id == ActorFact.source_id)
        .where(ActorFact.actor_id == id)
        .order_by(ActorFact.key, ActorFact.valid_from)
    ).all()
    members = session.scalars(
        select(Actor)
        .where(or_(Actor.parent_id == id, and_(Actor.country == id, Actor.id != id)))
        .order_by(Actor.name_en)
    ).all()
    parent = session.get(Actor, actor.parent_id) if actor.parent_id else None
    return ActorDetail(actor, parent, list(members), [(f, s) for f, s in facts], entries)
