"""Who takes part: representation of an instrument's (or body's) participants by World
Bank income group, UN M49 region and sub-region, and LDC / LLDC / SIDS status, beside
the same shares in a reference population, with the states left out.

Rules (issue 6):

* Participants are the actors with an act that counts as taking part (`PARTY_ACTS`);
  refusals, withdrawals and observers are listed, never counted.
* States count directly; individuals count through their nationality
  (`Actor.country`, with its `country_basis` shown), and members with no stated
  nationality are reported as unknown, never guessed; organisations (EU, AU…) and
  other non-state participants are listed separately and never counted as states.
* The reference population is the UN member states (`un`, 193) or every economy
  the World Bank classifies on the date (`economies`).
* Income groups are the World Bank's historical classification as of the
  instrument's date (`registry.instruments.as_of_date`), naming the fiscal year
  used and whether it is the nearest one held rather than the one wanted.
* Shares are of the counted participants who belong to the reference population;
  the representation ratio of a group is participant share ÷ reference share.
* A partial participant list (`coverage_participants == 'partial'`) is flagged:
  its shares are shares of the named participants only, and "left out" means
  "not named in our list".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.analysis.income import LABELS as INCOME_LABELS
from commonground.analysis.income import IncomeGroups, fiscal_year
from commonground.errors import Error, NotFoundError
from commonground.registry.instruments import AS_OF_EVENTS
from commonground.store.models import Actor, Instrument, InstrumentEvent, Participation

PARTY_ACTS = frozenset(
    {
        "signed",
        "endorsed",
        "co_sponsored",
        "main_sponsor",
        "adopted_by_consensus",
        "member",
        "joined_later",
        "participant",
    }
)
NOT_PARTY_ACTS = frozenset({"refused", "withdrew", "observer"})
STATE_KINDS = frozenset({"state", "territory", "economy"})
REFERENCES = {
    "un": ("UN member states", "联合国会员国"),
    "economies": ("All economies with a World Bank income group", "所有有世界银行收入分组的经济体"),
}
DIMENSIONS = ("income", "region", "subregion", "status")
DIMENSION_LABELS = {
    "income": ("World Bank income group", "世界银行收入分组"),
    "region": ("UN M49 region", "联合国M49区域"),
    "subregion": ("UN M49 sub-region", "联合国M49次区域"),
    "status": ("LDC / LLDC / SIDS", "最不发达国家／内陆发展中国家／小岛屿发展中国家"),
}
INCOME_ORDER = ("H", "UM", "LM", "L")
NO_INCOME = "none"
NO_REGION = "none"
STATUS_LABELS = {
    "ldc": ("Least developed countries (LDC)", "最不发达国家"),
    "lldc": ("Landlocked developing countries (LLDC)", "内陆发展中国家"),
    "sids": ("Small island developing States (SIDS)", "小岛屿发展中国家"),
    "none": ("None of these", "均不属于"),
}
# The eight instruments the representation page compares by default (issue 6).
DEFAULT_INSTRUMENTS = (
    "bletchley-declaration",
    "seoul-declaration",
    "seoul-ministerial-statement",
    "paris-statement-inclusive-sustainable-ai",
    "unga-78-265",
    "unga-78-311",
    "un-hlab-ai",
    "intl-network-ai-safety-institutes",
)


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """A state or economy with the attributes the breakdowns use, as of one date."""

    id: str
    name_en: str
    name_zh: str | None
    kind: str
    un_member: bool
    income: str | None  # H, UM, LM, L; None where the World Bank gives none
    income_period: str | None
    income_nearest: bool
    region_code: str | None
    region_en: str | None
    region_zh: str | None
    subregion_code: str | None
    subregion_en: str | None
    subregion_zh: str | None
    is_ldc: bool
    is_lldc: bool
    is_sids: bool


@dataclass(frozen=True)
class Participant:
    """One actor with an act on the instrument, and how (or whether) it is counted."""

    actor_id: str
    name_en: str
    name_zh: str | None
    kind: str
    acts: tuple[str, ...]
    # state: counted directly; nationality: an individual counted through Actor.country;
    # unknown: an individual with no stated nationality; organisation: listed, not counted;
    # not_party: only refusals, withdrawals or observer status.
    via: str
    country: str | None  # the ISO3 code counted (or an organisation's seat, shown only)
    basis: str | None  # Actor.country_basis for individuals
    counted: bool  # in the shares' base: a party from a country in the reference population
    in_reference: bool | None


@dataclass(frozen=True)
class Share:
    group: str  # H / UM / LM / L / none; an M49 code; ldc / lldc / sids / none
    label_en: str
    label_zh: str
    participants: int
    participant_share: float | None
    reference: int
    reference_share: float | None
    ratio: float | None  # participant share ÷ reference share


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    base: int  # counted participants
    reference_base: int
    shares: tuple[Share, ...]
    exclusive: bool  # False for status: a state can be LDC and LLDC, or neither

    def get(self, group: str) -> Share | None:
        return next((s for s in self.shares if s.group == group), None)


@dataclass(frozen=True)
class InstrumentRepresentation:
    instrument_id: str
    name_en: str
    name_zh: str | None
    short_name_en: str | None
    short_name_zh: str | None
    type: str
    year: int | None
    as_of: dt.date | None
    date_basis: str  # the event that dates it ("adopted"…), "given", "year" or "none"
    fiscal_year_wanted: str | None
    fiscal_year_used: str | None
    income_nearest: bool  # the wanted fiscal year is not held; the nearest earlier one is used
    reference: str
    reference_size: int
    partial: bool
    coverage_expected: int | None
    coverage_note: str | None
    participants: tuple[Participant, ...]
    breakdowns: dict[str, Breakdown]
    left_out: tuple[Country, ...]
    countries: tuple[str, ...]  # distinct counted countries, sorted
    individuals: bool  # some participants count through their nationality

    @property
    def counted(self) -> int:
        return sum(1 for p in self.participants if p.counted)

    @property
    def parties(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.via in ("state", "nationality"))

    def with_via(self, via: str) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.via == via)

    @property
    def outside_reference(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.parties if not p.in_reference)

    def label(self, lang: str) -> str:
        if lang == "en":
            return self.short_name_en or self.name_en
        return self.short_name_zh or self.name_zh or self.short_name_en or self.name_en


@dataclass(frozen=True)
class Cell:
    acts: tuple[str, ...]
    party: bool
    nationals: int  # individuals of this nationality who take part (bodies of experts)


@dataclass(frozen=True)
class MatrixRow:
    country: Country  # income as of the latest classification held
    in_reference: bool
    cells: tuple[Cell | None, ...]  # one per instrument, in order

    @property
    def parties(self) -> int:
        return sum(1 for c in self.cells if c and c.party)


@dataclass(frozen=True)
class GroupRepresentation:
    instruments: tuple[InstrumentRepresentation, ...]
    reference: str
    reference_size: int
    none: tuple[Country, ...]
    some: tuple[Country, ...]
    all: tuple[Country, ...]
    rows: tuple[MatrixRow, ...]
    latest_period: str | None  # the fiscal year of the matrix's income groups

    @property
    def partial(self) -> tuple[str, ...]:
        return tuple(r.instrument_id for r in self.instruments if r.partial)


# -- the analysis ---------------------------------------------------------------------------


class Population:
    """States and economies, and their income history, loaded once per session."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.income = IncomeGroups(session)
        self.actors: dict[str, Actor] = {
            a.id: a for a in session.scalars(select(Actor).where(Actor.kind.in_(STATE_KINDS)))
        }

    def country(self, actor: Actor, on: dt.date | None) -> Country:
        answer = self.income.as_of(actor.id, on) if on else None
        return Country(
            id=actor.id,
            name_en=actor.name_en,
            name_zh=actor.name_zh,
            kind=actor.kind,
            un_member=bool(actor.un_member),
            income=answer.group if answer else None,
            income_period=answer.period if answer else None,
            income_nearest=answer.nearest if answer else False,
            region_code=actor.m49_region_code,
            region_en=actor.m49_region_en,
            region_zh=actor.m49_region_zh,
            subregion_code=actor.m49_subregion_code,
            subregion_en=actor.m49_subregion_en,
            subregion_zh=actor.m49_subregion_zh,
            is_ldc=bool(actor.is_ldc),
            is_lldc=bool(actor.is_lldc),
            is_sids=bool(actor.is_sids),
        )

    def reference(self, reference: str, on: dt.date | None) -> dict[str, Country]:
        if reference not in REFERENCES:
            raise Error(f"unknown reference population {reference!r}: use un or economies")
        found = {}
        for actor in self.actors.values():
            country = self.country(actor, on)
            if reference == "un":
                keep = actor.kind == "state" and bool(actor.un_member)
            else:
                keep = country.income is not None
            if keep:
                found[actor.id] = country
        return found

    def latest(self) -> dt.date | None:
        if self.income.latest is None:
            return None
        return dt.date(self.income.latest - 1, 7, 1)


