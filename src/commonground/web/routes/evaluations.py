"""Evaluation results: pages, the editors' form and the API (format v1, see
commonground.ingest.evaluations).

/{lang}/evaluations[.csv|.json]                       the list, filtered by model, suite, evaluator,
                                                      threshold crossed; .json is a v1 document
/{lang}/evaluations/new                               the form for editors (GET, POST)
/{lang}/evaluations/{id}                              one result
/{lang}/models/{model_id}/evaluations[.csv|.json]     one model across evaluators
/api/v1/evaluations[.csv|.json]  GET (cursor pages), POST (editor: one result or a v1 document)
/api/v1/evaluations/{id}                              one result
/api/v1/models/{id}/evaluations                       one model across evaluators
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from commonground.auth.principal import Principal
from commonground.errors import IngestError
from commonground.ingest import evaluations as fmt
from commonground.registry import evaluations as queries
from commonground.store.models import AIModel, Instrument, Provision, Source
from commonground.store.models_cases import EvaluationResult
from commonground.web import api_schemas as S
from commonground.web import i18n, labels
from commonground.web.deps import Lang, SessionDep, TemplatesDep, filters_from
from commonground.web.labels import N_
from commonground.web.routes.api import _reject_nul
from commonground.web.security import NO_STORE, require

router = APIRouter(dependencies=[Depends(_reject_nul)])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.ErrorOut, "description": "Bad cursor, parameter or record"},
    404: {"model": S.ErrorOut, "description": "No such model or result"},
    422: {"model": S.ValidationErrorOut, "description": "A parameter is out of range"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.ErrorOut, "description": "A bad field: the error names record and field"},
    401: {"model": S.ErrorOut, "description": "Sign in or send a token"},
    403: {"model": S.ErrorOut, "description": "Needs the editor role and the write scope"},
}
DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The page (JSON), or with `format` every match (csv, or a v1 document)",
    }
}
Editor = Annotated[Principal, Depends(require("editor"))]
FILTERS = ("model", "model_id", "suite", "evaluator", "threshold_crossed", "commitment")
BODY = FilePath("request body")
FORM = FilePath("form")
CSV_COLUMNS = fmt.FIELDS


# -- API schemas -------------------------------------------------------------------------


class EvaluationOut(BaseModel):
    """One result; `value` is the decimal text as reported, never a float."""

    model_config = {"from_attributes": True}

    id: str
    model_id: str | None
    model_name: str
    model_resolved: bool
    suite: str
    suite_version: str | None
    metric: str
    value: str
    unit: str | None
    date: dt.date
    evaluator: str
    evaluator_actor_id: str | None
    threshold: str | None
    threshold_crossed: bool | None
    commitment_id: str | None
    url: str | None
    note: str | None
    source_id: str | None


class FacetCount(BaseModel):
    value: str
    count: int


class EvaluationList(BaseModel):
    items: list[EvaluationOut]
    next: str | None
    next_url: str | None
    total: int
    facets: dict[str, list[FacetCount]]


class EvaluationDocument(BaseModel):
    """A commonground.org/evaluation-results/v1 document (what `format=json` downloads)."""

    format: Literal["commonground.org/evaluation-results/v1"]
    sources: list[dict[str, Any]]
    results: list[dict[str, Any]]


class CellOut(BaseModel):
    evaluator: str
    results: list[EvaluationOut]


class MeasureOut(BaseModel):
    suite: str
    suite_version: str | None
    metric: str
    unit: str | None
    cells: list[CellOut]


class ModelEvaluationsOut(BaseModel):
    model_id: str
    model_name: str
    evaluators: list[str]
    measures: list[MeasureOut]
    thresholds_crossed: int
    total: int


class SubmitOut(BaseModel):
    ok: bool
    added: list[str]
    unchanged: int


def _out(r: EvaluationResult) -> EvaluationOut:
    return EvaluationOut.model_validate(
        {**{n: getattr(r, n) for n in fmt.FIELDS}, "model_resolved": r.model_id is not None}
    )


# -- shared pieces -----------------------------------------------------------------------


def _csv(results: Iterator[EvaluationResult]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for r in results:
        row = fmt.result_dict(r)
        writer.writerow(
            [
                ""
                if row[c] is None
                else ("true" if row[c] is True else "false" if row[c] is False else row[c])
                for c in CSV_COLUMNS
            ]
        )
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _download(session: Session, results: list[EvaluationResult], ext: str, name: str) -> Response:
    """CSV rows, or a v1 document (which `commonground evals import` reads back)."""
    headers = {"Content-Disposition": f'attachment; filename="commonground-{name}.{ext}"'}
    if ext == "csv":
        return StreamingResponse(
            _csv(iter(results)), media_type="text/csv; charset=utf-8", headers=headers
        )
    return Response(
        fmt.dumps(fmt.document(session, results)), media_type="application/json", headers=headers
    )


def _all(session: Session, filters: dict[str, list[str]]) -> list[EvaluationResult]:
    return list(queries.iter_evaluations(session, filters))


def _submit(request: Request, doc: fmt.Document, principal: Principal) -> list[str]:
    try:
        with request.app.state.store.transaction() as session:
            return fmt.write(session, doc, principal)
    except IntegrityError as exc:
        raise IngestError(path=doc.path, reason=f"constraint violated: {exc.orig}") from exc
    except DBAPIError as exc:
        raise IngestError(path=doc.path, reason=f"database rejected a value: {exc.orig}") from exc


def _ingest_error(exc: IngestError) -> JSONResponse:
    return JSONResponse(
        {
            "ok": False,
            "error": str(exc),
            "record": exc.record,
            "field": exc.field,
            "status": 400,
        },
        status_code=400,
        headers=NO_STORE,
    )


# -- pages -------------------------------------------------------------------------------


def _qs(request: Request, **overrides: str) -> str:
    from urllib.parse import urlencode

    items = [(k, v) for k, v in request.query_params.multi_items() if k not in overrides]
    items += [(k, v) for k, v in overrides.items() if v]
    return "?" + urlencode(items) if items else ""


@router.get("/{lang}/evaluations", include_in_schema=False)
@router.get("/{lang}/evaluations.{ext}", include_in_schema=False)
def evaluations_page(
    request: Request,
    lang: Lang,
    session: SessionDep,
    templates: TemplatesDep,
    ext: str = "",
    cursor: str | None = None,
) -> Response:
    filters = filters_from(request, FILTERS)
    if ext:
        if ext not in ("csv", "json"):
            return templates.not_found(request, lang)
        return _download(session, _all(session, filters), ext, "evaluations")
    page = queries.list_evaluations(session, filters, cursor=cursor)
    path = f"/{lang}/evaluations"
    qs = _qs(request, cursor="")
    return templates.render(
        request,
        "evaluations/list.html",
        lang,
        {
            "page": page,
            "selected": dict(filters),
            "next_url": path + _qs(request, cursor=page.next_cursor) if page.next_cursor else None,
            "alternates": {"csv": f"{path}.csv{qs}", "json": f"{path}.json{qs}"},
            "section": "evaluations",
            "labels": labels,
        },
    )


# The form asks for every result field but the id (made from the content), the
# evaluator's registry actor and the source (API and JSON only).
FORM_FIELDS = tuple(f for f in fmt.FIELDS if f not in ("id", "evaluator_actor_id", "source_id"))


def _form_context(session: Session, values: dict[str, str], error: str | None) -> dict[str, Any]:
    # Provisions of the voluntary commitments (the Frontier AI Safety Commitments' I–VIII…);
    # the API takes any provision id.
    commitments = [
        tuple(row)
        for row in session.execute(
            select(Provision, Instrument)
            .join(Instrument, Instrument.id == Provision.instrument_id)
            .where(Instrument.type == "commitment", Provision.kind == "provision")
            .order_by(Instrument.id, Provision.position, Provision.id)
        )
    ]
    return {
        "values": values,
        "error": error,
        "commitments": commitments,
        "section": "evaluations",
        "today": dt.datetime.now(dt.UTC).date().isoformat(),
    }


@router.get("/{lang}/evaluations/new", include_in_schema=False)
def new_form(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep, _: Editor
) -> Response:
    response = templates.render(
        request, "evaluations/new.html", lang, _form_context(session, {}, None)
    )
    response.headers.update(NO_STORE)
    return response


def _form_result(session: Session, form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as a result object (empty fields left out)."""
    item: dict[str, Any] = {k: v for k, v in form.items() if k in FORM_FIELDS and v.strip()}
    crossed = item.pop("threshold_crossed", None)
    if crossed in ("yes", "no"):
        item["threshold_crossed"] = crossed == "yes"
    elif crossed is not None:
        item["threshold_crossed"] = crossed  # refused by the validator, with the value shown
    model_id = item.get("model_id")
    if model_id and not item.get("model_name"):
        model = session.get(AIModel, model_id)
        if model is not None:
            item["model_name"] = model.name
    return item


