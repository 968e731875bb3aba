"""The JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json).

Every list takes its facets as filters (repeat a name for OR: `?type=law&type=treaty`),
pages with an opaque `cursor` (`next`, `next_url` and a `Link: rel="next"` header), and
downloads every matching row with `?format=csv|json` or a `.csv`/`.json` suffix: the
same filters and order as the list, streamed page by page. Ids are the store's stable
string ids; ids with slashes (provisions, terms) go in the path as they are.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.errors import Error
from commonground.registry import actors as actor_queries
from commonground.registry import instruments as instrument_queries
from commonground.registry import models as model_queries
from commonground.registry import participation as participation_queries
from commonground.registry import sources as source_queries
from commonground.registry import vocabularies as vocabulary_queries
from commonground.registry.instruments import InstrumentDetail, ProvisionNode
from commonground.registry.pagination import BadCursor, Page, decode_cursor
from commonground.store.models import Source, Term
from commonground.store.stats import public_counts
from commonground.web import api_schemas as S
from commonground.web import cite as citing
from commonground.web.deps import SessionDep


class BadRequest(Error):
    code = "bad-request"


def _reject_nul(request: Request) -> None:
    """No database stores NUL characters in text; such a request cannot match anything."""
    values = [v for _, v in request.query_params.multi_items()]
    values += [str(v) for v in request.path_params.values()]
    if any("\x00" in value for value in values):
        raise BadRequest("NUL characters are not allowed in ids or filters")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": S.ErrorOut, "description": "Bad cursor or parameter"},
    404: {"model": S.ErrorOut, "description": "No record with this id"},
    422: {"model": S.ValidationErrorOut, "description": "A parameter is out of range or malformed"},
}
router = APIRouter(
    prefix="/api/v1", tags=["api"], dependencies=[Depends(_reject_nul)], responses=ERRORS
)
DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The page (JSON), or with `format` every matching row as a download",
    }
}

Cursor = Annotated[str | None, Query(description="`next` from the previous page")]
Format = Annotated[
    Literal["csv", "json"] | None,
    Query(description="Download every matching row: csv, or json (the list's shape, all rows)"),
]
Values = Annotated[list[str] | None, Query()]
Id = Annotated[
    str,
    Path(
        pattern=r"^[^\x00-\x1f\x7f]+$",
        description="A stable id; may contain slashes and colons (`AGORA:1046`, `a/b`)",
    ),
]
Years = Annotated[list[Annotated[int, Query(ge=1, le=9999)]] | None, Query()]


def _limit(default: int) -> Any:
    return Query(default, ge=1, le=1000, description="Rows per page (at most 1000)")


def _filters(**params: list[str] | list[int] | str | bool | None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in params.items():
        if value is None or value == []:
            continue
        if isinstance(value, bool):
            found[name] = ["true" if value else "false"]
        elif isinstance(value, list):
            found[name] = [str(v) for v in value if str(v) != ""]
        else:
            found[name] = [str(value)]
    return {k: v for k, v in found.items() if v}


Fetch = Callable[[Session, str | None, int, bool], Page[Any]]


def _facets(page: Page[Any]) -> dict[str, list[S.FacetCount]]:
    return {
        name: [S.FacetCount(value=v, count=n) for v, n in rows]
        for name, rows in page.facets.items()
    }


def _serve(
    request: Request,
    response: Response,
    *,
    name: str,
    fetch: Fetch,
    item: type[BaseModel],
    listing: type[S.ListPage],
    cursor: str | None,
    limit: int,
    format: str | None,
) -> Any:
    if format:
        return _download(request, name, fetch, item, listing, format)
    with request.app.state.store.sessions() as session:
        page = fetch(session, cursor, limit, True)
        items = [item.model_validate(x) for x in page.items]
    next_url = (
        str(request.url.include_query_params(cursor=page.next_cursor)) if page.next_cursor else None
    )
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return listing(
        items=items,
        next=page.next_cursor,
        next_url=next_url,
        total=page.total,
        facets=_facets(page),
    )


def _rows(
    request: Request, first: Page[Any], fetch: Fetch, item: type[BaseModel]
) -> Iterator[dict]:
    """Every matching row, each further page read in its own short session."""
    page = first
    while True:
        yield from (item.model_validate(x).model_dump(mode="json") for x in page.items)
        if not page.next_cursor:
            return
        with request.app.state.store.sessions() as session:
            page = fetch(session, page.next_cursor, 1000, False)
            page.items = [item.model_validate(x) for x in page.items]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _download(
    request: Request,
    name: str,
    fetch: Fetch,
    item: type[BaseModel],
    listing: type[S.ListPage],
    format: str,
) -> StreamingResponse:
    # The first page is read now, so a bad filter fails before the stream starts.
    with request.app.state.store.sessions() as session:
        first = fetch(session, None, 1000, True)
        first.items = [item.model_validate(x) for x in first.items]
    rows = _rows(request, first, fetch, item)
    columns = list(item.model_fields)

    def as_csv() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row[c]) for c in columns])
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def as_json() -> Iterator[str]:
        yield '{"items": ['
        for i, row in enumerate(rows):
            yield ("\n" if i == 0 else ",\n") + json.dumps(row, ensure_ascii=False)
        facets = {k: [{"value": v, "count": n} for v, n in r] for k, r in first.facets.items()}
        tail = {"next": None, "next_url": None, "total": first.total, "facets": facets}
        yield "\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n"

    body, media = (
        (as_csv(), "text/csv; charset=utf-8")
        if format == "csv"
        else (as_json(), "application/json")
    )
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="commonground-{name}.{format}"'},
    )


def _with_suffix(path: str, endpoint: Callable[..., Any]) -> None:
    """`{path}.csv` and `{path}.json`: the list's download, `format` taken from the path."""
    signature = inspect.signature(endpoint)
    params = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for p in signature.parameters.values()
        if p.name != "format"
    ]
    params.append(
        inspect.Parameter(
            "format", inspect.Parameter.KEYWORD_ONLY, annotation=Literal["csv", "json"]
        )
    )

    def download(**kwargs: Any) -> Any:
        return endpoint(**kwargs)

    download.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    download.__name__ = f"{endpoint.__name__}_download"
    router.add_api_route(f"{path}.{{format}}", download, methods=["GET"], include_in_schema=False)


