"""Server-rendered pages in both languages, their twins and their errors."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest


def status_text(html: str) -> str:
    match = re.search(r'role="status">([^<]*)<', html)
    assert match, "no role=status element"
    return match.group(1).strip()


def count_in(html: str) -> int:
    match = re.search(r"\d[\d,]*", status_text(html))
    return int(match.group(0).replace(",", "")) if match else 0


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
@pytest.mark.parametrize(
    "path",
    [
        "",
        "instruments",
        "instruments/bletchley-declaration",
        "actors",
        "actors/CHN",
        "sources",
        "sources/govuk-bletchley",
        "coverage",
        "search?q=治理",
    ],
)
def test_every_main_page_renders_in_every_language(client, lang, path):
    page = client.get(f"/{lang}/{path}")
    assert page.status_code == 200
    html_lang = {"en": "en", "zh": "zh-Hans", "zh-Hant": "zh-Hant"}[lang]
    assert f'<html lang="{html_lang}">' in page.text
    # The language switch keeps the page.
    for other in ("en", "zh", "zh-Hant"):
        assert f'href="/{other}/{quote(path, safe="/?=&")}"' in page.text.replace("&amp;", "&")


def test_root_redirects_by_accept_language(client):
    assert (
        client.get(
            "/", headers={"accept-language": "zh-CN,zh;q=0.9"}, follow_redirects=False
        ).headers["location"]
        == "/zh/"
    )
    assert (
        client.get("/", headers={"accept-language": "zh-TW"}, follow_redirects=False).headers[
            "location"
        ]
        == "/zh-Hant/"
    )
    assert (
        client.get("/", headers={"accept-language": "fr"}, follow_redirects=False).headers[
            "location"
        ]
        == "/en/"
    )


def test_instrument_page_shows_both_names_signatories_and_sources(client):
    en = client.get("/en/instruments/bletchley-declaration").text
    assert "The Bletchley Declaration by Countries Attending the AI Safety Summit" in en
    assert "《布莱切利宣言》" in en  # the other language beside
    assert 'href="/en/actors/CHN"' in en and "Endorsed" in en
    assert "gov.uk" in en
    zh = client.get("/zh/instruments/bletchley-declaration").text
    assert "<h1>《布莱切利宣言》</h1>" in zh and "认可" in zh
    hant = client.get("/zh-Hant/instruments/bletchley-declaration").text
    assert "<h1>《布萊切利宣言》</h1>" in hant  # traditional characters through OpenCC
    assert "簽署方與參與方" in hant


def test_ui_strings_are_translated(client):
    zh = client.get("/zh/instruments").text
    for text in ("治理文书", "筛选", "法律效力", "下载当前视图"):
        assert text in zh
    assert "Apply filters" not in zh


def test_facets_narrow_the_list_and_counts_add_up(client):
    everything = count_in(client.get("/en/instruments").text)
    declarations = count_in(client.get("/en/instruments?type=declaration").text)
    two_types = count_in(client.get("/en/instruments?type=declaration&type=statement").text)
    statements = count_in(client.get("/en/instruments?type=statement").text)
    assert 0 < declarations < everything
    assert two_types == declarations + statements


def test_csv_download_is_what_you_see(client):
    page = client.get("/en/instruments?type=declaration&sort=name").text
    shown = count_in(page)
    download = client.get("/en/instruments.csv?type=declaration&sort=name")
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == shown
    names = [r["name_en"] for r in rows]
    assert names == sorted(names)
    assert client.get("/en/instruments.json?type=declaration").json()[0]["type"] == "declaration"


def test_pagination_walks_every_row_once(client):
    seen: list[str] = []
    url = "/en/actors?kind=state"
    while url:
        html = client.get(url).text
        seen += re.findall(r'<a href="/en/actors/([A-Z]{3})">', html)
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert len(seen) == len(set(seen)) == count_in(client.get("/en/actors?kind=state").text)


def test_unknown_record_is_a_404_page_in_the_visitors_language(client):
    page = client.get("/zh/instruments/no-such-thing")
    assert page.status_code == 404 and "未找到" in page.text
    assert client.get("/en/instruments.xml").status_code == 404
    assert client.get("/fr/instruments").status_code == 404


def test_bad_cursor_is_a_400_not_a_500(client):
    assert client.get("/en/instruments?cursor=%%%").status_code == 400


def test_search_finds_simplified_and_traditional_alike(client):
    simplified = client.get("/en/search?q=人工智能").text
    traditional = client.get("/en/search?q=人工智慧").text
    assert count_in(simplified) > 0
    assert count_in(simplified) == count_in(traditional)
    two = client.get("/zh/search?q=治理").text
    assert count_in(two) > 0 and "<mark>治理</mark>" in two


def test_search_input_is_escaped(client):
    page = client.get("/en/search?q=<script>alert(1)</script>").text
    assert "<script>alert(1)</script>" not in page


def test_forged_cursors_with_wrong_types_are_400(client):
    from commonground.registry.pagination import encode_cursor

    for url in (
        f"/en/instruments?cursor={encode_cursor(['not-a-year', 'x'])}",
        f"/en/instruments?sort=name&cursor={encode_cursor([2024, 'x'])}",
        f"/en/actors?cursor={encode_cursor([1, 2])}",
        f"/en/sources?cursor={encode_cursor([7])}",
    ):
        assert client.get(url).status_code == 400, url


def test_actor_income_facet_counts_each_state_once(client):
    import re as _re

    html = client.get("/en/actors?kind=state").text
    counts = {
        value: int(n)
        for value, n in _re.findall(
            r'name="income" value="(\w+)"[^>]*>\s*[^<]*<span class="count">(\d+)</span>', html
        )
    }
    assert set(counts) == {"H", "UM", "LM", "L"}
    # FY23 counts from the World Bank list (PROVENANCE.md), restricted to ISO states.
    assert counts["H"] > counts["L"] > 0 and sum(counts.values()) <= 217


def test_unknown_api_path_answers_in_the_json_error_shape(client):
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.json()["ok"] is False
