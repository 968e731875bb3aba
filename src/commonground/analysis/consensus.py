"""Where two actors agree and differ: principles and instruments.

An actor *endorses* an instrument when it has a participation row with an endorsing act
(`ENDORSING_ACTS`: signed, endorsed, sponsored, adopted…) and no later withdrawal, or when it
issued the instrument itself (directly, or through one of its own government bodies) — except
instruments of a subdivision (US-CA is not the United States) and instruments revoked or
superseded (`ENDED`), which are listed apart. Member, participant and similar acts mean the
actor *took part* (a body, a dialogue) without endorsing a text.

An actor endorses a principle when it endorses an instrument tagged with that principle
(`cg:expresses`, on the instrument or on one of its provisions). Every tag is evidence with its
method (manual / rule / model) and review status; rejected tags are ignored, and a principle an
actor endorses only through unreviewed machine tags is flagged `machine_only`.

For instruments one actor endorses, the other actor's state is: `endorsed`, `took_part`,
`refused` (refused, withdrew or voted no), `left_out` (no row although the list is complete),
or `unknown` (no row, and the list is partial or its completeness not recorded). An actor
absent from a partial list is never counted as left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.store.models import (
    Actor,
    Instrument,
    InstrumentActor,
    Mapping,
    Participation,
    Provision,
    Term,
)

TAXONOMY = "cg-principles"
TAG_PREDICATE = "cg:expresses"
ENDORSING_ACTS = frozenset(
    "signed endorsed co_sponsored main_sponsor adopted_by_consensus voted_yes joined_later".split()
)
TAKING_PART_ACTS = frozenset("member participant co_chair observer".split())
REFUSING_ACTS = frozenset("refused withdrew voted_no".split())
ENDED = frozenset("revoked superseded expired withdrawn".split())
MACHINE_METHODS = frozenset({"rule", "model"})
# Events and bodies rather than texts: issuing one together is taking part, not endorsing.
NON_TEXT_TYPES = frozenset("body dialogue summit meeting process network".split())


@dataclass(frozen=True)
class ActorRef:
    id: str
    name_en: str
    name_zh: str | None


@dataclass(frozen=True)
class Position:
    """How an actor stands to one instrument."""

    state: str  # endorsed | issued | took_part | refused | left_out | unknown | ended
    act: str | None = None  # the participation act, "issuer", or None
    source_id: str | None = None


@dataclass(frozen=True)
class Evidence:
    """One tag that links an endorsed instrument (or its provision) to a principle."""

    instrument_id: str
    instrument_name_en: str
    instrument_name_zh: str | None
    provision_id: str | None
    provision_label: str | None
    act: str | None  # how the actor endorsed the instrument
    method: str
    review_status: str
    source_id: str
    note: str | None

    @property
    def machine(self) -> bool:
        return self.method in MACHINE_METHODS

    @property
    def confirmed(self) -> bool:
        """Made by hand, or made by machine and reviewed."""
        return not self.machine or self.review_status == "reviewed"


@dataclass
class PrincipleRow:
    term_id: str
    code: str | None
    name_en: str
    name_zh: str | None
    evidence_a: list[Evidence] = field(default_factory=list)
    evidence_b: list[Evidence] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.evidence_a and self.evidence_b:
            return "both"
        if self.evidence_a:
            return "only_a"
        return "only_b" if self.evidence_b else "neither"

    @property
    def machine_only_a(self) -> bool:
        return bool(self.evidence_a) and not any(e.confirmed for e in self.evidence_a)

    @property
    def machine_only_b(self) -> bool:
        return bool(self.evidence_b) and not any(e.confirmed for e in self.evidence_b)

    @property
    def shared_instruments(self) -> list[str]:
        """Instruments that are evidence for both actors (the strongest common ground)."""
        b = {e.instrument_id for e in self.evidence_b}
        return sorted({e.instrument_id for e in self.evidence_a if e.instrument_id in b})


@dataclass(frozen=True)
class InstrumentRow:
    instrument_id: str
    name_en: str
    name_zh: str | None
    short_name_en: str | None
    short_name_zh: str | None
    year: int | None
    coverage: str | None
    a: Position
    b: Position


@dataclass
class Consensus:
    a: ActorRef
    b: ActorRef
    principles: list[PrincipleRow]  # every principle of the taxonomy, in taxonomy order
    both_endorsed: list[InstrumentRow]
    both_took_part: list[InstrumentRow]
    a_not_b: list[InstrumentRow]  # a endorsed; b refused, was left out, took part or unknown
    b_not_a: list[InstrumentRow]
    ended: list[InstrumentRow]  # revoked or superseded instruments an actor had endorsed

    @property
    def shared(self) -> list[PrincipleRow]:
        return [p for p in self.principles if p.status == "both"]

    @property
    def only_a(self) -> list[PrincipleRow]:
        return [p for p in self.principles if p.status == "only_a"]

    @property
    def only_b(self) -> list[PrincipleRow]:
        return [p for p in self.principles if p.status == "only_b"]

    @property
    def neither(self) -> list[PrincipleRow]:
        return [p for p in self.principles if p.status == "neither"]


def _actor(session: Session, actor_id: str) -> ActorRef:
    actor = session.get(Actor, actor_id)
    if actor is None:
        raise NotFoundError(f"no such actor: {actor_id}")
    return ActorRef(actor.id, actor.name_en, actor.name_zh)


def _own_bodies(session: Session, actor_id: str) -> set[str]:
    """The actor and the government bodies under it (any depth)."""
    own, frontier = {actor_id}, {actor_id}
    while frontier:
        children = set(
            session.scalars(
                select(Actor.id).where(
                    Actor.parent_id.in_(sorted(frontier)), Actor.kind == "government_body"
                )
            )
        )
        frontier = children - own
        own |= frontier
    return own


def positions(session: Session, actor_id: str) -> dict[str, Position]:
    """instrument id → the actor's position, for every instrument it has a row for or issued."""
    found: dict[str, Position] = {}
    rows = session.execute(
        select(Participation.instrument_id, Participation.act, Participation.source_id).where(
            Participation.actor_id == actor_id
        )
    ).all()
    by_instrument: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for instrument_id, act, source in rows:
        by_instrument[instrument_id].append((act, source))
    for instrument_id, acts in by_instrument.items():
        refusing = [(a, s) for a, s in acts if a in REFUSING_ACTS]
        endorsing = [(a, s) for a, s in acts if a in ENDORSING_ACTS]
        taking = [(a, s) for a, s in acts if a in TAKING_PART_ACTS]
        if refusing:
            found[instrument_id] = Position("refused", *sorted(refusing)[0])
        elif endorsing:
            found[instrument_id] = Position("endorsed", *sorted(endorsing)[0])
        elif taking:
            found[instrument_id] = Position("took_part", *sorted(taking)[0])
    own = _own_bodies(session, actor_id)
    issued = session.execute(
        select(Instrument.id, Instrument.jurisdiction)
        .join(InstrumentActor, InstrumentActor.instrument_id == Instrument.id)
        .where(InstrumentActor.role == "issuer", InstrumentActor.actor_id.in_(sorted(own)))
    ).all()
    for instrument_id, jurisdiction in issued:
        if jurisdiction not in (None, "international", actor_id):
            continue  # a subdivision's instrument (US-CA) is not the state's
        current = found.get(instrument_id)
        if current is None or current.state == "took_part":
            found[instrument_id] = Position("issued", "issuer")
    ended = set(
        session.scalars(
            select(Instrument.id).where(
                Instrument.id.in_(sorted(found)), Instrument.status.in_(sorted(ENDED))
            )
        )
    )
    for instrument_id in ended:
        position = found[instrument_id]
        if position.state in ("endorsed", "issued"):
            found[instrument_id] = Position("ended", position.act, position.source_id)
    return found


