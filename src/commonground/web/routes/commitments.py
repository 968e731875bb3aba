"""The commitments tracker: pages, downloads, editor forms and the API.

/{lang}/commitments                                          tracked instruments
/{lang}/commitments/methodology                              how statuses are decided
/{lang}/commitments/{instrument}[.csv|.json]                 the matrix (signatories × commitments)
/{lang}/commitments/{instrument}/signatories/{actor}[.csv|.json]   evidence timeline, assessments
/{lang}/commitments/{instrument}/provisions/{local}[.csv|.json]    one commitment, every signatory
/{lang}/commitments/{instrument}/evidence/new                 editor form (POST to the same URL)
/{lang}/commitments/{instrument}/assessments/new              editor form (POST to the same URL)
/api/v1/commitments/{instrument}/matrix | /evidence | /assessments   (GET)
/api/v1/evidence, /api/v1/assessments                         (POST, editor)
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from commonground.auth.principal import Principal
from commonground.errors import NotFoundError
from commonground.registry import commitments as reg
from commonground.store.models import Provision
from commonground.store.models_commitments import EVIDENCE_KINDS
from commonground.web import api_schemas as S
from commonground.web import i18n
from commonground.web.deps import Lang, SessionDep, TemplatesDep
from commonground.web.exports import Table, respond
from commonground.web.labels import N_
from commonground.web.routes.api import ERRORS, _reject_nul
from commonground.web.security import NO_STORE, require

# NUL characters in an id or filter are refused before any query (PostgreSQL rejects them).
router = APIRouter(dependencies=[Depends(_reject_nul)])
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": S.ErrorOut, "description": "Sign in or send a token"},
    403: {"model": S.ErrorOut, "description": "Needs the editor role and the write scope"},
    422: {"description": "Bad input: each error names its field; nothing is stored"},
}
Editor = Annotated[Principal, Depends(require("editor"))]
FORMATS = ("csv", "json")

STATUS_LABELS = {
    "met": N_("met"),
    "partly-met": N_("partly met"),
    "not-met": N_("not met"),
    "no-evidence-found": N_("no evidence found"),
    "not-yet-due": N_("not yet due"),
    "contested": N_("contested"),
    "not-assessed": N_("evidence, not assessed"),
}
# A symbol beside every colour, so the matrix is not read by colour alone.
STATUS_SYMBOLS = {
    "met": "✓",
    "partly-met": "◐",
    "not-met": "✗",
    "no-evidence-found": "∅",
    "not-yet-due": "…",
    "contested": "⚖",
    "not-assessed": "?",
}
KIND_LABELS = {
    "published-framework": N_("published framework"),
    "report": N_("report"),
    "blog-post": N_("blog post"),
    "system-card": N_("system card"),
    "third-party-assessment": N_("third-party assessment"),
    "news": N_("news"),
}
BASIS_LABELS = {"listed": N_("listed"), "stated": N_("stated"), "inferred": N_("inferred")}
# Provision labels as the curated files write them, shown in the page's language.
PROVISION_LABELS = {"Safety framework": N_("Safety framework")}
ACT_NOTE = {"joined_later": N_("joined later; joining date not given by the source")}


def _(lang: str, text: str) -> str:
    return i18n.gettext(lang, text)


def _helpers(lang: str) -> dict[str, Any]:
    return {
        "status_label": lambda s: _(lang, STATUS_LABELS.get(s, s)),
        "status_symbol": lambda s: STATUS_SYMBOLS.get(s, ""),
        "kind_label": lambda k: _(lang, KIND_LABELS.get(k, k)),
        "basis_label": lambda b: _(lang, BASIS_LABELS.get(b, b)) if b else "",
        "statuses": reg.CELL_STATUSES,
        "local": _local,
        "plabel": lambda p: _label(lang, p),
        "section": "commitments",
    }


def _label(lang: str, provision: Provision) -> str:
    label = provision.label or _local(provision)
    if label.startswith("Commitment "):
        return f"{_(lang, 'Commitment')} {label.removeprefix('Commitment ')}"
    return _(lang, PROVISION_LABELS[label]) if label in PROVISION_LABELS else label


def _local(provision: Provision) -> str:
    """A provision's id inside its instrument (`I` for `frontier-ai-safety-commitments/I`)."""
    prefix = provision.instrument_id + "/"
    return provision.id[len(prefix) :] if provision.id.startswith(prefix) else provision.id


def _split(name: str, ext: str) -> tuple[str, str]:
    """`foo` + `csv` → (`foo`, `csv`); an id with a dot that is not a format stays whole."""
    if ext and ext not in FORMATS:
        return f"{name}.{ext}", ""
    return name, ext


