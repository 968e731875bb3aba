"""Participation rows (actor ↔ instrument: signed, endorsed, member, refused…) and
single provisions with their subtree."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.registry.instruments import ProvisionNode, provision_tree
from commonground.registry.keyset import Facet, Filters, Key, faceted_list
from commonground.registry.pagination import Page
from commonground.store.models import Instrument, Mapping, Participation, Provision

FACETS = {
    "instrument": Facet(Participation.instrument_id),
    "actor": Facet(Participation.actor_id),
    "act": Facet(Participation.act),
}


def list_participation(
    session: Session,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[Participation]:
    """Rows in natural-key order (instrument, actor, act): stable across re-imports."""
    keys = [Key(Participation.instrument_id), Key(Participation.actor_id), Key(Participation.act)]
    return faceted_list(
        session,
        Participation,
        FACETS,
        keys,
        filters,
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


@dataclass
class ProvisionDetail:
    provision: Provision
    instrument: Instrument
    children: list[ProvisionNode]
    mappings: list[Mapping]


def get_provision(session: Session, id: str) -> ProvisionDetail:
    provision = session.get(Provision, id)
    if provision is None:
        raise NotFoundError(f"no provision {id!r}")
    siblings = session.scalars(
        select(Provision).where(Provision.instrument_id == provision.instrument_id)
    ).all()
    node = _find(provision_tree(siblings), id)
    mappings = session.scalars(
        select(Mapping)
        .where(or_(Mapping.subject_id == id, Mapping.object_id == id))
        .order_by(Mapping.mapping_set, Mapping.subject_id, Mapping.predicate, Mapping.object_id)
    ).all()
    instrument = session.get(Instrument, provision.instrument_id)
    assert instrument is not None
    return ProvisionDetail(provision, instrument, node.children if node else [], list(mappings))


def _find(nodes: list[ProvisionNode], id: str) -> ProvisionNode | None:
    for node in nodes:
        if node.provision.id == id:
            return node
        found = _find(node.children, id)
        if found:
            return found
    return None
