"""`create_app(settings)`: the FastAPI application, built per call so tests choose the store."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from commonground import __version__
from commonground.config import Settings
from commonground.errors import Error, NotFoundError
from commonground.registry.pagination import BadCursor
from commonground.store.engine import Store
from commonground.web import cache, security
from commonground.web.i18n import LANGS, negotiate
from commonground.web.routes import pages
from commonground.web.templating import STATIC, Templates


def _lang_of(request: Request) -> str:
    first = request.url.path.split("/")[1] if request.url.path.count("/") >= 1 else ""
    return first if first in LANGS else negotiate(request.headers.get("accept-language"))


def _error(request: Request, status: int, message: str) -> Response:
    # datasette's error shape for JSON; a page in the visitor's language otherwise.
    if request.url.path.startswith("/api/") or request.url.path.endswith((".json", ".csv")):
        return JSONResponse({"ok": False, "error": message, "status": status}, status_code=status)
    templates: Templates = request.app.state.templates
    return templates.render(
        request,
        "error.html",
        _lang_of(request),
        {"status": status, "message": message},
        status=status,
    )


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    store = store or Store.from_url(settings.database_url, log_origin=settings.log_origin)
    app = FastAPI(
        title="Common Ground API",
        version=__version__,
        description="International AI governance: instruments, actors, participation and sources, "
        "each fact cited. 国际人工智能治理：文书、行为体、参与情况与来源，每条事实均注明出处。",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.store = store
    app.state.settings = settings
    app.state.templates = Templates()
    security.install(app.state.templates)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.log_tiles_dir is not None:
        # The log as static tlog-tiles (checkpoint, tile/…): readers need no database.
        settings.log_tiles_dir.mkdir(parents=True, exist_ok=True)
        app.mount("/log", StaticFiles(directory=settings.log_tiles_dir), name="log-tiles")
    if settings.page_cache:
        cache.install(app)

    @app.exception_handler(NotFoundError)
    def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(BadCursor)
    def bad_cursor(request: Request, exc: BadCursor) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = _error(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. WWW-Authenticate on a 401
        return response

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(tuple(e.get("loc", ()))[:2] == ("path", "lang") for e in errors):
            return _error(request, 404, f"no such language: {request.url.path}")
        if request.url.path.startswith("/api/"):
            detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors]
            message = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)
            return JSONResponse(
                {"ok": False, "error": message, "errors": detail, "status": 422}, status_code=422
            )
        return _error(request, 400, "; ".join(str(e.get("msg", "")) for e in errors))

    @app.exception_handler(Error)
    def error(request: Request, exc: Error) -> Response:
        return _error(request, 400, str(exc))

    from commonground.web.routes import (
        account,
        api,
        applies,
        commitments,
        consensus,
        evaluations,
        representation,
    )
    from commonground.web.routes import log as log_routes

    # Before api and pages: their `/models/{id:path}` would swallow `…/evaluations`.
    app.include_router(evaluations.router)
    app.include_router(commitments.router)
    from commonground.web.routes import incidents, triage, vulnerabilities

    for cases in (incidents, vulnerabilities):
        app.include_router(cases.api)
        app.include_router(cases.router)
    app.include_router(triage.router)
    app.include_router(api.router)
    app.include_router(log_routes.router)
    app.include_router(account.router)
    app.include_router(applies.router)
    app.include_router(representation.router)
    app.include_router(consensus.router)
    app.include_router(pages.router)
    return app
