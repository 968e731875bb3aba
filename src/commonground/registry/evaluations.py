"""Evaluation results: a faceted list, one result, and the view across evaluators for one
model (suites × evaluators). Writes go through `commonground.ingest.evaluations`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.errors import NotFoundError
from commonground.registry.keyset import Facet, Filters, Key, faceted_list
from commonground.registry.pagination import Page
from commonground.store.models import AIModel
from commonground.store.models_cases import EvaluationResult

E = EvaluationResult
FACETS = {
    "model": Facet(E.model_name),
    "model_id": Facet(E.model_id, counted=False),
    "suite": Facet(E.suite),
    "evaluator": Facet(E.evaluator),
    "threshold_crossed": Facet(E.threshold_crossed, "bool"),
    "commitment": Facet(E.commitment_id),
}
# Newest measurement first; the id breaks ties so pages never repeat or skip a row.
KEYS = [Key(E.date, "date", desc=True), Key(E.id)]


def list_evaluations(
    session: Session,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
    with_facets: bool = True,
) -> Page[EvaluationResult]:
    return faceted_list(
        session, E, FACETS, KEYS, filters, cursor=cursor, limit=limit, with_facets=with_facets
    )


def iter_evaluations(session: Session, filters: Filters | None = None) -> Iterator[E]:
    """Every matching result in list order (for exports), read page by page."""
    cursor = None
    while True:
        page = list_evaluations(session, filters, cursor=cursor, limit=1000, with_facets=False)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def get_evaluation(session: Session, id: str) -> EvaluationResult:
    result = session.get(E, id)
    if result is None:
        raise NotFoundError(f"no evaluation result {id!r}")
    return result


@dataclass(frozen=True)
class Measure:
    """One row of the cross-evaluator table: what was measured."""

    suite: str
    suite_version: str | None
    metric: str
    unit: str | None


@dataclass
class ModelView:
    """Every result for one model, arranged as measures × evaluators."""

    model: AIModel
    results: list[EvaluationResult]
    evaluators: list[str] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    # (measure, evaluator) → results, newest first.
    cells: dict[tuple[Measure, str], list[EvaluationResult]] = field(default_factory=dict)

    @property
    def crossed(self) -> list[EvaluationResult]:
        """Results that report a capability threshold as crossed."""
        return [r for r in self.results if r.threshold_crossed]

    def cell(self, measure: Measure, evaluator: str) -> list[EvaluationResult]:
        return self.cells.get((measure, evaluator), [])


def model_view(session: Session, model_id: str) -> ModelView:
    model = session.get(AIModel, model_id)
    if model is None:
        raise NotFoundError(f"no model {model_id!r}")
    results = list(
        session.scalars(select(E).where(E.model_id == model_id).order_by(E.date.desc(), E.id))
    )
    view = ModelView(model=model, results=results)
    view.evaluators = sorted({r.evaluator for r in results}, key=str.casefold)
    measures = {Measure(r.suite, r.suite_version, r.metric, r.unit) for r in results}
    view.measures = sorted(
        measures,
        key=lambda m: (
            m.suite.casefold(),
            m.suite_version or "",
            m.metric.casefold(),
            m.unit or "",
        ),
    )
    for r in results:
        key = (Measure(r.suite, r.suite_version, r.metric, r.unit), r.evaluator)
        view.cells.setdefault(key, []).append(r)
    return view


def model_names(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(session.execute(select(AIModel.id, AIModel.name).where(AIModel.id.in_(ids))).all())
