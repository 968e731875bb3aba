"""The log's checkpoint, records and bundles over HTTP; sealed records stay hidden."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.store.models import Instrument, Source
from commonground.store.models_cases import Vulnerability
from commonground.tlog import storage
from commonground.tlog.bundle import verify_bundle
from commonground.tlog.envelope import open_commitment
from commonground.tlog.note import Signer, Verifier
from commonground.web.app import create_app

ORIGIN = "test.commonground.org/log"
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
SECRET = "Embargoed-marker-7f3a"


@pytest.fixture
def signer(tmp_path):
    signer = Signer.generate(ORIGIN)
    (tmp_path / "log.key").write_text(signer.to_text(), encoding="utf-8")
    return signer


@pytest.fixture
def web(database_url, tmp_path, signer):
    settings = Settings(
        database_url=database_url,
        log_origin=ORIGIN,
        log_key_file=tmp_path / "log.key",
        page_cache=False,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, app.state.store


def _seed(store, signer) -> None:
    with store.transaction() as session:
        session.add(Source(id="src-t", title="T", origin="curated"))
        session.add(Instrument(id="inst-1", name_en="Instrument one", type="law", origin="curated"))
        session.add(
            Vulnerability(
                id="CG:V-2026-9",
                kind="vulnerability",
                title=SECRET,
                embargo_until=NOW + dt.timedelta(days=90),
                status="new",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    with store.transaction() as session:
        storage.sign_checkpoint(session, ORIGIN, signer)


def test_a_record_verifies_from_what_the_api_gives(web, signer):
    client, store = web
    _seed(store, signer)
    got = client.get("/api/v1/log/records/instrument/inst-1")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["record"]["name_en"] == "Instrument one" and body["covered"] is True
    bundle = client.get(body["bundle_url"])
    assert bundle.status_code == 200 and bundle.text.startswith("c2sp.org/tlog-proof@v1")
    result = verify_bundle(bundle.text, [signer.verifier()], record=body["record"])
    assert result.index == body["leaf_index"]
    vkey = Verifier.from_text(
        client.get("/en/log").text.split('<code class="wrap">')[1].split("<")[0]
    )
    assert vkey.key_id == signer.verifier().key_id
    assert client.get("/api/v1/log/checkpoint").text.startswith(ORIGIN + "\n")


def test_an_embargoed_record_is_not_found_and_not_counted(web, signer):
    client, store = web
    _seed(store, signer)
    hidden = client.get("/api/v1/log/records/vulnerability/CG:V-2026-9")
    unknown = client.get("/api/v1/log/records/vulnerability/CG:V-2026-0")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["error"].replace("9", "0") == unknown.json()["error"]
    for path in ("/en/log", "/zh/log", "/api/v1/log/checkpoint", "/api/v1/stats"):
        page = client.get(path)
        assert SECRET not in page.text and "CG:V-2026-9" not in page.text
    assert client.get("/api/v1/stats").json()["vulnerability"] == 0
    assert client.get("/api/v1/log/sealed/1").status_code == 404


def test_publication_opens_the_sealed_entry(web, signer):
    client, store = web
    _seed(store, signer)
    with store.transaction() as session:
        session.get(Vulnerability, "CG:V-2026-9").published_at = NOW
    with store.transaction() as session:
        storage.sign_checkpoint(session, ORIGIN, signer)
    body = client.get("/api/v1/log/records/vulnerability/CG:V-2026-9").json()
    assert body["record"]["title"] == SECRET and body["history"] == []
    opening = client.get("/api/v1/log/sealed/1").json()
    with store.sessions() as session:
        sealed_entry = storage.entry(session, ORIGIN, 1)
    opened = open_commitment(
        sealed_entry, base64.b64decode(opening["envelope"]), base64.b64decode(opening["salt"])
    )
    assert opened.record_id == "CG:V-2026-9"


def test_unknown_types_and_uncovered_entries_are_clear_errors(web, signer):
    client, store = web
    _seed(store, signer)
    assert "known:" in client.get("/api/v1/log/records/nothing/x").json()["error"]
    with store.transaction() as session:
        session.add(Instrument(id="inst-2", name_en="Two", type="law", origin="curated"))
    body = client.get("/api/v1/log/records/instrument/inst-2").json()
    assert body["covered"] is False and body["bundle_url"] is None
    missing = client.get("/api/v1/log/records/instrument/inst-2/bundle")
    assert missing.status_code == 404 and "no signed checkpoint covers it" in missing.text