def _endorses(position: Position | None) -> bool:
    return position is not None and position.state in ("endorsed", "issued")


def _tags(session: Session) -> list[tuple[Mapping, str, Provision | None]]:
    """Every principle tag that is not rejected, with the instrument it bears on."""
    maps = session.scalars(
        select(Mapping).where(
            Mapping.predicate == TAG_PREDICATE,
            Mapping.object_type == "term",
            Mapping.review_status != "rejected",
        )
    ).all()
    provision_ids = sorted({m.subject_id for m in maps if m.subject_type == "provision"})
    provisions = {
        p.id: p for p in session.scalars(select(Provision).where(Provision.id.in_(provision_ids)))
    }
    found = []
    for m in maps:
        if m.subject_type == "instrument":
            found.append((m, m.subject_id, None))
        elif m.subject_type == "provision" and m.subject_id in provisions:
            p = provisions[m.subject_id]
            found.append((m, p.instrument_id, p))
    return found


def _instrument_row(inst: Instrument, a: Position, b: Position) -> InstrumentRow:
    return InstrumentRow(
        inst.id,
        inst.name_en,
        inst.name_zh,
        inst.short_name_en,
        inst.short_name_zh,
        inst.year,
        inst.coverage_participants,
        a,
        b,
    )


def _other(position: Position | None, inst: Instrument, issued_by_other: bool) -> Position:
    if position is not None:
        return position
    if issued_by_other and inst.jurisdiction not in (None, "international"):
        return Position("not_applicable")  # another state's national instrument
    if inst.coverage_participants == "complete":
        return Position("left_out")
    return Position("unknown")


