"""The seeds' checkable claims (data/claims.csv), decided against the store.

Each claim has a check below that computes what the data shows and a verdict:
`confirmed`, `differs` (the data contradicts the seed; the difference is
reported, never bent), or `undecided` (the data in hand cannot settle it, e.g.
a partial list; the bounds the data allows are stated).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.analysis.income import IncomeGroups
from commonground.store.engine import Store
from commonground.store.models import (
    Actor,
    Instrument,
    InstrumentEvent,
    InstrumentRelation,
    Participation,
    Provision,
)

CLAIMS_FILE = Path(__file__).resolve().parent.parent / "data" / "claims.csv"
SIGNING = {"signed", "endorsed", "joined_later", "adopted_by_consensus"}
G7 = {"CAN", "DEU", "FRA", "GBR", "ITA", "JPN", "USA"}


@dataclass(frozen=True)
class Finding:
    verdict: str  # confirmed | differs | undecided
    ours: str


@dataclass(frozen=True)
class ClaimResult:
    id: str
    seed: str
    quote: str
    computation: str
    expected: str
    source: str
    verdict: str
    ours: str


class Facts:
    """Read-only views of the store that the checks share."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.income = IncomeGroups(session)

    def acts(self, instrument: str) -> dict[str, set[str]]:
        rows = self.session.execute(
            select(Participation.actor_id, Participation.act).where(
                Participation.instrument_id == instrument
            )
        )
        found: dict[str, set[str]] = {}
        for actor, act in rows:
            found.setdefault(actor, set()).add(act)
        return found

    def with_act(self, instrument: str, acts: set[str]) -> set[str]:
        return {a for a, have in self.acts(instrument).items() if have & acts}

    def dates(self, instrument: str, event: str) -> list[str]:
        return list(
            self.session.scalars(
                select(InstrumentEvent.date_text).where(
                    InstrumentEvent.instrument_id == instrument, InstrumentEvent.event == event
                )
            )
        )

    def instrument(self, id: str) -> Instrument | None:
        return self.session.get(Instrument, id)

    def actor(self, id: str) -> Actor | None:
        return self.session.get(Actor, id)

    def children(self, provision: str) -> list[Provision]:
        return list(
            self.session.scalars(
                select(Provision)
                .where(Provision.parent_id == provision)
                .order_by(Provision.position)
            )
        )

    def parts_of(self, whole: str) -> list[str]:
        return sorted(
            self.session.scalars(
                select(InstrumentRelation.subject_id).where(
                    InstrumentRelation.predicate == "part_of", InstrumentRelation.object_id == whole
                )
            )
        )


# -- helpers that make most checks one line ---------------------------------------


def event_on(instrument: str, event: str, prefix: str) -> Callable[[Facts], Finding]:
    """The instrument has `event` dated `prefix` (a year, month or day)."""

    def check(f: Facts) -> Finding:
        dates = f.dates(instrument, event)
        if not dates:
            return Finding("undecided", f"{instrument}: no '{event}' date in the data")
        ok = any(d.startswith(prefix) for d in dates)
        return Finding("confirmed" if ok else "differs", f"{instrument} {event} {', '.join(dates)}")

    return check


def all_of(*checks: Callable[[Facts], Finding]) -> Callable[[Facts], Finding]:
    def check(f: Facts) -> Finding:
        found = [c(f) for c in checks]
        verdicts = {x.verdict for x in found}
        verdict = (
            "differs"
            if "differs" in verdicts
            else "undecided"
            if "undecided" in verdicts
            else "confirmed"
        )
        return Finding(verdict, "; ".join(x.ours for x in found))

    return check


def acted(instrument: str, actors: set[str], acts: set[str]) -> Callable[[Facts], Finding]:
    def check(f: Facts) -> Finding:
        rows = f.acts(instrument)
        missing = sorted(a for a in actors if not rows.get(a, set()) & acts)
        if missing:
            wanted = " or ".join(sorted(acts))
            return Finding("differs", f"{instrument}: no {wanted} row for {', '.join(missing)}")
        shown = ", ".join(f"{a} {'/'.join(sorted(rows[a] & acts))}" for a in sorted(actors))
        return Finding("confirmed", f"{instrument}: {shown}")

    return check


