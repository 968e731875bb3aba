import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from commonground.ingest.cases import same_instant, split_values
from commonground.registry.crosswalk import mit_counterpart

parts = st.text(alphabet=st.characters(blacklist_characters=";", blacklist_categories=("Cs",)))


@given(st.lists(parts))
def test_split_values_keeps_each_non_empty_part_once_in_order(values):
    result = split_values(";".join(values))
    expected = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    assert result == expected
    assert split_values("; ".join(result)) == result


@given(st.datetimes(timezones=st.just(dt.UTC)))
def test_naive_utc_from_sqlite_is_the_same_instant(value):
    assert same_instant(value.replace(tzinfo=None), value)
    assert same_instant(value, value)
    assert not same_instant(None, value)
    assert not same_instant(value + dt.timedelta(seconds=1), value)


@given(
    st.sampled_from(
        [f"mit-domain:{d}" for d in range(1, 8)]
        + [f"mit-domain:{d}.{s}" for d in range(1, 8) for s in range(1, 7)]
        + [f"mit-causal:{g}-{c}" for g in ("entity", "intent", "timing") for c in "123"]
    )
)
def test_mit_counterpart_round_trips(term_id):
    twin = mit_counterpart(term_id)
    assert twin is not None and twin.startswith("mit-ai-")
    assert mit_counterpart(twin) == term_id
