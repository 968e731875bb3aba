import datetime as dt

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.ingest.worldbank import WorldBankImporter, fiscal_year_bounds
from commonground.store.models import Actor, ActorFact, Source


def count(store, model, *where) -> int:
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def fact(store, actor_id: str, key: str, period: str) -> ActorFact | None:
    with store.sessions() as s:
        return s.scalar(
            select(ActorFact).where(
                ActorFact.actor_id == actor_id, ActorFact.key == key, ActorFact.period == period
            )
        )


@pytest.fixture
def with_countries(store, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    return store


def test_fiscal_year_bounds():
    assert fiscal_year_bounds("FY23") == (dt.date(2022, 7, 1), dt.date(2023, 6, 30))
    assert fiscal_year_bounds("FY89") == (dt.date(1988, 7, 1), dt.date(1989, 6, 30))
    assert fiscal_year_bounds("FY00") == (dt.date(1999, 7, 1), dt.date(2000, 6, 30))


def test_import_worldbank_fy23_counts_and_history(with_countries, shared_data):
    store = with_countries
    run_import(store, WorldBankImporter(), WorldBankImporter().default_path(shared_data))
    fy23 = (ActorFact.key == "wb_income_group", ActorFact.period == "FY23")
    counts = {
        v: count(store, ActorFact, *fy23, ActorFact.value == v) for v in ("H", "UM", "LM", "L")
    }
    assert counts == {"H": 81, "UM": 54, "LM": 54, "L": 28}

    china = fact(store, "CHN", "wb_income_group", "FY23")
    assert china.value == "UM"
    assert (china.valid_from, china.valid_to) == (dt.date(2022, 7, 1), dt.date(2023, 6, 30))
    assert china.source_id == "worldbank-oghist-fy89-fy23"
    assert fact(store, "CHN", "wb_income_group", "FY03").value == "LM"  # moved up by FY23
    assert fact(store, "CHN", "wb_region", "FY23").value == "East Asia & Pacific"
    assert fact(store, "CHN", "wb_lending_category", "FY23").value == "IBRD"
    assert fact(store, "USA", "wb_lending_category", "FY23") is None  # empty cell: no fact

    yemen = fact(store, "YEM", "wb_income_group", "FY89")
    assert yemen.value == "LM" and "*" in yemen.note
    assert fact(store, "ALB", "wb_income_group", "FY89") is None  # ".." is not a fact
    assert fact(store, "VEN", "wb_income_group", "FY23") is None  # unclassified in FY23

    with store.sessions() as s:
        economies = {a.id: a for a in s.scalars(select(Actor).where(Actor.origin == "worldbank"))}
        assert set(economies) == {"CHI", "XKX", "ANT", "CSK", "SUN", "YUG"}
        assert economies["XKX"].name_en == "Kosovo" and economies["XKX"].name_zh is None
        assert economies["CSK"].kind == "economy"
        assert s.get(Actor, "CHN").origin == "country-codes"  # existing states untouched
        sources = s.scalars(select(Source).where(Source.origin == "worldbank")).all()
        assert {src.id for src in sources} == {"worldbank-class-fy23", "worldbank-oghist-fy89-fy23"}
        assert all(src.url and src.license and src.published for src in sources)
    assert fact(store, "CSK", "wb_income_group", "FY92").value == "UM"


def test_reimport_worldbank_never_duplicates(with_countries, shared_data):
    store = with_countries
    path = WorldBankImporter().default_path(shared_data)
    run_import(store, WorldBankImporter(), path)
    facts, actors = count(store, ActorFact), count(store, Actor)
    run_import(store, WorldBankImporter(), path)
    assert (count(store, ActorFact), count(store, Actor)) == (facts, actors)


def test_import_worldbank_requires_country_codes_first(store, shared_data):
    with pytest.raises(IngestError, match="import country-codes first"):
        run_import(store, WorldBankImporter(), WorldBankImporter().default_path(shared_data))
    assert count(store, Actor) == 0


def test_import_worldbank_rejects_unknown_income_group_and_writes_nothing(with_countries, asset):
    store = with_countries
    actors = count(store, Actor)
    with pytest.raises(IngestError) as caught:
        run_import(store, WorldBankImporter(), asset("ingest/worldbank/bad_income_group.csv"))
    message = str(caught.value)
    assert "bad_income_group.csv" in message
    assert "record 3 (line 4)" in message
    assert 'field "FY89"' in message
    assert "'X'" in message
    assert count(store, ActorFact) == 0
    assert count(store, Actor) == actors
    assert count(store, Source, Source.origin == "worldbank") == 0