def _dated(session: Session, instrument: Instrument, as_of: dt.date | None) -> tuple:
    if as_of is not None:
        return as_of, "given"
    events = session.execute(
        select(InstrumentEvent.event, InstrumentEvent.date).where(
            InstrumentEvent.instrument_id == instrument.id, InstrumentEvent.date.is_not(None)
        )
    ).all()
    by_event: dict[str, dt.date] = {}
    for event, date in sorted(events, key=lambda e: e[1]):
        by_event.setdefault(event, date)
    for event in AS_OF_EVENTS:
        if event in by_event:
            return by_event[event], event
    if instrument.year:
        return dt.date(instrument.year, 7, 1), "year"
    return None, "none"


def _groups(dimension: str, c: Country) -> list[tuple[str, str, str]]:
    """The groups (code, English, Chinese) a country falls in on one dimension."""
    if dimension == "income":
        if c.income in INCOME_LABELS:
            return [(c.income, *INCOME_LABELS[c.income])]
        return [(NO_INCOME, "No income group", "无收入分组")]
    if dimension == "region":
        if c.region_code:
            return [(c.region_code, c.region_en or c.region_code, c.region_zh or c.region_en or "")]
        return [(NO_REGION, "No M49 region", "无M49区域")]
    if dimension == "subregion":
        if c.subregion_code:
            return [
                (
                    c.subregion_code,
                    c.subregion_en or c.subregion_code,
                    c.subregion_zh or c.subregion_en or "",
                )
            ]
        return [(NO_REGION, "No M49 sub-region", "无M49次区域")]
    flags = [k for k, on in (("ldc", c.is_ldc), ("lldc", c.is_lldc), ("sids", c.is_sids)) if on]
    return [(k, *STATUS_LABELS[k]) for k in flags or ["none"]]


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def breakdown(
    dimension: str, participants: Sequence[Country], reference: Sequence[Country]
) -> Breakdown:
    """Counts and shares of `participants` (one entry per counted participant, so a
    body with two members of one nationality counts it twice) beside `reference`."""
    labels: dict[str, tuple[str, str]] = {}
    ours: Counter[str] = Counter()
    theirs: Counter[str] = Counter()
    for counter, rows in ((ours, participants), (theirs, reference)):
        for country in rows:
            for code, en, zh in _groups(dimension, country):
                labels[code] = (en, zh)
                counter[code] += 1
    if dimension == "income":
        order = [g for g in (*INCOME_ORDER, NO_INCOME) if g in labels]
    elif dimension == "status":
        order = [g for g in ("ldc", "lldc", "sids", "none") if g in labels]
    else:
        order = sorted((g for g in labels if g != NO_REGION), key=lambda g: labels[g][0])
        order += [NO_REGION] if NO_REGION in labels else []
    shares = []
    for code in order:
        mine, ref = _share(ours[code], len(participants)), _share(theirs[code], len(reference))
        shares.append(
            Share(
                group=code,
                label_en=labels[code][0],
                label_zh=labels[code][1],
                participants=ours[code],
                participant_share=mine,
                reference=theirs[code],
                reference_share=ref,
                ratio=mine / ref if mine is not None and ref else None,
            )
        )
    return Breakdown(
        dimension=dimension,
        base=len(participants),
        reference_base=len(reference),
        shares=tuple(shares),
        exclusive=dimension != "status",
    )


