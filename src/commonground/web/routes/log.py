"""The transparency log in the web app: its checkpoint and key, and any record's proof.

A reader checks a record offline with what these answers give: the record's canonical
form (JSON), its C2SP tlog-proof bundle and the log's verifier key —
`commonground log verify BUNDLE --vkey KEY --record RECORD.json`. Embargoed records have
no public entry (their log entries are sealed commitments) and answer 404 like unknown ids.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel
from sqlalchemy import func, select

from commonground.errors import NotFoundError
from commonground.tlog import storage
from commonground.tlog.logged import BY_SCHEMA
from commonground.tlog.models import TlogCoordinator, TlogRecordIndex
from commonground.tlog.note import Signer
from commonground.tlog.records import logged_record, opened_commitment, record_bundle
from commonground.web.api_schemas import ErrorOut
from commonground.web.deps import Lang, SessionDep, TemplatesDep
from commonground.web.routes.api import ERRORS, _reject_nul

# The API's shared error documentation and NUL guard: fuzzers and clients see every answer.
router = APIRouter(dependencies=[Depends(_reject_nul)], responses=ERRORS)

RecordId = Annotated[str, Path(pattern=r"^[^\x00-\x1f\x7f]+$", description="The record's id")]
Schema = Annotated[str, Path(description="Record type: " + ", ".join(BY_SCHEMA))]


class LoggedRecordOut(BaseModel):
    record_type: str
    record_id: str
    leaf_index: int
    entry: str  # base64 of the entry bytes (the envelope)
    record: dict[str, Any]
    history: list[int]
    checkpoint_size: int | None
    covered: bool
    bundle_url: str | None


class SealedOpeningOut(BaseModel):
    leaf_index: int
    salt: str  # base64
    envelope: str  # base64


# Plain-text answers still fail in JSON: say so, or the OpenAPI document would claim
# their errors are text/plain.
_JSON_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {
        "description": ERRORS[status]["description"],
        "content": {"application/json": {"schema": ErrorOut.model_json_schema()}},
    }
    for status in (400, 404, 422)
}


def verifier_key(request: Request) -> str | None:
    """The log's public key in vkey text form, when this server holds its signer key."""
    path = request.app.state.settings.log_key_file
    try:
        return Signer.from_text(path.read_text(encoding="utf-8").strip()).verifier().to_text()
    except (OSError, ValueError):
        return None


def _origin(request: Request) -> str:
    return request.app.state.settings.log_origin


@router.get(
    "/api/v1/log/checkpoint",
    summary="The latest signed checkpoint (C2SP tlog-checkpoint, a signed note)",
    response_class=PlainTextResponse,
    responses=_JSON_ERRORS,
    tags=["log"],
)
def checkpoint(request: Request, session: SessionDep) -> PlainTextResponse:
    note = (
        storage.latest_checkpoint(session, _origin(request)) if _has_log(request, session) else None
    )
    if note is None:
        raise NotFoundError("the log has signed no checkpoint yet")
    return PlainTextResponse(note)


@router.get(
    "/api/v1/log/records/{schema}/{record_id:path}/bundle",
    summary="A record's proof bundle (C2SP tlog-proof) against the latest checkpoint",
    response_class=PlainTextResponse,
    responses=_JSON_ERRORS,
    tags=["log"],
)
def bundle(request: Request, session: SessionDep, schema: Schema, record_id: RecordId) -> Response:
    logged = logged_record(session, _origin(request), schema, record_id)
    text = record_bundle(session, _origin(request), logged)
    name = f"{schema}-{record_id}".replace("/", "_").replace(":", "_")
    return PlainTextResponse(
        text, headers={"Content-Disposition": f'attachment; filename="{name}.tlog-proof"'}
    )


@router.get(
    "/api/v1/log/records/{schema}/{record_id:path}",
    summary="A record's latest log entry and canonical form",
    response_model=LoggedRecordOut,
    tags=["log"],
)
def record(request: Request, session: SessionDep, schema: Schema, record_id: RecordId) -> Any:
    logged = logged_record(session, _origin(request), schema, record_id)
    return LoggedRecordOut(
        record_type=logged.schema,
        record_id=logged.record_id,
        leaf_index=logged.leaf_index,
        entry=base64.b64encode(logged.entry).decode("ascii"),
        record=logged.form,
        history=list(logged.history),
        checkpoint_size=logged.checkpoint_size,
        covered=logged.covered,
        bundle_url=f"/api/v1/log/records/{schema}/{record_id}/bundle" if logged.covered else None,
    )


@router.get(
    "/api/v1/log/sealed/{leaf_index}",
    summary="The salt and envelope that open a published record's earlier sealed entry",
    response_model=SealedOpeningOut,
    tags=["log"],
)
def sealed(
    request: Request, session: SessionDep, leaf_index: Annotated[int, Path(ge=0, lt=2**62)]
) -> Any:
    salt, envelope = opened_commitment(session, _origin(request), leaf_index)
    return SealedOpeningOut(
        leaf_index=leaf_index,
        salt=base64.b64encode(salt).decode("ascii"),
        envelope=base64.b64encode(envelope).decode("ascii"),
    )


def _has_log(request: Request, session: SessionDep) -> bool:
    coord = TlogCoordinator.__table__
    return session.scalar(select(coord.c.id).where(coord.c.origin == _origin(request))) is not None


@router.get("/{lang}/log", include_in_schema=False)
def log_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    origin = _origin(request)
    note = size = None
    counts: dict[str, int] = {}
    if _has_log(request, session):
        note = storage.latest_checkpoint(session, origin)
        size = storage.log_size(session, origin)
        t = TlogRecordIndex.__table__
        # Distinct public records per type (sealed entries are not counted: they stand
        # for embargoed records).
        counts = dict(
            session.execute(
                select(t.c.schema, func.count(func.distinct(t.c.record_id)))
                .where(t.c.sealed.is_(False))
                .group_by(t.c.schema)
            ).all()
        )
    return templates.render(
        request,
        "log.html",
        lang,
        {
            "section": "log",
            "origin": origin,
            "checkpoint": note,
            "size": size,
            "counts": counts,
            "vkey": verifier_key(request),
            "schemas": list(BY_SCHEMA),
        },
    )
