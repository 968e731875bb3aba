"""Sign-in, my account, tokens and the admin pages: forms, CSRF, errors, escaping."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonground.auth import ratelimit
from commonground.config import Settings
from commonground.store.models_accounts import (
    Account,
    ApiToken,
    AuditEvent,
    Organisation,
    WebSession,
)
from commonground.web.app import create_app
from tests.auth_helpers import PASSWORD, auth_header, login, make_account, make_token

LANGS = ("en", "zh", "zh-Hant")


@pytest.fixture
def web(store):
    app = create_app(Settings(database_url="sqlite://", page_cache=True), store=store)
    with TestClient(app) as client:
        yield client


def _state(store):
    """Everything a form could change."""
    with store.sessions() as s:
        return {
            "accounts": [
                (a.username, a.roles, a.disabled_at is None, a.organisation_id)
                for a in s.scalars(select(Account).order_by(Account.id))
            ],
            "organisations": list(s.scalars(select(Organisation.id).order_by(Organisation.id))),
            "tokens": [(t.id, t.revoked_at is None) for t in s.scalars(select(ApiToken))],
            "audit": s.scalar(select(func.count()).select_from(AuditEvent)),
        }


def _events(store, action):
    with store.sessions() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == action))


@pytest.mark.parametrize("lang", LANGS)
def test_login_page_in_every_language(web, lang):
    r = web.get(f"/{lang}/login")
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert 'name="username"' in r.text and 'type="password"' in r.text
    assert f'action="/{lang}/login"' in r.text


def test_sign_in_sets_a_safe_cookie_and_signs_out(web, store):
    make_account(store, "alice", roles=("editor",), organisation="uk-aisi")
    r = web.post(
        "/en/login", data={"username": "alice", "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/en/account"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("cg_session=")
    for part in ("HttpOnly", "Path=/", "SameSite=lax", "Max-Age=43200"):
        assert part.lower() in cookie.lower()
    assert "secure" not in cookie.lower()
    page = web.get("/en/account")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "alice" in page.text and "uk-aisi" in page.text
    home = web.get("/en/")
    assert 'href="/en/account">alice</a>' in home.text and "/en/logout" in home.text
    csrf = web.get("/api/v1/me").json()["csrf_token"]
    # logout without / with a wrong CSRF token does nothing
    assert web.post("/en/logout").status_code == 403
    assert web.post("/en/logout", data={"csrf_token": "nope"}).status_code == 403
    assert web.get("/api/v1/me").status_code == 200
    r = web.post("/en/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/en/"
    assert 'cg_session=""' in r.headers["set-cookie"] or "Max-Age=0" in r.headers["set-cookie"]
    with store.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0
    web.cookies.clear()
    assert 'href="/en/login"' in web.get("/en/").text


def test_cookie_is_secure_over_https(store):
    make_account(store, "alice")
    app = create_app(Settings(database_url="sqlite://"), store=store)
    with TestClient(app, base_url="https://testserver") as client:
        r = client.post(
            "/en/login", data={"username": "alice", "password": PASSWORD}, follow_redirects=False
        )
    assert "secure" in r.headers["set-cookie"].lower()


def test_wrong_password_and_unknown_user_look_the_same(web, store):
    make_account(store, "alice")
    a = web.post("/en/login", data={"username": "alice", "password": "wrong password!"})
    b = web.post("/en/login", data={"username": "nobody", "password": "wrong password!"})
    assert a.status_code == b.status_code == 401
    assert "Wrong username or password." in a.text and "Wrong username or password." in b.text
    assert a.text.replace('value="alice"', 'value="nobody"') == b.text
    assert "set-cookie" not in a.headers
    assert _events(store, "login.failure") == 2


def test_login_with_control_characters_is_a_plain_failure(web, store):
    make_account(store, "alice")
    r = web.post("/en/login", data={"username": "ali\x00ce", "password": PASSWORD + "\x00"})
    assert r.status_code == 401 and "Wrong username or password." in r.text


def test_login_is_rate_limited(web, store):
    make_account(store, "alice")
    web.app.state.clock = lambda: ratelimit.window_start(
        __import__("datetime").datetime.now(__import__("datetime").UTC)
    )
    for _ in range(ratelimit.MAX_FAILURES):
        assert (
            web.post("/en/login", data={"username": "alice", "password": "x" * 12}).status_code
            == 401
        )
    r = web.post("/en/login", data={"username": "alice", "password": PASSWORD})
    assert r.status_code == 429 and "Too many failed sign-ins" in r.text
    assert "set-cookie" not in r.headers


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_never_redirects_off_site(web, store, target):
    make_account(store, "alice")
    r = web.post(
        "/en/login",
        data={"username": "alice", "password": PASSWORD, "next": target},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/en/account"


def test_login_redirects_to_next_on_site(web, store):
    make_account(store, "alice")
    r = web.post(
        "/zh/login",
        data={"username": "alice", "password": PASSWORD, "next": "/zh/instruments"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/zh/instruments"


def test_account_page_sends_the_anonymous_to_sign_in(web):
    r = web.get("/en/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/en/login?next=/en/account"


def test_create_a_token_shows_it_once(web, store):
    make_account(store, "alice")
    csrf = login(web, "alice")
    r = web.post(
        "/en/account/tokens",
        data={
            "csrf_token": csrf,
            "name": "laptop",
            "scopes": ["read", "write"],
            "expires_in_days": "30",
        },
    )
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    raw = re.search(r'<code id="new-token">(cg_[^<]+)</code>', r.text).group(1)
    assert web.get("/api/v1/me", headers=auth_header(raw)).json()["scopes"] == ["read", "write"]
    again = web.get("/en/account")
    assert raw not in again.text and "laptop" in again.text
    with store.sessions() as s:
        token_id = s.scalar(select(ApiToken.id))
    # revoke: CSRF needed
    before = _state(store)
    assert web.post(f"/en/account/tokens/{token_id}/revoke").status_code == 403
    assert (
        web.post(f"/en/account/tokens/{token_id}/revoke", data={"csrf_token": "x"}).status_code
        == 403
    )
    assert _state(store) == before
    r = web.post(
        f"/en/account/tokens/{token_id}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303
    assert web.get("/api/v1/me", headers=auth_header(raw)).status_code == 401
    assert _events(store, "token.create") == 1 and _events(store, "token.revoke") == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "scopes": ["read"]}, "a token needs a name"),
        ({"name": "x", "scopes": ["root"]}, "unknown scope(s) root"),
        ({"name": "x"}, "at least one scope"),
        ({"name": "x", "scopes": ["read"], "expires_in_days": "soon"}, "whole number of days"),
        ({"name": "x", "scopes": ["read"], "expires_in_days": "999"}, "expiry must be 1 to 366"),
        ({"name": "a\x00b", "scopes": ["read"]}, "control characters"),
    ],
)
def test_bad_token_form_changes_nothing(web, store, form, message):
    make_account(store, "alice")
    csrf = login(web, "alice")
    before = _state(store)
    r = web.post("/en/account/tokens", data={"csrf_token": csrf, **form})
    assert r.status_code == 400 and message in r.text, r.text[-2000:]
    assert _state(store) == before


def test_token_form_needs_csrf(web, store):
    make_account(store, "alice")
    login(web, "alice")
    before = _state(store)
    for data in (
        {"name": "x", "scopes": ["read"]},
        {"name": "x", "scopes": ["read"], "csrf_token": "bad"},
    ):
        assert web.post("/en/account/tokens", data=data).status_code == 403
    assert _state(store) == before


def test_someone_elses_token_cannot_be_revoked_from_the_page(web, store):
    make_account(store, "alice")
    make_account(store, "bob")
    make_token(store, "bob")
    csrf = login(web, "alice")
    before = _state(store)
    assert web.post("/en/account/tokens/1/revoke", data={"csrf_token": csrf}).status_code == 404
    assert _state(store) == before


# --- admin ---------------------------------------------------------------------------


ADMIN_FORMS = [
    ("/en/admin/accounts", {"username": "carol", "password": PASSWORD, "roles": ["reporter"]}),
    ("/en/admin/accounts/alice/roles", {"roles": ["viewer", "editor"]}),
    ("/en/admin/accounts/alice/disable", {}),
    ("/en/admin/organisations", {"id": "cn-caict", "name_en": "CAICT", "name_zh": "中国信通院"}),
]


@pytest.fixture
def admin(web, store):
    make_account(store, "root", roles=("admin",))
    make_account(store, "alice")
    return login(web, "root")


@pytest.mark.parametrize(("path", "form"), ADMIN_FORMS)
def test_admin_forms_need_csrf(web, store, admin, path, form):
    before = _state(store)
    assert web.post(path, data=form).status_code == 403
    assert web.post(path, data={**form, "csrf_token": admin[:-2] + "xx"}).status_code == 403
    assert _state(store) == before


@pytest.mark.parametrize(("path", "form"), ADMIN_FORMS)
def test_admin_forms_refuse_non_admins(web, store, path, form):
    make_account(store, "alice")
    make_account(store, "eddy", roles=("editor", "triager"))
    before = _state(store)
    r = web.post(path, data=form)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    csrf = login(web, "eddy")
    assert web.post(path, data={**form, "csrf_token": csrf}).status_code == 403
    # an admin's token without the admin scope is refused too
    make_account(store, "root", roles=("admin",))
    web.cookies.clear()
    token = make_token(store, "root", ["read", "write"])
    before = _state(store)
    assert web.post(path, data=form, headers=auth_header(token)).status_code == 403
    assert _state(store) == before
    assert web.get("/en/admin/accounts", headers=auth_header(token)).status_code == 403


def test_admin_pages_refuse_viewers(web, store):
    make_account(store, "alice")
    login(web, "alice")
    assert web.get("/en/admin/accounts").status_code == 403
    assert web.get("/en/admin/audit").status_code == 403


@pytest.mark.parametrize(("path", "form"), ADMIN_FORMS)
def test_admin_forms_work_and_are_audited(web, store, admin, path, form):
    r = web.post(path, data={**form, "csrf_token": admin})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "Saved:" in r.text
    state = _state(store)
    accounts = {a[0]: a for a in state["accounts"]}
    if path == "/en/admin/accounts":
        assert accounts["carol"][1] == "reporter" and _events(store, "account.create") == 3
    elif path.endswith("/roles"):
        assert accounts["alice"][1] == "viewer editor" and _events(store, "account.roles") == 1
    elif path.endswith("/disable"):
        assert accounts["alice"][2] is False and _events(store, "account.disable") == 1
    else:
        assert state["organisations"] == ["cn-caict"] and _events(store, "organisation.create") == 1


@pytest.mark.parametrize(
    ("path", "form", "message", "status"),
    [
        ("/en/admin/accounts", {"username": "Carol!", "roles": ["viewer"]}, "bad username", 400),
        (
            "/en/admin/accounts",
            {"username": "carol", "roles": ["king"]},
            "unknown role(s) king",
            400,
        ),
        ("/en/admin/accounts", {"username": "carol"}, "at least one role", 400),
        (
            "/en/admin/accounts",
            {"username": "carol", "password": "short", "roles": ["viewer"]},
            "at least 12 characters",
            400,
        ),
        (
            "/en/admin/accounts",
            {"username": "alice", "roles": ["viewer"]},
            "username alice is taken",
            400,
        ),
        (
            "/en/admin/accounts",
            {"username": "carol", "roles": ["viewer"], "organisation": "nope"},
            "no such organisation: nope",
            400,
        ),
        ("/en/admin/accounts/alice/roles", {"roles": ["wizard"]}, "unknown role(s) wizard", 400),
        ("/en/admin/accounts/alice/roles", {}, "at least one role", 400),
        ("/en/admin/accounts/root/roles", {"roles": ["viewer"]}, "own admin role", 400),
        ("/en/admin/accounts/ghost/roles", {"roles": ["viewer"]}, "no such account: ghost", 404),
        ("/en/admin/accounts/root/disable", {}, "your own account", 400),
        ("/en/admin/accounts/ghost/disable", {}, "no such account: ghost", 404),
        ("/en/admin/organisations", {"id": "Bad Id", "name_en": "X"}, "bad organisation id", 400),
        (
            "/en/admin/organisations",
            {"id": "ok-id", "name_en": ""},
            "English name is required",
            400,
        ),
    ],
)
def test_bad_admin_input_changes_nothing(web, store, admin, path, form, message, status):
    before = _state(store)
    r = web.post(path, data={**form, "csrf_token": admin})
    assert r.status_code == status and message in r.text, r.text[-1500:]
    assert _state(store) == before


def test_display_names_are_escaped(web, store, admin):
    evil = '<script>alert("x")</script>'
    r = web.post(
        "/en/admin/organisations",
        data={"csrf_token": admin, "id": "evil-org", "name_en": evil, "name_zh": evil},
    )
    assert r.status_code == 200
    r = web.post(
        "/en/admin/accounts",
        data={"csrf_token": admin, "username": "mallory", "password": PASSWORD,
              "roles": ["viewer"], "display_name": evil, "organisation": "evil-org"},
    )  # fmt: skip
    assert r.status_code == 200
    for page in (web.get("/en/admin/accounts"), web.get("/zh/admin/accounts")):
        assert evil not in page.text
        assert "&lt;script&gt;alert(" in page.text
    web.cookies.clear()
    login(web, "mallory")
    mine = web.get("/en/account")
    assert evil not in mine.text and "&lt;script&gt;" in mine.text


def test_audit_page_paginates(web, store, admin):
    for i in range(60):
        make_account(store, f"user{i:02d}", password=None)
    with store.sessions() as s:
        total = s.scalar(select(func.count()).select_from(AuditEvent))
    first = web.get("/en/admin/audit")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert f"{total} events · page 1 of 2" in first.text
    assert first.text.count("<code>account.create</code>") == 50
    second = web.get("/en/admin/audit?page=2")
    assert "page 2 of 2" in second.text and 'rel="prev"' in second.text
    assert second.text.count("<tr><td>") == total - 50
    assert web.get("/en/admin/audit?page=0").status_code == 400
    assert web.get("/zh-Hant/admin/audit").status_code == 200


def test_signed_in_pages_are_never_cached(web, store):
    make_account(store, "alice")
    anonymous = web.get("/en/").text
    login(web, "alice")
    assert 'href="/en/account">alice</a>' in web.get("/en/").text
    web.cookies.clear()
    assert web.get("/en/").text == anonymous
