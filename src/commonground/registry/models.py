"""AI models (Epoch AI) and coded risks (MIT AI Risk Repository): faceted lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, cast, extract, func, literal
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.registry.keyset import Facet, Filters, Key, faceted_list
from commonground.registry.pagination import Page
from commonground.store.models import AIModel, RiskEntry
from commonground.store.types import ExactInteger

MODEL_FACETS = {
    "confidence": Facet(AIModel.confidence),
    "in_notable": Facet(AIModel.in_notable, "bool"),
    "in_large_scale": Facet(AIModel.in_large_scale, "bool"),
    "year": Facet(cast(extract("year", AIModel.publication_date), Integer), "int"),
}
MODEL_SORTS = ("newest", "oldest", "name", "compute")
RISK_FACETS = {
    "domain": Facet(RiskEntry.domain_term_id),
    "subdomain": Facet(RiskEntry.subdomain_term_id),
    "category_level": Facet(RiskEntry.category_level),
}


def _model_keys(sort: str) -> list[Key]:
    if sort == "name":
        return [Key(AIModel.name), Key(AIModel.id)]
    if sort == "compute":
        # Unknown compute counts as 0 and sinks to the end; compared exactly in SQL.
        return [
            Key(
                func.coalesce(AIModel.training_compute_flop, literal(0, ExactInteger())),
                "exact",
                desc=True,
            ),
            Key(AIModel.id),
        ]
    if sort == "oldest":
        return [
            Key(func.coalesce(AIModel.publication_date, dt.date(9999, 12, 31)), "date"),
            Key(AIModel.id),
        ]
    return [
        Key(func.coalesce(AIModel.publication_date, dt.date(1, 1, 1)), "date", desc=True),
        Key(AIModel.id),
    ]


def list_models(
    session: Session,
    filters: Filters | None = None,
    *,
    sort: str = "newest",
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[AIModel]:
    return faceted_list(
        session,
        AIModel,
        MODEL_FACETS,
        _model_keys(sort if sort in MODEL_SORTS else "newest"),
        filters,
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


def get_model(session: Session, id: str) -> AIModel:
    model = session.get(AIModel, id)
    if model is None:
        raise NotFoundError(f"no model {id!r}")
    return model


def list_risks(
    session: Session,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 100,
    with_facets: bool = True,
) -> Page[RiskEntry]:
    return faceted_list(
        session,
        RiskEntry,
        RISK_FACETS,
        [Key(RiskEntry.id)],
        filters,
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


def get_risk(session: Session, id: str) -> RiskEntry:
    risk = session.get(RiskEntry, id)
    if risk is None:
        raise NotFoundError(f"no risk entry {id!r}")
    return risk
