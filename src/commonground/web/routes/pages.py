"""Server-rendered pages under /{lang}/. Each list page has CSV and JSON twins
(`/en/instruments.csv?type=law`): what you see is what you download."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.analysis.coverage import coverage as compute_coverage
from commonground.registry import actors as actor_queries
from commonground.registry import instruments as instrument_queries
from commonground.registry import sources as source_queries
from commonground.store.models import Actor, Collection
from commonground.store.stats import public_counts
from commonground.web import charts, labels
from commonground.web.deps import Lang, SessionDep, TemplatesDep, filters_from
from commonground.web.exports import actors_table, instruments_table, respond, sources_table
from commonground.web.i18n import field, localise, negotiate
from commonground.web.templating import Templates

router = APIRouter()
LangPath = Annotated[str, Path(pattern="^(en|zh|zh-Hant)$")]


@router.get("/", include_in_schema=False)
def root(request: Request) -> RedirectResponse:
    return RedirectResponse(
        f"/{negotiate(request.headers.get('accept-language'))}/", status_code=307
    )


@router.get("/{lang}", include_in_schema=False)
def lang_root(lang: LangPath) -> RedirectResponse:
    return RedirectResponse(f"/{lang}/", status_code=308)


@router.get("/{lang}/", response_class=HTMLResponse, include_in_schema=False)
def home(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> HTMLResponse:
    store_counts = public_counts(request.app.state.store)
    timeline = instrument_queries.timeline(session)
    by_year: dict[int, list] = {}
    for inst, date, text in timeline:
        by_year.setdefault(date.year, []).append((inst, text))
    chart_rows = [
        {
            "date": date.isoformat(),
            "date_text": text,
            "name": field(inst, "short_name", lang) or field(inst, "name", lang),
            "type_label": templates.label("TYPES", inst.type, lang),
            "legal_force_label": templates.label("LEGAL_FORCE", inst.legal_force, lang),
            "href": f"/{lang}/instruments/{inst.id}",
        }
        for inst, date, text in timeline
    ]
    recent = instrument_queries.list_instruments(
        session, {"origin": ["curated"]}, sort="newest", limit=8, with_facets=False
    ).items
    return templates.render(
        request,
        "home.html",
        lang,
        {
            "counts": store_counts,
            "by_year": sorted(by_year.items()),
            "timeline": timeline,
            "timeline_spec": charts.timeline(chart_rows, lang),
            "recent": recent,
            "labels": labels,
            "section": "home",
        },
    )


def _list_page(  # type: ignore[no-untyped-def]
    request: Request, templates: Templates, lang: str, name: str, page, filters, **context
) -> Response:
    """A list page: its rows, the filters shown as selected, the next-page link, and
    the CSV/JSON twins of exactly this view."""
    path = f"/{lang}/{name}"
    qs = _qs(request, cursor="")
    next_url = path + _qs(request, cursor=page.next_cursor) if page.next_cursor else None
    context.update(
        page=page,
        selected=dict(filters),
        next_url=next_url,
        labels=labels,
        section=name,
        alternates={"csv": f"{path}.csv{qs}", "json": f"{path}.json{qs}"},
    )
    return templates.render(request, f"{name}.html", lang, context)


def _record_page(  # type: ignore[no-untyped-def]
    request: Request, templates: Templates, lang: str, section: str, id: str, **context
) -> Response:
    """One record's page (template named for the section's singular), with its JSON twin."""
    context.update(labels=labels, section=section, alternates={"json": f"/api/v1/{section}/{id}"})
    return templates.render(request, f"{section[:-1]}.html", lang, context)


def _twin(
    request: Request, templates: Templates, lang: str, fmt: str, name: str, table
) -> Response:  # type: ignore[no-untyped-def]
    """The CSV or JSON download of a list view (`table` builds it lazily)."""
    if fmt in ("csv", "json"):
        return respond(table(), f".{fmt}", name)
    return templates.not_found(request, lang)


def _qs(request: Request, **overrides: str) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in overrides]
    items += [(k, v) for k, v in overrides.items() if v]
    return "?" + urlencode(items) if items else ""


@router.get("/{lang}/instruments", include_in_schema=False)
@router.get("/{lang}/instruments.{fmt}", include_in_schema=False)
def instruments(
    request: Request,
    lang: Lang,
    session: SessionDep,
    templates: TemplatesDep,
    fmt: str = "",
    sort: str = "newest",
    cursor: str | None = None,
) -> Response:
    filters = filters_from(request, instrument_queries.FACETS)
    store = request.app.state.store
    if fmt:
        return _twin(
            request,
            templates,
            lang,
            fmt,
            "instruments",
            lambda: instruments_table(store, filters, sort=sort, lang=lang),
        )
    page = instrument_queries.list_instruments(
        session, filters, sort=sort, lang=lang, cursor=cursor
    )
    jurisdictions = [v for v, _ in page.facets.get("jurisdiction", [])] + [
        i.jurisdiction for i in page.items
    ]
    return _list_page(
        request,
        templates,
        lang,
        "instruments",
        page,
        filters,
        sort=sort,
        issuer_names=_actor_names(session, [v for v, _ in page.facets.get("issuer", [])], lang),
        jurisdiction_names=_jurisdiction_names(session, jurisdictions, lang),
        collection_names=_collection_names(session),
    )


@router.get("/{lang}/instruments/{id:path}", include_in_schema=False)
def instrument(
    request: Request, lang: Lang, id: str, session: SessionDep, templates: TemplatesDep
) -> Response:
    detail = instrument_queries.get_instrument(session, id)
    return _record_page(request, templates, lang, "instruments", id, d=detail, i=detail.instrument)


@router.get("/{lang}/actors", include_in_schema=False)
@router.get("/{lang}/actors.{fmt}", include_in_schema=False)
def actors(
    request: Request,
    lang: Lang,
    session: SessionDep,
    templates: TemplatesDep,
    fmt: str = "",
    cursor: str | None = None,
) -> Response:
    filters = filters_from(request, actor_queries.FACETS)
    store = request.app.state.store
    if fmt:
        return _twin(
            request, templates, lang, fmt, "actors", lambda: actors_table(store, filters, lang=lang)
        )
    page = actor_queries.list_actors(session, filters, lang=lang, cursor=cursor)
    return _list_page(
        request, templates, lang, "actors", page, filters, region_names=_region_names(session, lang)
    )


@router.get("/{lang}/actors/{id:path}", include_in_schema=False)
def actor(
    request: Request, lang: Lang, id: str, session: SessionDep, templates: TemplatesDep
) -> Response:
    detail = actor_queries.get_actor(session, id)
    return _record_page(request, templates, lang, "actors", id, d=detail, a=detail.actor)


@router.get("/{lang}/sources", include_in_schema=False)
@router.get("/{lang}/sources.{fmt}", include_in_schema=False)
def sources(
    request: Request,
    lang: Lang,
    session: SessionDep,
    templates: TemplatesDep,
    fmt: str = "",
    cursor: str | None = None,
) -> Response:
    filters = filters_from(request, source_queries.FACETS)
    store = request.app.state.store
    if fmt:
        return _twin(
            request, templates, lang, fmt, "sources", lambda: sources_table(store, filters)
        )
    page = source_queries.list_sources(session, filters, cursor=cursor)
    return _list_page(request, templates, lang, "sources", page, filters)


@router.get("/{lang}/sources/{id:path}", include_in_schema=False)
def source(
    request: Request, lang: Lang, id: str, session: SessionDep, templates: TemplatesDep
) -> Response:
    detail = source_queries.get_source(session, id)
    return templates.render(
        request, "source.html", lang, {"d": detail, "section": "sources", "labels": labels}
    )


@router.get("/{lang}/coverage", include_in_schema=False)
def coverage_page(request: Request, lang: Lang, templates: TemplatesDep) -> Response:
    report = compute_coverage(request.app.state.store)
    return templates.render(
        request, "coverage.html", lang, {"report": report, "section": "coverage", "labels": labels}
    )


def _actor_names(session: Session, ids: list[str], lang: str) -> dict[str, str]:
    if not ids:
        return {}
    actors = session.scalars(select(Actor).where(Actor.id.in_(ids)))
    return {a.id: field(a, "name", lang) or a.id for a in actors}


def _jurisdiction_names(session: Session, values: list[str | None], lang: str) -> dict[str, str]:
    """ISO3 codes and "EU" shown as names; "international" translated; others as given."""
    names = _actor_names(session, [v for v in values if v and (len(v) == 3 or v == "EU")], lang)
    names["international"] = Templates.label("JURISDICTIONS", "international", lang)
    return names


def _region_names(session: Session, lang: str) -> dict[str, str]:
    """UN M49 region and sub-region names in the page's language."""
    if lang == "en":
        return {}
    pairs = session.execute(
        select(
            Actor.m49_region_en, Actor.m49_region_zh, Actor.m49_subregion_en, Actor.m49_subregion_zh
        ).distinct()
    )
    names: dict[str, str] = {}
    for region_en, region_zh, sub_en, sub_zh in pairs:
        for en, zh in ((region_en, region_zh), (sub_en, sub_zh)):
            if en and zh:
                names[en] = localise(zh, lang) or zh
    return names


