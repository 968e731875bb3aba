import datetime as dt

import pytest
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.aiaaic import AiaaicImporter
from commonground.ingest.base import run_import
from commonground.ingest.catalog import get_importer
from commonground.store.models import Source
from commonground.store.models_cases import CaseAttribute, Incident
from commonground.store.stats import table_counts
from tests.ingest.cases_data import count, loaded_cases, snapshot


@pytest.fixture(scope="module")
def cases(request, tmp_path_factory, shared_data):
    return loaded_cases(request, tmp_path_factory, shared_data)


def attributes(session, subject_id: str, kind: str) -> list[tuple[str, str | None]]:
    rows = session.scalars(
        select(CaseAttribute)
        .where(CaseAttribute.subject_id == subject_id, CaseAttribute.kind == kind)
        .order_by(CaseAttribute.position)
    )
    return [(r.value, r.actor_id) for r in rows]


@pytest.mark.slow
def test_aiaaic_loads_2139_incidents_with_attributes(cases):
    store, results = cases
    assert results["aiaaic"].records == 2139
    ns = Incident.namespace == "AIAAIC"
    assert count(store, Incident, ns) == 2139
    assert count(store, Incident, ns, Incident.date.is_(None)) == 171
    assert count(store, Incident, ns, Incident.url.is_(None)) == 84
    assert count(store, Incident, ns, Incident.status != "new") == 0
    with store.sessions() as s:
        years = dict(
            s.execute(
                select(Incident.date, func.count())
                .where(ns, Incident.date.in_([dt.date(y, 1, 1) for y in (2023, 2024, 2025)]))
                .group_by(Incident.date)
            ).all()
        )
        # 366, 399, 219 single years; 2023 adds three "2023-2024" and two "2023-" spans.
        assert years == {
            dt.date(2023, 1, 1): 371,
            dt.date(2024, 1, 1): 399,
            dt.date(2025, 1, 1): 219,
        }
        first = s.get(Incident, "AIAAIC:2152")
        assert first.title_en == "Danish man uses AI chatbot to plan violent attack on his father"
        assert (first.date, first.date_precision, first.url) == (dt.date(2025, 1, 1), "year", None)
        assert first.extra == {"imported": True, "source_record": "AIAAIC2152"}
        assert first.source_id == "aiaaic-repository-2025-12"
        assert attributes(s, "AIAAIC:2152", "country") == [("Denmark", "DNK")]
        assert attributes(s, "AIAAIC:2152", "purpose") == [("Plan violent assault", None)]
        assert attributes(s, "AIAAIC:2152", "harm-individual") == [("Bodily injury", None)]
        stalker = s.get(Incident, "AIAAIC:2151")
        assert stalker.url.endswith(
            "/chatgpt-encourages-violent-stalker-to-harrass-women-across-5-us-states"
        )
        assert [v for v, _ in attributes(s, "AIAAIC:2151", "issue")] == [
            "Accountability",
            "Safety",
            "Transparency",
        ]
        assert [v for v, _ in attributes(s, "AIAAIC:2151", "harm-societal")] == [
            "Anxiety/distress",
            "Harassment",
            "Intimidation",
            "Reputational damage",
        ]
        assert attributes(s, "AIAAIC:2151", "impact-legal-regulatory") == [("Litigation", None)]
        assert attributes(s, "AIAAIC:2151", "country") == [("USA", "USA")]
        # The one repeated id: merged, both lines noted, the fuller first row's values kept.
        repeated = s.get(Incident, "AIAAIC:2094")
        assert repeated.extra["source_lines"] == [64, 135]
        assert repeated.date == dt.date(2025, 1, 1)
        assert "conflicting_values" not in repeated.extra
        assert [v for v, _ in attributes(s, "AIAAIC:2094", "harm-individual")] == [
            "Anxiety/distress",
            "Loss of life",
        ]
        span = s.get(Incident, "AIAAIC:1349")
        assert (span.date, span.extra["occurred"]) == (dt.date(2019, 1, 1), "2019-2024")
        assert s.get(Incident, "AIAAIC:0184").title_en is None
        assert s.get(Incident, "AIAAIC:001").title_en.startswith("Google search conflates")
        assert attributes(s, "AIAAIC:2000", "country") == [("UK - Scotland", "GBR")]
        unresolved = set(
            s.scalars(
                select(CaseAttribute.value).where(
                    CaseAttribute.kind == "country",
                    CaseAttribute.subject_id.startswith("AIAAIC:"),
                    CaseAttribute.actor_id.is_(None),
                )
            )
        )
        assert unresolved == {"Global", "All", "Multiple"}
        assert attributes(s, "AIAAIC:0459", "country") == [("UK - England", "GBR")]
        eu = s.scalars(
            select(CaseAttribute.actor_id).where(
                CaseAttribute.kind == "country",
                CaseAttribute.value.in_(["EU", "European Union", "Kosovo"]),
            )
        ).all()
        assert sorted(eu) == ["EU"] * 9 + ["XKX"] * 2
        source = s.get(Source, "aiaaic-repository-2025-12")
        assert (source.license, source.published) == ("CC BY-SA 4.0", "2025-12")