def _download(rows: list[dict[str, Any]], columns: list[str], ext: str, name: str) -> Response:
    return respond(Table(columns, iter(rows)), f".{ext}", name)


# -- pages -------------------------------------------------------------------------------


@router.get("/{lang}/commitments", include_in_schema=False)
def index_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    tracked = reg.tracked_instruments(session)
    summaries = []
    for instrument, evidence, assessed in tracked:
        m = reg.matrix(session, instrument.id)
        summaries.append((instrument, evidence, assessed, m))
    return templates.render(
        request, "commitments/index.html", lang, {"tracked": summaries, **_helpers(lang)}
    )


@router.get("/{lang}/commitments/methodology", include_in_schema=False)
def methodology_page(request: Request, lang: Lang, templates: TemplatesDep) -> Response:
    return templates.render(request, "commitments/methodology.html", lang, _helpers(lang))


@router.get("/{lang}/commitments/{instrument_id}", include_in_schema=False)
@router.get("/{lang}/commitments/{instrument_id}.{ext}", include_in_schema=False)
def matrix_page(
    request: Request,
    lang: Lang,
    instrument_id: str,
    session: SessionDep,
    templates: TemplatesDep,
    ext: str = "",
) -> Response:
    instrument_id, ext = _split(instrument_id, ext)
    m = reg.matrix(session, instrument_id)
    if ext:
        rows = reg.matrix_rows(m)
        columns = list(rows[0]) if rows else ["instrument_id"]
        return _download(rows, columns, ext, f"commitments-{instrument_id}")
    base = f"/{lang}/commitments/{quote(instrument_id, safe='')}"
    return templates.render(
        request,
        "commitments/matrix.html",
        lang,
        {
            "m": m,
            "base": base,
            "alternates": {"csv": f"{base}.csv", "json": f"{base}.json"},
            **_helpers(lang),
        },
    )


def _history(session: Session, instrument_id: str, **where: str) -> dict[tuple[str, str], list]:
    grouped: dict[tuple[str, str], list] = {}
    for a in reg.assessments_for(session, instrument_id, **where):
        grouped.setdefault((a.actor_id, a.provision_id), []).append(a)
    return grouped


@router.get("/{lang}/commitments/{instrument_id}/signatories/{actor_id}", include_in_schema=False)
@router.get(
    "/{lang}/commitments/{instrument_id}/signatories/{actor_id}.{ext}", include_in_schema=False
)
def signatory_page(
    request: Request,
    lang: Lang,
    instrument_id: str,
    actor_id: str,
    session: SessionDep,
    templates: TemplatesDep,
    ext: str = "",
) -> Response:
    actor_id, ext = _split(actor_id, ext)
    m = reg.matrix(session, instrument_id)
    signatory = reg.get_signatory(session, instrument_id, actor_id)
    evidence = reg.evidence_for(session, instrument_id, actor_id=actor_id)
    assessments = reg.assessments_for(session, instrument_id, actor_id=actor_id)
    if ext:
        doc = {
            "instrument_id": instrument_id,
            "actor_id": actor_id,
            "cells": [r for r in reg.matrix_rows(m) if r["actor_id"] == actor_id],
            "evidence": [reg.evidence_dict(e) for e in evidence],
            "assessments": reg.assessment_dicts(assessments),
        }
        if ext == "json":
            return Response(
                json.dumps(doc, ensure_ascii=False, indent=1), media_type="application/json"
            )
        rows = doc["evidence"]
        return _download(
            rows, list(reg.EVIDENCE_COLUMNS), ext, f"commitments-{instrument_id}-{actor_id}"
        )
    by_provision: dict[str, list] = {}
    for e in evidence:
        by_provision.setdefault(e.provision_id, []).append(e)
    base = f"/{lang}/commitments/{quote(instrument_id, safe='')}"
    own = f"{base}/signatories/{quote(actor_id, safe='')}"
    return templates.render(
        request,
        "commitments/signatory.html",
        lang,
        {
            "m": m,
            "s": signatory,
            "sc": m.row_counts[actor_id],
            "evidence": evidence,
            "by_provision": by_provision,
            "history": _history(session, instrument_id, actor_id=actor_id),
            "sources": reg.sources_of(session, evidence),
            "labels_of": {p.id: p for p in m.columns},
            "base": base,
            "act_note": _(lang, ACT_NOTE[signatory.act]) if signatory.act in ACT_NOTE else None,
            "alternates": {"csv": f"{own}.csv", "json": f"{own}.json"},
            **_helpers(lang),
        },
    )


