"""Real-browser fixtures: Debian's Chromium (/usr/bin/chromium) driven by Playwright
against the app served by uvicorn on a free loopback port.

The whole folder is skipped, with the reason, when Chromium or the `playwright`
package is missing — except in CI (CI=true), where a missing browser fails. Playwright's
own browser builds are never used (`playwright install` is not needed): the Debian
package is launched through `executable_path`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("COMMONGROUND_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 15_000


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        # In CI the browser is installed by .ci/run: its absence is a failure.
        pytest.fail(f"browser tests must run in CI (CI=true), but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url(loaded_store) -> Iterator[str]:
    """The app over the shared loaded store (states, income classes, bundled dataset,
    search index), served by uvicorn in a thread on a free loopback port."""
    import uvicorn

    from commonground.config import Settings
    from commonground.search.index import rebuild
    from commonground.web.app import create_app

    rebuild(loaded_store)
    app = create_app(Settings(database_url="sqlite://"), store=loaded_store)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-tests", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start for the browser tests", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session. `launch()` gives it a fresh,
    throwaway profile (user-data-dir) of its own, removed when it closes."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _context(browser, base_url: str, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, accept_downloads=True, **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser, base_url: str) -> Iterator[object]:
    """A page in a fresh browser context (no cookies or cache shared between tests)."""
    context = _context(browser, base_url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser, base_url: str) -> Iterator[object]:
    context = _context(browser, base_url, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