@pytest.mark.slow
def test_reimporting_every_case_source_changes_nothing(cases, shared_data):
    store, _results = cases
    before = snapshot(store)
    for name in ("aiaaic", "aiid", "avid", "ibm-incidents"):
        importer = get_importer(name)
        run_import(store, importer, importer.default_path(shared_data))
    assert snapshot(store) == before


def test_aiaaic_merges_rows_sharing_an_id(store, asset):
    result = run_import(store, AiaaicImporter(), asset("ingest/aiaaic/merged_duplicate.csv"))
    assert result.records == 2
    with store.sessions() as s:
        merged = s.get(Incident, "AIAAIC:0001")
        assert merged.title_en == "First incident"
        assert merged.extra["source_lines"] == [4, 7]
        assert merged.extra["conflicting_values"] == {
            "headline": ["First incident", "First incident (copy)"]
        }
        assert merged.extra["occurred"] == "2023-2024"
        # No country-codes here: countries stay text.
        assert attributes(s, "AIAAIC:0001", "country") == [
            ("USA", None),
            ("UK - Scotland", None),
            ("Global", None),
            ("France", None),
        ]
        assert [v for v, _ in attributes(s, "AIAAIC:0001", "issue")] == [
            "Safety",
            "Privacy",
            "Accountability",
        ]
        assert [v for v, _ in attributes(s, "AIAAIC:0002", "country")] == ["Benin", "Brazil"]


def test_aiaaic_reimport_keeps_a_triaged_status(store, asset):
    path = asset("ingest/aiaaic/merged_duplicate.csv")
    run_import(store, AiaaicImporter(), path)
    with store.transaction() as s:
        s.get(Incident, "AIAAIC:0002").status = "triaged"
    run_import(store, AiaaicImporter(), path)
    with store.sessions() as s:
        assert s.get(Incident, "AIAAIC:0002").status == "triaged"
        assert s.get(Incident, "AIAAIC:0001").status == "new"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing_id.csv", ['missing_id.csv, record 2 (line 5), field "AIAAIC ID#"', "pattern"]),
        ("bad_occurred.csv", ['bad_occurred.csv, record 3 (line 6), field "Occurred"', "'20x5'"]),
    ],
)
def test_aiaaic_rejects_bad_rows_and_changes_nothing(store, asset, name, expected):
    run_import(store, AiaaicImporter(), asset("ingest/aiaaic/merged_duplicate.csv"))
    before = table_counts(store)
    with pytest.raises(IngestError) as caught:
        run_import(store, AiaaicImporter(), asset(f"ingest/aiaaic/{name}"))
    for part in expected:
        assert part in str(caught.value)
    assert table_counts(store) == before
