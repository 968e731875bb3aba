"""web.security: credentials → principal, require()'s 401/403, CSRF, and the token API."""

import datetime as dt
from typing import Annotated

import pytest
from fastapi import Depends, Form
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonground.auth import accounts
from commonground.auth.operator import OPERATOR
from commonground.auth.principal import Principal
from commonground.store.models_accounts import ApiToken, AuditEvent
from commonground.web.security import PrincipalDep, require
from tests.auth_helpers import auth_header, login, make_account, make_token


def _count(store, model, *where):
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def probe(store):
    """A small app whose routes use the dependencies, over the test store."""
    from commonground.config import Settings
    from commonground.web.app import create_app

    app = create_app(Settings(database_url="sqlite://", page_cache=False), store=store)

    @app.get("/probe/who")
    def who(principal: PrincipalDep) -> dict:
        return {"username": principal.username, "scopes": sorted(principal.scopes or [])}

    @app.post("/probe/edit")
    def edit(p: Annotated[Principal, Depends(require("editor"))], x: Annotated[str, Form()] = ""):
        return {"by": p.username, "x": x}

    @app.post("/probe/triage")
    def triage(p: Annotated[Principal, Depends(require("triager", scope="triage"))]):
        return {"by": p.username}

    @app.get("/probe/read")
    def read(p: Annotated[Principal, Depends(require(scope="read"))]):
        return {"by": p.username}

    # Routes added after create_app come after its catch-alls; move them to the front.
    app.router.routes[:] = sorted(
        app.router.routes, key=lambda r: not getattr(r, "path", "").startswith("/probe")
    )
    with TestClient(app) as client:
        yield client


def test_anonymous_gets_401_with_bearer_challenge(probe):
    r = probe.post("/probe/edit")
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert probe.get("/probe/who").json() == {"username": None, "scopes": []}


@pytest.mark.parametrize(
    "header",
    ["Bearer cg_000000000000_" + "A" * 43, "Bearer nonsense", "Basic YWxpY2U6cHc=", "Bearer "],
)
def test_bad_credentials_are_anonymous(probe, store, header):
    make_account(store, "alice", roles=("editor",))
    r = probe.post("/probe/edit", headers={"Authorization": header})
    assert r.status_code == 401


def test_role_and_scope_decide_403(probe, store):
    make_account(store, "viewer1")
    make_account(store, "eddy", roles=("editor",))
    make_account(store, "boss", roles=("admin",))
    assert (
        probe.post("/probe/edit", headers=auth_header(make_token(store, "viewer1"))).status_code
        == 403
    )
    assert (
        probe.post(
            "/probe/edit", headers=auth_header(make_token(store, "eddy", ["read"]))
        ).status_code
        == 403
    )
    r = probe.post(
        "/probe/edit", headers=auth_header(make_token(store, "eddy", ["write"])), data={"x": "1"}
    )
    assert (r.status_code, r.json()) == (200, {"by": "eddy", "x": "1"})
    # admin holds every role; but a token still needs the scope
    assert (
        probe.post("/probe/edit", headers=auth_header(make_token(store, "boss"))).status_code == 200
    )
    assert (
        probe.post(
            "/probe/triage", headers=auth_header(make_token(store, "boss", ["write"]))
        ).status_code
        == 403
    )
    assert (
        probe.post(
            "/probe/triage", headers=auth_header(make_token(store, "boss", ["triage"]))
        ).status_code
        == 200
    )
    r = probe.post("/probe/triage", headers=auth_header(make_token(store, "eddy", ["triage"])))
    assert r.status_code == 403 and "needs triager with scope triage" in r.text


def test_session_writes_need_the_csrf_token(probe, store):
    make_account(store, "eddy", roles=("editor",))
    csrf = login(probe, "eddy")
    assert probe.post("/probe/edit", data={"x": "1"}).status_code == 403
    assert probe.post("/probe/edit", data={"x": "1", "csrf_token": "wrong"}).status_code == 403
    assert probe.post("/probe/edit", data={"x": "1", "csrf_token": csrf}).json() == {
        "by": "eddy",
        "x": "1",
    }
    assert probe.post("/probe/edit", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert probe.post("/probe/edit", headers={"X-CSRF-Token": csrf + "x"}).status_code == 403
    # safe methods need none
    assert probe.get("/probe/read").json() == {"by": "eddy"}


def test_bearer_writes_need_no_csrf_and_do_not_fall_back_to_the_cookie(probe, store):
    make_account(store, "eddy", roles=("editor",))
    login(probe, "eddy")
    token = make_token(store, "eddy", ["write"])
    assert probe.post("/probe/edit", headers=auth_header(token)).status_code == 200
    # A bad bearer token next to a good cookie is still anonymous.
    bad = auth_header("cg_000000000000_" + "A" * 43)
    assert probe.get("/probe/who", headers=bad).json()["username"] is None


def test_revoked_expired_and_disabled_are_anonymous(probe, store):
    make_account(store, "eddy", roles=("editor",))
    make_account(store, "gone", roles=("editor",))
    token = make_token(store, "eddy", ["read", "write"])
    gone = make_token(store, "gone", ["write"])
    with store.transaction() as s:
        accounts.disable_account(s, OPERATOR, "gone")
    assert probe.post("/probe/edit", headers=auth_header(gone)).status_code == 401
    # expiry: a token of 1 day is dead when the app's clock passes it
    with store.transaction() as s:
        from commonground.auth import tokens

        _, short = tokens.create_token(
            s, OPERATOR, accounts.get_account(s, "eddy"), "short", ["write"], expires_in_days=1
        )
    assert probe.post("/probe/edit", headers=auth_header(short)).status_code == 200
    probe.app.state.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)
    assert probe.post("/probe/edit", headers=auth_header(short)).status_code == 401
    assert probe.post("/probe/edit", headers=auth_header(token)).status_code == 200
    del probe.app.state.clock
    token_id = _count(store, ApiToken)  # ids are 1..n; find ed's first token by prefix
    with store.sessions() as s:
        token_id = s.scalar(select(ApiToken.id).where(ApiToken.prefix == token.split("_")[1]))
    assert probe.delete(f"/api/v1/tokens/{token_id}", headers=auth_header(token)).status_code == 200
    assert probe.post("/probe/edit", headers=auth_header(token)).status_code == 401


