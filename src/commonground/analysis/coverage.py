"""What the dataset holds and where its gaps are: per record, per jurisdiction, per type."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select

from commonground.store.engine import Store
from commonground.store.models import (
    Instrument,
    InstrumentEvent,
    InstrumentSource,
    Participation,
    Provision,
)

CHECKED_FIELDS = (
    "name_en",
    "name_zh",
    "summary_en",
    "summary_zh",
    "url",
    "jurisdiction",
    "legal_force",
)


@dataclass
class RecordCoverage:
    id: str
    type: str
    jurisdiction: str | None
    filled: dict[str, bool]
    events: int
    sources: int
    participants: int
    participants_status: str | None
    participants_expected: int | None
    provisions: int

    @property
    def gaps(self) -> list[str]:
        gaps = [name for name, ok in self.filled.items() if not ok]
        if self.events == 0:
            gaps.append("dates")
        if self.sources == 0:
            gaps.append("sources")
        if self.participants_status == "partial":
            gaps.append("participants (partial)")
        elif self.participants_status == "complete" and self.participants_expected not in (
            None,
            self.participants,
        ):
            gaps.append(f"participants ({self.participants} of {self.participants_expected})")
        return gaps


@dataclass
class CoverageReport:
    records: list[RecordCoverage]
    by_jurisdiction: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def without_source(self) -> list[str]:
        return [r.id for r in self.records if r.sources == 0]

    def to_dict(self) -> dict[str, object]:
        return {
            "records": [asdict(r) | {"gaps": r.gaps} for r in self.records],
            "by_jurisdiction": self.by_jurisdiction,
            "by_type": self.by_type,
            "without_source": self.without_source,
        }


def _counts(session, column, model) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(
        session.execute(select(column, func.count()).select_from(model).group_by(column)).all()
    )


def coverage(store: Store, *, origin: str = "curated") -> CoverageReport:
    """Coverage of the instruments of one origin (the bundled dataset by default)."""
    with store.sessions() as session:
        instruments = session.scalars(
            select(Instrument).where(Instrument.origin == origin).order_by(Instrument.id)
        ).all()
        events = _counts(session, InstrumentEvent.instrument_id, InstrumentEvent)
        sources = _counts(session, InstrumentSource.instrument_id, InstrumentSource)
        participants = dict(
            session.execute(
                select(
                    Participation.instrument_id, func.count(func.distinct(Participation.actor_id))
                ).group_by(Participation.instrument_id)
            ).all()
        )
        provisions = _counts(session, Provision.instrument_id, Provision)
    records = [
        RecordCoverage(
            id=i.id,
            type=i.type,
            jurisdiction=i.jurisdiction,
            filled={name: bool(getattr(i, name)) for name in CHECKED_FIELDS},
            events=events.get(i.id, 0),
            sources=sources.get(i.id, 0),
            participants=participants.get(i.id, 0),
            participants_status=i.coverage_participants,
            participants_expected=i.coverage_expected,
            provisions=provisions.get(i.id, 0),
        )
        for i in instruments
    ]
    return CoverageReport(
        records=records,
        by_jurisdiction=dict(Counter(r.jurisdiction or "(none)" for r in records).most_common()),
        by_type=dict(Counter(r.type for r in records).most_common()),
    )