@router.post("/{lang}/evaluations/new", include_in_schema=False)
async def submit_form(
    request: Request, lang: Lang, templates: TemplatesDep, principal: Editor
) -> Response:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k in FORM_FIELDS}
    store = request.app.state.store
    with store.sessions() as session:
        item = _form_result(session, values)
    try:
        doc = fmt.parse({"format": fmt.FORMAT, "results": [item]}, FORM)
        added = _submit(request, doc, principal)
    except IngestError as exc:
        with store.sessions() as session:
            context = _form_context(session, values, _form_error(exc, lang))
        response = templates.render(request, "evaluations/new.html", lang, context, status=400)
        response.headers.update(NO_STORE)
        return response
    target = added[0] if added else doc.results[0].id or doc.results[0].content_id()
    return RedirectResponse(f"/{lang}/evaluations/{target}", status_code=303, headers=NO_STORE)


# The form's fields by their labels, and the validator's fixed reasons, in both languages.
FIELD_LABELS = {
    "model_id": N_("Model"),
    "model_name": N_("Model"),
    "suite": N_("Evaluation suite"),
    "suite_version": N_("Suite version"),
    "metric": N_("Metric"),
    "value": N_("Value"),
    "unit": N_("Unit"),
    "date": N_("Date of the result"),
    "evaluator": N_("Evaluator"),
    "threshold": N_("Capability threshold tested"),
    "threshold_crossed": N_("Was it crossed?"),
    "commitment_id": N_("Linked commitment"),
    "url": N_("Link"),
    "note": N_("Note"),
}
REASONS = {
    "must be a decimal number such as 0.734, 57 or -1.5e-3": N_(
        "must be a decimal number such as 0.734, 57 or -1.5e-3"
    ),
    "is in the future": N_("is in the future"),
    "must be a date written YYYY-MM-DD": N_("must be a date written YYYY-MM-DD"),
    "not a calendar date": N_("not a calendar date"),
    "must be an http:// or https:// URL": N_("must be an http:// or https:// URL"),
    "no such model (leave it out and give model_name alone)": N_(
        "no such model in the registry: leave the id empty and give the name alone"
    ),
    "no such provision": N_("no such provision"),
    "must not be empty": N_("must not be empty"),
    "is required": N_("is required"),
    "threshold_crossed needs a threshold: say which threshold was tested": N_(
        "needs a threshold: say which threshold was tested"
    ),
}


