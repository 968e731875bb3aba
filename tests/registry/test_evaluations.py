"""Reading evaluation results: facets, keyset pages, and one model across evaluators."""

from __future__ import annotations

import pytest

from commonground.errors import NotFoundError
from commonground.ingest.base import run_import
from commonground.ingest.evaluations import EvaluationsImporter
from commonground.registry import evaluations as q
from commonground.registry.pagination import BadCursor
from tests.evaluations_helpers import MODEL_A, MODEL_B, VALID, seed


@pytest.fixture
def loaded(store):
    seed(store)
    run_import(store, EvaluationsImporter(None), VALID)
    return store


def test_list_is_newest_first_with_facet_counts(loaded):
    with loaded.sessions() as session:
        page = q.list_evaluations(session)
        assert [r.date.isoformat() for r in page.items] == [
            "2025-02-01",
            "2025-01-15",
            "2024-12-31",
        ]
        assert page.total == 3
        assert dict(page.facets["evaluator"]) == {"Test Evaluator": 2, "Second Test Evaluator": 1}
        assert dict(page.facets["threshold_crossed"]) == {"true": 1}
        assert dict(page.facets["model"]) == {"Test Model A": 2, "Unlinked Test Model": 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"evaluator": ["Test Evaluator"]}, 2),
        ({"threshold_crossed": ["true"]}, 1),
        ({"threshold_crossed": ["false"]}, 0),
        ({"model_id": [MODEL_A]}, 2),
        ({"model": ["Unlinked Test Model"]}, 1),
        ({"suite": ["test-suite"], "evaluator": ["Second Test Evaluator"]}, 1),
        ({"suite": ["no-such-suite"]}, 0),
    ],
)
def test_filters_narrow_the_list(loaded, filters, expected):
    with loaded.sessions() as session:
        page = q.list_evaluations(session, filters)
        assert page.total == len(page.items) == expected


def test_keyset_pages_neither_repeat_nor_skip(loaded):
    seen = []
    cursor = None
    with loaded.sessions() as session:
        while True:
            page = q.list_evaluations(session, cursor=cursor, limit=1, with_facets=False)
            seen += [r.id for r in page.items]
            if not page.next_cursor:
                break
            cursor = page.next_cursor
        everything = [r.id for r in q.list_evaluations(session, limit=10).items]
    assert seen == everything and len(seen) == 3


def test_a_forged_cursor_is_a_bad_cursor(loaded):
    with loaded.sessions() as session, pytest.raises(BadCursor):
        q.list_evaluations(session, cursor="WzEsMl0")


def test_model_view_arranges_measures_by_evaluator(loaded):
    with loaded.sessions() as session:
        view = q.model_view(session, MODEL_A)
    assert view.evaluators == ["Second Test Evaluator", "Test Evaluator"]
    assert view.measures == [q.Measure("test-suite", "1.0", "accuracy", None)]
    m = view.measures[0]
    assert [r.value for r in view.cell(m, "Test Evaluator")] == ["0.7340"]
    assert [r.value for r in view.cell(m, "Second Test Evaluator")] == ["0.81"]
    assert [r.evaluator for r in view.crossed] == ["Second Test Evaluator"]


def test_model_view_of_a_model_without_results_is_empty(loaded):
    with loaded.sessions() as session:
        view = q.model_view(session, MODEL_B)
    assert (view.results, view.evaluators, view.measures) == ([], [], [])


def test_unknown_ids_are_not_found(loaded):
    with loaded.sessions() as session:
        with pytest.raises(NotFoundError):
            q.model_view(session, "test:nothing")
        with pytest.raises(NotFoundError):
            q.get_evaluation(session, "CG:E-nothing")
        assert q.get_evaluation(session, "CG:E-test-unlinked").model_name == "Unlinked Test Model"
