import datetime as dt

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.agora import AgoraImporter
from commonground.ingest.base import run_import
from commonground.store.models import (
    Actor,
    Collection,
    Instrument,
    InstrumentActor,
    InstrumentCollection,
    InstrumentEvent,
    InstrumentSource,
    Source,
)
from tests.snapshot import snapshot

COUNTED = (
    Instrument,
    Actor,
    Collection,
    InstrumentActor,
    InstrumentCollection,
    InstrumentEvent,
    InstrumentSource,
)


def count(store, model) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def counts(store) -> dict[str, int]:
    return {m.__name__: count(store, m) for m in COUNTED}


def test_import_agora_full_dump(store, shared_data):
    result = run_import(store, AgoraImporter(), AgoraImporter().default_path(shared_data))
    assert result.records == 763
    assert count(store, Instrument) == 763
    assert count(store, Actor) == 89
    assert count(store, Collection) == 11
    assert count(store, InstrumentSource) == 763
    with store.sessions() as s:
        bill = s.get(Instrument, "AGORA:380")
        assert bill.name_en == "Rhode Island SB 146"
        assert bill.short_name_en == 'Rhode Island SB 146 ("Consumer Protection Gaming Act")'
        assert bill.url == "https://legiscan.com/RI/bill/S0146/2023"
        assert (bill.type, bill.origin, bill.status, bill.year) == (
            "document",
            "agora",
            "defunct",
            2024,
        )
        assert bill.extra["unreviewed_machine_output"] is True
        assert bill.extra["long_summary"].startswith("Prohibits the use of facial recognition")
        events = [(e.event, e.date, e.date_text) for e in bill.events]
        assert events == [
            ("proposed", dt.date(2023, 2, 1), "2023-02-01"),
            ("defunct", dt.date(2024, 6, 16), "2024-06-16"),
        ]
        authority = s.scalar(
            select(InstrumentActor).where(InstrumentActor.instrument_id == "AGORA:380")
        )
        assert (authority.actor_id, authority.role) == ("agora-authority:rhode-island", "authority")
        ri = s.get(Actor, "agora-authority:rhode-island")
        assert (ri.kind, ri.jurisdiction) == ("authority", "United States")
        assert ri.parent_id == "agora-authority:state-governments"
        assert s.get(Actor, "agora-authority:state-governments").parent_id is None
        # Multi-valued "Collections" cells are ";"-separated.
        in_ndaa = s.scalar(
            select(func.count())
            .select_from(InstrumentCollection)
            .where(InstrumentCollection.collection_id == "agora:ndaa-provisions")
        )
        assert in_ndaa > 100
        deep = s.get(Instrument, "AGORA:36").extra
        assert "Harms: Detrimental content" in deep["tag_flags"]
        assert "Harms: Discrimination" not in deep["tag_flags"]
        assert len(deep["tags"]) == len(set(deep["tags"]))  # repeats per segment dropped
        assert set(deep["tags"]) <= set(deep["tag_flags"])
        assert s.get(Source, "eto-agora-2025-01").url.startswith("https://github.com/ashrane111/")


def test_reimport_agora_never_duplicates(store, shared_data):
    path = AgoraImporter().default_path(shared_data)
    run_import(store, AgoraImporter(), path)
    before = counts(store)
    run_import(store, AgoraImporter(), path)
    assert counts(store) == before


def test_import_agora_collection_export_with_fewer_columns(store, asset):
    run_import(store, AgoraImporter(), asset("ingest/agora/chinese_law_and_policy.csv"))
    assert count(store, Instrument) == 3
    with store.sessions() as s:
        deep = s.get(Instrument, "AGORA:36")
        assert deep.name_en.startswith("Provisions on the Administration of Deep Synthesis")
        assert deep.year == 2022 and deep.type == "document"
        assert [(e.event, e.date_text) for e in deep.events] == [("enacted", "2022-11-25")]
        # No authorities file: the named authority becomes an actor.
        gov = s.get(Actor, "agora-authority:chinese-central-government")
        assert (gov.kind, gov.name_en, gov.jurisdiction) == (
            "authority",
            "Chinese central government",
            None,
        )
        assert {c.id for c in s.scalars(select(Collection))} == {
            "agora:editors-picks",
            "agora:chinese-law-and-policy",
        }
        # Proposed with the same date in both columns: one event, not two.
        draft = s.get(Instrument, "AGORA:1723")
        assert [(e.event, e.date_text) for e in draft.events] == [("proposed", "2024-05-17")]


def test_collection_export_after_full_dump_keeps_authority_details(store, shared_data, asset):
    run_import(store, AgoraImporter(), AgoraImporter().default_path(shared_data))
    before = counts(store)
    run_import(store, AgoraImporter(), asset("ingest/agora/chinese_law_and_policy.csv"))
    assert counts(store) == before
    with store.sessions() as s:
        assert s.get(Actor, "agora-authority:chinese-central-government").jurisdiction == "China"
        assert s.get(Collection, "agora:editors-picks").description_en


@pytest.mark.parametrize(
    ("fault", "field", "value"),
    [
        ("missing_official_name.csv", "Official name", None),
        ("bad_date.csv", "Proposed date", "'2023-02-30'"),
    ],
)
def test_import_agora_rejects_bad_file_and_writes_nothing(store, asset, fault, field, value):
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        run_import(store, AgoraImporter(), asset(f"ingest/agora/{fault}"))
    message = str(caught.value)
    assert fault in message
    # Record 2 spans two lines (a newline inside a quoted summary), so record 3 is line 5.
    assert "record 3 (line 5)" in message
    assert f'field "{field}"' in message
    if value:
        assert value in message
    assert snapshot(store) == before