def _form_error(exc: IngestError, lang: str) -> str:
    _ = lambda text: i18n.gettext(lang, text)  # noqa: E731
    field = exc.field or ("threshold_crossed" if "threshold_crossed" in exc.reason else None)
    label = _(FIELD_LABELS[field]) if field in FIELD_LABELS else field
    longer = re.fullmatch(r"longer than (\d+) characters", exc.reason)
    if longer:
        reason = _("longer than %(n)s characters") % {"n": longer.group(1)}
    else:
        reason = _(REASONS[exc.reason]) if exc.reason in REASONS else exc.reason
    shown = f" ({exc.value!r})" if exc.value not in (None, "") else ""
    return f"{label}: {reason}{shown}" if label else f"{reason}{shown}"


@router.get("/{lang}/evaluations/{id:path}", include_in_schema=False)
def evaluation_page(
    request: Request, lang: Lang, id: str, session: SessionDep, templates: TemplatesDep
) -> Response:
    r = queries.get_evaluation(session, id)
    provision = session.get(Provision, r.commitment_id) if r.commitment_id else None
    source = session.get(Source, r.source_id) if r.source_id else None
    return templates.render(
        request,
        "evaluations/detail.html",
        lang,
        {
            "r": r,
            "provision": provision,
            "source": source,
            "section": "evaluations",
            "alternates": {"json": f"/api/v1/evaluations/{id}"},
            "labels": labels,
        },
    )


