from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.web.app import create_app


def test_home_page_shows_counts_in_both_languages(store, database_url, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    client = TestClient(create_app(Settings(database_url=database_url), store=store))
    page = client.get("/")
    assert page.status_code == 200
    assert "数据概况" in page.text and "What the store holds" in page.text
    assert "<td>actor</td><td>249</td>" in page.text
    assert client.get("/api/v1/stats").json()["actor"] == 249