def _acts(session: Session, instrument_id: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    rows = session.execute(
        select(Participation.actor_id, Participation.act).where(
            Participation.instrument_id == instrument_id
        )
    )
    for actor_id, act in rows:
        found.setdefault(actor_id, set()).add(act)
    return found


def analyse_instrument(
    session: Session,
    instrument_id: str,
    *,
    reference: str = "un",
    as_of: dt.date | None = None,
    population: Population | None = None,
) -> InstrumentRepresentation:
    """The representation of one instrument or body (see the module's rules)."""
    instrument = session.get(Instrument, instrument_id)
    if instrument is None:
        raise NotFoundError(f"no instrument {instrument_id!r}")
    pop = population or Population(session)
    on, basis = _dated(session, instrument, as_of)
    ref = pop.reference(reference, on)
    acts = _acts(session, instrument_id)
    actors = {
        a.id: a for a in session.scalars(select(Actor).where(Actor.id.in_(list(acts) or [""])))
    }
    participants: list[Participant] = []
    counted: list[Country] = []
    for actor_id in sorted(acts, key=lambda i: (actors[i].name_en.casefold(), i)):
        actor, have = actors[actor_id], acts[actor_id]
        party = bool(have & PARTY_ACTS)
        country_id: str | None = None
        if not party:
            via = "not_party"
            country_id = actor.id if actor.kind in STATE_KINDS else actor.country
        elif actor.kind in STATE_KINDS:
            via, country_id = "state", actor.id
        elif actor.kind == "individual":
            country_id = actor.country or None
            via = "nationality" if country_id else "unknown"
        else:
            via, country_id = "organisation", actor.country
        in_reference = country_id in ref if via in ("state", "nationality") else None
        is_counted = bool(in_reference)
        if is_counted:
            counted.append(ref[country_id])  # type: ignore[index]
        participants.append(
            Participant(
                actor_id=actor.id,
                name_en=actor.name_en,
                name_zh=actor.name_zh,
                kind=actor.kind,
                acts=tuple(sorted(have)),
                via=via,
                country=country_id,
                basis=actor.country_basis if actor.kind == "individual" else None,
                counted=is_counted,
                in_reference=in_reference,
            )
        )
    reference_rows = sorted(ref.values(), key=lambda c: c.name_en.casefold())
    present = {c.id for c in counted}
    periods = Counter(c.income_period for c in reference_rows if c.income_period)
    used = periods.most_common(1)[0][0] if periods else None
    wanted = fiscal_year(on) if on else None
    return InstrumentRepresentation(
        instrument_id=instrument.id,
        name_en=instrument.name_en,
        name_zh=instrument.name_zh,
        short_name_en=instrument.short_name_en,
        short_name_zh=instrument.short_name_zh,
        type=instrument.type,
        year=instrument.year,
        as_of=on,
        date_basis=basis,
        fiscal_year_wanted=wanted,
        fiscal_year_used=used,
        income_nearest=bool(wanted and used and used != wanted),
        reference=reference,
        reference_size=len(ref),
        partial=instrument.coverage_participants == "partial",
        coverage_expected=instrument.coverage_expected,
        coverage_note=instrument.coverage_note,
        participants=tuple(participants),
        breakdowns={d: breakdown(d, counted, reference_rows) for d in DIMENSIONS},
        left_out=tuple(c for c in reference_rows if c.id not in present),
        countries=tuple(sorted(present)),
        individuals=any(p.via in ("nationality", "unknown") for p in participants),
    )


def analyse_group(
    session: Session,
    instrument_ids: Sequence[str],
    *,
    reference: str = "un",
    as_of: dt.date | None = None,
) -> GroupRepresentation:
    """Several instruments: each one's representation, which reference states are party
    to none, some or all of them, and the countries × instruments matrix."""
    ids = list(dict.fromkeys(instrument_ids))
    if not ids:
        raise Error("name at least one instrument")
    pop = Population(session)
    results = tuple(
        analyse_instrument(session, i, reference=reference, as_of=as_of, population=pop)
        for i in ids
    )
    latest = as_of or pop.latest()
    ref = pop.reference(reference, latest)
    cells: dict[str, dict[int, Cell]] = {}
    for column, result in enumerate(results):
        by_country: dict[str, list[Participant]] = {}
        for p in result.participants:
            if p.via in ("state", "nationality", "not_party") and p.country in pop.actors:
                by_country.setdefault(p.country, []).append(p)  # type: ignore[arg-type]
        for country_id, found in by_country.items():
            party = [p for p in found if p.via in ("state", "nationality")]
            acts = sorted({a for p in found for a in p.acts})
            nationals = sum(1 for p in found if p.via == "nationality")
            cells.setdefault(country_id, {})[column] = Cell(tuple(acts), bool(party), nationals)
    rows = []
    ids_in_rows = set(ref) | set(cells)
    for country_id in ids_in_rows:
        country = ref.get(country_id) or pop.country(pop.actors[country_id], latest)
        row_cells = tuple(cells.get(country_id, {}).get(i) for i in range(len(results)))
        rows.append(MatrixRow(country, country_id in ref, row_cells))
    rows.sort(key=lambda r: r.country.name_en.casefold())
    n = len(results)
    in_ref = [r for r in rows if r.in_reference]
    periods = Counter(r.country.income_period for r in in_ref if r.country.income_period)
    return GroupRepresentation(
        instruments=results,
        reference=reference,
        reference_size=len(ref),
        none=tuple(r.country for r in in_ref if r.parties == 0),
        some=tuple(r.country for r in in_ref if 0 < r.parties < n),
        all=tuple(r.country for r in in_ref if r.parties == n),
        rows=tuple(rows),
        latest_period=periods.most_common(1)[0][0] if periods else None,
    )


# -- flat views for CSV, JSON and the charts ----------------------------------------------------


def share_rows(results: Sequence[InstrumentRepresentation], lang: str = "en") -> list[dict]:
    """One row per instrument × dimension × group: the data behind every chart."""
    rows = []
    for r in results:
        for dimension in DIMENSIONS:
            for s in r.breakdowns[dimension].shares:
                rows.append(
                    {
                        "instrument": r.instrument_id,
                        "instrument_label": r.label(lang),
                        "as_of": r.as_of.isoformat() if r.as_of else "",
                        "fiscal_year": r.fiscal_year_used or "",
                        "partial": r.partial,
                        "reference": r.reference,
                        "dimension": dimension,
                        "group": s.group,
                        "group_label": s.label_en if lang == "en" else s.label_zh,
                        "participants": s.participants,
                        "participant_base": r.breakdowns[dimension].base,
                        "participant_share": _round(s.participant_share),
                        "reference_count": s.reference,
                        "reference_base": r.breakdowns[dimension].reference_base,
                        "reference_share": _round(s.reference_share),
                        "ratio": _round(s.ratio),
                    }
                )
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def to_dict(result: InstrumentRepresentation) -> dict[str, Any]:
    """Everything about one instrument's representation, as JSON-ready data."""
    return {
        "instrument": result.instrument_id,
        "name_en": result.name_en,
        "name_zh": result.name_zh,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "date_basis": result.date_basis,
        "fiscal_year_wanted": result.fiscal_year_wanted,
        "fiscal_year_used": result.fiscal_year_used,
        "income_nearest": result.income_nearest,
        "reference": result.reference,
        "reference_size": result.reference_size,
        "partial": result.partial,
        "partial_warning": (
            "partial participant list: shares are of the named participants only"
            if result.partial
            else None
        ),
        "coverage_expected": result.coverage_expected,
        "coverage_note": result.coverage_note,
        "counted": result.counted,
        "countries": list(result.countries),
        "participants": [asdict(p) for p in result.participants],
        "unknown_nationality": [p.actor_id for p in result.with_via("unknown")],
        "organisations": [p.actor_id for p in result.with_via("organisation")],
        "not_party": [p.actor_id for p in result.with_via("not_party")],
        "outside_reference": [p.actor_id for p in result.outside_reference],
        "breakdowns": {
            d: {
                "base": b.base,
                "reference_base": b.reference_base,
                "exclusive": b.exclusive,
                "shares": [asdict(s) for s in b.shares],
            }
            for d, b in result.breakdowns.items()
        },
        "left_out": [c.id for c in result.left_out],
    }


def group_to_dict(group: GroupRepresentation) -> dict[str, Any]:
    return {
        "reference": group.reference,
        "reference_size": group.reference_size,
        "partial": list(group.partial),
        "instruments": [to_dict(r) for r in group.instruments],
        "party_to_none": [c.id for c in group.none],
        "party_to_some": [c.id for c in group.some],
        "party_to_all": [c.id for c in group.all],
        "counts": {"none": len(group.none), "some": len(group.some), "all": len(group.all)},
        "matrix_income_period": group.latest_period,
        "matrix": matrix_rows(group),
    }


def matrix_rows(group: GroupRepresentation, lang: str = "en") -> list[dict[str, Any]]:
    """The countries × instruments matrix, flat: one row per country."""
    rows = []
    for row in group.rows:
        c = row.country
        item: dict[str, Any] = {
            "country": c.id,
            "name": c.name_en if lang == "en" else (c.name_zh or c.name_en),
            "in_reference": row.in_reference,
            "income": c.income or "",
            "income_period": c.income_period or "",
            "region": (c.region_en if lang == "en" else c.region_zh) or "",
            "subregion": (c.subregion_en if lang == "en" else c.subregion_zh) or "",
            "ldc": c.is_ldc,
            "lldc": c.is_lldc,
            "sids": c.is_sids,
            "party_to": row.parties,
        }
        for result, cell in zip(group.instruments, row.cells, strict=True):
            text = ""
            if cell:
                text = "/".join(cell.acts)
                if cell.nationals:
                    text += f" ({cell.nationals} national{'s' if cell.nationals > 1 else ''})"
            item[result.instrument_id] = text
        rows.append(item)
    return rows


__all__ = [
    "DEFAULT_INSTRUMENTS",
    "DIMENSIONS",
    "PARTY_ACTS",
    "REFERENCES",
    "Breakdown",
    "Cell",
    "Country",
    "GroupRepresentation",
    "InstrumentRepresentation",
    "MatrixRow",
    "Participant",
    "Population",
    "Share",
    "analyse_group",
    "analyse_instrument",
    "breakdown",
    "group_to_dict",
    "matrix_rows",
    "share_rows",
    "to_dict",
]
