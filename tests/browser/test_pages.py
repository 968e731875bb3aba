"""The site in a real browser (Debian's Chromium through Playwright): both languages, the
language switch, search in simplified and traditional characters, facets with and
without JavaScript, an instrument page, a CSV download, the keyboard, and a full-page
screenshot of each main page in English and Chinese (artifacts/screenshots/)."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytestmark = pytest.mark.browser

BLETCHLEY = "bletchley-declaration"


def _count(page) -> int:  # type: ignore[no-untyped-def]
    """The number in the page's role=status line ("1,234 instruments", "共 1,234 …")."""
    text = page.get_by_role("status").first.inner_text()
    digits = re.search(r"\d[\d,\s]*", text)
    assert digits, f"no count in the status line: {text!r}"
    return int(re.sub(r"\D", "", digits.group()))


def _search_or_skip(page, lang: str, q: str):  # type: ignore[no-untyped-def]
    response = page.goto(f"/{lang}/search?q={quote(q)}")
    if response is not None and response.status == 404:
        pytest.skip("the search page (/{lang}/search) is not in this build yet: it returns 404")
    assert response is not None and response.ok, response and response.status
    return response


def _open_facet_value(page, name: str, value: str):  # type: ignore[no-untyped-def]
    """The facet checkbox, opening its "n more" disclosure when it is folded away."""
    box = page.locator(f'input[type=checkbox][name="{name}"][value="{value}"]')
    assert box.count() == 1, f"no {name}={value} facet on {page.url}"
    if not box.is_visible():
        box.locator("xpath=ancestor::details[1]/summary").click()
    return box


# -- both languages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "html_lang", "nav"),
    [
        ("en", "en", "Instruments"),
        ("zh", "zh-Hans", "治理文书"),
        ("zh-Hant", "zh-Hant", "治理文書"),
    ],
)
def test_home_in_each_language(page, lang, html_lang, nav):
    response = page.goto(f"/{lang}/")
    assert response.ok
    assert page.locator("html").get_attribute("lang") == html_lang
    main_nav = page.get_by_role("navigation", name=re.compile("Main|主要|导航|導航"))
    assert main_nav.get_by_role("link", name=nav, exact=True).is_visible()
    current = page.locator("nav.langs a[aria-current=true]")
    assert current.get_attribute("href") == f"/{lang}/"


def test_root_redirects_by_accept_language(browser, base_url):
    context = browser.new_context(
        base_url=base_url, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    )
    try:
        page = context.new_page()
        page.goto("/")
        assert urlsplit(page.url).path == "/zh/"
    finally:
        context.close()


def test_language_switch_keeps_the_page(page):
    page.goto(f"/en/instruments/{BLETCHLEY}")
    assert "Bletchley" in page.locator("h1").inner_text()
    page.locator("nav.langs").get_by_role("link", name="简体中文").click()
    page.wait_for_url(f"**/zh/instruments/{BLETCHLEY}")
    assert urlsplit(page.url).path == f"/zh/instruments/{BLETCHLEY}"
    assert page.locator("h1").inner_text() == "《布莱切利宣言》"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    page.locator("nav.langs").get_by_role("link", name="繁體中文").click()
    page.wait_for_url(f"**/zh-Hant/instruments/{BLETCHLEY}")
    assert page.locator("h1").inner_text() == "《布萊切利宣言》"

    page.locator("nav.langs").get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/instruments/{BLETCHLEY}")
    assert "Bletchley Declaration" in page.locator("h1").inner_text()


def test_language_switch_keeps_the_filters(page):
    page.goto("/en/instruments?type=declaration&sort=oldest")
    english = _count(page)
    page.locator("nav.langs").get_by_role("link", name="简体中文").click()
    page.wait_for_url("**/zh/instruments?*")
    query = parse_qs(urlsplit(page.url).query)
    assert query.get("type") == ["declaration"] and query.get("sort") == ["oldest"]
    assert _count(page) == english


# -- search -----------------------------------------------------------------------------


