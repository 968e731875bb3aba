"""Vulnerabilities (AVID's schema): pages, forms and the JSON API, every read through
the disclosure rule (an embargoed record is a 404 to outsiders, as if never filed).

/{lang}/vulnerabilities[.csv|.json]       the list, faceted; downloads of exactly the view
/{lang}/vulnerabilities/new               the reporters' form, with an embargo date
/{lang}/vulnerabilities/{id}              one vulnerability (a duplicate redirects, 308)
/{lang}/vulnerabilities/{id}/comments|tags|publish|embargo   forms (POST)
/api/v1/vulnerabilities[.csv|.json]       GET (cursor pages, facets), POST (file one)
/api/v1/vulnerabilities/{id}              GET
/api/v1/vulnerabilities/{id}/triage|comments|tags|publish|embargo   POST
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from commonground.auth.principal import Principal
from commonground.registry import disclosure
from commonground.registry import triage as workflow
from commonground.registry import vulnerabilities as queries
from commonground.registry.case_inputs import (
    AVID_ARTIFACT_TYPES,
    AVID_CLASSES,
    AVID_LIFECYCLE,
    AVID_RISK_DOMAINS,
    AVID_TYPES,
    CommentIn,
    EmbargoIn,
    TagIn,
    TriageIn,
    VulnerabilityIn,
)
from commonground.registry.cases import VULNERABILITY
from commonground.registry.pagination import Page
from commonground.store.models_cases import SEVERITIES
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
    prefix="/api/v1",
    tags=["vulnerabilities"],
    dependencies=[Depends(_reject_nul)],
    responses=ERRORS,
)
Reporter = Annotated[Principal, Depends(require("reporter"))]
Triager = Annotated[Principal, Depends(require("triager", scope="triage"))]
Commenter = Annotated[Principal, Depends(require("reporter", "triager", "editor"))]
Tagger = Annotated[Principal, Depends(require("triager", "editor"))]
FORM_FIELDS = (
    "title",
    "description_en",
    "description_zh",
    "problem_class",
    "problem_type",
    "severity",
    "reported_date",
    "developer_org_id",
    "embargo_until",
)
FORM_LISTS = ("risk_domains", "sep_view", "lifecycle_view", "developers", "deployers")
REDIRECT = {308: {"model": C.Redirected, "description": "A duplicate: its survivor's URL"}}


def _detail_out(d: queries.VulnerabilityDetail) -> C.VulnerabilityDetailOut:
    return C.VulnerabilityDetailOut(
        **C.VulnerabilityOut.model_validate(d.vulnerability).model_dump(),
        **C.parts(
            d.attached,
            reporter=d.reporter,
            assignee=d.assignee,
            duplicates=d.duplicates,
            source=S.SourceOut.model_validate(d.source) if d.source else None,
            embargoed=d.embargoed,
            links=[C.LinkOut.model_validate(link) for link in d.links],
        ),
    )


def _detail_api(request: Request, principal: Principal, id: str) -> C.VulnerabilityDetailOut:
    with request.app.state.store.sessions() as session:
        return _detail_out(queries.get_vulnerability(session, principal, id, now()))


def _survivor(request: Request, principal: Principal, id: str) -> str | None:
    with request.app.state.store.sessions() as session:
        return workflow.survivor_of(session, principal, VULNERABILITY, id, now())


def _fetcher(principal: Principal, filters: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    # `now` is taken per page, so a long download never shows a record early.
    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return queries.list_vulnerabilities(
            session, principal, now(), filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return fetch


def _facet_filters(
    namespace: Values = None,
    kind: Values = None,
    status: Values = None,
    year: Years = None,
    problem_class: Values = None,
    severity: Values = None,
    developer: Values = None,
    deployer: Values = None,
    tag: Values = None,
) -> dict[str, list[str]]:
    """The list's facets from the query string, declared once for the list and its
    downloads (FastAPI documents a dependency's parameters as the route's own)."""
    return _filters(**locals())


FacetFilters = Annotated[dict[str, list[str]], Depends(_facet_filters)]


# -- API -------------------------------------------------------------------------------


@api.get(
    "/vulnerabilities",
    summary="Vulnerabilities (AVID and filed here) you may see, filtered by facets",
    response_model=C.VulnerabilityList,
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
        name="vulnerabilities",
        fetch=_fetcher(principal, filters),
        item=C.VulnerabilityOut,
        listing=C.VulnerabilityList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@api.get("/vulnerabilities.{format}", include_in_schema=False)
def download_api(
    request: Request,
    principal: PrincipalDep,
    format: str,
    filters: FacetFilters,
) -> Any:
    if format not in ("csv", "json"):
        return JSONResponse({"ok": False, "error": "format: csv or json", "status": 404}, 404)
    return _download(
        request,
        "vulnerabilities",
        _fetcher(principal, filters),
        C.VulnerabilityOut,
        C.VulnerabilityList,
        format,
    )


@api.post(
    "/vulnerabilities",
    summary="File a vulnerability (reporter), optionally under embargo; id CG:V-<year>-<n>",
    status_code=201,
    response_model=C.VulnerabilityDetailOut,
    responses=WRITE_ERRORS,
)
def file_api(request: Request, body: VulnerabilityIn, principal: Reporter) -> Any:
    id = write(request, lambda s: queries.file_vulnerability(s, principal, body, now()).id)
    return _detail_api(request, principal, id)


@api.get(
    "/vulnerabilities/{id}",
    summary="One vulnerability: attributes, tags, comments, history",
    response_model=C.VulnerabilityDetailOut,
    responses=REDIRECT,
)
def detail_api(request: Request, id: str, principal: PrincipalDep) -> Any:
    survivor = _survivor(request, principal, id)
    if survivor:
        return redirect_to_survivor("vulnerabilities", id, survivor)
    return _detail_api(request, principal, id)


@api.post(
    "/vulnerabilities/{id}/triage",
    summary="Move a vulnerability along the triage workflow and/or assign it (triager)",
    response_model=C.VulnerabilityDetailOut,
    responses=WRITE_ERRORS,
)
def triage_api(request: Request, id: str, body: TriageIn, principal: Triager) -> Any:
    write(request, lambda s: workflow.triage(s, principal, VULNERABILITY, id, body, now()))
    return _detail_api(request, principal, id)


@api.post(
    "/vulnerabilities/{id}/comments",
    summary="Comment on a vulnerability you may see (reporter, triager, editor)",
    status_code=201,
    response_model=C.CommentCreated,
    responses=WRITE_ERRORS,
)
def comment_api(request: Request, id: str, body: CommentIn, principal: Commenter) -> Any:
    row = write(request, lambda s: workflow.comment(s, principal, VULNERABILITY, id, body, now()))
    return C.CommentCreated(id=row.id, subject_id=id, created_at=row.created_at)


@api.post(
    "/vulnerabilities/{id}/tags",
    summary="Tag a vulnerability with a taxonomy term (triager, editor)",
    status_code=201,
    response_model=C.TagCreated,
    responses=WRITE_ERRORS,
)
def tag_api(request: Request, id: str, body: TagIn, principal: Tagger) -> Any:
    row = write(request, lambda s: workflow.tag(s, principal, VULNERABILITY, id, body, now()))
    return C.TagCreated(
        subject_id=id, term_id=row.term_id, method=row.method, review_status=row.review_status
    )


@api.post(
    "/vulnerabilities/{id}/publish",
    summary="Publish before the embargo ends (triager)",
    response_model=C.VulnerabilityDetailOut,
    responses=WRITE_ERRORS,
)
def publish_api(request: Request, id: str, principal: Triager) -> Any:
    write(request, lambda s: disclosure.publish(s, principal, id, now()))
    return _detail_api(request, principal, id)


@api.post(
    "/vulnerabilities/{id}/embargo",
    summary="Set or move the embargo of an unpublished vulnerability (triager)",
    response_model=C.VulnerabilityDetailOut,
    responses=WRITE_ERRORS,
)
def embargo_api(request: Request, id: str, body: EmbargoIn, principal: Triager) -> Any:
    write(request, lambda s: disclosure.set_embargo(s, principal, id, body.embargo_until, now()))
    return _detail_api(request, principal, id)


# -- pages -----------------------------------------------------------------------------


def _page_url(lang: str, id: str) -> str:
    return f"/{lang}/vulnerabilities/{quote(id, safe=':')}"


@router.get("/{lang}/vulnerabilities", include_in_schema=False)
@router.get("/{lang}/vulnerabilities.{fmt}", include_in_schema=False)
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
        return _download(
            request, "vulnerabilities", fetch, C.VulnerabilityOut, C.VulnerabilityList, fmt
        )
    with request.app.state.store.sessions() as session:
        page = fetch(session, cursor, 50, True)
    response = list_response(request, templates, lang, "vulnerabilities", page, filters)
    if principal.authenticated:
        response.headers.update(NO_STORE)
    return response


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
        "vulnerabilities/new.html",
        lang,
        {
            "values": values,
            "error": error,
            "section": "vulnerabilities",
            "labels": labels,
            "classes": AVID_CLASSES,
            "types": AVID_TYPES,
            "domains": AVID_RISK_DOMAINS,
            "lifecycle": AVID_LIFECYCLE,
            "artifact_types": AVID_ARTIFACT_TYPES,
            "severities": SEVERITIES,
        },
        status=status,
    )
    response.headers.update(NO_STORE)
    return response


def _lines(form: FormData, name: str) -> list[str]:
    raw = form.get(name)
    return (
        [line.strip() for line in raw.splitlines() if line.strip()] if isinstance(raw, str) else []
    )


def _form_input(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the form shows again, the input to validate): artifacts are lines
    `Type: name`, references lines `URL label`."""
    values = form_values(form, FORM_FIELDS, FORM_LISTS)
    data = dict(values)
    artifacts = []
    for line in _lines(form, "artifacts"):
        kind, _, name = line.partition(":")
        artifacts.append({"type": kind.strip(), "name": name.strip()})
    references = []
    for line in _lines(form, "references"):
        url, _, label = line.partition(" ")
        references.append({"url": url, "label": label.strip() or url})
    if artifacts:
        data["artifacts"] = artifacts
    if references:
        data["references"] = references
    shown = dict(values, artifacts=form.get("artifacts", ""), references=form.get("references", ""))
    return shown, data


