"""Instruments: faceted, sorted, keyset-paginated lists, and everything about one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from commonground.analysis.income import IncomeGroups
from commonground.errors import NotFoundError
from commonground.registry.pagination import MAX_PAGE, Page, decode_cursor, encode_cursor
from commonground.store.models import (
    Actor,
    Collection,
    Instrument,
    InstrumentActor,
    InstrumentCollection,
    InstrumentEvent,
    InstrumentRelation,
    InstrumentSource,
    InstrumentVersion,
    Participation,
    Provision,
    Source,
)
from commonground.store.models import (
    Mapping as MappingRow,
)

FACETS = ("type", "legal_force", "jurisdiction", "issuer", "year", "collection", "origin")
SORTS = ("newest", "oldest", "name")
ISSUING_ROLES = ("issuer", "authority")
# Events that date an instrument "as of" for income groups, in order of preference.
AS_OF_EVENTS = (
    "adopted",
    "signed",
    "held",
    "published",
    "established",
    "first_meeting",
    "proposed",
)

Filters = Mapping[str, Sequence[str]]


def _facet_condition(facet: str, values: Sequence[str]) -> ColumnElement[bool]:
    if facet == "year":
        years = [int(v) for v in values if str(v).lstrip("-").isdigit()]
        return Instrument.year.in_(years)
    if facet == "issuer":
        return Instrument.id.in_(
            select(InstrumentActor.instrument_id).where(
                InstrumentActor.actor_id.in_(values), InstrumentActor.role.in_(ISSUING_ROLES)
            )
        )
    if facet == "collection":
        return Instrument.id.in_(
            select(InstrumentCollection.instrument_id).where(
                InstrumentCollection.collection_id.in_(values)
            )
        )
    return getattr(Instrument, facet).in_(values)


def conditions(
    filters: Filters, *, ids: Sequence[str] | None = None, skip: str | None = None
) -> list:
    """SQL conditions for the filters (OR within a facet, AND across), except `skip`."""
    where: list[ColumnElement[bool]] = []
    for facet, values in filters.items():
        if facet in FACETS and facet != skip and values:
            where.append(_facet_condition(facet, values))
    if ids is not None:
        where.append(Instrument.id.in_(ids))
    return where


def _sort(sort: str, lang: str) -> tuple[list, Any]:
    """ORDER BY columns and the sort-key expression for keyset paging."""
    if sort == "name":
        key = (
            Instrument.name_en
            if lang == "en"
            else func.coalesce(Instrument.name_zh, Instrument.name_en)
        )
        return [key.asc(), Instrument.id.asc()], key
    if sort == "oldest":
        key = func.coalesce(Instrument.year, 9999)
        return [key.asc(), Instrument.id.asc()], key
    key = func.coalesce(Instrument.year, -1)
    return [key.desc(), Instrument.id.asc()], key


def facet_counts(session: Session, filters: Filters, *, ids: Sequence[str] | None = None) -> dict:
    """Counts per value of every facet, each under all the other filters (drill-down)."""
    counts: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        where = conditions(filters, ids=ids, skip=facet)
        if facet == "issuer":
            stmt = (
                select(InstrumentActor.actor_id, func.count(func.distinct(Instrument.id)))
                .join(Instrument, Instrument.id == InstrumentActor.instrument_id)
                .where(InstrumentActor.role.in_(ISSUING_ROLES), *where)
                .group_by(InstrumentActor.actor_id)
            )
        elif facet == "collection":
            stmt = (
                select(InstrumentCollection.collection_id, func.count())
                .join(Instrument, Instrument.id == InstrumentCollection.instrument_id)
                .where(*where)
                .group_by(InstrumentCollection.collection_id)
            )
        else:
            col = getattr(Instrument, facet)
            stmt = select(col, func.count()).where(*where, col.is_not(None)).group_by(col)
        rows = [(str(value), n) for value, n in session.execute(stmt) if value not in (None, "")]
        rows.sort(key=lambda item: (-item[1], item[0]) if facet != "year" else (-int(item[0]), 0))
        counts[facet] = rows
    return counts


def list_instruments(
    session: Session,
    filters: Filters | None = None,
    *,
    sort: str = "newest",
    lang: str = "en",
    cursor: str | None = None,
    limit: int = 50,
    ids: Sequence[str] | None = None,
    with_facets: bool = True,
) -> Page[Instrument]:
    filters = filters or {}
    limit = max(1, min(limit, MAX_PAGE))
    if sort not in SORTS:
        sort = "newest"
    order, key = _sort(sort, lang)
    where = conditions(filters, ids=ids)
    total = session.scalar(select(func.count()).select_from(Instrument).where(*where)) or 0
    stmt = select(Instrument, key).where(*where).order_by(*order)
    if cursor:
        last_key, last_id = decode_cursor(cursor, 2, (str if sort == "name" else int, str))
        after = key < last_key if sort == "newest" else key > last_key
        stmt = stmt.where(or_(after, and_(key == last_key, Instrument.id > last_id)))
    rows = session.execute(stmt.limit(limit + 1)).all()
    items = [row[0] for row in rows[:limit]]
    next_cursor = (
        encode_cursor([rows[limit - 1][1], rows[limit - 1][0].id]) if len(rows) > limit else None
    )
    facets = facet_counts(session, filters, ids=ids) if with_facets else {}
    return Page(items=items, next_cursor=next_cursor, total=total, facets=facets)


# -- one instrument ------------------------------------------------------------------


@dataclass
class Signatory:
    actor: Actor
    act: str
    date: dt.date | None
    capacity: str | None
    note: str | None
    source: Source
    income_group: str | None
    income_period: str | None
    income_nearest: bool


@dataclass
class ProvisionNode:
    provision: Provision
    children: list[ProvisionNode] = field(default_factory=list)


@dataclass
class InstrumentDetail:
    instrument: Instrument
    events: list[tuple[InstrumentEvent, Source]]
    versions: list[InstrumentVersion]
    issuers: list[tuple[Actor, str]]
    sources: list[Source]
    relations_out: list[tuple[InstrumentRelation, Instrument]]
    relations_in: list[tuple[InstrumentRelation, Instrument]]
    provisions: list[ProvisionNode]
    signatories: list[Signatory]
    collections: list[Collection]
    mappings: list[MappingRow]
    as_of: dt.date | None


def as_of_date(events: Sequence[InstrumentEvent]) -> dt.date | None:
    """The date an instrument speaks for: adoption first, then signature, meeting…"""
    by_event = {e.event: e.date for e in events if e.date}
    return next((by_event[e] for e in AS_OF_EVENTS if e in by_event), None)


def provision_tree(provisions: Sequence[Provision]) -> list[ProvisionNode]:
    nodes = {p.id: ProvisionNode(p) for p in provisions}
    roots: list[ProvisionNode] = []
    for p in sorted(provisions, key=lambda p: (p.position, p.id)):
        parent = nodes.get(p.parent_id) if p.parent_id else None
        (parent.children if parent else roots).append(nodes[p.id])
    return roots


def get_instrument(session: Session, id: str) -> InstrumentDetail:
    instrument = session.get(Instrument, id)
    if instrument is None:
        raise NotFoundError(f"no instrument {id!r}")
    events = session.execute(
        select(InstrumentEvent, Source)
        .join(Source, Source.id == InstrumentEvent.source_id)
        .where(InstrumentEvent.instrument_id == id)
        .order_by(InstrumentEvent.date, InstrumentEvent.id)
    ).all()
    as_of = as_of_date([e for e, _ in events])
    signatories = []
    rows = session.execute(
        select(Participation, Actor, Source)
        .join(Actor, Actor.id == Participation.actor_id)
        .join(Source, Source.id == Participation.source_id)
        .where(Participation.instrument_id == id)
        .order_by(Participation.act, Actor.name_en)
    ).all()
    income = IncomeGroups(session, {a.iso_alpha3 or a.country for _, a, _ in rows} - {None})
    for part, actor, source in rows:
        state = actor.iso_alpha3 or actor.country
        answer = income.as_of(state, part.date or as_of) if state and (part.date or as_of) else None
        signatories.append(
            Signatory(
                actor=actor,
                act=part.act,
                date=part.date,
                capacity=part.capacity,
                note=part.note,
                source=source,
                income_group=answer.group if answer else None,
                income_period=answer.period if answer else None,
                income_nearest=answer.nearest if answer else False,
            )
        )
    provisions = session.scalars(select(Provision).where(Provision.instrument_id == id)).all()
    provision_ids = [p.id for p in provisions]
    mappings = session.scalars(
        select(MappingRow).where(
            or_(
                MappingRow.subject_id.in_([id, *provision_ids]),
                MappingRow.object_id.in_([id, *provision_ids]),
            )
        )
    ).all()
    return InstrumentDetail(
        instrument=instrument,
        events=[(e, s) for e, s in events],
        versions=list(
            session.scalars(
                select(InstrumentVersion)
                .where(InstrumentVersion.instrument_id == id)
                .order_by(InstrumentVersion.date)
            )
        ),
        issuers=[
            (a, role)
            for a, role in session.execute(
                select(Actor, InstrumentActor.role)
                .join(InstrumentActor, InstrumentActor.actor_id == Actor.id)
                .where(InstrumentActor.instrument_id == id)
                .order_by(Actor.name_en)
            )
        ],
        sources=list(
            session.scalars(
                select(Source)
                .join(InstrumentSource, InstrumentSource.source_id == Source.id)
                .where(InstrumentSource.instrument_id == id)
                .order_by(Source.published.desc(), Source.id)
            )
        ),
        relations_out=[
            (r, i)
            for r, i in session.execute(
                select(InstrumentRelation, Instrument)
                .join(Instrument, Instrument.id == InstrumentRelation.object_id)
                .where(InstrumentRelation.subject_id == id)
            )
        ],
        relations_in=[
            (r, i)
            for r, i in session.execute(
                select(InstrumentRelation, Instrument)
                .join(Instrument, Instrument.id == InstrumentRelation.subject_id)
                .where(InstrumentRelation.object_id == id)
            )
        ],
        provisions=provision_tree(provisions),
        signatories=signatories,
        collections=list(
            session.scalars(
                select(Collection)
                .join(InstrumentCollection, InstrumentCollection.collection_id == Collection.id)
                .where(InstrumentCollection.instrument_id == id)
            )
        ),
        mappings=list(mappings),
        as_of=as_of,
    )


def timeline(
    session: Session, *, origin: str = "curated", since: int = 2019
) -> list[tuple[Instrument, dt.date, str]]:
    """International instruments by their dating event, for the home page: the date
    to sort by and the date as precisely as the source gives it (YYYY[-MM[-DD]])."""
    rows = session.execute(
        select(Instrument, InstrumentEvent.event, InstrumentEvent.date, InstrumentEvent.date_text)
        .join(InstrumentEvent, InstrumentEvent.instrument_id == Instrument.id)
        .where(Instrument.origin == origin, Instrument.jurisdiction == "international")
        .where(InstrumentEvent.date >= dt.date(since, 1, 1))
    ).all()
    best: dict[str, tuple[Instrument, dt.date, str, int]] = {}
    for inst, event, date, text in rows:
        rank = AS_OF_EVENTS.index(event) if event in AS_OF_EVENTS else len(AS_OF_EVENTS)
        if inst.id not in best or rank < best[inst.id][3]:
            best[inst.id] = (inst, date, text, rank)
    return sorted(
        ((i, d, t) for i, d, t, _ in best.values()), key=lambda item: (item[1], item[0].id)
    )
