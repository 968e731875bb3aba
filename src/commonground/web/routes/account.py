"""Signing in and out, one's own account and tokens, and the admin's account pages.

/{lang}/login                GET form, POST (rate-limited; one generic error message)
/{lang}/logout               POST (CSRF)
/{lang}/account              who am I; my tokens: create (shown once), revoke
/{lang}/admin/accounts       admin: accounts and organisations: create, set roles, disable
/{lang}/admin/audit          admin: the audit trail, newest first, paginated
GET /api/v1/me, GET/POST /api/v1/tokens, DELETE /api/v1/tokens/{id}   (bearer or session)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi import Path as FastPath
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from commonground.auth import accounts, audit, sessions, tokens
from commonground.auth.errors import AuthError, LoginLocked
from commonground.auth.principal import SCOPES, Principal
from commonground.store.models_accounts import ROLES, Account, Organisation
from commonground.web import api_schemas as S
from commonground.web import i18n
from commonground.web.deps import Lang, SessionDep, TemplatesDep
from commonground.web.labels import N_
from commonground.web.security import (
    NO_STORE,
    SESSION_COOKIE,
    PrincipalDep,
    auth_via,
    clear_session_cookie,
    clock,
    csrf_token_of,
    require,
    set_session_cookie,
)

router = APIRouter()

SignedIn = Annotated[Principal, Depends(require(scope="write"))]
Reader = Annotated[Principal, Depends(require(scope="read"))]
Admin = Annotated[Principal, Depends(require("admin", scope="admin"))]
AUDIT_PAGE = 50
TokenId = Annotated[int, FastPath(ge=1, le=2**31 - 1, description="The token's id")]
# One message for every failure: it never says whether the username exists.
WRONG = N_("Wrong username or password.")
LOCKED = N_("Too many failed sign-ins. Try again after {until} UTC.")
ROLE_LABELS = {
    "viewer": N_("viewer"),
    "reporter": N_("reporter"),
    "triager": N_("triager"),
    "editor": N_("editor"),
    "admin": N_("admin"),
}


@contextmanager
def _write(request: Request, principal: Principal) -> Iterator[Session]:
    """A write transaction that names its submitter for the transparency log."""
    # Accounts, tokens and sessions show on no public page: the cache stays valid.
    with request.app.state.store.transaction(public=False) as session:
        if principal.username:
            session.info["submitter"] = f"account:{principal.username}"
        yield session


_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*")


def _safe_next(lang: str, target: str | None) -> str:
    # Only a path on this site: "//evil.example", "/\\evil", "https://…" and paths with
    # whitespace (browsers drop tabs, making "/\t/evil" a "//evil") would leave it.
    if target and _LOCAL_PATH.fullmatch(target):
        return target
    return f"/{lang}/account"


def _page(
    templates: Any, request: Request, name: str, lang: str, context: dict[str, Any],
    status: int = 200,
) -> Response:  # fmt: skip
    def role_label(role: str) -> str:
        return i18n.gettext(lang, ROLE_LABELS.get(role, role))

    context = {"section": "account", "role_label": role_label, **context}
    response = templates.render(request, name, lang, context, status)
    response.headers.update(NO_STORE)
    return response


# --- signing in and out ---------------------------------------------------------------


@router.get("/{lang}/login", include_in_schema=False)
def login_form(
    request: Request, lang: Lang, templates: TemplatesDep, principal: PrincipalDep,
    next: str | None = None,
) -> Response:  # fmt: skip
    return _page(
        templates, request, "account/login.html", lang,
        {"principal": principal, "next": next or "", "error": None, "username": ""},
    )  # fmt: skip


@router.post("/{lang}/login", include_in_schema=False)
def login(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    address = request.client.host if request.client else None
    try:
        _, raw, _ = accounts.authenticate(
            request.app.state.store, username, password, address=address, now=clock(request)
        )
    except AuthError as exc:
        status = 429 if isinstance(exc, LoginLocked) else 401
        error = (
            i18n.gettext(lang, LOCKED).format(until=f"{exc.until:%Y-%m-%d %H:%M}")
            if isinstance(exc, LoginLocked)
            else i18n.gettext(lang, WRONG)
        )
        return _page(
            templates, request, "account/login.html", lang,
            {"principal": None, "next": next, "username": username, "error": error},
            status,
        )  # fmt: skip
    response = RedirectResponse(_safe_next(lang, next), status_code=303)
    set_session_cookie(request, response, raw)
    response.headers.update(NO_STORE)
    return response


@router.post("/{lang}/logout", include_in_schema=False)
def logout(request: Request, lang: Lang, principal: Reader) -> Response:
    if auth_via(request) == "session":
        with _write(request, principal) as session:
            sessions.end_session(session, request.cookies.get(SESSION_COOKIE))
            audit.record(session, principal, "logout", "account", principal.account_id)
    response = RedirectResponse(f"/{lang}/", status_code=303)
    clear_session_cookie(request, response)
    return response


# --- my account and tokens --------------------------------------------------------------


def _account_context(session: Session, principal: Principal, **extra: Any) -> dict[str, Any]:
    account = session.get(Account, principal.account_id)
    organisation = (
        session.get(Organisation, account.organisation_id)
        if account and account.organisation_id
        else None
    )
    return {
        "account": account,
        "organisation": organisation,
        "tokens": tokens.tokens_of(session, principal.account_id or 0),
        "scopes": SCOPES,
        "new_token": None,
        "error": None,
        "form": {},
        **extra,
    }


@router.get("/{lang}/account", include_in_schema=False)
def account_page(
    request: Request, lang: Lang, templates: TemplatesDep, session: SessionDep,
    principal: PrincipalDep,
) -> Response:  # fmt: skip
    if not principal.authenticated:
        response = RedirectResponse(f"/{lang}/login?next=/{lang}/account", status_code=303)
        response.headers.update(NO_STORE)
        return response
    return _page(
        templates, request, "account/account.html", lang, _account_context(session, principal)
    )


@router.post("/{lang}/account/tokens", include_in_schema=False)
def create_token_form(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    principal: SignedIn,
    name: Annotated[str, Form(max_length=500)] = "",
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
    expires_in_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"name": name, "scopes": scopes, "expires_in_days": expires_in_days}
    try:
        days = _days(expires_in_days)
        with _write(request, principal) as session:
            account = session.get(Account, principal.account_id)
            assert account is not None
            _, raw = tokens.create_token(
                session, principal, account, name, scopes, expires_in_days=days
            )
    except AuthError as exc:
        with request.app.state.store.sessions() as session:
            context = _account_context(session, principal, error=str(exc), form=form)
        return _page(templates, request, "account/account.html", lang, context, 400)
    with request.app.state.store.sessions() as session:
        context = _account_context(session, principal, new_token=raw)
    return _page(templates, request, "account/account.html", lang, context, 201)


def _days(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise AuthError(f"expiry must be a whole number of days (got {text!r})")
    return int(text)


@router.post("/{lang}/account/tokens/{token_id}/revoke", include_in_schema=False)
def revoke_token_form(request: Request, lang: Lang, token_id: int, principal: SignedIn) -> Response:
    with _write(request, principal) as session:
        tokens.revoke_token(session, principal, token_id)
    return RedirectResponse(f"/{lang}/account", status_code=303)


# --- admin: accounts, organisations, audit ------------------------------------------------


def _admin_context(session: Session, **extra: Any) -> dict[str, Any]:
    return {
        "accounts": accounts.list_accounts(session),
        "organisations": accounts.list_organisations(session),
        "roles": ROLES,
        "error": None,
        "done": None,
        "form": {},
        **extra,
    }


@router.get("/{lang}/admin/accounts", include_in_schema=False)
def admin_accounts(
    request: Request, lang: Lang, templates: TemplatesDep, session: SessionDep, _: Admin
) -> Response:
    return _page(templates, request, "account/admin_accounts.html", lang, _admin_context(session))


def _admin_result(
    request: Request, lang: Lang, templates: Any, error: AuthError | None, form: dict[str, Any],
    done: str | None = None,
) -> Response:  # fmt: skip
    with request.app.state.store.sessions() as session:
        context = _admin_context(
            session, error=str(error) if error else None, form=form if error else {}, done=done
        )
    return _page(
        templates, request, "account/admin_accounts.html", lang, context, 400 if error else 200
    )


@router.post("/{lang}/admin/accounts", include_in_schema=False)
def admin_create_account(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    principal: Admin,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=2000)] = "",
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
    organisation: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    form = {"username": username, "roles": roles, "organisation": organisation,
            "display_name": display_name, "email": email}  # fmt: skip
    try:
        with _write(request, principal) as session:
            accounts.create_account(
                session, principal, username.strip(), password=password or None, roles=roles,
                organisation_id=organisation, display_name=display_name, email=email,
            )  # fmt: skip
    except AuthError as exc:
        return _admin_result(request, lang, templates, exc, form)
    return _admin_result(request, lang, templates, None, form, done=username.strip())


@router.post("/{lang}/admin/accounts/{username}/roles", include_in_schema=False)
def admin_set_roles(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    username: str,
    principal: Admin,
    roles: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    try:
        with _write(request, principal) as session:
            accounts.set_roles(session, principal, username, roles)
    except AuthError as exc:
        return _admin_result(request, lang, templates, exc, {})
    return _admin_result(request, lang, templates, None, {}, done=username)


@router.post("/{lang}/admin/accounts/{username}/disable", include_in_schema=False)
def admin_disable(
    request: Request, lang: Lang, templates: TemplatesDep, username: str, principal: Admin
) -> Response:
    try:
        with _write(request, principal) as session:
            accounts.disable_account(session, principal, username)
    except AuthError as exc:
        return _admin_result(request, lang, templates, exc, {})
    return _admin_result(request, lang, templates, None, {}, done=username)


@router.post("/{lang}/admin/organisations", include_in_schema=False)
def admin_create_organisation(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    principal: Admin,
    id: Annotated[str, Form(max_length=200)] = "",
    name_en: Annotated[str, Form(max_length=500)] = "",
    name_zh: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    form = {"org_id": id, "name_en": name_en, "name_zh": name_zh}
    try:
        with _write(request, principal) as session:
            accounts.create_organisation(session, principal, id.strip(), name_en, name_zh)
    except AuthError as exc:
        return _admin_result(request, lang, templates, exc, form)
    return _admin_result(request, lang, templates, None, form, done=id.strip())


@router.get("/{lang}/admin/audit", include_in_schema=False)
def admin_audit(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    session: SessionDep,
    _: Admin,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    total = audit.count_events(session)
    pages = max(1, math.ceil(total / AUDIT_PAGE))
    events = audit.list_events(session, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE)
    return _page(
        templates, request, "account/admin_audit.html", lang,
        {"events": events, "page": page, "pages": pages, "total": total},
    )  # fmt: skip


# --- API ---------------------------------------------------------------------------------

AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.ErrorOut, "description": "Bad input (the message names the rule)"},
    401: {"model": S.ErrorOut, "description": "No valid credential (Bearer token or session)"},
    403: {"model": S.ErrorOut, "description": "Missing role, scope or CSRF token"},
    404: {"model": S.ErrorOut, "description": "No such token (or not yours)"},
    422: {"model": S.ValidationErrorOut, "description": "A field is missing or malformed"},
}


class TokenIn(BaseModel):
    name: str = Field(max_length=500, description="What the token is for")
    scopes: list[str] = Field(max_length=10, description="read, write, triage, admin")
    expires_in_days: int | None = Field(None, description="1 to 366; null: never expires")


class OrganisationOut(BaseModel):
    id: str
    name_en: str
    name_zh: str | None


class MeOut(BaseModel):
    id: int
    username: str
    display_name: str | None
    organisation: OrganisationOut | None
    roles: list[str]
    scopes: list[str] | None = Field(description="A token's scopes; null for a browser session")
    via: Literal["token", "session"]
    csrf_token: str | None = Field(None, description="For a browser session only")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: str
    expires_at: str | None
    last_used_at: str | None
    revoked_at: str | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, never again")


class TokenListOut(BaseModel):
    tokens: list[TokenOut]


@router.get(
    "/api/v1/me", tags=["accounts"], summary="The signed-in account",
    response_model=MeOut, responses=AUTH_ERRORS,
)  # fmt: skip
def me(request: Request, session: SessionDep, principal: Reader) -> JSONResponse:
    account = session.get(Account, principal.account_id)
    organisation = (
        session.get(Organisation, account.organisation_id)
        if account and account.organisation_id
        else None
    )
    body: dict[str, Any] = {
        "id": principal.account_id,
        "username": principal.username,
        "display_name": account.display_name if account else None,
        "organisation": None
        if organisation is None
        else {
            "id": organisation.id,
            "name_en": organisation.name_en,
            "name_zh": organisation.name_zh,
        },  # fmt: skip
        "roles": [r for r in ROLES if r in principal.roles],
        "scopes": None
        if principal.scopes is None
        else [s for s in SCOPES if s in principal.scopes],
        "via": auth_via(request),
    }
    if auth_via(request) == "session":
        body["csrf_token"] = csrf_token_of(request)
    return JSONResponse(body, headers=NO_STORE)


def _token_out(token: Any) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "scopes": token.scopes.split(),
        "created_at": token.created_at.isoformat(),
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@router.get(
    "/api/v1/tokens", tags=["accounts"], summary="My API tokens (never the secrets)",
    response_model=TokenListOut, responses=AUTH_ERRORS,
)  # fmt: skip
def list_tokens(session: SessionDep, principal: Reader) -> JSONResponse:
    rows = tokens.tokens_of(session, principal.account_id or 0)
    return JSONResponse({"tokens": [_token_out(t) for t in rows]}, headers=NO_STORE)


@router.post(
    "/api/v1/tokens", tags=["accounts"], summary="Create an API token (shown once)",
    status_code=201, response_model=TokenCreatedOut, responses=AUTH_ERRORS,
)  # fmt: skip
def create_token(request: Request, body: TokenIn, principal: SignedIn) -> JSONResponse:
    with _write(request, principal) as session:
        account = session.get(Account, principal.account_id)
        assert account is not None
        token, raw = tokens.create_token(
            session, principal, account, body.name, body.scopes,
            expires_in_days=body.expires_in_days,
        )  # fmt: skip
        out = _token_out(token)
    return JSONResponse({**out, "token": raw}, status_code=201, headers=NO_STORE)


@router.delete(
    "/api/v1/tokens/{token_id}", tags=["accounts"], summary="Revoke an API token",
    response_model=TokenOut, responses=AUTH_ERRORS,
)  # fmt: skip
def delete_token(request: Request, token_id: TokenId, principal: SignedIn) -> JSONResponse:
    with _write(request, principal) as session:
        token = tokens.revoke_token(session, principal, token_id)
        out = _token_out(token)
    return JSONResponse(out, headers=NO_STORE)