CHART_MEASURES = 40


def _chart(view: queries.ModelView, lang: str) -> dict[str, Any] | None:
    """One small panel per measure that two or more evaluators reported, each on its own
    scale (units differ between measures); None when no measure has two evaluators."""
    shared = [m for m in view.measures if sum(1 for e in view.evaluators if view.cell(m, e)) >= 2][
        :CHART_MEASURES
    ]
    if not shared:
        return None
    from commonground.web import charts

    _ = lambda text: i18n.gettext(lang, text)  # noqa: E731
    rows = [
        {
            "measure": f"{m.suite} · {m.metric}" + (f" ({m.unit})" if m.unit else ""),
            "evaluator": r.evaluator,
            "value": r.value,
            "date": r.date.isoformat(),
        }
        for m in shared
        for e in view.evaluators
        for r in view.cell(m, e)
    ]
    return {
        "$schema": charts.SCHEMA,
        "description": _("Results per suite and evaluator"),
        "data": {"values": rows},
        "transform": [{"calculate": "toNumber(datum.value)", "as": "number"}],
        "facet": {
            "row": {
                "field": "measure",
                "type": "nominal",
                "title": None,
                "header": {"labelAngle": 0, "labelAlign": "left", "labelLimit": 360},
            }
        },
        "spec": {
            "width": 360,
            "height": {"step": 18},
            "mark": {"type": "point", "filled": True, "size": 70},
            "encoding": {
                "x": {"field": "number", "type": "quantitative", "title": _("Value")},
                "y": {"field": "evaluator", "type": "nominal", "title": None},
                "color": {"field": "evaluator", "type": "nominal", "legend": None},
                "tooltip": [
                    {"field": "measure", "title": _("Metric")},
                    {"field": "evaluator", "title": _("Evaluator")},
                    {"field": "value", "title": _("Value")},
                    {"field": "date", "title": _("Date")},
                ],
            },
        },
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "config": {"font": "system-ui, 'Noto Sans CJK SC', sans-serif"},
    }


@router.get("/{lang}/models/{model_id:path}/evaluations", include_in_schema=False)
@router.get("/{lang}/models/{model_id:path}/evaluations.{ext}", include_in_schema=False)
def model_page(
    request: Request,
    lang: Lang,
    model_id: str,
    session: SessionDep,
    templates: TemplatesDep,
    ext: str = "",
) -> Response:
    view = queries.model_view(session, model_id)
    if ext:
        if ext not in ("csv", "json"):
            return templates.not_found(request, lang)
        return _download(session, view.results, ext, "evaluations")
    base = f"/{lang}/models/{model_id}/evaluations"
    return templates.render(
        request,
        "evaluations/model.html",
        lang,
        {
            "view": view,
            "spec": _chart(view, lang),
            "section": "evaluations",
            "alternates": {"csv": f"{base}.csv", "json": f"{base}.json"},
            "labels": labels,
        },
    )


# -- API ---------------------------------------------------------------------------------

Values = Annotated[list[str] | None, Query()]


