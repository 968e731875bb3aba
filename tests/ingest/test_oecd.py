import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.ingest.oecd import OecdAiImporter
from commonground.store.models import Instrument, InstrumentActor, InstrumentSource
from tests.snapshot import snapshot


def count(store, model, *where) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def actors_of(store, instrument_id: str) -> list[str]:
    with store.sessions() as s:
        return list(
            s.scalars(
                select(InstrumentActor.actor_id).where(
                    InstrumentActor.instrument_id == instrument_id,
                    InstrumentActor.role == "jurisdiction",
                )
            )
        )


def test_import_oecd_ai_policies(store, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    result = run_import(store, OecdAiImporter(), OecdAiImporter().default_path(shared_data))
    assert result.records == 2216
    assert count(store, Instrument, Instrument.origin == "oecd-ai") == 2216
    assert count(store, InstrumentSource) == 2216
    with store.sessions() as s:
        gdpr = s.get(Instrument, "OECD.AI:143dd63b64a0")
        assert gdpr.name_en == "General Data Protection Regulation (GDPR)"
        assert (gdpr.jurisdiction, gdpr.year, gdpr.type, gdpr.legal_force) == (
            "European Union",
            2018,
            "regulation",
            "binding",
        )
        assert gdpr.extra["scores_llm_generated"]["c3_authority"] == 4
        assert gdpr.extra["scores_llm_generated"]["overall_score"] == 3.1
        assert "language models" in gdpr.extra["scores_llm_generated"]["note"]
        assert "c1_clarity" not in gdpr.extra  # scores only under their labelled key
        colombia = s.get(Instrument, "OECD.AI:63368a186351")
        assert (colombia.type, colombia.legal_force, colombia.year) == ("strategy", "soft", 2025)
        assert colombia.extra["income_group"] == "Upper middle income"
        assert colombia.extra["region"] == "Latin America & Caribbean"
        office = s.get(Instrument, "OECD.AI:fbdfcfa7f995")
        assert (office.type, office.legal_force) == ("action plan", "none")
        fraunhofer = s.scalar(select(Instrument).where(Instrument.name_en == "Fraunhofer Society"))
        assert fraunhofer.year == 1956  # an outlier kept as given
    assert actors_of(store, "OECD.AI:143dd63b64a0") == []  # European Union: no ISO actor
    assert actors_of(store, "OECD.AI:fbdfcfa7f995") == ["USA"]  # "United States"
    assert actors_of(store, "OECD.AI:c0e62516b7c7") == ["TUR"]  # "Türkiye"
    china = select(Instrument.id).where(Instrument.jurisdiction.like("China (People%"))
    with store.sessions() as s:
        some_chinese = s.scalars(china).first()
    assert actors_of(store, some_chinese) == ["CHN"]
    assert count(store, InstrumentActor) == 2216 - 60 - 19 - 5 - 13  # EU, OECD/GPAI, blank, others


def test_import_oecd_without_country_codes_links_nothing(store, shared_data):
    run_import(store, OecdAiImporter(), OecdAiImporter().default_path(shared_data))
    assert count(store, Instrument) == 2216
    assert count(store, InstrumentActor) == 0


def test_reimport_oecd_never_duplicates(store, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    path = OecdAiImporter().default_path(shared_data)
    run_import(store, OecdAiImporter(), path)
    before = (
        count(store, Instrument),
        count(store, InstrumentActor),
        count(store, InstrumentSource),
    )
    run_import(store, OecdAiImporter(), path)
    after = (
        count(store, Instrument),
        count(store, InstrumentActor),
        count(store, InstrumentSource),
    )
    assert after == before


@pytest.mark.parametrize(
    ("fault", "where", "field", "value"),
    [
        ("non_numeric_year.csv", "record 3 (line 4)", "year", "'circa 2021'"),
        ("duplicate_entry_id.csv", "record 4 (line 5)", "entry_id", "'143dd63b64a0'"),
    ],
)
def test_import_oecd_rejects_bad_file_and_writes_nothing(store, asset, fault, where, field, value):
    before = snapshot(store)
    with pytest.raises(IngestError) as caught:
        run_import(store, OecdAiImporter(), asset(f"ingest/oecd/{fault}"))
    message = str(caught.value)
    assert fault in message
    assert where in message
    assert f'field "{field}"' in message
    assert value in message
    assert snapshot(store) == before
