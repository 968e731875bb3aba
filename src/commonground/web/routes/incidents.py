"""Incidents: pages, forms and the JSON API.

/{lang}/incidents[.csv|.json]            the list, faceted; downloads of exactly the view
/{lang}/incidents/new                    the reporters' form (GET, POST)
/{lang}/incidents/{id}                   one incident (a duplicate's id redirects, 308)
/{lang}/incidents/{id}/comments|tags|reports   forms on the incident's page (POST)
/api/v1/incidents[.csv|.json]            GET (cursor pages, facets), POST (file one)
/api/v1/incidents/{id}                   GET
/api/v1/incidents/{id}/triage|comments|tags|reports   POST
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from commonground.auth.principal import Principal
from commonground.registry import incidents as queries
from commonground.registry import triage as workflow
from commonground.registry.case_inputs import CommentIn, IncidentIn, ReportIn, TagIn, TriageIn
from commonground.registry.cases import INCIDENT
from commonground.registry.pagination import Page
from commonground.web import api_schemas as S
from commonground.web import case_schemas as C
from commonground.web import labels
from commonground.web.case_web import (
    WRITE_ERRORS,
    form_values,
    form_write,
    list_response,
    now,
    redirect_to_survivor,
    validation_message,
    write,
)
from commonground.web.deps import Lang, TemplatesDep, filters_from
from commonground.web.routes.api import (
    DOWNLOADS,
    ERRORS,
    Cursor,
    Format,
    Values,
    Years,
    _download,
    _filters,
    _limit,
    _reject_nul,
    _serve,
)
from commonground.web.security import NO_STORE, PrincipalDep, require

router = APIRouter(dependencies=[Depends(_reject_nul)])
api = APIRouter(
    prefix="/api/v1", tags=["incidents"], dependencies=[Depends(_reject_nul)], responses=ERRORS
)
Reporter = Annotated[Principal, Depends(require("reporter"))]
Triager = Annotated[Principal, Depends(require("triager", scope="triage"))]
Commenter = Annotated[Principal, Depends(require("reporter", "triager", "editor"))]
Tagger = Annotated[Principal, Depends(require("triager", "editor"))]
FORM_FIELDS = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "date",
    "date_precision",
    "severity",
    "url",
)
FORM_LISTS = ("countries", "sectors", "developers", "deployers", "technologies")
REPORT_FIELDS = ("url", "title", "publisher", "date", "language")
REDIRECT = {308: {"model": C.Redirected, "description": "A duplicate: its survivor's URL"}}


def _detail_out(d: queries.IncidentDetail) -> C.IncidentDetailOut:
    return C.IncidentDetailOut(
        **C.IncidentOut.model_validate(d.incident).model_dump(),
        **C.parts(
            d.attached,
            reporter=d.reporter,
            assignee=d.assignee,
            duplicates=d.duplicates,
            source=S.SourceOut.model_validate(d.source) if d.source else None,
            reports=[C.ReportOut.model_validate(r) for r in d.reports],
        ),
    )


def _survivor(request: Request, principal: Principal, id: str) -> str | None:
    with request.app.state.store.sessions() as session:
        return workflow.survivor_of(session, principal, INCIDENT, id, now())


def _fetcher(principal: Principal, filters: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return queries.list_incidents(
            session, principal, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return fetch


def _facet_filters(
    namespace: Values = None,
    status: Values = None,
    year: Years = None,
    severity: Values = None,
    country: Values = None,
    sector: Values = None,
    developer: Values = None,
    deployer: Values = None,
    technology: Values = None,
    tag: Values = None,
) -> dict[str, list[str]]:
    """The list's facets from the query string, declared once for the list and its
    downloads (FastAPI documents a dependency's parameters as the route's own)."""
    return _filters(**locals())


FacetFilters = Annotated[dict[str, list[str]], Depends(_facet_filters)]


# -- API -------------------------------------------------------------------------------


@api.get(
    "/incidents",
    summary="Incidents (AIAAIC, AIID and filed here), filtered by facets",
    response_model=C.IncidentList,
    responses=DOWNLOADS,
)
def list_api(
    request: Request,
    response: Response,
    principal: PrincipalDep,
    filters: FacetFilters,
    cursor: Cursor = None,
    limit: int = _limit(50),
    format: Format = None,
) -> Any:
    return _serve(
        request,
        response,
        name="incidents",
        fetch=_fetcher(principal, filters),
        item=C.IncidentOut,
        listing=C.IncidentList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@api.post(
    "/incidents",
    summary="File a new incident (reporter); its id is CG:I-<year>-<n>",
    status_code=201,
    response_model=C.IncidentDetailOut,
    responses=WRITE_ERRORS,
)
def file_api(request: Request, body: IncidentIn, principal: Reporter) -> Any:
    id = write(request, lambda s: queries.file_incident(s, principal, body, now()).id)
    return _detail_api(request, principal, id)


def _detail_api(request: Request, principal: Principal, id: str) -> C.IncidentDetailOut:
    with request.app.state.store.sessions() as session:
        return _detail_out(queries.get_incident(session, principal, id))


@api.get(
    "/incidents/{id}",
    summary="One incident: reports, attributes, tags, comments, history",
    response_model=C.IncidentDetailOut,
    responses=REDIRECT,
)
def detail_api(request: Request, id: str, principal: PrincipalDep) -> Any:
    survivor = _survivor(request, principal, id)
    if survivor:
        return redirect_to_survivor("incidents", id, survivor)
    return _detail_api(request, principal, id)


@api.post(
    "/incidents/{id}/triage",
    summary="Move an incident along the triage workflow and/or assign it (triager)",
    response_model=C.IncidentDetailOut,
    responses=WRITE_ERRORS,
)
def triage_api(request: Request, id: str, body: TriageIn, principal: Triager) -> Any:
    write(request, lambda s: workflow.triage(s, principal, INCIDENT, id, body, now()))
    return _detail_api(request, principal, id)


@api.post(
    "/incidents/{id}/comments",
    summary="Comment on an incident (reporter, triager, editor)",
    status_code=201,
    response_model=C.CommentCreated,
    responses=WRITE_ERRORS,
)
def comment_api(request: Request, id: str, body: CommentIn, principal: Commenter) -> Any:
    row = write(request, lambda s: workflow.comment(s, principal, INCIDENT, id, body, now()))
    return C.CommentCreated(id=row.id, subject_id=id, created_at=row.created_at)


@api.post(
    "/incidents/{id}/tags",
    summary="Tag an incident with a taxonomy term (triager, editor)",
    status_code=201,
    response_model=C.TagCreated,
    responses=WRITE_ERRORS,
)
def tag_api(request: Request, id: str, body: TagIn, principal: Tagger) -> Any:
    row = write(request, lambda s: workflow.tag(s, principal, INCIDENT, id, body, now()))
    return C.TagCreated(
        subject_id=id, term_id=row.term_id, method=row.method, review_status=row.review_status
    )


@api.post(
    "/incidents/{id}/reports",
    summary="Add a report (news article, filing…) to an incident and to `also_incidents`",
    status_code=201,
    response_model=C.ReportOut,
    responses=WRITE_ERRORS,
)
def report_api(request: Request, id: str, body: ReportIn, principal: Commenter) -> Any:
    report = write(request, lambda s: queries.add_report(s, principal, id, body, now()))
    return C.ReportOut.model_validate(report)


@api.get("/incidents.{format}", include_in_schema=False)
def download_api(
    request: Request,
    principal: PrincipalDep,
    format: str,
    filters: FacetFilters,
) -> Any:
    if format not in ("csv", "json"):
        return JSONResponse({"ok": False, "error": "format: csv or json", "status": 404}, 404)
    return _download(
        request, "incidents", _fetcher(principal, filters), C.IncidentOut, C.IncidentList, format
    )


# -- pages -----------------------------------------------------------------------------


def _page_url(lang: str, id: str) -> str:
    return f"/{lang}/incidents/{quote(id, safe=':')}"


@router.get("/{lang}/incidents", include_in_schema=False)
@router.get("/{lang}/incidents.{fmt}", include_in_schema=False)
def list_page(
    request: Request,
    lang: Lang,
    templates: TemplatesDep,
    principal: PrincipalDep,
    fmt: str = "",
    cursor: str | None = None,
) -> Response:
    filters = filters_from(request, queries.FACETS)
    fetch = _fetcher(principal, filters)
    if fmt:
        if fmt not in ("csv", "json"):
            return templates.not_found(request, lang)
        return _download(request, "incidents", fetch, C.IncidentOut, C.IncidentList, fmt)
    with request.app.state.store.sessions() as session:
        page = fetch(session, cursor, 50, True)
    return list_response(request, templates, lang, "incidents", page, filters)


def _form(
    request: Request,
    templates: TemplatesDep,
    lang: str,
    values: dict[str, Any],
    error: str | None,
    status: int = 200,
) -> Response:
    response = templates.render(
        request,
        "incidents/new.html",
        lang,
        {"values": values, "error": error, "section": "incidents", "labels": labels},
        status=status,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/{lang}/incidents/new", include_in_schema=False)
def new_form(request: Request, lang: Lang, templates: TemplatesDep, _: Reporter) -> Response:
    return _form(request, templates, lang, {}, None)


@router.post("/{lang}/incidents/new", include_in_schema=False)
async def submit_form(
    request: Request, lang: Lang, templates: TemplatesDep, principal: Reporter
) -> Response:
    form = await request.form()
    values = form_values(form, FORM_FIELDS, FORM_LISTS)
    try:
        data = IncidentIn.model_validate(values)
        id = write(request, lambda s: queries.file_incident(s, principal, data, now()).id)
    except ValidationError as exc:
        return _form(request, templates, lang, values, validation_message(exc), status=400)
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        return _form(request, templates, lang, values, str(exc.detail), status=400)
    return RedirectResponse(_page_url(lang, id), status_code=303, headers=NO_STORE)


@router.get("/{lang}/incidents/{id}", include_in_schema=False)
def detail_page(
    request: Request,
    lang: Lang,
    id: str,
    templates: TemplatesDep,
    principal: PrincipalDep,
    duplicate: str | None = None,
) -> Response:
    survivor = _survivor(request, principal, id)
    if survivor:
        return RedirectResponse(
            _page_url(lang, survivor) + "?duplicate=" + quote(id, safe=":"), status_code=308
        )
    with request.app.state.store.sessions() as session:
        d = queries.get_incident(session, principal, id)
    response = templates.render(
        request,
        "incidents/detail.html",
        lang,
        {
            "d": d,
            "i": d.incident,
            "redirected_from": duplicate if duplicate in d.duplicates else None,
            "section": "incidents",
            "labels": labels,
            "alternates": {"json": f"/api/v1/incidents/{quote(id, safe=':')}"},
            "can": _abilities(principal),
            "transitions": workflow.TRANSITIONS,
        },
    )
    if principal.authenticated:
        response.headers.update(NO_STORE)
    return response


def _abilities(principal: Principal) -> dict[str, bool]:
    return {
        "comment": principal.can("reporter", "triager", "editor"),
        "tag": principal.can("triager", "editor"),
        "report": principal.can("reporter", "triager", "editor"),
        "triage": principal.can("triager", scope="triage"),
    }


@router.post("/{lang}/incidents/{id}/comments", include_in_schema=False)
async def comment_form(request: Request, lang: Lang, id: str, principal: Commenter) -> Response:
    return await form_write(
        request,
        _page_url(lang, id),
        CommentIn,
        ("body",),
        lambda s, data: workflow.comment(s, principal, INCIDENT, id, data, now()),
    )


@router.post("/{lang}/incidents/{id}/tags", include_in_schema=False)
async def tag_form(request: Request, lang: Lang, id: str, principal: Tagger) -> Response:
    return await form_write(
        request,
        _page_url(lang, id),
        TagIn,
        ("term_id", "note"),
        lambda s, data: workflow.tag(s, principal, INCIDENT, id, data, now()),
    )


@router.post("/{lang}/incidents/{id}/reports", include_in_schema=False)
async def report_form(request: Request, lang: Lang, id: str, principal: Commenter) -> Response:
    return await form_write(
        request,
        _page_url(lang, id),
        ReportIn,
        REPORT_FIELDS,
        lambda s, data: queries.add_report(s, principal, id, data, now()),
    )