@router.get("/stats", summary="Row counts of the public tables")
def stats(request: Request) -> dict[str, int]:
    return public_counts(request.app.state.store)


# -- instruments -----------------------------------------------------------------------


def _check_instrument_cursor(cursor: str | None, sort: str) -> None:
    """The registry compares the cursor with its sort key: make sure the types fit."""
    if not cursor:
        return
    key, last_id = decode_cursor(cursor, 2)
    fits = isinstance(key, str) if sort == "name" else isinstance(key, int) and abs(key) < 2**31
    if not fits or not isinstance(last_id, str):
        raise BadCursor("invalid cursor: it does not fit this sort order")


@router.get(
    "/instruments",
    summary="Instruments, filtered by facets",
    response_model=S.InstrumentList,
    responses=DOWNLOADS,
)
def instruments(
    request: Request,
    response: Response,
    type: Values = None,
    legal_force: Values = None,
    jurisdiction: Values = None,
    issuer: Values = None,
    year: Years = None,
    collection: Values = None,
    origin: Values = None,
    sort: Literal["newest", "oldest", "name"] = "newest",
    lang: Literal["en", "zh", "zh-Hant"] = "en",
    cursor: Cursor = None,
    limit: int = _limit(50),
    format: Format = None,
) -> Any:
    filters = _filters(
        type=type,
        legal_force=legal_force,
        jurisdiction=jurisdiction,
        issuer=issuer,
        year=year,
        collection=collection,
        origin=origin,
    )
    _check_instrument_cursor(cursor, sort)

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return instrument_queries.list_instruments(
            session, filters, sort=sort, lang=lang, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="instruments",
        fetch=fetch,
        item=S.InstrumentOut,
        listing=S.InstrumentList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


def _node(node: ProvisionNode) -> S.ProvisionNodeOut:
    return S.ProvisionNodeOut(
        **S.ProvisionOut.model_validate(node.provision).model_dump(),
        children=[_node(child) for child in node.children],
    )


def _instrument_ref(instrument: Any) -> S.InstrumentRef:
    return S.InstrumentRef.model_validate(instrument)


def _cite(request: Request, detail: InstrumentDetail) -> S.CiteOut:
    link = citing.permalink(str(request.base_url), detail.instrument.id)
    return S.CiteOut(
        permalink=link,
        csl_json=citing.csl_json(detail, link),
        bibtex=citing.bibtex(detail, link),
    )


def _instrument_detail(request: Request, d: InstrumentDetail) -> S.InstrumentDetailOut:
    inst = d.instrument
    base = {
        name: getattr(inst, name)
        for name in S.InstrumentDetailOut.model_fields
        if hasattr(inst, name)
    }
    base.pop("events", None)
    return S.InstrumentDetailOut(
        **base,
        as_of=d.as_of,
        events=[
            S.EventOut(
                event=e.event,
                date=e.date,
                date_text=e.date_text,
                note=e.note,
                source=S.SourceOut.model_validate(s),
            )
            for e, s in d.events
        ],
        versions=[S.VersionOut.model_validate(v) for v in d.versions],
        issuers=[S.IssuerOut(actor=S.ActorRef.model_validate(a), role=r) for a, r in d.issuers],
        sources=[S.SourceOut.model_validate(s) for s in d.sources],
        relations=[
            S.RelationOut(
                direction=direction,
                predicate=r.predicate,
                instrument=_instrument_ref(i),
                source_id=r.source_id,
                note=r.note,
            )
            for direction, pairs in (("out", d.relations_out), ("in", d.relations_in))
            for r, i in pairs
        ],
        provisions=[_node(n) for n in d.provisions],
        signatories=[
            S.SignatoryOut(
                actor=S.SignatoryActor.model_validate(s.actor),
                act=s.act,
                date=s.date,
                capacity=s.capacity,
                note=s.note,
                income=S.IncomeOut(
                    group=s.income_group, period=s.income_period, nearest=s.income_nearest
                ),
                source=S.SourceOut.model_validate(s.source),
            )
            for s in d.signatories
        ],
        collections=[S.CollectionOut.model_validate(c) for c in d.collections],
        mappings=[S.MappingOut.model_validate(m) for m in d.mappings],
        cite=_cite(request, d),
    )


@router.get(
    "/instruments/{id:path}/cite.json",
    summary="CSL-JSON for citing an instrument (an array of one item)",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/vnd.citationstyles.csl+json": {
                    "schema": {"type": "array", "items": {"type": "object"}}
                }
            }
        }
    },
)
def instrument_csl(request: Request, id: Id, session: SessionDep) -> Response:
    detail = instrument_queries.get_instrument(session, id)
    item = citing.csl_json(detail, citing.permalink(str(request.base_url), id))
    return Response(
        json.dumps([item], ensure_ascii=False, indent=2),
        media_type="application/vnd.citationstyles.csl+json",
    )