@router.get("/{lang}/commitments/{instrument_id}/provisions/{local:path}", include_in_schema=False)
def provision_page(
    request: Request,
    lang: Lang,
    instrument_id: str,
    local: str,
    session: SessionDep,
    templates: TemplatesDep,
) -> Response:
    ext = ""
    for fmt in FORMATS:
        if local.endswith(f".{fmt}"):
            local, ext = local[: -len(fmt) - 1], fmt
    m = reg.matrix(session, instrument_id)
    wanted = f"{instrument_id}/{local}"
    provision = next((p for p in m.columns if p.id in (wanted, local)), None)
    if provision is None:
        raise NotFoundError(f"{local} is not a commitment of {instrument_id}")
    evidence = reg.evidence_for(session, instrument_id, provision_id=provision.id)
    if ext:
        rows = [r for r in reg.matrix_rows(m) if r["provision_id"] == provision.id]
        if ext == "json":
            doc = {
                "instrument_id": instrument_id,
                "provision_id": provision.id,
                "cells": rows,
                "evidence": [reg.evidence_dict(e) for e in evidence],
                "assessments": reg.assessment_dicts(
                    reg.assessments_for(session, instrument_id, provision_id=provision.id)
                ),
            }
            return Response(
                json.dumps(doc, ensure_ascii=False, indent=1), media_type="application/json"
            )
        columns = list(rows[0]) if rows else ["instrument_id"]
        return _download(rows, columns, ext, f"commitments-{instrument_id}-{_local(provision)}")
    by_actor: dict[str, list] = {}
    for e in evidence:
        by_actor.setdefault(e.actor_id, []).append(e)
    base = f"/{lang}/commitments/{quote(instrument_id, safe='')}"
    own = f"{base}/provisions/{_local(provision)}"
    return templates.render(
        request,
        "commitments/provision.html",
        lang,
        {
            "m": m,
            "p": provision,
            "sc": m.column_counts[provision.id],
            "by_actor": by_actor,
            "history": _history(session, instrument_id, provision_id=provision.id),
            "base": base,
            "alternates": {"csv": f"{own}.csv", "json": f"{own}.json"},
            **_helpers(lang),
        },
    )


# -- editor forms ------------------------------------------------------------------------

EVIDENCE_FIELDS = (
    "provision",
    "actor",
    "kind",
    "title",
    "url",
    "publisher",
    "published",
    "excerpt",
    "language",
    "basis",
    "note",
)
ASSESSMENT_FIELDS = (
    "provision",
    "actor",
    "status",
    "assessed_on",
    "assessor",
    "rationale_en",
    "rationale_zh",
    "evidence",
)
FORMS = {
    "evidence": ("commitments/evidence_form.html", EVIDENCE_FIELDS, reg.add_evidence),
    "assessments": ("commitments/assessment_form.html", ASSESSMENT_FIELDS, reg.add_assessment),
}


def _form(
    request: Request,
    templates: Any,
    lang: str,
    session: Session,
    instrument_id: str,
    which: str,
    values: dict[str, str],
    errors: list[tuple[str, str]],
    status: int = 200,
) -> Response:
    m = reg.matrix(session, instrument_id)
    template = FORMS[which][0]
    response = templates.render(
        request,
        template,
        lang,
        {
            "m": m,
            "values": values,
            "errors": errors,
            "kinds": EVIDENCE_KINDS,
            "bases": tuple(BASIS_LABELS),
            "stored_statuses": reg.STATUSES,
            "base": f"/{lang}/commitments/{quote(instrument_id, safe='')}",
            "today": dt.datetime.now(dt.UTC).date().isoformat(),
            **_helpers(lang),
        },
        status=status,
    )
    response.headers.update(NO_STORE)
    return response


@router.get("/{lang}/commitments/{instrument_id}/{which}/new", include_in_schema=False)
def new_form(
    request: Request,
    lang: Lang,
    instrument_id: str,
    which: str,
    session: SessionDep,
    templates: TemplatesDep,
    principal: Editor,
) -> Response:
    if which not in FORMS:
        return templates.not_found(request, lang)
    fields = FORMS[which][1]
    values = {k: v for k, v in request.query_params.items() if k in fields}
    if which == "assessments":
        values.setdefault("assessor", principal.username or "")
    return _form(request, templates, lang, session, instrument_id, which, values, [])


