"""The consensus, principles and glossary pages over the bundled dataset (with ibm-nexus, whose
OECD and UN principle terms the crosswalk points at)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.store.engine import Store
from commonground.web.app import create_app
from tests.conftest import _new_database


@pytest.fixture(scope="module")
def client(tmp_path_factory, shared_data):
    from commonground.ingest.base import run_import
    from commonground.ingest.catalog import get_importer

    with _new_database(tmp_path_factory.mktemp("consensus-web")) as url:
        store = Store.from_url(url)
        for name in ("country-codes", "worldbank", "ibm-nexus", "curated"):
            importer = get_importer(name)
            run_import(store, importer, importer.default_path(shared_data))
        app = create_app(Settings(database_url="sqlite://"), store=store)
        with TestClient(app) as client:
            yield client
        store.dispose()


def test_consensus_defaults_to_usa_and_china(client):
    page = client.get("/en/consensus")
    assert page.status_code == 200
    html = page.text
    assert 'value="USA" selected' in html and 'value="CHN" selected' in html
    assert "Principles both endorse" in html and "Principles only China endorses" in html
    # Shared and divergent principles with evidence links.
    assert "Human-centred (people-centred)" in html and "Respect for sovereignty" in html
    assert 'href="/en/instruments/cn-global-ai-governance-action-plan"' in html
    assert 'href="/en/sources/seed-002"' in html
    # The Paris statement: China signed, the US refused.
    assert re.search(r"Paris statement.*?refused", html, re.S)


def test_every_machine_tag_shows_method_and_review_status(client):
    html = client.get("/en/consensus?a=USA&b=CHN").text
    marks = html.count('<span class="machine" title="Machine-made tag">')
    assert marks > 0
    assert html.count("[rule · unreviewed") == marks


def test_consensus_in_chinese_and_its_chart(client):
    html = client.get("/zh/consensus?a=USA&b=CHN").text
    assert "双方共同认可的原则" in html and "以人为本" in html and "机器标签" in html
    spec = json.loads(re.search(r'id="consensus-spec">(.*?)</script>', html, re.S).group(1))
    assert spec["mark"]["type"] == "bar"
    assert 'data-vega="consensus-spec"' in html
    assert "尊重主权" in {v["principle"] for v in spec["data"]["values"]}


def test_consensus_csv_twin(client):
    response = client.get("/en/consensus.csv?a=USA&b=CHN")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by = {(r["principle"], r["actor"]): r for r in rows}
    assert by[("cg-principles:respect-for-sovereignty", "CHN")]["instruments"] == "1"
    assert by[("cg-principles:respect-for-sovereignty", "USA")]["instruments"] == "0"
    assert by[("cg-principles:human-centred", "USA")]["status"] == "both"


def test_bad_pairs(client):
    assert client.get("/en/consensus?a=USA&b=USA").status_code == 400
    assert client.get("/en/consensus?a=USA&b=ZZZ").status_code == 404


def test_principles_page_shows_the_crosswalk_and_tags(client):
    html = client.get("/en/principles").text
    assert "Transparency and explainability (Principle 1.3)" in html
    assert "skos:closeMatch" in html and "unreviewed" in html
    assert "⚙ machine tag" in html
    zh = client.get("/zh-Hant/principles").text
    assert "尊重主權" in zh


def test_glossary_gives_each_sides_usage(client):
    html = client.get("/en/glossary").text
    assert "Red-teaming" in html and "红队测试" in html
    assert "US side" in html and "Chinese side" in html
    assert 'href="/en/sources/ul-s19"' in html
    assert client.get("/zh/glossary").status_code == 200