# -- the checks that need more than one line -------------------------------------------


def seoul_signatories(instrument: str) -> Callable[[Facts], Finding]:
    def check(f: Facts) -> Finding:
        have = f.with_act(instrument, SIGNING)
        want = G7 | {"SGP", "AUS", "KOR", "EU"}
        if have == want:
            return Finding(
                "confirmed", f"{instrument}: {len(have)} signatories = G7 + SGP, AUS, KOR, EU"
            )
        return Finding(
            "differs",
            f"{instrument}: {len(have)} signatories; extra {sorted(have - want)}, missing {sorted(want - have)}",
        )

    return check


def fasc_original(f: Facts) -> Finding:
    acts = f.acts("frontier-ai-safety-commitments")
    original = sorted(a for a, have in acts.items() if "signed" in have)
    later = sorted(a for a, have in acts.items() if "joined_later" in have)
    zhipu = "zhipu-ai" in original
    verdict = "confirmed" if len(original) == 16 and zhipu else "differs"
    return Finding(
        verdict,
        f"{len(original)} original signatories (Zhipu AI {'among them' if zhipu else 'not among them'}); "
        f"{len(later)} joined later, {len(original) + len(later)} in all",
    )


def seoul_china(f: Facts) -> Finding:
    in_declaration = "CHN" in f.acts("seoul-declaration") or "CHN" in f.acts(
        "seoul-statement-of-intent"
    )
    ministerial = f.acts("seoul-ministerial-statement").get("CHN", set())
    zhipu = f.actor("zhipu-ai")
    zhipu_signed = "signed" in f.acts("frontier-ai-safety-commitments").get("zhipu-ai", set())
    ok = (
        not in_declaration
        and "refused" in ministerial
        and zhipu_signed
        and zhipu
        and zhipu.country == "CHN"
    )
    return Finding(
        "confirmed" if ok else "differs",
        "China absent from the Seoul Declaration and Statement of Intent; "
        f"Ministerial Statement: {', '.join(sorted(ministerial)) or 'no row'}; "
        f"Zhipu AI ({zhipu.country if zhipu else '?'}) signed the Frontier AI Safety Commitments: {zhipu_signed}",
    )


def paris_count(f: Facts) -> Finding:
    inst = f.instrument("paris-statement-inclusive-sustainable-ai")
    signers = f.with_act("paris-statement-inclusive-sustainable-ai", SIGNING)
    named = {"CHN", "FRA", "IND", "EU"} <= signers
    expected = inst.coverage_expected if inst else None
    return Finding(
        "undecided",
        f"{len(signers)} signatories named in our partial list (China, France, India, EU among them: {named}); "
        f"the count the sources report is {expected if expected else 'not held'} "
        f"({inst.coverage_note if inst and inst.coverage_note else 'no note'})",
    )


def _hlab(f: Facts) -> tuple[dict[str, int], int, int, int, str, set[str]]:
    inst = f.instrument("un-hlab-ai")
    expected = (inst.coverage_expected if inst else None) or 39
    established = f.dates("un-hlab-ai", "established")
    on = (
        dt.date.fromisoformat(established[0][:10])
        if established and len(established[0]) == 10
        else dt.date(2023, 10, 26)
    )
    members = f.with_act("un-hlab-ai", {"member"})
    groups: dict[str, int] = {}
    countries: set[str] = set()
    period = ""
    for member in members:
        actor = f.actor(member)
        country = actor.country if actor else None
        if not country:
            groups["no stated nationality"] = groups.get("no stated nationality", 0) + 1
            continue
        countries.add(country)
        answer = f.income.as_of(country, on)
        period = answer.period or period
        key = answer.group or "no income group"
        groups[key] = groups.get(key, 0) + 1
    return groups, len(members), expected, expected - len(members), period, countries


def hlab_high_income(f: Facts) -> Finding:
    groups, held, expected, absent, period, _ = _hlab(f)
    high = groups.get("H", 0)
    unknown = absent + groups.get("no stated nationality", 0) + groups.get("no income group", 0)
    low, high_bound = high, high + unknown
    verdict = "undecided" if low <= 24 <= high_bound else "differs"
    return Finding(
        verdict,
        f"{held} of {expected} members held; high-income ({period}): {high}; "
        f"{unknown} members without a known nationality or not held, so the data allows "
        f"{low}–{high_bound} of {expected}; 24 is possible only if every unknown member is high-income",
    )


