import pytest
from sqlalchemy import select

from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.ibm_incidents import IbmIncidentsImporter
from commonground.ingest.ibm_nexus import IbmNexusImporter
from commonground.store.models_cases import (
    CaseTag,
    Incident,
    IncidentReport,
    IncidentReportLink,
)
from commonground.store.stats import table_counts
from tests.ingest.cases_data import count, loaded_cases


@pytest.fixture(scope="module")
def cases(request, tmp_path_factory, shared_data):
    return loaded_cases(request, tmp_path_factory, shared_data)


@pytest.mark.slow
def test_ibm_incidents_loads_38_examples_tagged_with_atlas_risks(cases):
    store, results = cases
    assert results["ibm-incidents"].records == 38
    assert count(store, Incident, Incident.namespace == "IBM") == 38
    assert count(store, IncidentReport, IncidentReport.id.startswith("IBM:")) == 38
    assert count(store, IncidentReportLink, IncidentReportLink.incident_id.startswith("IBM:")) == 38
    # 37 examples name one risk, one names two.
    assert count(store, CaseTag, CaseTag.subject_id.startswith("IBM:")) == 39
    with store.sessions() as s:
        bias = s.get(Incident, "IBM:ibm-risk-atlas-ri-healthcare-bias")
        assert (bias.title_en, bias.date, bias.status) == ("Healthcare Bias", None, "new")
        assert bias.description_en.startswith("According to the research article")
        report = s.get(IncidentReport, "IBM:ibm-risk-atlas-ri-healthcare-bias#source")
        assert report.publisher == "Forbes, December 2022"
        assert report.url.startswith("https://www.forbes.com/sites/adigaskell/2022/12/02/")
        terms = s.scalars(
            select(CaseTag.term_id).where(
                CaseTag.subject_id == "IBM:ibm-risk-atlas-ri-healthcare-bias"
            )
        ).all()
        assert terms == ["atlas-data-bias"]


def test_ibm_incidents_without_ibm_nexus_names_the_missing_import(store, shared_data):
    path = IbmIncidentsImporter().default_path(shared_data)
    with pytest.raises(IngestError, match="import ibm-nexus first"):
        run_import(store, IbmIncidentsImporter(), path)
    assert count(store, Incident) == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("unknown_risk.yaml", ['record 1 (line 2), field "refersToRisk.1"', "atlas-no-such-risk"]),
        ("missing_id.yaml", ['record 1 (line 2), field "id"', "Field required"]),
    ],
)
def test_ibm_incidents_rejects_bad_examples_and_changes_nothing(
    store, shared_data, asset, name, expected
):
    run_import(store, IbmNexusImporter(), shared_data / "ibm-risk-atlas-nexus")
    before = table_counts(store)
    with pytest.raises(IngestError) as caught:
        run_import(store, IbmIncidentsImporter(), asset(f"ingest/ibm-incidents/{name}"))
    for part in [name, *expected]:
        assert part in str(caught.value)
    assert table_counts(store) == before