@router.post("/{lang}/commitments/{instrument_id}/{which}/new", include_in_schema=False)
async def submit_form(
    request: Request,
    lang: Lang,
    instrument_id: str,
    which: str,
    templates: TemplatesDep,
    principal: Editor,
) -> Response:
    if which not in FORMS:
        return templates.not_found(request, lang)
    _template, fields, add = FORMS[which]
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k in fields}
    store = request.app.state.store
    try:
        add(store, principal, {**values, "instrument": instrument_id})
    except reg.InvalidInput as exc:
        with store.sessions() as session:
            return _form(
                request, templates, lang, session, instrument_id, which, values, exc.errors, 400
            )
    actor = quote(values.get("actor", ""), safe="")
    target = f"/{lang}/commitments/{quote(instrument_id, safe='')}/signatories/{actor}"
    return RedirectResponse(target, status_code=303, headers=NO_STORE)


# -- API ---------------------------------------------------------------------------------


@router.get(
    "/api/v1/commitments/{instrument_id}/matrix",
    tags=["commitments"],
    summary="Signatories × commitments: each cell's current status, with counts",
    responses=ERRORS,
)
def api_matrix(instrument_id: str, session: SessionDep) -> Any:
    m = reg.matrix(session, instrument_id)
    return {
        "instrument_id": m.instrument.id,
        "signatories": [
            {
                "actor_id": s.actor.id,
                "name_en": s.actor.name_en,
                "name_zh": s.actor.name_zh,
                "act": s.act,
                "date": s.date.isoformat() if s.date else None,
                "counts": dict(m.row_counts[s.actor.id].counts),
                "met": m.row_counts[s.actor.id].met,
                "judged": m.row_counts[s.actor.id].judged,
            }
            for s in m.rows
        ],
        "commitments": [
            {
                "provision_id": p.id,
                "label": p.label,
                "counts": dict(m.column_counts[p.id].counts),
            }
            for p in m.columns
        ],
        "cells": reg.matrix_rows(m),
        "totals": dict(m.totals),
    }


@router.get(
    "/api/v1/commitments/{instrument_id}/evidence",
    tags=["commitments"],
    summary="Evidence items, newest first; filter by actor and provision",
    responses=ERRORS,
)
def api_evidence(
    instrument_id: str, session: SessionDep, actor: str | None = None, provision: str | None = None
) -> Any:
    reg.get_instrument(session, instrument_id)
    items = reg.evidence_for(session, instrument_id, actor_id=actor, provision_id=provision)
    return {"items": [reg.evidence_dict(e) for e in items], "count": len(items)}


@router.get(
    "/api/v1/commitments/{instrument_id}/assessments",
    tags=["commitments"],
    summary="Every assessment (current and history), newest first",
    responses=ERRORS,
)
def api_assessments(
    instrument_id: str, session: SessionDep, actor: str | None = None, provision: str | None = None
) -> Any:
    reg.get_instrument(session, instrument_id)
    items = reg.assessments_for(session, instrument_id, actor_id=actor, provision_id=provision)
    return {"items": reg.assessment_dicts(items), "count": len(items)}


def _invalid(exc: reg.InvalidInput) -> JSONResponse:
    return JSONResponse(
        {
            "ok": False,
            "error": str(exc),
            "errors": [{"field": f, "msg": m} for f, m in exc.errors],
            "status": 422,
        },
        status_code=422,
        headers=NO_STORE,
    )


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > 64 * 1024:
        raise reg.InvalidInput([("body", "request body too large (limit 64 KiB)")])
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise reg.InvalidInput([("body", f"not valid JSON: {exc}")]) from None
    if not isinstance(data, dict):
        raise reg.InvalidInput([("body", "expected a JSON object")])
    return data


@router.post(
    "/api/v1/evidence",
    tags=["commitments"],
    summary="Add an evidence item (editor)",
    status_code=201,
    responses=WRITE_ERRORS,
)
async def api_add_evidence(request: Request, principal: Editor) -> Response:
    try:
        new_id = reg.add_evidence(request.app.state.store, principal, await _json_body(request))
    except reg.InvalidInput as exc:
        return _invalid(exc)
    return JSONResponse({"ok": True, "id": new_id}, status_code=201, headers=NO_STORE)


@router.post(
    "/api/v1/assessments",
    tags=["commitments"],
    summary="Add an assessment (editor); older assessments are kept as history",
    status_code=201,
    responses=WRITE_ERRORS,
)
async def api_add_assessment(request: Request, principal: Editor) -> Response:
    try:
        new_id = reg.add_assessment(request.app.state.store, principal, await _json_body(request))
    except reg.InvalidInput as exc:
        return _invalid(exc)
    return JSONResponse({"ok": True, "id": new_id}, status_code=201, headers=NO_STORE)
