"""ExactInteger on the real database: exact round-trips, numeric order, exact comparisons."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import StatementError

from commonground.ingest.values import exact_int
from commonground.store.models import AIModel, Source
from commonground.store.types import MAX_EXACT, WIDTH, ExactInteger

VALUES = {
    "e25-minus-1": 10**25 - 1,
    "e25": 10**25,
    "e25-plus-1": 10**25 + 1,
    "e26-minus-1": 10**26 - 1,
    "e26": 10**26,
    "e26-plus-1": 10**26 + 1,
    "zero": 0,
    "e47": 10**47,
}


def _insert(store, values: dict[str, int | None]) -> None:
    with store.transaction() as s:
        s.add(Source(id="test-source", title="Test source", origin="test"))
        s.flush()
        for key, value in values.items():
            s.add(
                AIModel(
                    id=f"m:{key}", name=key, training_compute_flop=value, source_id="test-source"
                )
            )


@pytest.fixture
def models(store):
    _insert(store, {**VALUES, "none": None})
    return store


def test_values_read_back_as_the_identical_int(models):
    with models.sessions() as s:
        got = {m.name: m.training_compute_flop for m in s.scalars(select(AIModel))}
    assert got.pop("none") is None
    assert got == VALUES
    assert all(type(v) is int for v in got.values())


def test_order_by_is_numeric_order(models):
    with models.sessions() as s:
        got = s.scalars(
            select(AIModel.training_compute_flop)
            .where(AIModel.training_compute_flop.is_not(None))
            .order_by(AIModel.training_compute_flop)
        ).all()
        desc = s.scalars(
            select(AIModel.name)
            .where(AIModel.training_compute_flop.is_not(None))
            .order_by(AIModel.training_compute_flop.desc())
        ).all()
    assert got == sorted(VALUES.values())
    assert desc == sorted(VALUES, key=VALUES.get, reverse=True)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (lambda c: c >= 10**25, {"e25", "e25-plus-1", "e26-minus-1", "e26", "e26-plus-1", "e47"}),
        (lambda c: c > 10**25, {"e25-plus-1", "e26-minus-1", "e26", "e26-plus-1", "e47"}),
        (lambda c: c < 10**26, {"zero", "e25-minus-1", "e25", "e25-plus-1", "e26-minus-1"}),
        (lambda c: c == 10**26, {"e26"}),
        (lambda c: c.between(10**25 + 1, 10**26), {"e25-plus-1", "e26-minus-1", "e26"}),
    ],
    ids=[">=1e25", ">1e25", "<1e26", "==1e26", "between"],
)
def test_sql_comparisons_with_bound_parameters_are_exact(models, condition, expected):
    with models.sessions() as s:
        got = set(s.scalars(select(AIModel.name).where(condition(AIModel.training_compute_flop))))
    assert got == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (1e25, TypeError),
        (10.0**26, TypeError),
        (True, TypeError),
        (False, TypeError),
        (Decimal("1e25"), TypeError),
        ("10000000000000000000000000", TypeError),
        (-1, ValueError),
        (10**WIDTH, ValueError),
    ],
    ids=repr,
)
def test_floats_bools_and_negatives_are_rejected_at_bind_time(store, value, error):
    # SQLAlchemy wraps an error raised while binding in StatementError; `orig` is ours.
    with pytest.raises(StatementError) as caught:
        _insert(store, {"bad": value})
    assert isinstance(caught.value.orig, error), repr(caught.value)
    with store.sessions() as s:
        assert s.scalars(select(AIModel)).all() == []
        assert s.scalars(select(Source)).all() == []


def test_rejected_in_a_where_clause_too(models):
    with models.sessions() as s, pytest.raises(StatementError) as caught:
        s.scalars(select(AIModel).where(AIModel.training_compute_flop >= 1e25)).all()
    assert isinstance(caught.value.orig, TypeError)


# -- the type's bind/result processing, both dialects, no database -----------------

SQLITE = sqlite.dialect()
POSTGRES = postgresql.psycopg.dialect()
exact_ints = st.integers(min_value=0, max_value=MAX_EXACT)


@settings(max_examples=60, deadline=None)
@given(st.lists(exact_ints, min_size=2, max_size=8))
def test_sqlite_encoding_sorts_as_the_integers_and_round_trips(numbers):
    kind = ExactInteger()
    encoded = [kind.process_bind_param(n, SQLITE) for n in numbers]
    assert all(isinstance(e, str) and len(e) == WIDTH for e in encoded)
    # Binary collation is code-point order, i.e. Python's str order.
    assert sorted(encoded) == [kind.process_bind_param(n, SQLITE) for n in sorted(numbers)]
    for a, b, ea, eb in zip(numbers, numbers[1:], encoded, encoded[1:], strict=False):
        assert (a < b) == (ea < eb) and (a == b) == (ea == eb)
    assert [kind.process_result_value(e, SQLITE) for e in encoded] == numbers


@settings(max_examples=60, deadline=None)
@given(exact_ints)
def test_postgres_encoding_round_trips_exactly(number):
    kind = ExactInteger()
    bound = kind.process_bind_param(number, POSTGRES)
    assert isinstance(bound, Decimal) and bound == number
    back = kind.process_result_value(bound, POSTGRES)
    assert type(back) is int and back == number


def test_dialect_impls():
    kind = ExactInteger()
    assert kind.load_dialect_impl(POSTGRES).precision == WIDTH
    assert kind.load_dialect_impl(POSTGRES).scale == 0
    assert kind.load_dialect_impl(SQLITE).length == WIDTH


# -- values.exact_int ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0692e+25", 10692000000000000000000000),
        ("4.64e+26", 464000000000000000000000000),
        ("1e25", 10**25),
        ("10000000000000000000000000", 10**25),
        ("5.18400000000001e+25", 51840000000000100000000000),
        ("3.5999999999999997e+25", 35999999999999997000000000),
        (" 2.1E+25 ", 21 * 10**24),
        ("40.0", 40),
        ("0", 0),
    ],
)
def test_exact_int_parses_without_floats(text, expected):
    got = exact_int(text)
    assert type(got) is int and got == expected


@pytest.mark.parametrize(
    "text", ["nan", "NaN", "inf", "-inf", "Infinity", "-1", "-1e25", "abc", ""]
)
def test_exact_int_rejects_non_numbers_and_negatives(text):
    with pytest.raises(ValueError):
        exact_int(text)