def hlab_with_upper_middle(f: Facts) -> Finding:
    """Bounds on the seed's 35 of 39, counting only nationalities a source states."""
    _, held, expected, _, period, countries = _hlab(f)
    on = dt.date(2023, 10, 26)
    india = f.income.as_of("IND", on)
    below, below_not_india = [], []
    for member in f.with_act("un-hlab-ai", {"member"}):
        actor = f.actor(member)
        if not actor or not actor.country or actor.country_basis != "stated":
            continue
        group = f.income.as_of(actor.country, on).group
        if group in ("LM", "L"):
            below.append(actor.country)
            if actor.country != "IND":
                below_not_india.append(actor.country)
    most = expected - len(below)
    most_seed = expected - len(below_not_india)
    named = {"CHN", "BRA", "ZAF", "IND"}
    return Finding(
        "differs",
        f"the seed counts India as upper-middle income; the World Bank ({india.period}) classes it as "
        f"{india.group}. {len(below)} members with a stated nationality are from lower-middle or "
        f"low-income economies ({', '.join(sorted(below))}), so at most {most} of {expected} can be "
        f"high or upper-middle income ({100 * most / expected:.1f}%); counting India as the seed does, "
        f"at most {most_seed} ({100 * most_seed / expected:.1f}%), and only if every member not held "
        f"or without a stated nationality is high or upper-middle income. Held members from "
        f"{', '.join(sorted(named & countries))}; {held} of {expected} members held ({period})",
    )


def hlab_countries(f: Facts) -> Finding:
    _, held, expected, _, _, countries = _hlab(f)
    established = f.dates("un-hlab-ai", "established")
    month_ok = any(d.startswith("2023-10") for d in established)
    return Finding(
        "undecided" if month_ok else "differs",
        f"established {', '.join(established) or '(no date)'}; {held} of {expected} members held, "
        f"from {len(countries)} distinct countries (the seed says 33)",
    )


def unga_311(f: Facts) -> Finding:
    inst = f.instrument("unga-78-311")
    cosponsors = f.with_act("unga-78-311", {"co_sponsored", "main_sponsor"})
    adopted = f.dates("unga-78-311", "adopted")
    sponsor = "CHN" in f.with_act("unga-78-311", {"main_sponsor"})
    ok = any(d == "2024-07-01" for d in adopted) and sponsor
    note = inst.coverage_note if inst and inst.coverage_note else "no reported total held"
    return Finding(
        "undecided" if ok else "differs",
        f"adopted {', '.join(adopted)}; main sponsor China: {sponsor}; {len(cosponsors)} co-sponsors "
        f"named in our partial list, so the count cannot be computed; the record says: {note}",
    )


def aisi_network(f: Facts) -> Finding:
    members = f.with_act("intl-network-ai-safety-institutes", {"member"})
    first = f.dates("intl-network-ai-safety-institutes", "first_meeting")
    on = dt.date.fromisoformat(first[0]) if first and len(first[0]) == 10 else dt.date(2024, 11, 20)
    not_high = []
    for member in sorted(members):
        answer = f.income.as_of(member, on)
        if answer.group and answer.group != "H":
            not_high.append(f"{member} ({answer.group}, {answer.period})")
    if not_high:
        return Finding("differs", f"{len(members)} members; not high income: {', '.join(not_high)}")
    return Finding("confirmed", f"all {len(members)} state members are high income")


def action_plan_pillars(f: Facts) -> Finding:
    published = f.dates("us-ai-action-plan", "published")
    pillars = [
        p
        for p in f.session.scalars(
            select(Provision)
            .where(Provision.instrument_id == "us-ai-action-plan")
            .order_by(Provision.position)
        )
        if p.id.split("/")[-1].startswith("pillar")
    ]
    names = "; ".join(p.title_en or "" for p in pillars)
    return Finding(
        "differs",
        f"published {', '.join(published)}; {len(pillars)} pillars: {names} — "
        "the same count, but not the seed's names (federal procurement, infrastructure, technology export)",
    )