@router.get("/{lang}/vulnerabilities/new", include_in_schema=False)
def new_form(request: Request, lang: Lang, templates: TemplatesDep, _: Reporter) -> Response:
    return _form(request, templates, lang, {}, None)


@router.post("/{lang}/vulnerabilities/new", include_in_schema=False)
async def submit_form(
    request: Request, lang: Lang, templates: TemplatesDep, principal: Reporter
) -> Response:
    form = await request.form()
    shown, data = _form_input(form)
    try:
        body = VulnerabilityIn.model_validate(data)
        id = write(request, lambda s: queries.file_vulnerability(s, principal, body, now()).id)
    except ValidationError as exc:
        return _form(request, templates, lang, shown, validation_message(exc), status=400)
    except HTTPException as exc:
        if exc.status_code != 400:
            raise
        return _form(request, templates, lang, shown, str(exc.detail), status=400)
    return RedirectResponse(_page_url(lang, id), status_code=303, headers=NO_STORE)


@router.get("/{lang}/vulnerabilities/{id}", include_in_schema=False)
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
        d = queries.get_vulnerability(session, principal, id, now())
    response = templates.render(
        request,
        "vulnerabilities/detail.html",
        lang,
        {
            "d": d,
            "v": d.vulnerability,
            "redirected_from": duplicate if duplicate in d.duplicates else None,
            "transitions": workflow.TRANSITIONS,
            "section": "vulnerabilities",
            "labels": labels,
            "alternates": {"json": f"/api/v1/vulnerabilities/{quote(id, safe=':')}"},
            "can": {
                "comment": principal.can("reporter", "triager", "editor"),
                "tag": principal.can("triager", "editor"),
                "triage": principal.can("triager", scope="triage"),
            },
        },
    )
    if principal.authenticated:
        response.headers.update(NO_STORE)
    return response


