"""Vocabularies: taxonomies, their terms, and SSSOM-style mappings between ids."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.registry.keyset import Facet, Filters, Key, faceted_list
from commonground.registry.pagination import Page
from commonground.store.models import Mapping, Source, Taxonomy, Term

TAXONOMY_FACETS = {"origin": Facet(Taxonomy.origin), "publisher": Facet(Taxonomy.publisher)}
TERM_FACETS = {"taxonomy": Facet(Term.taxonomy_id), "kind": Facet(Term.kind)}
MAPPING_FACETS = {
    "mapping_set": Facet(Mapping.mapping_set),
    "predicate": Facet(Mapping.predicate),
    "subject_type": Facet(Mapping.subject_type),
    "object_type": Facet(Mapping.object_type),
    "review_status": Facet(Mapping.review_status),
    "subject": Facet(Mapping.subject_id, counted=False),
    "object": Facet(Mapping.object_id, counted=False),
}


def list_taxonomies(
    session: Session,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[Taxonomy]:
    return faceted_list(
        session,
        Taxonomy,
        TAXONOMY_FACETS,
        [Key(Taxonomy.id)],
        filters,
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


def list_terms(
    session: Session,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[Term]:
    """Terms in taxonomy order: by taxonomy, then position, then id."""
    keys = [Key(Term.taxonomy_id), Key(func.coalesce(Term.position, 0), "int"), Key(Term.id)]
    return faceted_list(
        session,
        Term,
        TERM_FACETS,
        keys,
        filters,
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


def list_mappings(
    session: Session,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[Mapping]:
    """Mappings in their natural-key order (set, subject, predicate, object)."""
    keys = [
        Key(Mapping.mapping_set),
        Key(Mapping.subject_id),
        Key(Mapping.predicate),
        Key(Mapping.object_id),
    ]
    return faceted_list(
        session,
        Mapping,
        MAPPING_FACETS,
        keys,
        filters,
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


@dataclass
class TaxonomyDetail:
    taxonomy: Taxonomy
    source: Source | None
    terms: int


def get_taxonomy(session: Session, id: str) -> TaxonomyDetail:
    taxonomy = session.get(Taxonomy, id)
    if taxonomy is None:
        raise NotFoundError(f"no taxonomy {id!r}")
    terms = session.scalar(select(func.count()).where(Term.taxonomy_id == id)) or 0
    return TaxonomyDetail(taxonomy, session.get(Source, taxonomy.source_id), terms)


@dataclass
class TermDetail:
    term: Term
    children: list[Term]
    mappings: list[Mapping]


def get_term(session: Session, id: str) -> TermDetail:
    term = session.get(Term, id)
    if term is None:
        raise NotFoundError(f"no term {id!r}")
    children = session.scalars(
        select(Term).where(Term.parent_id == id).order_by(Term.position, Term.id)
    ).all()
    mappings = session.scalars(
        select(Mapping)
        .where(or_(Mapping.subject_id == id, Mapping.object_id == id))
        .order_by(Mapping.mapping_set, Mapping.subject_id, Mapping.predicate, Mapping.object_id)
    ).all()
    return TermDetail(term, list(children), list(mappings))
