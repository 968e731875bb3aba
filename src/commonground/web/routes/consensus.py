"""Pages for the consensus analyses (see commonground.analysis.consensus).

/{lang}/consensus?a=USA&b=CHN    principles and instruments two actors share, and where they differ
/{lang}/consensus.csv?a=&b=      the chart's data: principle coverage per actor
/{lang}/principles               the Common Ground principle taxonomy, its crosswalk and its tags
/{lang}/glossary                 the bilingual glossary, each side's usage where they differ
"""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.analysis import consensus as con
from commonground.errors import Error
from commonground.store.models import Actor, Mapping, Participation, Taxonomy, Term
from commonground.web import consensus_charts as charts
from commonground.web import i18n
from commonground.web.deps import Lang, SessionDep, TemplatesDep
from commonground.web.exports import Table, respond
from commonground.web.labels import N_

router = APIRouter()

DEFAULT_A, DEFAULT_B = "USA", "CHN"
GLOSSARY = "cg-glossary"
CROSSWALK = "cg-principles-crosswalk"
TAGS = "cg-principle-tags"
STATE_LABELS = {
    "endorsed": N_("endorsed"),
    "issued": N_("issued"),
    "took_part": N_("took part"),
    "refused": N_("refused"),
    "left_out": N_("left out (complete list)"),
    "unknown": N_("unknown (list not complete)"),
    "ended": N_("revoked or superseded"),
    "not_applicable": N_("not applicable"),
}
METHOD_LABELS = {"manual": N_("manual"), "rule": N_("rule"), "model": N_("model")}
REVIEW_LABELS = {
    "unreviewed": N_("unreviewed"),
    "reviewed": N_("reviewed"),
    "rejected": N_("rejected"),
}
PREDICATE_LABELS = {
    "skos:exactMatch": N_("exact match"),
    "skos:closeMatch": N_("close match"),
    "skos:broadMatch": N_("broader"),
    "skos:narrowMatch": N_("narrower"),
    "skos:relatedMatch": N_("related"),
}


def _pair(request: Request) -> tuple[str, str]:
    a = (request.query_params.get("a") or DEFAULT_A).strip()
    b = (request.query_params.get("b") or DEFAULT_B).strip()
    if a == b:
        raise Error("choose two different actors")
    return a, b


def _choices(session: Session) -> list[Actor]:
    """Actors with at least one participation row (states and organisations), for the pickers."""
    ids = select(Participation.actor_id).distinct()
    return list(
        session.scalars(
            select(Actor)
            .where(Actor.id.in_(ids), Actor.kind.in_(("state", "regional_org")))
            .order_by(Actor.name_en)
        )
    )


def _gettext(lang: str):  # type: ignore[no-untyped-def]
    return lambda text: i18n.gettext(lang, text)


@router.get("/{lang}/consensus.csv", include_in_schema=False)
def consensus_csv(request: Request, lang: Lang, session: SessionDep) -> Response:
    a, b = _pair(request)
    result = con.consensus(session, a, b)
    rows = con.coverage_rows(result, "en" if lang == "en" else "zh")
    if lang == "zh-Hant":
        rows = [
            {**r, **{k: i18n.localise(r[k], lang) for k in ("principle_label", "actor_label")}}
            for r in rows
        ]
    columns = list(rows[0].keys()) if rows else ["principle"]
    return respond(Table(columns, iter(rows)), ".csv", f"consensus-{a}-{b}")


@router.get("/{lang}/consensus", include_in_schema=False)
def consensus_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    a, b = _pair(request)
    result = con.consensus(session, a, b)
    _ = _gettext(lang)
    rows = con.coverage_rows(result, "en" if lang == "en" else "zh")
    if lang == "zh-Hant":
        rows = [
            {**r, **{k: i18n.localise(r[k], lang) for k in ("principle_label", "actor_label")}}
            for r in rows
        ]
    spec = charts.coverage(rows, lang, title=_("Principle coverage per actor"))
    csv_url = f"/{lang}/consensus.csv?a={a}&b={b}"
    return templates.render(
        request,
        "consensus.html",
        lang,
        {
            "result": result,
            "a": a,
            "b": b,
            "choices": _choices(session),
            "spec": spec,
            "csv_url": csv_url,
            "state_label": lambda s: _(STATE_LABELS.get(s, s)),
            "method_label": lambda m: _(METHOD_LABELS.get(m, m)),
            "review_label": lambda r: _(REVIEW_LABELS.get(r, r)),
            "section": "consensus",
            "alternates": {"csv": csv_url},
        },
    )


