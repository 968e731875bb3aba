"""Every instrument, body and event the seeds name is a record (issue: bundled dataset)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commonground.store.models import Instrument, InstrumentEvent, InstrumentSource

REQUIRED = {
    "bletchley-declaration",
    "seoul-declaration",
    "seoul-statement-of-intent",
    "seoul-ministerial-statement",
    "frontier-ai-safety-commitments",
    "paris-statement-inclusive-sustainable-ai",
    "ai-safety-summit-2023",
    "ai-seoul-summit-2024",
    "ai-action-summit-2025",
    "intl-network-ai-safety-institutes",
    "uk-aisi-body",
    "us-aisi-body",
    "japan-aisi-body",
    "korea-aisi-body",
    "canada-aisi-body",
    "singapore-aisi-body",
    "inria-ai-safety-body",
    "eu-ai-office-body",
    "us-china-ai-dialogue",
    "woodside-summit-ai-consensus-2023",
    "wang-sullivan-bangkok-2024",
    "beijing-five-point-consensus-2024",
    "us-china-ai-dialogue-geneva-2024",
    "un-hlab-ai",
    "hlab-interim-report",
    "hlab-final-report",
    "unga-78-265",
    "unga-78-311",
    "pact-for-the-future",
    "global-digital-compact",
    "unsc-ai-meeting-2023",
    "unesco-recommendation-ai-ethics",
    "group-of-friends-ai-capacity-building",
    "cn-global-ai-governance-initiative",
    "cn-ai-capacity-building-action-plan",
    "cn-global-ai-governance-action-plan",
    "us-ai-action-plan",
    "us-ai-diffusion-framework",
    "eu-ai-act",
    "eu-ethics-guidelines-trustworthy-ai",
    "oecd-ai-recommendation",
    "g7-hiroshima-guiding-principles",
    "g7-hiroshima-code-of-conduct",
    "g20-ai-principles",
    "brics-ai-study-group",
    "coe-framework-convention-ai",
    "nist-ai-rmf",
    "iso-iec-42001",
    "guidelines-secure-ai-system-development",
    "us-uk-ai-safety-science-mou",
    "international-ai-safety-report",
    "idais-beijing-consensus",
    "idais-venice-consensus",
    "ccw",
    "nscai-final-report",
    # Regimes with thresholds, for the applicability engine.
    "eo-14110",
    "eo-14148",
    "us-ca-sb53",
    "us-ny-raise-act",
    "cn-genai-interim-measures",
    "eu-gpai-guidelines",
}


@pytest.mark.parametrize("record", sorted(REQUIRED))
def test_required_record_is_present_bilingual_and_sourced(loaded_store, record):
    with loaded_store.sessions() as s:
        inst = s.get(Instrument, record)
        assert inst is not None, f"{record} missing from the bundled dataset"
        assert inst.origin == "curated"
        assert inst.name_en and inst.name_zh and inst.summary_en and inst.summary_zh
        sources = s.scalar(select(func.count()).where(InstrumentSource.instrument_id == record))
        assert sources >= 1


def test_records_without_a_dated_event_say_why(loaded_store):
    with loaded_store.sessions() as s:
        undated = s.scalars(
            select(Instrument)
            .where(Instrument.origin == "curated")
            .where(~Instrument.id.in_(select(InstrumentEvent.instrument_id)))
        ).all()
        assert all(i.uncertain for i in undated), [i.id for i in undated if not i.uncertain]