def test_session_expires_after_its_lifetime(probe, store):
    make_account(store, "eddy", roles=("editor",))
    login(probe, "eddy")
    assert probe.get("/probe/read").status_code == 200
    probe.app.state.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=12, minutes=1)
    assert probe.get("/probe/read").status_code == 401


def test_last_used_at_is_recorded(probe, store):
    make_account(store, "eddy", roles=("editor",))
    token = make_token(store, "eddy", ["read"])
    with store.sessions() as s:
        assert s.scalar(select(ApiToken.last_used_at)) is None
    at = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    probe.app.state.clock = lambda: at
    try:
        assert probe.get("/probe/read", headers=auth_header(token)).status_code == 200
    finally:
        del probe.app.state.clock
    with store.sessions() as s:
        used = s.scalar(select(ApiToken.last_used_at))
    assert used.replace(tzinfo=used.tzinfo or dt.UTC) == at


# --- the token API -------------------------------------------------------------------


def test_me_names_the_account(probe, store):
    make_account(store, "eddy", roles=("editor", "reporter"), organisation="uk-aisi")
    r = probe.get("/api/v1/me", headers=auth_header(make_token(store, "eddy", ["read"])))
    body = r.json()
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert (body["username"], body["roles"], body["scopes"], body["via"]) == (
        "eddy",
        ["reporter", "editor"],
        ["read"],
        "token",
    )
    assert body["organisation"]["id"] == "uk-aisi" and "csrf_token" not in body
    assert probe.get("/api/v1/me").status_code == 401


def test_create_list_and_revoke_tokens_through_the_api(probe, store):
    make_account(store, "eddy", roles=("editor",))
    make_account(store, "other")
    boot = auth_header(make_token(store, "eddy", ["read", "write"]))
    r = probe.post(
        "/api/v1/tokens",
        json={"name": "ci", "scopes": ["read"], "expires_in_days": 30},
        headers=boot,
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["token"].startswith(f"cg_{new['prefix']}_") and new["scopes"] == ["read"]
    assert probe.get("/api/v1/me", headers=auth_header(new["token"])).json()["scopes"] == ["read"]
    listed = probe.get("/api/v1/tokens", headers=boot).json()["tokens"]
    assert [t["name"] for t in listed] == ["test eddy", "ci"]
    assert all("token" not in t for t in listed)
    # someone else cannot revoke it, and does not learn it exists
    other = auth_header(make_token(store, "other", ["write"]))
    assert probe.delete(f"/api/v1/tokens/{new['id']}", headers=other).status_code == 404
    assert (
        probe.delete(f"/api/v1/tokens/{new['id']}", headers=boot).json()["revoked_at"] is not None
    )
    r = probe.delete(f"/api/v1/tokens/{new['id']}", headers=boot)
    assert r.status_code == 400 and "already revoked" in r.json()["error"]
    assert probe.get("/api/v1/me", headers=auth_header(new["token"])).status_code == 401
    with store.sessions() as s:
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("token.%")))
        )
    assert actions.count("token.create") == 3 and actions.count("token.revoke") == 1


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"name": "", "scopes": ["read"]}, 400, "needs a name"),
        ({"name": "x", "scopes": ["sudo"]}, 400, "unknown scope"),
        ({"name": "x", "scopes": []}, 400, "at least one scope"),
        ({"name": "x", "scopes": ["admin"]}, 400, "does not hold: admin"),
        ({"name": "x", "scopes": ["read"], "expires_in_days": 0}, 400, "expiry"),
        ({"name": "x", "scopes": ["read"], "expires_in_days": "soon"}, 422, "expires_in_days"),
        ({"scopes": ["read"]}, 422, "name"),
    ],
)
def test_bad_token_requests_change_nothing(probe, store, body, status, message):
    make_account(store, "eddy", roles=("admin",))
    boot = auth_header(make_token(store, "eddy", ["read", "write"]))
    before = (_count(store, ApiToken), _count(store, AuditEvent))
    r = probe.post("/api/v1/tokens", json=body, headers=boot)
    assert r.status_code == status and message in r.json()["error"], r.text
    assert (_count(store, ApiToken), _count(store, AuditEvent)) == before


def test_token_api_scope_and_session_csrf(probe, store):
    make_account(store, "eddy", roles=("editor",))
    reader = auth_header(make_token(store, "eddy", ["read"]))
    assert (
        probe.post(
            "/api/v1/tokens", json={"name": "x", "scopes": ["read"]}, headers=reader
        ).status_code
        == 403
    )
    assert probe.post("/api/v1/tokens", json={"name": "x", "scopes": ["read"]}).status_code == 401
    csrf = login(probe, "eddy")
    before = _count(store, ApiToken)
    assert probe.post("/api/v1/tokens", json={"name": "x", "scopes": ["read"]}).status_code == 403
    assert _count(store, ApiToken) == before
    r = probe.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["read"]}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 201
    r = probe.delete(f"/api/v1/tokens/{r.json()['id']}")
    assert r.status_code == 403