@router.get(
    "/instruments/{id:path}/cite.bib",
    summary="BibTeX (biblatex fields) for citing an instrument",
    response_class=Response,
    responses={200: {"content": {"application/x-bibtex": {"schema": {"type": "string"}}}}},
)
def instrument_bibtex(request: Request, id: Id, session: SessionDep) -> Response:
    detail = instrument_queries.get_instrument(session, id)
    text = citing.bibtex(detail, citing.permalink(str(request.base_url), id))
    return Response(text, media_type="application/x-bibtex; charset=utf-8")


@router.get(
    "/instruments/{id:path}",
    summary="One instrument, with everything about it",
    response_model=S.InstrumentDetailOut,
)
def instrument(request: Request, id: Id, session: SessionDep) -> Any:
    return _instrument_detail(request, instrument_queries.get_instrument(session, id))


# -- actors, sources ---------------------------------------------------------------------


@router.get(
    "/actors",
    summary="Actors: states, organisations, companies, people",
    response_model=S.ActorList,
    responses=DOWNLOADS,
)
def actors(
    request: Request,
    response: Response,
    kind: Values = None,
    region: Values = None,
    subregion: Values = None,
    income: Values = None,
    un_member: bool | None = None,
    origin: Values = None,
    lang: Literal["en", "zh", "zh-Hant"] = "en",
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(
        kind=kind,
        region=region,
        subregion=subregion,
        income=income,
        un_member=un_member,
        origin=origin,
    )
    if cursor:
        key, last_id = decode_cursor(cursor, 2)
        if not isinstance(key, str) or not isinstance(last_id, str):
            raise BadCursor("invalid cursor: it does not fit this list")

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return actor_queries.list_actors(
            session, filters, lang=lang, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="actors",
        fetch=fetch,
        item=S.ActorOut,
        listing=S.ActorList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get(
    "/actors/{id:path}", summary="One actor: facts and timeline", response_model=S.ActorDetailOut
)
def actor(id: Id, session: SessionDep) -> Any:
    d = actor_queries.get_actor(session, id)
    base = {n: getattr(d.actor, n) for n in S.ActorDetailOut.model_fields if hasattr(d.actor, n)}
    base.pop("facts", None)
    return S.ActorDetailOut(
        **base,
        parent=S.ActorRef.model_validate(d.parent) if d.parent else None,
        members=[S.ActorRef.model_validate(m) for m in d.members],
        facts=[
            S.ActorFactOut(
                key=f.key,
                period=f.period,
                valid_from=f.valid_from,
                valid_to=f.valid_to,
                value=f.value,
                note=f.note,
                source=S.SourceOut.model_validate(s),
            )
            for f, s in d.facts
        ],
        timeline=[
            S.ActorEntryOut(
                instrument=_instrument_ref(e.instrument),
                act=e.act,
                date=e.date,
                capacity=e.capacity,
                source=S.SourceOut.model_validate(e.source) if e.source else None,
            )
            for e in d.entries
        ],
    )


@router.get(
    "/sources",
    summary="Sources: every document the store cites",
    response_model=S.SourceList,
    responses=DOWNLOADS,
)
def sources(
    request: Request,
    response: Response,
    origin: Values = None,
    language: Values = None,
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(origin=origin, language=language)
    if cursor and not isinstance(decode_cursor(cursor, 1)[0], str):
        raise BadCursor("invalid cursor: it does not fit this list")

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return source_queries.list_sources(
            session, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="sources",
        fetch=fetch,
        item=S.SourceOut,
        listing=S.SourceList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get(
    "/sources/{id:path}", summary="One source and what cites it", response_model=S.SourceDetailOut
)
def source(id: Id, session: SessionDep) -> Any:
    d = source_queries.get_source(session, id)
    return S.SourceDetailOut(
        **S.SourceOut.model_validate(d.source).model_dump(),
        instruments=[_instrument_ref(i) for i in d.instruments],
        participation_rows=d.participation_rows,
    )


# -- participation, provisions -------------------------------------------------------------


@router.get(
    "/participation",
    summary="Who signed, endorsed, joined or refused what",
    response_model=S.ParticipationList,
    responses=DOWNLOADS,
)
def participation(
    request: Request,
    response: Response,
    instrument: Values = None,
    actor: Values = None,
    act: Values = None,
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(instrument=instrument, actor=actor, act=act)

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return participation_queries.list_participation(
            session, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="participation",
        fetch=fetch,
        item=S.ParticipationOut,
        listing=S.ParticipationList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get(
    "/provisions/{id:path}",
    summary="One provision with its sub-provisions",
    response_model=S.ProvisionDetailOut,
)
def provision(id: Id, session: SessionDep) -> Any:
    d = participation_queries.get_provision(session, id)
    return S.ProvisionDetailOut(
        **S.ProvisionOut.model_validate(d.provision).model_dump(),
        instrument=_instrument_ref(d.instrument),
        children=[_node(n) for n in d.children],
        mappings=[S.MappingOut.model_validate(m) for m in d.mappings],
    )


# -- vocabularies ------------------------------------------------------------------------


@router.get(
    "/taxonomies",
    summary="Taxonomies: risk taxonomies, principle sets",
    response_model=S.TaxonomyList,
    responses=DOWNLOADS,
)
def taxonomies(
    request: Request,
    response: Response,
    origin: Values = None,
    publisher: Values = None,
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(origin=origin, publisher=publisher)

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return vocabulary_queries.list_taxonomies(
            session, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="taxonomies",
        fetch=fetch,
        item=S.TaxonomyOut,
        listing=S.TaxonomyList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get("/taxonomies/{id:path}", summary="One taxonomy", response_model=S.TaxonomyDetailOut)
def taxonomy(id: Id, session: SessionDep) -> Any:
    d = vocabulary_queries.get_taxonomy(session, id)
    return S.TaxonomyDetailOut(
        **S.TaxonomyOut.model_validate(d.taxonomy).model_dump(),
        source=S.SourceOut.model_validate(d.source) if d.source else None,
        terms=d.terms,
    )


@router.get(
    "/terms", summary="Terms of the taxonomies", response_model=S.TermList, responses=DOWNLOADS
)
def terms(
    request: Request,
    response: Response,
    taxonomy: Values = None,
    kind: Values = None,
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(taxonomy=taxonomy, kind=kind)

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return vocabulary_queries.list_terms(
            session, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="terms",
        fetch=fetch,
        item=S.TermOut,
        listing=S.TermList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get(
    "/terms/{id:path}",
    summary="One term, its children and mappings",
    response_model=S.TermDetailOut,
)
def term(id: Id, session: SessionDep) -> Any:
    d = vocabulary_queries.get_term(session, id)
    return S.TermDetailOut(
        **S.TermOut.model_validate(d.term).model_dump(),
        extra=d.term.extra,
        children=[S.TermOut.model_validate(t) for t in d.children],
        mappings=[S.MappingOut.model_validate(m) for m in d.mappings],
    )


@router.get(
    "/mappings",
    summary="SSSOM-style mappings between terms, provisions, instruments",
    response_model=S.MappingList,
    responses=DOWNLOADS,
)
def mappings(
    request: Request,
    response: Response,
    mapping_set: Values = None,
    subject: Values = None,
    object: Values = None,
    predicate: Values = None,
    subject_type: Values = None,
    object_type: Values = None,
    review_status: Values = None,
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(
        mapping_set=mapping_set,
        subject=subject,
        object=object,
        predicate=predicate,
        subject_type=subject_type,
        object_type=object_type,
        review_status=review_status,
    )

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return vocabulary_queries.list_mappings(
            session, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="mappings",
        fetch=fetch,
        item=S.MappingOut,
        listing=S.MappingList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


# -- models, risks -----------------------------------------------------------------------


@router.get(
    "/models",
    summary="AI models (Epoch AI); compute as exact decimal strings",
    response_model=S.ModelList,
    responses=DOWNLOADS,
)
def models(
    request: Request,
    response: Response,
    confidence: Values = None,
    in_notable: bool | None = None,
    in_large_scale: bool | None = None,
    year: Years = None,
    sort: Literal["newest", "oldest", "name", "compute"] = "newest",
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(
        confidence=confidence, in_notable=in_notable, in_large_scale=in_large_scale, year=year
    )

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return model_queries.list_models(
            session, filters, sort=sort, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="models",
        fetch=fetch,
        item=S.ModelOut,
        listing=S.ModelList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get("/models/{id:path}", summary="One AI model", response_model=S.ModelDetailOut)
def model(id: Id, session: SessionDep) -> Any:
    m = model_queries.get_model(session, id)
    return S.ModelDetailOut(
        **S.ModelOut.model_validate(m).model_dump(),
        training_compute_notes=m.training_compute_notes,
        extra=m.extra,
        source=_source(session, m.source_id),
    )


@router.get(
    "/risks",
    summary="Coded risks (MIT AI Risk Repository)",
    response_model=S.RiskList,
    responses=DOWNLOADS,
)
def risks(
    request: Request,
    response: Response,
    domain: Values = None,
    subdomain: Values = None,
    category_level: Values = None,
    cursor: Cursor = None,
    limit: int = _limit(100),
    format: Format = None,
) -> Any:
    filters = _filters(domain=domain, subdomain=subdomain, category_level=category_level)

    def fetch(session: Session, cursor: str | None, limit: int, facets: bool) -> Page[Any]:
        return model_queries.list_risks(
            session, filters, cursor=cursor, limit=limit, with_facets=facets
        )

    return _serve(
        request,
        response,
        name="risks",
        fetch=fetch,
        item=S.RiskOut,
        listing=S.RiskList,
        cursor=cursor,
        limit=limit,
        format=format,
    )


@router.get("/risks/{id:path}", summary="One coded risk", response_model=S.RiskDetailOut)
def risk(id: Id, session: SessionDep) -> Any:
    r = model_queries.get_risk(session, id)
    term_ids = [
        r.entity_term_id,
        r.intent_term_id,
        r.timing_term_id,
        r.domain_term_id,
        r.subdomain_term_id,
    ]
    found = {
        t.id: t
        for t in session.scalars(select(Term).where(Term.id.in_([t for t in term_ids if t])))
    }
    return S.RiskDetailOut(
        **S.RiskOut.model_validate(r).model_dump(),
        terms=[S.TermOut.model_validate(found[t]) for t in term_ids if t in found],
        source=_source(session, r.source_id),
    )


def _source(session: Session, id: str | None) -> S.SourceOut | None:
    source = session.get(Source, id) if id else None
    return S.SourceOut.model_validate(source) if source else None


_with_suffix("/instruments", instruments)
_with_suffix("/actors", actors)
_with_suffix("/sources", sources)
_with_suffix("/participation", participation)
_with_suffix("/taxonomies", taxonomies)
_with_suffix("/terms", terms)
_with_suffix("/mappings", mappings)
_with_suffix("/models", models)
_with_suffix("/risks", risks)
