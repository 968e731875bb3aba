"""Which records the transparency log holds, how each is named, and its canonical form.

A *logged record* is a row of one of the shared tables below, plus the child rows that
belong to it (an instrument's dated events and provisions, an incident's attributes and
tags). Its canonical form is a JSON object of its columns and its children, with
store-local surrogate ids left out, so two stores holding the same record compute the
same SHA-256. A vulnerability that is not yet published is *sealed*: the log gets a salted
commitment instead of its envelope (see :mod:`commonground.tlog.envelope`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from commonground.store.models import (
    Instrument,
    InstrumentActor,
    InstrumentCollection,
    InstrumentEvent,
    InstrumentRelation,
    InstrumentSource,
    InstrumentVersion,
    Mapping,
    Participation,
    Provision,
)
from commonground.store.models_cases import (
    CaseAttribute,
    CaseTag,
    EvaluationResult,
    Incident,
    IncidentReportLink,
    Vulnerability,
    VulnerabilityLink,
)
from commonground.store.models_commitments import Assessment, Evidence

_CHUNK = 500


@dataclass(frozen=True)
class Child:
    """Rows of `model` that belong to a parent record, shown under `name` in its form."""

    model: type
    name: str
    parent_id: Callable[[Any], str | None]
    # Rows of this child kind for the given parent ids.
    where: Callable[[Sequence[str]], Any]
    skip: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    schema: str
    model: type
    record_id: Callable[[Any], str]
    # Surrogate or volatile columns left out of the canonical form.
    skip: tuple[str, ...] = ()
    children: tuple[Child, ...] = field(default=())
    sealed: Callable[[Any], bool] = lambda _row: False
    # Candidate rows for record ids when the primary key is not the record id: a filter
    # on the id's first segment (instrument or mapping set), matched exactly afterwards.
    prefix_column: Any = None


def _subject(kind: str) -> Callable[[Any], str | None]:
    return lambda row: row.subject_id if row.subject_type == kind else None


def _subject_where(model: type, kind: str) -> Callable[[Sequence[str]], Any]:
    return lambda ids: (model.subject_type == kind) & model.subject_id.in_(ids)


def _case_children(kind: str, link: Child) -> tuple[Child, ...]:
    return (
        Child(
            CaseAttribute,
            "attributes",
            _subject(kind),
            _subject_where(CaseAttribute, kind),
            ("id", "subject_type", "subject_id"),
        ),
        Child(
            CaseTag,
            "tags",
            _subject(kind),
            _subject_where(CaseTag, kind),
            ("id", "subject_type", "subject_id", "created_at"),
        ),
        link,
    )


def _unpublished(row: Vulnerability) -> bool:
    return row.published_at is None


SPECS: tuple[Spec, ...] = (
    Spec(
        "instrument",
        Instrument,
        lambda r: r.id,
        children=(
            Child(
                InstrumentEvent,
                "events",
                lambda r: r.instrument_id,
                lambda ids: InstrumentEvent.instrument_id.in_(ids),
                ("id", "instrument_id"),
            ),
            Child(
                InstrumentVersion,
                "versions",
                lambda r: r.instrument_id,
                lambda ids: InstrumentVersion.instrument_id.in_(ids),
                ("id", "instrument_id"),
            ),
            Child(
                InstrumentActor,
                "actors",
                lambda r: r.instrument_id,
                lambda ids: InstrumentActor.instrument_id.in_(ids),
                ("instrument_id",),
            ),
            Child(
                InstrumentRelation,
                "relations",
                lambda r: r.subject_id,
                lambda ids: InstrumentRelation.subject_id.in_(ids),
                ("subject_id",),
            ),
            Child(
                InstrumentSource,
                "sources",
                lambda r: r.instrument_id,
                lambda ids: InstrumentSource.instrument_id.in_(ids),
                ("instrument_id",),
            ),
            Child(
                InstrumentCollection,
                "collections",
                lambda r: r.instrument_id,
                lambda ids: InstrumentCollection.instrument_id.in_(ids),
                ("instrument_id",),
            ),
            Child(
                Provision,
                "provisions",
                lambda r: r.instrument_id,
                lambda ids: Provision.instrument_id.in_(ids),
                ("instrument_id",),
            ),
        ),
    ),
    Spec(
        "participation",
        Participation,
        lambda r: f"{r.instrument_id}/{r.actor_id}/{r.act}",
        skip=("id",),
        prefix_column=Participation.instrument_id,
    ),
    Spec(
        "mapping",
        Mapping,
        lambda r: f"{r.mapping_set}/{r.subject_id}/{r.predicate}/{r.object_id}",
        skip=("id",),
        prefix_column=Mapping.mapping_set,
    ),
    Spec("evidence", Evidence, lambda r: r.id),
    Spec("assessment", Assessment, lambda r: r.id),
    Spec(
        "incident",
        Incident,
        lambda r: r.id,
        skip=("updated_at",),
        children=_case_children(
            "incident",
            Child(
                IncidentReportLink,
                "reports",
                lambda r: r.incident_id,
                lambda ids: IncidentReportLink.incident_id.in_(ids),
                ("incident_id",),
            ),
        ),
    ),
    Spec(
        "vulnerability",
        Vulnerability,
        lambda r: r.id,
        skip=("updated_at",),
        sealed=_unpublished,
        children=_case_children(
            "vulnerability",
            Child(
                VulnerabilityLink,
                "reports",
                lambda r: r.vulnerability_id,
                lambda ids: VulnerabilityLink.vulnerability_id.in_(ids),
                ("vulnerability_id",),
            ),
        ),
    ),
    Spec("evaluation-result", EvaluationResult, lambda r: r.id),
)

BY_MODEL: dict[type, Spec] = {s.model: s for s in SPECS}
BY_SCHEMA: dict[str, Spec] = {s.schema: s for s in SPECS}
# Child model → (parent spec, child) pairs: one child model may serve several parents.
CHILDREN: dict[type, list[tuple[Spec, Child]]] = {}
for _spec in SPECS:
    for _child in _spec.children:
        CHILDREN.setdefault(_child.model, []).append((_spec, _child))


_PLAIN = (str, int, bool, float, type(None), list, dict)


def _json_value(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite hands back naive UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


@functools.cache
def _keys(model: type, skip: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(a.key for a in inspect(model).column_attrs if a.key not in skip)


def columns(row: Any, skip: tuple[str, ...]) -> dict[str, Any]:
    """The row's column values in JSON form, without the skipped ones."""
    loaded = row.__dict__  # the ORM keeps loaded column values here: no descriptor calls
    return {
        key: _json_value(loaded[key] if key in loaded else getattr(row, key))
        for key in _keys(type(row), skip)
    }