def consensus(session: Session, a: str, b: str) -> Consensus:
    actor_a, actor_b = _actor(session, a), _actor(session, b)
    pos_a, pos_b = positions(session, a), positions(session, b)
    terms = session.scalars(
        select(Term).where(Term.taxonomy_id == TAXONOMY).order_by(Term.position, Term.id)
    ).all()
    rows = {t.id: PrincipleRow(t.id, t.code, t.name_en, t.name_zh) for t in terms}
    instrument_ids = sorted(set(pos_a) | set(pos_b))
    instruments = {
        i.id: i
        for i in session.scalars(select(Instrument).where(Instrument.id.in_(instrument_ids)))
    }
    for m, instrument_id, provision in _tags(session):
        row = rows.get(m.object_id)
        inst = instruments.get(instrument_id)
        if row is None or inst is None:
            continue
        for position, target in (
            (pos_a.get(instrument_id), row.evidence_a),
            (pos_b.get(instrument_id), row.evidence_b),
        ):
            if _endorses(position):
                target.append(
                    Evidence(
                        inst.id,
                        inst.name_en,
                        inst.name_zh,
                        provision.id if provision else None,
                        (provision.label or provision.title_en) if provision else None,
                        position.act if position else None,
                        m.method,
                        m.review_status,
                        m.source_id,
                        m.note,
                    )
                )
    for row in rows.values():
        for evidence in (row.evidence_a, row.evidence_b):
            evidence.sort(key=lambda e: (e.instrument_id, e.provision_id or "", e.method))

    both, took_part, a_not_b, b_not_a, ended = [], [], [], [], []
    for instrument_id in instrument_ids:
        inst = instruments.get(instrument_id)
        if inst is None:
            continue
        pa, pb = pos_a.get(instrument_id), pos_b.get(instrument_id)
        if (pa and pa.state == "ended") or (pb and pb.state == "ended"):
            national = inst.jurisdiction not in (None, "international")
            missing = Position("not_applicable" if national else "unknown")
            ended.append(_instrument_row(inst, pa or missing, pb or missing))
            continue
        if _endorses(pa) and _endorses(pb):
            target = took_part if inst.type in NON_TEXT_TYPES else both
            target.append(_instrument_row(inst, pa, pb))  # type: ignore[arg-type]
        elif _endorses(pa):
            other = _other(pb, inst, pa.state == "issued")  # type: ignore[union-attr]
            if other.state != "not_applicable":
                a_not_b.append(_instrument_row(inst, pa, other))  # type: ignore[arg-type]
        elif _endorses(pb):
            other = _other(pa, inst, pb.state == "issued")  # type: ignore[union-attr]
            if other.state != "not_applicable":
                b_not_a.append(_instrument_row(inst, other, pb))  # type: ignore[arg-type]
        elif pa and pb and pa.state == "took_part" and pb.state == "took_part":
            took_part.append(_instrument_row(inst, pa, pb))
    key = lambda r: (r.year or 0, r.instrument_id)  # noqa: E731
    return Consensus(
        actor_a,
        actor_b,
        list(rows.values()),
        sorted(both, key=key),
        sorted(took_part, key=key),
        sorted(a_not_b, key=key),
        sorted(b_not_a, key=key),
        sorted(ended, key=key),
    )