@router.get(
    "/api/v1/evaluations",
    tags=["evaluations"],
    summary="Evaluation results, filtered; `format` downloads every match (json: a v1 document)",
    response_model=EvaluationList | EvaluationDocument,
    responses={**ERRORS, **DOWNLOADS},
)
def api_list(
    request: Request,
    session: SessionDep,
    model: Values = None,
    model_id: Values = None,
    suite: Values = None,
    evaluator: Values = None,
    threshold_crossed: bool | None = None,
    commitment: Values = None,
    cursor: Annotated[str | None, Query(description="`next` from the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    format: Literal["csv", "json"] | None = None,
) -> Any:
    filters = {
        k: [v for v in vs if v]
        for k, vs in {
            "model": model,
            "model_id": model_id,
            "suite": suite,
            "evaluator": evaluator,
            "commitment": commitment,
            "threshold_crossed": None
            if threshold_crossed is None
            else ["true" if threshold_crossed else "false"],
        }.items()
        if vs
    }
    if format:
        return _download(session, _all(session, filters), format, "evaluations")
    page = queries.list_evaluations(session, filters, cursor=cursor, limit=limit)
    next_url = (
        str(request.url.include_query_params(cursor=page.next_cursor)) if page.next_cursor else None
    )
    body = EvaluationList(
        items=[_out(r) for r in page.items],
        next=page.next_cursor,
        next_url=next_url,
        total=page.total,
        facets={
            k: [FacetCount(value=v, count=n) for v, n in rows] for k, rows in page.facets.items()
        },
    )
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return JSONResponse(body.model_dump(mode="json"), headers=headers)


@router.get("/api/v1/evaluations.{format}", include_in_schema=False)
def api_download(
    request: Request,
    session: SessionDep,
    format: Literal["csv", "json"],
    model: Values = None,
    model_id: Values = None,
    suite: Values = None,
    evaluator: Values = None,
    threshold_crossed: bool | None = None,
    commitment: Values = None,
) -> Any:
    return api_list(
        request,
        session,
        model=model,
        model_id=model_id,
        suite=suite,
        evaluator=evaluator,
        threshold_crossed=threshold_crossed,
        commitment=commitment,
        format=format,
    )


@router.post(
    "/api/v1/evaluations",
    tags=["evaluations"],
    summary="Add results (editor): one result object, or a v1 document; all-or-nothing",
    status_code=201,
    response_model=SubmitOut,
    responses=WRITE_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "One result object, or a document "
                        '{"format": "commonground.org/evaluation-results/v1", '
                        '"sources": [...], "results": [...]}',
                    }
                }
            },
        }
    },
)
async def api_submit(request: Request, principal: Editor) -> Any:
    raw = await request.body()
    try:
        data = fmt.loads(raw) if len(raw) <= fmt.MAX_BYTES else None
        if data is None:
            raise IngestError(path=BODY, reason="request body too large")
        if isinstance(data, dict) and "format" not in data:
            data = {"format": fmt.FORMAT, "results": [data]}
        doc = fmt.parse(data, BODY)
        added = _submit(request, doc, principal)
    except IngestError as exc:
        return _ingest_error(exc)
    except (ValueError, UnicodeDecodeError) as exc:
        return _ingest_error(IngestError(path=BODY, reason=f"not valid JSON: {exc}"))
    out = SubmitOut(ok=True, added=added, unchanged=len(doc.results) - len(added))
    return JSONResponse(out.model_dump(), status_code=201, headers=NO_STORE)


@router.get(
    "/api/v1/evaluations/{id:path}",
    tags=["evaluations"],
    summary="One evaluation result",
    response_model=EvaluationOut,
    responses=ERRORS,
)
def api_one(id: Annotated[str, Path(pattern=r"^[^\x00-\x1f\x7f]+$")], session: SessionDep) -> Any:
    return _out(queries.get_evaluation(session, id))


@router.get(
    "/api/v1/models/{id:path}/evaluations",
    tags=["evaluations"],
    summary="One model's results across evaluators (measures × evaluators)",
    response_model=ModelEvaluationsOut,
    responses=ERRORS,
)
def api_model(id: Annotated[str, Path(pattern=r"^[^\x00-\x1f\x7f]+$")], session: SessionDep) -> Any:
    view = queries.model_view(session, id)
    return ModelEvaluationsOut(
        model_id=view.model.id,
        model_name=view.model.name,
        evaluators=view.evaluators,
        measures=[
            MeasureOut(
                suite=m.suite,
                suite_version=m.suite_version,
                metric=m.metric,
                unit=m.unit,
                cells=[
                    CellOut(evaluator=e, results=[_out(r) for r in view.cell(m, e)])
                    for e in view.evaluators
                    if view.cell(m, e)
                ],
            )
            for m in view.measures
        ],
        thresholds_crossed=len(view.crossed),
        total=len(view.results),
    )
