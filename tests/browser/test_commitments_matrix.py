"""The commitments matrix in a real browser (Debian's Chromium through Playwright), in
English and simplified Chinese: every cell shows its status as a word and a symbol (not
colour alone), the counts per row and column are there, and a cell leads to the
signatory's evidence timeline. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.browser.conftest import _context, _free_port
from tests.commitments_helpers import FASC, FRAMEWORK, tracker_store

pytestmark = pytest.mark.browser

LABELS = {
    "en": {
        "met": "met",
        "not-met": "not met",
        "contested": "contested",
        "no-evidence-found": "no evidence found",
        "not-assessed": "evidence, not assessed",
    },
    "zh": {
        "met": "已履行",
        "not-met": "未履行",
        "contested": "有争议",
        "no-evidence-found": "未找到证据",
        "not-assessed": "有证据，未评估",
    },
}
SYMBOLS = {
    "met": "✓",
    "not-met": "✗",
    "contested": "⚖",
    "no-evidence-found": "∅",
    "not-assessed": "?",
}


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, shared_data):
    with tracker_store(tmp_path_factory.mktemp("tracker"), shared_data) as store:
        yield store


@pytest.fixture(scope="module")
def tracker_url(tracker) -> Iterator[str]:
    import uvicorn

    from commonground.config import Settings
    from commonground.web.app import create_app

    app = create_app(Settings(database_url="sqlite://"), store=tracker)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, name="uvicorn-commitments", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def tracker_page(browser, tracker_url):  # type: ignore[no-untyped-def]
    context = _context(browser, tracker_url)
    page = context.new_page()
    yield page
    context.close()


def _expected(tracker):  # type: ignore[no-untyped-def]
    from commonground.registry import commitments as reg

    with tracker.sessions() as session:
        return reg.matrix(session, FASC)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_matrix_renders_with_words_symbols_and_counts(tracker_page, tracker, screenshots, lang):
    page = tracker_page
    response = page.goto(f"/{lang}/commitments/{FASC}")
    assert response is not None and response.ok
    m = _expected(tracker)
    cells = page.locator("table#matrix tbody td.cell")
    assert cells.count() == len(m.rows) * len(m.columns) == 180
    shown = Counter()
    for row in m.rows:
        for col in m.columns:
            status = m.cell(row.actor.id, col.id).status
            cell = page.locator(
                f'table#matrix tr[data-actor="{row.actor.id}"] td[data-provision="{col.id}"]'
            )
            text = cell.inner_text()
            assert LABELS[lang][status] in text and SYMBOLS[status] in text, (row.actor.id, text)
            shown[status] += 1
    assert shown == m.totals
    # Not colour alone, but coloured too: met and not-met cells differ in background.
    met = page.locator(f'tr[data-actor="anthropic"] td[data-provision="{FRAMEWORK}"]')
    missed = page.locator(f'tr[data-actor="mistral-ai"] td[data-provision="{FRAMEWORK}"]')
    colour = "el => getComputedStyle(el).backgroundColor"
    assert met.evaluate(colour) != missed.evaluate(colour)
    # Counts per row and per column.
    score = page.locator('tr[data-actor="anthropic"] td.score').inner_text()
    assert ("1 met of 1 judged" if lang == "en" else "已评判1项，其中已履行1项") in score
    column = page.locator(f'tfoot td.col-counts[data-provision="{FRAMEWORK}"]').inner_text()
    assert ("10 met of 20 judged" if lang == "en" else "已评判20项，其中已履行10项") in column
    legend = page.locator("ul.cm-legend").inner_text()
    assert all(LABELS[lang][s] in legend for s in LABELS[lang])
    page.screenshot(path=str(screenshots / f"commitments-matrix-{lang}.png"), full_page=True)


def test_a_cell_leads_to_the_signatory_timeline(tracker_page):
    page = tracker_page
    page.goto(f"/en/commitments/{FASC}")
    page.locator(f'tr[data-actor="nvidia"] td[data-provision="{FRAMEWORK}"] a').click()
    page.wait_for_url(f"**/en/commitments/{FASC}/signatories/nvidia*")
    assert page.locator("h1").inner_text() == "NVIDIA"
    timeline = page.locator("ol.cm-timeline").inner_text()
    assert "Frontier AI Risk Assessment" in timeline and "2025-02-17" in timeline
    assert "contested" in page.locator("table.list").inner_text()
