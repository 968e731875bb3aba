"""The representation pages and their CSV twins, in every language: over the bundled
dataset (the HLAB and each summit document) and over the small synthetic fixture of
tests/analysis/test_representation.py (hand-computed numbers)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from commonground.analysis.representation import DEFAULT_INSTRUMENTS
from commonground.config import Settings
from commonground.web.app import create_app
from tests.analysis.test_representation import BODY, DECLARATION, build_fixture

LANGS = ["en", "zh", "zh-Hant"]
SUMMIT_DOCUMENTS = [
    "bletchley-declaration",
    "seoul-declaration",
    "seoul-ministerial-statement",
    "paris-statement-inclusive-sustainable-ai",
]
REFERENCE_NAME = {"en": "UN member states", "zh": "联合国会员国", "zh-Hant": "聯合國會員國"}
PARTIAL = {"en": "Partial list", "zh": "名单不完整", "zh-Hant": "名單不完整"}


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def _specs(html: str) -> dict[str, dict]:
    found = re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', html, re.S)
    return {id: json.loads(text) for id, text in found}


# -- the bundled dataset --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("instrument", ["un-hlab-ai", *SUMMIT_DOCUMENTS])
def test_instrument_page_shows_income_and_region_against_the_reference(client, lang, instrument):
    page = client.get(f"/{lang}/representation/{instrument}")
    assert page.status_code == 200, page.text
    html = page.text
    assert REFERENCE_NAME[lang] in html
    specs = _specs(html)
    assert {"rep-income-spec", "rep-region-spec", "rep-subregion-spec", "rep-status-spec"} <= set(
        specs
    )
    for dimension in ("income", "region"):
        spec = specs[f"rep-{dimension}-spec"]
        assert spec["data"]["values"], f"{dimension} chart without data"
        assert f'data-vega="rep-{dimension}-spec"' in html
    rows = _csv(client.get(f"/{lang}/representation/{instrument}.csv"))
    assert {r["dimension"] for r in rows} == {"income", "region", "subregion", "status"}
    income = [r for r in rows if r["dimension"] == "income"]
    assert sum(int(r["reference_count"]) for r in income) == 193
    assert all(r["fiscal_year"] == "FY23" for r in income)
    counted = {int(r["participant_base"]) for r in income}
    assert len(counted) == 1 and sum(int(r["participants"]) for r in income) == counted.pop()
    partial = rows[0]["partial"] == "True"
    assert (PARTIAL[lang] in html) is partial


def test_hlab_page_flags_the_partial_list_and_shows_the_seeds_figures(client):
    html = client.get("/en/representation/un-hlab-ai").text
    assert "Partial list." in html and "The sources report 39 participants." in html
    assert "24 from high-income countries (61.5%)" in html  # the seed, from claims.csv
    assert "close to 90%" in html
    assert re.search(r"\d+ of the \d+ members with a known nationality \(\d+\.\d%\)", html)
    assert "claim-009" in html and "claim-010" in html
    assert "Nationality not stated" in html
    zh = client.get("/zh/representation/un-hlab-ai").text
    assert "名单不完整" in zh and "来自高收入国家的成员" in zh
    hant = client.get("/zh-Hant/representation/un-hlab-ai").text
    assert "名單不完整" in hant and "來自高收入國家的成員" in hant


def test_instrument_csv_twins_for_participants_and_left_out(client):
    people = _csv(client.get("/en/representation/un-hlab-ai.csv?table=participants"))
    assert people and {p["counted_as"] for p in people} <= {"nationality", "unknown"}
    assert all(p["partial_list"] == "True" for p in people)
    assert all(p["country"] == "" for p in people if p["counted_as"] == "unknown")
    left = _csv(client.get("/zh/representation/bletchley-declaration.csv?table=left_out"))
    ids = {r["country"] for r in left}
    assert "CHN" not in ids and "USA" not in ids and len(ids) > 100
    assert all(re.search(r"[\u4e00-\u9fff]", r["name"]) for r in left)  # names in Chinese


@pytest.mark.parametrize("lang", LANGS)
def test_overview_compares_the_eight_instruments_in_one_chart(client, lang):
    page = client.get(f"/{lang}/representation")
    assert page.status_code == 200, page.text
    specs = _specs(page.text)
    bars = {v["bar"] for v in specs["rep-income-spec"]["data"]["values"]}
    assert len(bars) == len(DEFAULT_INSTRUMENTS) + 1  # and the reference population
    assert any(REFERENCE_NAME[lang] in b for b in bars)
    assert page.text.count('name="instrument"') > 8
    rows = _csv(client.get(f"/{lang}/representation.csv"))
    assert {r["instrument"] for r in rows} == set(DEFAULT_INSTRUMENTS)
    states = _csv(client.get(f"/{lang}/representation.csv?table=states"))
    assert len(states) == 193 and {s["party_to"] for s in states} <= {"none", "some", "all"}


def test_overview_with_chosen_instruments_and_reference(client):
    page = client.get(
        "/en/representation?instrument=seoul-declaration&instrument=bletchley-declaration&reference=economies"
    )
    assert page.status_code == 200
    assert "All economies with a World Bank income group" in page.text
    rows = _csv(
        client.get(
            "/en/representation.csv?instrument=seoul-declaration&instrument=bletchley-declaration"
        )
    )
    assert {r["instrument"] for r in rows} == {"seoul-declaration", "bletchley-declaration"}


@pytest.mark.parametrize("lang", LANGS)
def test_matrix_page_filters_sorts_and_downloads(client, lang):
    page = client.get(f"/{lang}/matrix")
    assert page.status_code == 200, page.text
    every = _csv(client.get(f"/{lang}/matrix.csv"))
    africa = _csv(client.get(f"/{lang}/matrix.csv?region=002&sort=parties"))
    assert 0 < len(africa) < len(every)
    assert [int(r["party_to"]) for r in africa] == sorted(
        (int(r["party_to"]) for r in africa), reverse=True
    )
    high = _csv(client.get(f"/{lang}/matrix.csv?income=H"))
    assert high and all(r["income"] == "H" for r in high)
    none = _csv(client.get(f"/{lang}/matrix.csv?party=none"))
    assert none and all(r["party_to"] == "0" for r in none)


def test_errors(client):
    assert client.get("/en/representation/no-such-instrument").status_code == 404
    assert client.get("/en/representation?reference=planet").status_code == 400
    assert client.get("/en/representation/bletchley-declaration?as_of=soon").status_code == 400
    assert client.get("/en/matrix?sort=shoe").status_code == 400
    assert client.get("/en/representation/bletchley-declaration.csv?table=x").status_code == 400
    assert client.get("/en/matrix.xml").status_code == 404


# -- the synthetic fixture: hand-computed numbers through the web ----------------------------


@pytest.fixture
def fixture_client(store):  # type: ignore[no-untyped-def]
    build_fixture(store)
    app = create_app(Settings(database_url="sqlite://"), store=store)
    with TestClient(app) as client:
        yield client


def test_fixture_numbers_through_the_csv_twin(fixture_client):
    rows = _csv(fixture_client.get(f"/en/representation/{DECLARATION}.csv"))
    um = next(r for r in rows if r["dimension"] == "income" and r["group"] == "UM")
    assert (um["participants"], um["participant_base"], um["reference_count"]) == ("1", "2", "1")
    assert (um["participant_share"], um["reference_share"], um["ratio"]) == ("0.5", "0.25", "2.0")
    assert um["fiscal_year"] == "FY15"
    page = fixture_client.get(f"/en/representation/{BODY}").text
    assert "Partial list." in page and "FY24 is not in our data" in page
    matrix = _csv(fixture_client.get(f"/en/matrix.csv?instrument={DECLARATION}&instrument={BODY}"))
    by_id = {r["country"]: r for r in matrix}
    assert by_id["AAA"]["party_to"] == "2" and by_id["DDD"][DECLARATION] == "refused"
    overview = fixture_client.get(f"/zh/representation?instrument={DECLARATION}&instrument={BODY}")
    assert overview.status_code == 200 and "均未参与" in overview.text
