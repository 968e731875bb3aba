"""Pages are cached per data version: a write shows at once; unchanged pages revalidate."""

from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.ingest.base import run_import
from commonground.ingest.country_codes import CountryCodesImporter
from commonground.web.app import create_app


def test_a_write_changes_the_version_the_etag_and_the_page(store, database_url, shared_data):
    client = TestClient(create_app(Settings(database_url=database_url), store=store))
    before = client.get("/en/actors")
    assert "0 actors" in before.text
    etag = before.headers["etag"]
    assert client.get("/en/actors", headers={"if-none-match": etag}).status_code == 304
    version = store.version()
    run_import(store, CountryCodesImporter(), shared_data / "country-codes")
    assert store.version() == version + 1
    after = client.get("/en/actors", headers={"if-none-match": etag})
    assert after.status_code == 200 and "249 actors" in after.text
    assert after.headers["etag"] != etag


def test_a_failed_write_leaves_the_version_alone(store, tmp_path):
    import pytest

    from commonground.errors import IngestError

    version = store.version()
    (tmp_path / "country-codes.csv").write_text("ISO3166-1-Alpha-3\nxx\n")
    (tmp_path / "UNSD-m49-cn.csv").write_text("ISO-alpha3 Code,Region Name,Sub-region Name\n")
    with pytest.raises(IngestError):
        run_import(store, CountryCodesImporter(), tmp_path)
    assert store.version() == version


def test_concurrent_misses_render_a_page_once(store, database_url, monkeypatch):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from commonground.registry import sources as source_queries

    calls = []
    original = source_queries.list_sources

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(source_queries, "list_sources", counting)
    app = create_app(Settings(database_url=database_url), store=store)

    async def fetch_many() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/en/sources") for _ in range(8)))
        return [a.status_code for a in answers]

    # In a thread of its own: other tests (Playwright's sync API) may leave an event
    # loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        statuses = pool.submit(asyncio.run, fetch_many()).result()
    assert statuses == [200] * 8
    assert len(calls) == 1
