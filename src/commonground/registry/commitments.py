"""Commitment tracking: who promised what, the dated evidence, and assessed statuses.

A commitment is a provision (kind `provision`) of its instrument and a signatory is an
actor whose participation commits it, so any instrument is tracked without code changes
once evidence or assessments about it exist. Assessments are append-only: the status
of a cell is its latest assessment by (`assessed_on`, `created_at`, `id`); older ones
stay listed as its history. A cell without an assessment is computed, never stored:
"evidence, not assessed" when evidence exists, else "no evidence found".
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.auth import audit
from commonground.auth.principal import Principal
from commonground.errors import Error, NotFoundError
from commonground.registry.commitment_inputs import AssessmentInput, EvidenceInput
from commonground.store.engine import Store
from commonground.store.models import Actor, Instrument, Participation, Provision, Source
from commonground.store.models_commitments import STATUSES, Assessment, Evidence

# Participation that binds the actor to the instrument's commitments.
COMMITTING_ACTS = (
    "signed",
    "endorsed",
    "joined_later",
    "adopted_by_consensus",
    "co_sponsored",
    "main_sponsor",
    "member",
    "voted_yes",
)
NOT_ASSESSED = "not-assessed"  # computed: evidence exists, no assessment yet
NO_EVIDENCE = "no-evidence-found"
# Every status a cell can show, in legend order.
CELL_STATUSES = (*STATUSES, NOT_ASSESSED)
# Statuses that judge compliance; the score is met ÷ these.
JUDGED = ("met", "partly-met", "not-met", "contested")
DATASET = "dataset"


class InvalidInput(Error):
    """Bad input to a write: every problem, each naming its field."""

    code = "invalid"

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))


class NotAllowed(Error):
    code = "forbidden"


# -- reading -----------------------------------------------------------------------


@dataclass
class Signatory:
    actor: Actor
    act: str
    date: dt.date | None
    note: str | None


@dataclass
class Cell:
    actor_id: str
    provision_id: str
    status: str
    assessment: Assessment | None
    evidence_count: int

    @property
    def stored(self) -> bool:
        return self.assessment is not None


@dataclass
class Score:
    """Counts, never a grade: met ÷ judged, with every status's count beside it."""

    counts: Counter[str]

    @property
    def met(self) -> int:
        return self.counts["met"]

    @property
    def judged(self) -> int:
        return sum(self.counts[s] for s in JUDGED)


@dataclass
class Matrix:
    instrument: Instrument
    columns: list[Provision]
    rows: list[Signatory]
    cells: dict[tuple[str, str], Cell]
    row_counts: dict[str, Score] = field(default_factory=dict)
    column_counts: dict[str, Score] = field(default_factory=dict)
    totals: Counter[str] = field(default_factory=Counter)

    def cell(self, actor_id: str, provision_id: str) -> Cell:
        return self.cells[(actor_id, provision_id)]


def current(assessments: Iterable[Assessment]) -> Assessment | None:
    """The latest assessment; the others are its history."""
    return max(assessments, key=_order, default=None)


def _order(a: Assessment) -> tuple[Any, ...]:
    created = a.created_at.replace(tzinfo=None) if a.created_at.tzinfo else a.created_at
    return (a.assessed_on, created, a.id)


def get_instrument(session: Session, instrument_id: str) -> Instrument:
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFoundError(f"no such instrument: {instrument_id}")
    return instrument


def tracked_instruments(session: Session) -> list[tuple[Instrument, int, int]]:
    """Instruments with evidence or assessments: (instrument, evidence, assessments)."""
    evidence = Counter(session.scalars(select(Evidence.instrument_id)))
    assessed = Counter(session.scalars(select(Assessment.instrument_id)))
    ids = sorted(set(evidence) | set(assessed))
    if not ids:
        return []
    found = {i.id: i for i in session.scalars(select(Instrument).where(Instrument.id.in_(ids)))}
    return [(found[i], evidence[i], assessed[i]) for i in ids if i in found]


def commitments(session: Session, instrument_id: str) -> list[Provision]:
    """The instrument's commitments in document order (the tree walked depth-first)."""
    every = list(session.scalars(select(Provision).where(Provision.instrument_id == instrument_id)))
    children: dict[str | None, list[Provision]] = defaultdict(list)
    for p in every:
        children[p.parent_id].append(p)
    ordered: list[Provision] = []

    def walk(parent: str | None) -> None:
        for p in sorted(children[parent], key=lambda p: (p.position, p.id)):
            if p.kind == "provision":
                ordered.append(p)
            walk(p.id)

    walk(None)
    return ordered


def signatories(session: Session, instrument_id: str) -> list[Signatory]:
    rows = session.execute(
        select(Participation, Actor)
        .join(Actor, Actor.id == Participation.actor_id)
        .where(
            Participation.instrument_id == instrument_id,
            Participation.act.in_(COMMITTING_ACTS),
        )
    ).all()
    seen: dict[str, Signatory] = {}
    for part, actor in rows:  # one row per actor, its earliest committing act
        if actor.id not in seen or (part.date and not seen[actor.id].date):
            seen[actor.id] = Signatory(actor, part.act, part.date, part.note)
    return sorted(
        seen.values(), key=lambda s: ((s.actor.name_en or s.actor.id).lower(), s.actor.id)
    )