def _terms(session: Session, taxonomy: str) -> list[Term]:
    return list(
        session.scalars(
            select(Term).where(Term.taxonomy_id == taxonomy).order_by(Term.position, Term.id)
        )
    )


def _names(session: Session, ids: set[str]) -> dict[str, Term]:
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Term).where(Term.id.in_(sorted(ids))))}


@router.get("/{lang}/principles", include_in_schema=False)
def principles_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    taxonomy = session.get(Taxonomy, con.TAXONOMY)
    if taxonomy is None:
        return templates.not_found(request, lang)
    _ = _gettext(lang)
    terms = _terms(session, con.TAXONOMY)
    ids = {t.id for t in terms}
    crosswalk: dict[str, list[tuple[Mapping, Term | None]]] = defaultdict(list)
    related: dict[str, list[Term]] = defaultdict(list)
    tags: dict[str, list[Mapping]] = defaultdict(list)
    maps = session.scalars(
        select(Mapping)
        .where(Mapping.mapping_set.in_((CROSSWALK, TAGS)))
        .order_by(Mapping.subject_id, Mapping.object_id)
    ).all()
    names = _names(session, {m.object_id for m in maps} | {m.subject_id for m in maps})
    for m in maps:
        if m.mapping_set == TAGS and m.object_id in ids:
            tags[m.object_id].append(m)
        elif m.subject_id in ids:
            crosswalk[m.subject_id].append((m, names.get(m.object_id)))
        elif m.object_id in ids and m.subject_id in names:
            related[m.object_id].append(names[m.subject_id])
    taxonomies = {
        t.id: t
        for t in session.scalars(
            select(Taxonomy).where(Taxonomy.id.in_(sorted({n.taxonomy_id for n in names.values()})))
        )
    }
    return templates.render(
        request,
        "principles.html",
        lang,
        {
            "taxonomy": taxonomy,
            "terms": terms,
            "crosswalk": crosswalk,
            "related": related,
            "tags": tags,
            "taxonomies": taxonomies,
            "method_label": lambda m: _(METHOD_LABELS.get(m, m)),
            "review_label": lambda r: _(REVIEW_LABELS.get(r, r)),
            "predicate_label": lambda p: _(PREDICATE_LABELS.get(p, p)),
            "section": "principles",
        },
    )


@router.get("/{lang}/glossary", include_in_schema=False)
def glossary_page(
    request: Request, lang: Lang, session: SessionDep, templates: TemplatesDep
) -> Response:
    taxonomy = session.get(Taxonomy, GLOSSARY)
    if taxonomy is None:
        return templates.not_found(request, lang)
    terms = _terms(session, GLOSSARY)
    entries = [t for t in terms if t.parent_id is None]
    senses: dict[str, list[Term]] = defaultdict(list)
    for t in terms:
        if t.parent_id:
            senses[t.parent_id].append(t)
    maps = session.scalars(
        select(Mapping).where(
            Mapping.mapping_set == CROSSWALK, Mapping.subject_id.in_([t.id for t in entries])
        )
    ).all()
    names = _names(session, {m.object_id for m in maps})
    related: dict[str, list[tuple[Mapping, Term]]] = defaultdict(list)
    for m in maps:
        if m.object_id in names:
            related[m.subject_id].append((m, names[m.object_id]))
    _ = _gettext(lang)
    return templates.render(
        request,
        "glossary.html",
        lang,
        {
            "taxonomy": taxonomy,
            "entries": entries,
            "senses": senses,
            "related": related,
            "side_label": lambda code: {"USA": _("US side"), "CHN": _("Chinese side")}.get(
                code or "", code or ""
            ),
            "review_label": lambda r: _(REVIEW_LABELS.get(r, r)),
            "section": "glossary",
        },
    )
