"""Who is asking, and may they: the web layer's one entry point to authentication.

- :func:`current_principal` (and :data:`PrincipalDep`): a Bearer ``cg_…`` token, else the
  ``cg_session`` cookie, else :data:`ANONYMOUS`. Disabled accounts and revoked or expired
  tokens are anonymous.
- :func:`require`: 401 (with ``WWW-Authenticate: Bearer``) for the anonymous, 403 for a
  missing role or scope, and on unsafe methods with a cookie session a CSRF check
  (form field ``csrf_token`` or header ``X-CSRF-Token``); bearer requests need none,
  since browsers never attach them on their own.
- :func:`csrf_input` and :func:`current_user`: Jinja globals, installed by :func:`install`.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from jinja2 import pass_context
from markupsafe import Markup, escape

from commonground.auth import sessions, tokens
from commonground.auth.accounts import principal_of
from commonground.auth.clock import utcnow
from commonground.auth.principal import ANONYMOUS, SCOPES, Principal
from commonground.store.models_accounts import ROLES, Account

SESSION_COOKIE = "cg_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
NO_STORE = {"Cache-Control": "no-store"}


def _resolve(request: Request) -> tuple[Principal, str | None, str | None]:
    """(principal, how: "token" | "session" | None, the session's CSRF token)."""
    store = request.app.state.store
    now = clock(request)
    header = request.headers.get("authorization")
    if header is not None:
        # A request that names a credential is judged by it alone: a bad token does
        # not fall back to a cookie.
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            return ANONYMOUS, None, None
        with store.sessions() as session:
            token = tokens.find_token(session, raw.strip(), now=now)
            account = session.get(Account, token.account_id) if token else None
            if token is None or account is None:
                return ANONYMOUS, None, None
            principal = principal_of(account, frozenset(token.scopes.split()))
            touch = tokens.needs_touch(token, now)
        if not principal.authenticated:
            return ANONYMOUS, None, None
        if touch:
            with store.transaction(public=False) as session:
                tokens.touch(session, token.id, now)
        return principal, "token", None
    raw_session = request.cookies.get(SESSION_COOKIE)
    if not raw_session:
        return ANONYMOUS, None, None
    with store.sessions() as session:
        row = sessions.find_session(session, raw_session, now=now)
        account = session.get(Account, row.account_id) if row else None
        if row is None or account is None:
            return ANONYMOUS, None, None
        principal = principal_of(account)
    if not principal.authenticated:
        return ANONYMOUS, None, None
    return principal, "session", row.csrf_token


def clock(request: Request) -> dt.datetime:
    """Now, in UTC; tests set ``app.state.clock`` to move time."""
    return getattr(request.app.state, "clock", utcnow)()


def current_principal(request: Request) -> Principal:
    """FastAPI dependency: who is asking (resolved once per request)."""
    cached = getattr(request.state, "principal", None)
    if cached is None:
        principal, via, csrf = _resolve(request)
        request.state.principal = principal
        request.state.auth_via = via
        request.state.csrf_token = csrf
        cached = principal
    return cached


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def auth_via(request: Request) -> str | None:
    """How this request authenticated: "token", "session" or None (anonymous)."""
    current_principal(request)
    return request.state.auth_via


def csrf_token_of(request: Request) -> str | None:
    """The CSRF token of this request's cookie session, if it has one."""
    current_principal(request)
    return request.state.csrf_token


async def check_csrf(request: Request) -> None:
    """403 unless the request carries its session's CSRF token (header or form field)."""
    expected = csrf_token_of(request)
    if expected is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


def unauthorized(message: str = "sign in required") -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def require(*roles: str, scope: str = "write") -> Callable[..., Any]:
    """Dependency factory: the principal, if it holds one of ``roles`` (admin holds every
    role; no roles: any signed-in account) and, through a token, ``scope``."""
    unknown = set(roles) - set(ROLES)
    if unknown or scope not in SCOPES:
        raise ValueError(f"unknown role(s) {sorted(unknown)} or scope {scope!r}")

    async def dependency(request: Request) -> Principal:
        from starlette.concurrency import run_in_threadpool

        principal = await run_in_threadpool(current_principal, request)
        if not principal.authenticated:
            raise unauthorized()
        allowed = principal.has_scope(scope) and (not roles or principal.has_role(*roles))
        if not allowed:
            wanted = " or ".join(roles) if roles else "an account"
            raise HTTPException(403, f"not allowed: needs {wanted} with scope {scope}")
        if request.method not in SAFE_METHODS and request.state.auth_via == "session":
            await check_csrf(request)
        return principal

    return dependency


def set_session_cookie(request: Request, response: Response, raw: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(sessions.LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax",
        secure=request.url.scheme == "https",
    )  # fmt: skip


@pass_context
def csrf_input(context: Any) -> Markup:
    """The hidden CSRF field for a form (empty when the visitor has no session)."""
    request = context.get("request")
    token = csrf_token_of(request) if request is not None else None
    if not token:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


@pass_context
def current_user(context: Any) -> Principal:
    """The signed-in principal, for the account area of every page."""
    request = context.get("request")
    return current_principal(request) if request is not None else ANONYMOUS


def install(templates: Any) -> None:
    """Register the Jinja globals on every language's environment."""
    for env in templates.envs.values():
        env.globals.update(csrf_input=csrf_input, current_user=current_user)