# -- flat forms for JSON, CSV and charts ------------------------------------------------


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    return {
        "instrument": e.instrument_id,
        "instrument_name_en": e.instrument_name_en,
        "instrument_name_zh": e.instrument_name_zh,
        "provision": e.provision_id,
        "provision_label": e.provision_label,
        "act": e.act,
        "method": e.method,
        "review_status": e.review_status,
        "machine": e.machine,
        "source": e.source_id,
        "note": e.note,
    }


def _instrument_dict(r: InstrumentRow) -> dict[str, Any]:
    return {
        "instrument": r.instrument_id,
        "name_en": r.name_en,
        "name_zh": r.name_zh,
        "year": r.year,
        "participant_list": r.coverage,
        "a": {"state": r.a.state, "act": r.a.act, "source": r.a.source_id},
        "b": {"state": r.b.state, "act": r.b.act, "source": r.b.source_id},
    }


def as_dict(result: Consensus) -> dict[str, Any]:
    """Everything, as plain JSON-ready data."""

    def principle(p: PrincipleRow) -> dict[str, Any]:
        return {
            "term": p.term_id,
            "code": p.code,
            "name_en": p.name_en,
            "name_zh": p.name_zh,
            "status": p.status,
            "machine_only_a": p.machine_only_a,
            "machine_only_b": p.machine_only_b,
            "shared_instruments": p.shared_instruments,
            "evidence_a": [_evidence_dict(e) for e in p.evidence_a],
            "evidence_b": [_evidence_dict(e) for e in p.evidence_b],
        }

    return {
        "a": {"id": result.a.id, "name_en": result.a.name_en, "name_zh": result.a.name_zh},
        "b": {"id": result.b.id, "name_en": result.b.name_en, "name_zh": result.b.name_zh},
        "principles": {
            "both": [principle(p) for p in result.shared],
            "only_a": [principle(p) for p in result.only_a],
            "only_b": [principle(p) for p in result.only_b],
            "neither": [p.term_id for p in result.neither],
        },
        "instruments": {
            "both_endorsed": [_instrument_dict(r) for r in result.both_endorsed],
            "both_took_part": [_instrument_dict(r) for r in result.both_took_part],
            "a_not_b": [_instrument_dict(r) for r in result.a_not_b],
            "b_not_a": [_instrument_dict(r) for r in result.b_not_a],
            "ended": [_instrument_dict(r) for r in result.ended],
        },
    }


def coverage_rows(result: Consensus, lang: str = "en") -> list[dict[str, Any]]:
    """One row per (principle, actor): how many endorsed instruments express it, split by
    confirmed (manual or reviewed) and unreviewed machine evidence. The chart's data."""
    rows = []
    for p in result.principles:
        for actor, evidence in ((result.a, p.evidence_a), (result.b, p.evidence_b)):
            confirmed = {e.instrument_id for e in evidence if e.confirmed}
            machine = {e.instrument_id for e in evidence if not e.confirmed} - confirmed
            rows.append(
                {
                    "principle": p.term_id,
                    "principle_label": p.name_en if lang == "en" else (p.name_zh or p.name_en),
                    "actor": actor.id,
                    "actor_label": actor.name_en
                    if lang == "en"
                    else (actor.name_zh or actor.name_en),
                    "status": p.status,
                    "instruments_confirmed": len(confirmed),
                    "instruments_machine_unreviewed": len(machine),
                    "instruments": len(confirmed | machine),
                }
            )
    return rows
