"""What the incident, vulnerability and triage routes share: writing through one
transaction for a principal, turning service errors into HTTP answers, reading forms
into the validated inputs, and the API's error documentation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from commonground.registry.cases import CaseError, utcnow
from commonground.web import api_schemas as S
from commonground.web import labels
from commonground.web.security import NO_STORE
from commonground.web.templating import Templates

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# The write endpoints' answers besides success, for the OpenAPI document.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.ErrorOut, "description": "A field is invalid (the message names it)"},
    401: {"model": S.ErrorOut, "description": "Sign in (Bearer token) first"},
    403: {"model": S.ErrorOut, "description": "Lacking the role or token scope"},
    404: {"model": S.ErrorOut, "description": "No record with this id"},
    409: {"model": S.ErrorOut, "description": "Not allowed in the case's current state"},
    422: {"model": S.ValidationErrorOut, "description": "The body does not fit its schema"},
}


def now() -> dt.datetime:
    return utcnow()


def write(request: Request, work: Callable[[Any], T]) -> T:
    """Run `work(session)` in one all-or-nothing transaction; a refusal changes nothing."""
    try:
        with request.app.state.store.transaction() as session:
            return work(session)
    except CaseError as exc:
        raise HTTPException(exc.status, str(exc)) from None


def validation_message(exc: ValidationError) -> str:
    """`field: reason; …`, the field first, as the forms show it."""
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error.get("loc", ()))
        msg = str(error.get("msg", "")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc and not msg.startswith(f"{loc}:") else msg)
    return "; ".join(parts)


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate input; a ValidationError becomes a 400 that names the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(400, validation_message(exc)) from None


def form_values(form: FormData, fields: Sequence[str], lists: Sequence[str] = ()) -> dict[str, Any]:
    """A form as input: empty fields left out; list fields one value per line (or
    repeated fields); other names (csrf_token, …) ignored."""
    values: dict[str, Any] = {}
    for name in fields:
        raw = form.get(name)
        if isinstance(raw, str) and raw.strip():
            values[name] = raw
    for name in lists:
        items: list[str] = []
        for raw in form.getlist(name):
            if isinstance(raw, str):
                items += [line for line in raw.splitlines() if line.strip()]
        if items:
            values[name] = items
    return values


def list_response(  # type: ignore[no-untyped-def]
    request: Request, templates: Templates, lang: str, name: str, page, filters, **context
) -> HTMLResponse:
    """A list page (`<name>/list.html`): rows, selected filters, the next-page link and
    the CSV/JSON twins of exactly this view."""
    path = f"/{lang}/{name}"
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    qs = "?" + urlencode(kept) if kept else ""
    next_url = None
    if page.next_cursor:
        next_url = path + "?" + urlencode([*kept, ("cursor", page.next_cursor)])
    context.update(
        page=page,
        selected=dict(filters),
        next_url=next_url,
        labels=labels,
        section=name,
        alternates={"csv": f"{path}.csv{qs}", "json": f"{path}.json{qs}"},
    )
    return templates.render(request, f"{name}/list.html", lang, context)


async def form_write(
    request: Request,
    redirect_to: str,
    model: type[M],
    fields: Sequence[str],
    work: Callable[[Any, M], Any],
) -> Response:
    """A small form on a case's page: validate, write, go back to the page (303)."""
    form = await request.form()
    data = parse(model, form_values(form, fields))
    write(request, lambda session: work(session, data))
    return RedirectResponse(redirect_to, status_code=303, headers=NO_STORE)


def redirect_to_survivor(collection: str, id: str, survivor: str) -> JSONResponse:
    """The API's 308 from a duplicate to the record that survives it (ids are permanent:
    a duplicate is never deleted)."""
    from commonground.web.case_schemas import Redirected

    location = f"/api/v1/{collection}/{quote(survivor, safe=':')}"
    body = Redirected(note=f"{id} is a duplicate of {survivor}", location=location)
    return JSONResponse(body.model_dump(), status_code=308, headers={"Location": location})
