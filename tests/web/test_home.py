from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.web.app import create_app


def test_home_page_counts_what_the_store_holds(store, database_url, shared_data):
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    client = TestClient(create_app(Settings(database_url=database_url), store=store))
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert "<strong>249</strong> actors" in page.text
    assert "<strong>249</strong> 个行为体" in client.get("/zh/").text
    assert client.get("/api/v1/stats").json()["actor"] == 249


def test_home_timeline_lists_international_instruments_by_year(client):
    page = client.get("/en/").text
    assert "<h3>2023</h3>" in page and 'href="/en/instruments/bletchley-declaration"' in page
    assert "<h3>2018</h3>" not in page  # the timeline starts in 2019