@router.post("/{lang}/vulnerabilities/{id}/comments", include_in_schema=False)
async def comment_form(request: Request, lang: Lang, id: str, principal: Commenter) -> Response:
    return await form_write(
        request,
        _page_url(lang, id),
        CommentIn,
        ("body",),
        lambda s, data: workflow.comment(s, principal, VULNERABILITY, id, data, now()),
    )


@router.post("/{lang}/vulnerabilities/{id}/tags", include_in_schema=False)
async def tag_form(request: Request, lang: Lang, id: str, principal: Tagger) -> Response:
    return await form_write(
        request,
        _page_url(lang, id),
        TagIn,
        ("term_id", "note"),
        lambda s, data: workflow.tag(s, principal, VULNERABILITY, id, data, now()),
    )


@router.post("/{lang}/vulnerabilities/{id}/embargo", include_in_schema=False)
async def embargo_form(request: Request, lang: Lang, id: str, principal: Triager) -> Response:
    return await form_write(
        request,
        _page_url(lang, id),
        EmbargoIn,
        ("embargo_until",),
        lambda s, data: disclosure.set_embargo(s, principal, id, data.embargo_until, now()),
    )


@router.post("/{lang}/vulnerabilities/{id}/publish", include_in_schema=False)
async def publish_form(request: Request, lang: Lang, id: str, principal: Triager) -> Response:
    write(request, lambda s: disclosure.publish(s, principal, id, now()))
    return RedirectResponse(_page_url(lang, id), status_code=303, headers=NO_STORE)