def seoul_outcomes(f: Facts) -> Finding:
    parts = [p for p in f.parts_of("ai-seoul-summit-2024") if p != "ai-seoul-summit-2024"]
    return Finding(
        "confirmed" if len(parts) == 3 else "differs",
        f"{len(parts)} outcome documents are part of the Seoul summit: {', '.join(parts)}",
    )


def soi_session(f: Facts) -> Finding:
    soi = f.dates("seoul-statement-of-intent", "adopted")
    ministerial = f.dates("seoul-ministerial-statement", "adopted")
    same = set(soi) & set(ministerial)
    return Finding(
        "confirmed" if same else "differs",
        f"Statement of Intent adopted {', '.join(soi)} (leaders' session); "
        f"Ministerial Statement {', '.join(ministerial)} (ministers' session)",
    )


def measures_13(f: Facts) -> Finding:
    group = f.session.get(Provision, "cn-global-ai-governance-action-plan/measures")
    held = f.children("cn-global-ai-governance-action-plan/measures")
    states = bool(group and group.title_en and "Thirteen" in group.title_en)
    return Finding(
        "confirmed" if states else "undecided",
        f"the plan's measures group states thirteen measures: {states}; {len(held)} measures held as provisions",
    )


def principles_6(f: Facts) -> Finding:
    held = f.children("cn-global-ai-governance-action-plan/principles")
    return Finding(
        "confirmed" if len(held) == 6 else "differs",
        f"{len(held)} principles held as provisions",
    )


def group_of_friends(f: Facts) -> Finding:
    rows = f.session.execute(
        select(Participation.actor_id, Participation.capacity).where(
            Participation.instrument_id == "group-of-friends-ai-capacity-building"
        )
    ).all()
    launchers = {a for a, capacity in rows if capacity and "launch" in capacity}
    return Finding(
        "confirmed" if {"CHN", "ZMB"} <= launchers else "differs",
        f"co-launchers: {', '.join(sorted(launchers)) or 'none recorded'}",
    )


def oecd_revision(f: Facts) -> Finding:
    events = f.session.scalars(
        select(InstrumentEvent)
        .where(InstrumentEvent.instrument_id == "oecd-ai-recommendation")
        .order_by(InstrumentEvent.date)
    ).all()
    adopted_2019 = any(e.event == "adopted" and e.date_text.startswith("2019") for e in events)
    changed_2024 = any(e.date_text.startswith("2024") for e in events)
    return Finding(
        "confirmed" if adopted_2019 and changed_2024 else "differs",
        "oecd-ai-recommendation: " + ", ".join(f"{e.event} {e.date_text}" for e in events),
    )


def thresholds(f: Facts) -> Finding:
    return Finding(
        "undecided",
        "compute thresholds are held by the applicability engine's rules, not yet in the store",
    )