def _collection_names(session: Session) -> dict[str, str]:
    return {c.id: c.name_en for c in session.scalars(select(Collection))}


SEARCH_FACETS = ("kind", "type", "legal_force", "jurisdiction", "year", "origin")
SEARCH_PAGE = 20


@router.get("/{lang}/search", include_in_schema=False)
def search_page(
    request: Request, lang: Lang, templates: TemplatesDep, q: str = "", page: int = 1
) -> Response:
    from commonground.search.query import search

    filters = filters_from(request, SEARCH_FACETS)
    kinds = filters.pop("kind", None)
    page = max(1, min(page, 500))
    results = search(
        request.app.state.store,
        q,
        kinds=kinds,
        filters=filters or None,
        limit=SEARCH_PAGE,
        offset=(page - 1) * SEARCH_PAGE,
    )
    selected = dict(filters, **({"kind": kinds} if kinds else {}))
    more = results.total > page * SEARCH_PAGE
    return templates.render(
        request,
        "search.html",
        lang,
        {
            "q": q,
            "results": results,
            "selected": selected,
            "section": "search",
            "next_url": f"/{lang}/search" + _qs(request, page=str(page + 1)) if more else None,
            "prev_url": f"/{lang}/search" + _qs(request, page=str(page - 1)) if page > 1 else None,
            "facets": {
                f: sorted(results.facets.get(f, {}).items(), key=lambda kv: (-kv[1], kv[0]))
                for f in SEARCH_FACETS
            },
            "labels": labels,
        },
    )