def _sort_key(item: dict[str, Any]) -> str:
    from commonground.tlog.envelope import canonical_json

    return canonical_json(item).decode("utf-8")


def records(session: Session, spec: Spec, ids: Sequence[str]) -> dict[str, tuple[Any, dict]]:
    """The current row and canonical form of each id that exists (missing ids left out)."""
    found: dict[str, tuple[Any, dict]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        if spec.prefix_column is not None:
            prefixes = {i.split("/", 1)[0] for i in chunk}
            rows = session.scalars(select(spec.model).where(spec.prefix_column.in_(prefixes))).all()
        else:
            rows = session.scalars(
                select(spec.model).where(inspect(spec.model).primary_key[0].in_(chunk))
            ).all()
        wanted = set(chunk)
        by_id = {spec.record_id(r): r for r in rows if spec.record_id(r) in wanted}
        kids: dict[str, dict[str, list[dict]]] = {i: {} for i in by_id}
        for child in spec.children:
            for row in session.scalars(select(child.model).where(child.where(list(by_id)))):
                parent = child.parent_id(row)
                if parent in kids:
                    kids[parent].setdefault(child.name, []).append(columns(row, child.skip))
        for record_id, row in by_id.items():
            form = columns(row, spec.skip)
            for child in spec.children:
                form[child.name] = sorted(kids[record_id].get(child.name, []), key=_sort_key)
            found[record_id] = (row, form)
    return found


def record_of(session: Session, spec: Spec, row: Any) -> dict[str, Any]:
    """The canonical form of one row already in hand (its children queried)."""
    if not spec.children:
        return columns(row, spec.skip)
    return records(session, spec, [spec.record_id(row)])[spec.record_id(row)][1]