CHECKS: dict[str, Callable[[Facts], Finding]] = {
    "claim-001": acted("bletchley-declaration", {"CHN", "USA"}, SIGNING),
    "claim-002": seoul_signatories("seoul-declaration"),
    "claim-003": all_of(
        seoul_signatories("seoul-declaration"), seoul_signatories("seoul-statement-of-intent")
    ),
    "claim-004": fasc_original,
    "claim-005": fasc_original,
    "claim-006": seoul_china,
    "claim-007": paris_count,
    "claim-008": acted("paris-statement-inclusive-sustainable-ai", {"USA", "GBR"}, {"refused"}),
    "claim-009": hlab_high_income,
    "claim-010": hlab_with_upper_middle,
    "claim-011": hlab_countries,
    "claim-012": unga_311,
    "claim-013": aisi_network,
    "claim-014": all_of(
        event_on("us-china-ai-dialogue", "proposed", "2023-11"),
        event_on("woodside-summit-ai-consensus-2023", "adopted", "2023-11-15"),
    ),
    "claim-015": all_of(
        event_on("wang-sullivan-bangkok-2024", "held", "2024-01"),
        event_on("us-china-ai-dialogue-geneva-2024", "held", "2024-05"),
    ),
    "claim-016": all_of(
        event_on("us-china-ai-dialogue-geneva-2024", "held", "2024-05-14"),
        acted("us-china-ai-dialogue-geneva-2024", {"CHN", "USA"}, {"participant"}),
    ),
    "claim-017": event_on("beijing-five-point-consensus-2024", "adopted", "2024-04-27"),
    "claim-018": measures_13,
    "claim-019": principles_6,
    "claim-020": action_plan_pillars,
    "claim-021": all_of(
        event_on("unga-78-265", "adopted", "2024-03-21"),
        acted("unga-78-265", {"USA"}, {"main_sponsor"}),
    ),
    "claim-022": seoul_outcomes,
    "claim-023": soi_session,
    "claim-024": event_on("cn-global-ai-governance-initiative", "adopted", "2023-10"),
    "claim-025": event_on("cn-ai-capacity-building-action-plan", "adopted", "2024-09"),
    "claim-026": all_of(
        event_on("global-digital-compact", "adopted", "2024-09-22"),
        lambda f: Finding(
            "confirmed"
            if f.session.get(
                InstrumentRelation, ("global-digital-compact", "annex_of", "pact-for-the-future")
            )
            else "differs",
            "global-digital-compact annex_of pact-for-the-future",
        ),
    ),
    "claim-027": event_on("hlab-interim-report", "published", "2023-12"),
    "claim-028": all_of(
        event_on("ai-seoul-summit-2024", "held", "2024-05-21"),
        event_on("seoul-ministerial-statement", "adopted", "2024-05-22"),
    ),
    "claim-029": event_on("ai-action-summit-2025", "held", "2025-02"),
    "claim-030": thresholds,
    "claim-031": all_of(
        event_on("idais-beijing-consensus", "adopted", "2024-03"),
        event_on("idais-venice-consensus", "adopted", "2024-09"),
    ),
    "claim-032": event_on("nist-ai-rmf", "published", "2023-01"),
    "claim-033": event_on("iso-iec-42001", "published", "2023-12"),
    "claim-034": oecd_revision,
    "claim-035": event_on("unesco-recommendation-ai-ethics", "adopted", "2021"),
    "claim-036": group_of_friends,
    "claim-037": all_of(
        event_on("intl-network-ai-safety-institutes", "proposed", "2024-05"),
        event_on("intl-network-ai-safety-institutes", "first_meeting", "2024-11-20"),
    ),
    "claim-038": all_of(
        event_on("us-uk-ai-safety-science-mou", "signed", "2024-04"),
        acted("us-uk-ai-safety-science-mou", {"USA", "GBR"}, SIGNING),
    ),
    "claim-039": event_on("nscai-final-report", "published", "2021-03"),
}


def read_claims(path: Path = CLAIMS_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check_claims(store: Store, path: Path = CLAIMS_FILE) -> list[ClaimResult]:
    results = []
    with store.sessions() as session:
        facts = Facts(session)
        for row in read_claims(path):
            check = CHECKS.get(row["id"])
            finding = (
                check(facts) if check else Finding("undecided", "no check written for this claim")
            )
            results.append(
                ClaimResult(
                    id=row["id"],
                    seed=row["seed"],
                    quote=row["quote"],
                    computation=row["computation"],
                    expected=row["expected"],
                    source=row["source"],
                    verdict=finding.verdict,
                    ours=finding.ours,
                )
            )
    return results


def to_markdown(results: list[ClaimResult]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# The seeds' claims, checked against the data",
        "",
        "Generated by `commonground claims --format md` from `src/commonground/data/claims.csv`",
        "and the store; `tests/dataset/test_claims.py` checks each verdict. *differs*: the data",
        "contradicts the seed (reported, not bent); *undecided*: the data in hand cannot settle it.",
        "",
        "| claim | seed | quote | the seed says | what our data shows | verdict | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.id} | {r.seed[:3]} | {cell(r.quote)} | {cell(r.expected)} | {cell(r.ours)} "
            f"| **{r.verdict}** | `{r.source}` |"
        )
    return "\n".join(lines) + "\n"


def as_dicts(results: list[ClaimResult]) -> list[dict[str, str]]:
    return [asdict(r) for r in results]