def _cell_data(
    session: Session, instrument_id: str
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], list[Assessment]]]:
    evidence = Counter(
        (actor, provision)
        for actor, provision in session.execute(
            select(Evidence.actor_id, Evidence.provision_id).where(
                Evidence.instrument_id == instrument_id
            )
        )
    )
    assessments: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for a in session.scalars(select(Assessment).where(Assessment.instrument_id == instrument_id)):
        assessments[(a.actor_id, a.provision_id)].append(a)
    return evidence, assessments


def matrix(session: Session, instrument_id: str) -> Matrix:
    instrument = get_instrument(session, instrument_id)
    columns = commitments(session, instrument_id)
    rows = signatories(session, instrument_id)
    evidence, assessments = _cell_data(session, instrument_id)
    result = Matrix(instrument, columns, rows, {})
    for row in rows:
        result.row_counts[row.actor.id] = Score(Counter())
    for col in columns:
        result.column_counts[col.id] = Score(Counter())
    for row in rows:
        for col in columns:
            key = (row.actor.id, col.id)
            latest = current(assessments.get(key, ()))
            if latest is not None:
                status = latest.status
            else:
                status = NOT_ASSESSED if evidence[key] else NO_EVIDENCE
            result.cells[key] = Cell(row.actor.id, col.id, status, latest, evidence[key])
            result.row_counts[row.actor.id].counts[status] += 1
            result.column_counts[col.id].counts[status] += 1
            result.totals[status] += 1
    return result


def matrix_rows(m: Matrix) -> list[dict[str, Any]]:
    """One flat row per cell, for CSV/JSON exports and the CLI."""
    out = []
    for row in m.rows:
        for col in m.columns:
            cell = m.cell(row.actor.id, col.id)
            a = cell.assessment
            out.append(
                {
                    "instrument_id": m.instrument.id,
                    "actor_id": row.actor.id,
                    "actor_name_en": row.actor.name_en,
                    "actor_name_zh": row.actor.name_zh,
                    "provision_id": col.id,
                    "provision_label": col.label,
                    "status": cell.status,
                    "stored": cell.stored,
                    "assessment_id": a.id if a else None,
                    "assessed_on": a.assessed_on.isoformat() if a else None,
                    "assessor": a.assessor if a else None,
                    "evidence_count": cell.evidence_count,
                }
            )
    return out


def evidence_for(
    session: Session,
    instrument_id: str,
    *,
    actor_id: str | None = None,
    provision_id: str | None = None,
) -> list[Evidence]:
    """Evidence newest first (undated last), then by id."""
    query = select(Evidence).where(Evidence.instrument_id == instrument_id)
    if actor_id:
        query = query.where(Evidence.actor_id == actor_id)
    if provision_id:
        query = query.where(Evidence.provision_id == provision_id)
    items = list(session.scalars(query))
    return sorted(items, key=lambda e: (e.published_on is None, _neg(e.published_on), e.id))


def _neg(day: dt.date | None) -> int:
    return -(day.toordinal() if day else 0)


def assessments_for(
    session: Session,
    instrument_id: str,
    *,
    actor_id: str | None = None,
    provision_id: str | None = None,
) -> list[Assessment]:
    """Every assessment, newest first: the current one of each cell and its history."""
    query = select(Assessment).where(Assessment.instrument_id == instrument_id)
    if actor_id:
        query = query.where(Assessment.actor_id == actor_id)
    if provision_id:
        query = query.where(Assessment.provision_id == provision_id)
    return sorted(session.scalars(query), key=_order, reverse=True)


def sources_of(session: Session, items: Iterable[Evidence]) -> dict[str, Source]:
    ids = sorted({e.source_id for e in items if e.source_id})
    if not ids:
        return {}
    return {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(ids)))}


def get_signatory(session: Session, instrument_id: str, actor_id: str) -> Signatory:
    for s in signatories(session, instrument_id):
        if s.actor.id == actor_id:
            return s
    raise NotFoundError(f"{actor_id} is not a signatory of {instrument_id}")


def get_commitment(session: Session, instrument_id: str, provision_id: str) -> Provision:
    for p in commitments(session, instrument_id):
        if p.id == provision_id:
            return p
    raise NotFoundError(f"{provision_id} is not a commitment of {instrument_id}")


EVIDENCE_COLUMNS = (
    "id",
    "instrument_id",
    "provision_id",
    "actor_id",
    "kind",
    "title",
    "url",
    "publisher",
    "published_text",
    "published_on",
    "excerpt",
    "language",
    "basis",
    "note",
    "source_id",
    "added_by",
    "added_at",
)
ASSESSMENT_COLUMNS = (
    "id",
    "instrument_id",
    "provision_id",
    "actor_id",
    "status",
    "assessed_on",
    "assessor",
    "rationale_en",
    "rationale_zh",
    "evidence_ids",
    "created_by",
    "created_at",
    "current",
)


