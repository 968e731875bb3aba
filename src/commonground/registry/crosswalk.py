"""Terms related to a term across vocabularies, through the stored term mappings.

The `mit-risk` importer and IBM's risk-atlas-nexus (`ibm-nexus`) each load the MIT AI Risk
Repository taxonomies under their own ids (`mit-domain:2.2` and `mit-ai-risk-subdomain-2.2`);
IBM's crosswalks (MIT ↔ IBM AI Risk Atlas, AIR 2024 broad/narrow matches) are written on
IBM's ids. `related_terms` bridges the two copies by code (a rule, reported as
`skos:exactMatch`) and follows every term-to-term Mapping both ways, one hop: a mapping
read from its object side is reported with the inverse predicate (broad ↔ narrow). A MIT
term found is listed under both ids.
Rejected mappings are left out.
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commonground.store.models import Mapping, Taxonomy, Term

EXACT = "skos:exactMatch"
INVERSE = {"skos:broadMatch": "skos:narrowMatch", "skos:narrowMatch": "skos:broadMatch"}
_CAUSAL_LABELS = {
    "entity": {"1": "human", "2": "ai", "3": "other"},
    "intent": {"1": "intentional", "2": "unintentional", "3": "other"},
    "timing": {"1": "pre-deployment", "2": "post-deployment", "3": "other"},
}
_DOMAIN = re.compile(r"^mit-domain:(\d)$")
_SUBDOMAIN = re.compile(r"^mit-domain:(\d\.\d)$")
_CAUSAL = re.compile(r"^mit-causal:(entity|intent|timing)-(\d)$")
_IBM_DOMAIN = re.compile(r"^mit-ai-risk-domain-(\d)$")
_IBM_SUBDOMAIN = re.compile(r"^mit-ai-risk-subdomain-(\d\.\d)$")
_IBM_CAUSAL = re.compile(r"^mit-ai-causal-risk-(entity|intent|timing)-(.+)$")


def mit_counterpart(term_id: str) -> str | None:
    """The other loader's id for the same MIT AI Risk Repository term, if there is one."""
    if match := _DOMAIN.match(term_id):
        return f"mit-ai-risk-domain-{match.group(1)}"
    if match := _SUBDOMAIN.match(term_id):
        return f"mit-ai-risk-subdomain-{match.group(1)}"
    if match := _CAUSAL.match(term_id):
        label = _CAUSAL_LABELS[match.group(1)].get(match.group(2))
        return f"mit-ai-causal-risk-{match.group(1)}-{label}" if label else None
    if match := _IBM_DOMAIN.match(term_id):
        return f"mit-domain:{match.group(1)}"
    if match := _IBM_SUBDOMAIN.match(term_id):
        return f"mit-domain:{match.group(1)}"
    if match := _IBM_CAUSAL.match(term_id):
        codes = {label: code for code, label in _CAUSAL_LABELS[match.group(1)].items()}
        code = codes.get(match.group(2))
        return f"mit-causal:{match.group(1)}-{code}" if code else None
    return None


def related_terms(session: Session, term_id: str) -> list[tuple[Term, str, Taxonomy]]:
    """(term, predicate, taxonomy) for every term mapped to `term_id` or its MIT counterpart,
    ordered by taxonomy, term and predicate; the term itself is not included."""
    found: set[tuple[str, str]] = set()
    start = {term_id}
    counterpart = mit_counterpart(term_id)
    if counterpart is not None and session.get(Term, counterpart) is not None:
        start.add(counterpart)
        found.add((counterpart, EXACT))
    mappings = session.scalars(
        select(Mapping).where(
            Mapping.subject_type == "term",
            Mapping.object_type == "term",
            Mapping.review_status != "rejected",
            or_(Mapping.subject_id.in_(start), Mapping.object_id.in_(start)),
        )
    )
    for mapping in mappings:
        if mapping.subject_id in start and mapping.object_id not in start:
            found.add((mapping.object_id, mapping.predicate))
        if mapping.object_id in start and mapping.subject_id not in start:
            found.add((mapping.subject_id, INVERSE.get(mapping.predicate, mapping.predicate)))
    # Each MIT term found is reported under both loaders' ids.
    for other, predicate in list(found):
        twin = mit_counterpart(other)
        if twin is not None and twin not in start:
            found.add((twin, predicate))
    terms = {
        t.id: t for t in session.scalars(select(Term).where(Term.id.in_({t for t, _ in found})))
    }
    taxonomies = {
        t.id: t
        for t in session.scalars(
            select(Taxonomy).where(Taxonomy.id.in_({t.taxonomy_id for t in terms.values()}))
        )
    }
    result = [
        (terms[other], predicate, taxonomies[terms[other].taxonomy_id])
        for other, predicate in found
        if other in terms
    ]
    result.sort(key=lambda item: (item[2].id, item[0].id, item[1]))
    return result
