"""The cross-instrument representation chart renders in a real browser (Chromium through
Playwright), in English and Chinese: vega-embed draws an <svg> inside the chart's div
and marks it data-rendered="true"; the axis and legend speak the page's language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

EXPECTED = {
    "en": ("UN member states", "High income"),
    "zh": ("联合国会员国", "高收入"),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cross_instrument_chart_renders(page, lang, screenshots):
    response = page.goto(f"/{lang}/representation")
    assert response is not None and response.ok, response and response.status
    for chart in ("rep-income-spec", "rep-region-spec"):
        div = page.locator(f'div[data-vega="{chart}"]')
        page.wait_for_selector(f'div[data-vega="{chart}"][data-rendered="true"]')
        assert div.locator("svg").count() >= 1
        assert div.locator("svg .mark-rect path, svg .mark-rect rect").count() > 0
    reference, group = EXPECTED[lang]
    # The chart's own <svg class="marks"> (vega-embed's menu icon is an svg too).
    text = page.locator('div[data-vega="rep-income-spec"] svg.marks').text_content() or ""
    assert reference in text and group in text
    page.screenshot(path=str(screenshots / f"representation-{lang}.png"), full_page=True)


def test_instrument_page_chart_renders(page):
    page.goto("/zh/representation/un-hlab-ai")
    page.wait_for_selector('div[data-vega="rep-income-spec"][data-rendered="true"]')
    assert page.locator('div[data-vega="rep-income-spec"] svg').count() >= 1
    assert page.get_by_text("名单不完整").first.is_visible()