def _value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def evidence_dict(e: Evidence) -> dict[str, Any]:
    return {c: _value(getattr(e, c)) for c in EVIDENCE_COLUMNS}


def assessment_dicts(items: Sequence[Assessment]) -> list[dict[str, Any]]:
    by_cell: dict[tuple[str, str], list[Assessment]] = defaultdict(list)
    for a in items:
        by_cell[(a.actor_id, a.provision_id)].append(a)
    latest = {id(current(group)) for group in by_cell.values()}
    return [
        {
            **{c: _value(getattr(a, c)) for c in ASSESSMENT_COLUMNS if c != "current"},
            "current": id(a) in latest,
        }
        for a in items
    ]


# -- writing -----------------------------------------------------------------------


def check_cell(session: Session, instrument_id: str, provision_id: str, actor_id: str) -> None:
    """The instrument exists, the provision is one of its commitments, the actor signed it."""
    errors: list[tuple[str, str]] = []
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise InvalidInput([("instrument", f"no such instrument: {instrument_id}")])
    provision = session.get(Provision, provision_id)
    if provision is None:
        errors.append(("provision", f"no such provision: {provision_id}"))
    elif provision.instrument_id != instrument_id:
        errors.append(
            (
                "provision",
                f"{provision_id} belongs to {provision.instrument_id}, not {instrument_id}",
            )
        )
    elif provision.kind != "provision":
        errors.append(("provision", f"{provision_id} is a {provision.kind}, not a commitment"))
    if session.get(Actor, actor_id) is None:
        errors.append(("actor", f"no such actor: {actor_id}"))
    elif not any(s.actor.id == actor_id for s in signatories(session, instrument_id)):
        errors.append(("actor", f"{actor_id} is not a signatory of {instrument_id}"))
    if errors:
        raise InvalidInput(errors)


def _validate(model: type, data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            [
                (".".join(str(p) for p in e["loc"]) or "input", _message(e["msg"]))
                for e in exc.errors()
            ]
        ) from None


def _message(text: str) -> str:
    return text.removeprefix("Value error, ")


def _authorise(principal: Principal) -> str:
    if not principal.authenticated:
        raise NotAllowed("sign in required")
    if not principal.can("editor"):
        raise NotAllowed("not allowed: needs the editor role with scope write")
    return principal.username or f"account-{principal.account_id}"


def _new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_evidence(store: Store, principal: Principal, data: dict[str, Any]) -> str:
    """Validate and store one evidence item; returns its id. Nothing changes on error."""
    username = _authorise(principal)
    item = _validate(EvidenceInput, data)
    with store.transaction() as session:
        session.info["submitter"] = f"account:{username}"
        check_cell(session, item.instrument, item.provision, item.actor)
        evidence = Evidence(
            id=_new_id("ev"),
            instrument_id=item.instrument,
            provision_id=item.provision,
            actor_id=item.actor,
            kind=item.kind,
            title=item.title,
            url=item.url,
            publisher=item.publisher,
            published_on=item.published_on(),
            published_text=item.published,
            excerpt=item.excerpt,
            language=item.language,
            basis=item.basis,
            note=item.note,
            source_id=None,
            added_by=username,
            added_at=_now(),
        )
        session.add(evidence)
        session.flush()
        audit.record(
            session,
            principal,
            "evidence.add",
            "evidence",
            evidence.id,
            {"instrument": item.instrument, "provision": item.provision, "actor": item.actor},
        )
        return evidence.id


def add_assessment(store: Store, principal: Principal, data: dict[str, Any]) -> str:
    """Store a new assessment (never changing an old one); returns its id."""
    username = _authorise(principal)
    item = _validate(AssessmentInput, data)
    with store.transaction() as session:
        session.info["submitter"] = f"account:{username}"
        check_cell(session, item.instrument, item.provision, item.actor)
        if item.evidence:
            found = {
                e.id: e
                for e in session.scalars(select(Evidence).where(Evidence.id.in_(item.evidence)))
            }
            for ev in item.evidence:
                e = found.get(ev)
                if e is None:
                    raise InvalidInput([("evidence", f"no such evidence item: {ev}")])
                if (e.instrument_id, e.actor_id) != (item.instrument, item.actor):
                    raise InvalidInput(
                        [("evidence", f"{ev} is about {e.actor_id} on {e.instrument_id}")]
                    )
        assessment = Assessment(
            id=_new_id("as"),
            instrument_id=item.instrument,
            provision_id=item.provision,
            actor_id=item.actor,
            status=item.status,
            assessed_on=item.assessed_on,
            assessor=item.assessor,
            rationale_en=item.rationale_en,
            rationale_zh=item.rationale_zh,
            evidence_ids=" ".join(item.evidence) or None,
            created_by=username,
            created_at=_now(),
        )
        session.add(assessment)
        session.flush()
        audit.record(
            session,
            principal,
            "assessment.add",
            "assessment",
            assessment.id,
            {
                "instrument": item.instrument,
                "provision": item.provision,
                "actor": item.actor,
                "status": item.status,
            },
        )
        return assessment.id