def _hit_hrefs(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("ol.hits li a").evaluate_all("els => els.map(e => e.getAttribute('href'))")


def test_search_box_finds_by_simplified_and_traditional_characters(page):
    _search_or_skip(page, "en", "")  # skips while the page is missing
    page.goto("/en/")
    box = page.get_by_role("searchbox")
    box.fill("布莱切利")
    box.press("Enter")
    page.wait_for_url("**/en/search?*")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["布莱切利"]
    simplified = _hit_hrefs(page)
    assert f"/en/instruments/{BLETCHLEY}" in simplified
    assert "布莱切利" in page.get_by_role("status").inner_text()

    box = page.get_by_role("searchbox")
    assert box.input_value() == "布莱切利"  # the box keeps the query
    box.fill("布萊切利")  # traditional
    box.press("Enter")
    page.wait_for_url(re.compile(r"q=%E5%B8%83%E8%90%8A"))
    traditional = _hit_hrefs(page)
    assert f"/en/instruments/{BLETCHLEY}" in traditional
    assert _count(page) > 0 and set(traditional) == set(simplified)


def test_search_in_chinese_pages_links_to_chinese_pages(page):
    _search_or_skip(page, "zh", "人工智能治理")
    assert _count(page) > 0
    hrefs = _hit_hrefs(page)
    assert hrefs and all(h.startswith("/zh/") for h in hrefs)
    page.locator("ol.hits li a").first.click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path.startswith("/zh/")
    assert page.locator("h1").inner_text().strip()


def test_search_traditional_page_shows_traditional(page):
    _search_or_skip(page, "zh-Hant", "布萊切利宣言")
    assert _count(page) > 0
    assert "《布萊切利宣言》" in page.locator("ol.hits").inner_text()


# -- facets -----------------------------------------------------------------------------


def test_ticking_a_facet_narrows_the_list(page):
    page.goto("/en/instruments")
    everything = _count(page)
    box = _open_facet_value(page, "type", "declaration")
    label = box.locator("xpath=..").inner_text()
    assert label.split()[0] == "Declaration"
    expected = int(re.sub(r"\D", "", box.locator("xpath=../span[@class='count']").inner_text()))
    with page.expect_navigation():
        box.check()  # app.js submits the form on change
    assert parse_qs(urlsplit(page.url).query).get("type") == ["declaration"]
    narrowed = _count(page)
    assert 0 < narrowed < everything
    assert narrowed == expected  # the facet's own count was right
    assert page.locator('input[name="type"][value="declaration"]').is_checked()
    types = page.locator("table.list tbody td:nth-child(2)").all_inner_texts()
    assert types and all(t.startswith("Declaration") for t in types), types

    with page.expect_navigation():
        page.locator('input[name="type"][value="declaration"]').uncheck()
    assert _count(page) == everything


def test_facets_work_without_javascript(page_without_js):
    page = page_without_js
    page.goto("/zh/instruments")
    everything = _count(page)
    _open_facet_value(page, "type", "declaration").check()
    assert urlsplit(page.url).path == "/zh/instruments"  # nothing happened without JS
    with page.expect_navigation():
        page.get_by_role("button", name="应用筛选").click()
    assert parse_qs(urlsplit(page.url).query).get("type") == ["declaration"]
    assert 0 < _count(page) < everything


def test_sort_menu_reorders(page):
    page.goto("/en/instruments?origin=curated")
    with page.expect_navigation():
        page.locator("select#sort").select_option("oldest")
    years = [
        int(y)
        for y in page.locator("table.list tbody td:nth-child(4)").all_inner_texts()
        if y.strip()
    ]
    assert years and years == sorted(years)


# -- an instrument page -----------------------------------------------------------------


def test_instrument_page_lists_participants_with_links(page):
    response = page.goto(f"/en/instruments/{BLETCHLEY}")
    assert response.ok
    assert page.title().startswith("The Bletchley Declaration") or "Bletchley" in page.title()
    assert "《布莱切利宣言》" in page.content()  # the other language alongside
    china = page.get_by_role("link", name="China", exact=True).first
    assert china.is_visible()
    china.click()
    page.wait_for_url("**/en/actors/CHN")
    assert "China" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name=re.compile("Bletchley")).count() >= 1


def test_missing_instrument_is_a_404_page_in_the_language(page):
    response = page.goto("/zh/instruments/no-such-instrument")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


# -- exports ----------------------------------------------------------------------------


def test_csv_download_matches_what_you_see(page):
    page.goto("/en/instruments?type=declaration")
    shown = _count(page)
    with page.expect_download() as info:
        page.locator("p.downloads").get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], rows[1:]
    assert header[:3] == ["id", "name_en", "name_zh"] and "type" in header
    assert len(data) == shown
    assert {r[header.index("type")] for r in data} == {"declaration"}
    assert BLETCHLEY in {r[0] for r in data}


def test_json_download_matches_what_you_see(page):
    page.goto("/zh/instruments?origin=curated")
    shown = _count(page)
    with page.expect_download() as info:
        page.locator("p.downloads").get_by_role("link", name="JSON").click()
    import json

    body = json.loads(open(info.value.path(), encoding="utf-8").read())
    rows = body["rows"] if isinstance(body, dict) else body
    assert len(rows) == shown


# -- keyboard ---------------------------------------------------------------------------


def test_tab_from_the_top_reaches_the_skip_link_first(page):
    page.goto("/en/instruments")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["skip", "#main"]
    assert page.locator("a.skip").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


# -- screenshots ------------------------------------------------------------------------

PAGES = {
    "home": "/{lang}/",
    "instruments": "/{lang}/instruments",
    "instrument": f"/{{lang}}/instruments/{BLETCHLEY}",
    "actors": "/{lang}/actors",
    "actor": "/{lang}/actors/CHN",
    "sources": "/{lang}/sources",
    "coverage": "/{lang}/coverage",
    "search": "/{lang}/search?q=" + quote("治理"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", list(PAGES))
def test_screenshot(page, screenshots, name, lang):
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and r.url != page.url and problems.append(f"{r.status}: {r.url}"),
    )
    response = page.goto(PAGES[name].format(lang=lang))
    if name == "search" and response.status == 404:
        pytest.skip("the search page is not in this build yet: it returns 404")
    assert response.ok, response.status
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-Hans")
    # Nothing wider than the window (no horizontal scroll at 1280 px).
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    path = screenshots / f"{lang}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000
    assert not problems, problems
