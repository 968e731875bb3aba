"""Sign in, create a token and sign out in a real browser (cookie, CSRF, redirects)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.auth_helpers import PASSWORD, make_account
from tests.browser.conftest import _context, _free_port


@pytest.fixture
def writable_url(store) -> Iterator[str]:
    """The app over a fresh store (signing in writes), served by uvicorn in a thread."""
    import uvicorn

    from commonground.config import Settings
    from commonground.web.app import create_app

    app = create_app(Settings(database_url="sqlite://"), store=store)
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-account-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_sign_in_token_and_sign_out(browser, writable_url, store, screenshots):
    make_account(store, "alice", roles=("editor",), organisation="uk-aisi")
    context = _context(browser, writable_url)
    page = context.new_page()
    try:
        page.goto("/zh/account")
        assert page.url.endswith("/zh/login?next=/zh/account")
        page.fill("#username", "alice")
        page.fill("#password", "not the password")
        page.click("form.account-form button[type=submit]")
        assert page.locator("p.form-error").is_visible()
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/zh/account")
        cookie = next(c for c in context.cookies() if c["name"] == "cg_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
        assert page.locator("nav.account a").inner_text() == "alice"

        page.fill("#token-name", "laptop")
        page.click("text=创建令牌 >> nth=-1")
        token = page.locator("#new-token").inner_text()
        assert token.startswith("cg_")
        page.screenshot(path=str(screenshots / "account-zh.png"), full_page=True)

        page.locator("nav.account button").click()
        page.wait_for_url("**/zh/")
        assert page.locator("nav.account a").inner_text() != "alice"
        assert not [c for c in context.cookies() if c["name"] == "cg_session"]
    finally:
        context.close()
