"""`commonground load` over every shared dataset: the counts the foundation promises."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from commonground.ingest.loader import load_all
from commonground.store.models import Actor, AIModel, Instrument, RiskEntry
from commonground.store.stats import table_counts

pytestmark = pytest.mark.slow


def _counts(store) -> dict[str, int]:
    with store.sessions() as s:

        def n(stmt):
            return s.scalar(select(func.count()).select_from(stmt.subquery()))

        return {
            "country-code actors": n(select(Actor.id).where(Actor.origin == "country-codes")),
            "agora documents": n(select(Instrument.id).where(Instrument.origin == "agora")),
            "oecd.ai entries": n(select(Instrument.id).where(Instrument.origin == "oecd-ai")),
            "epoch models": n(select(AIModel.id)),
            "epoch notable": n(select(AIModel.id).where(AIModel.in_notable.is_(True))),
            "epoch large-scale": n(select(AIModel.id).where(AIModel.in_large_scale.is_(True))),
            "mit risk entries": n(select(RiskEntry.id)),
        }


def test_load_imports_every_source_with_the_expected_counts_and_is_idempotent(store, shared_data):
    lines = list(load_all(store, shared_data))
    assert not [line for line in lines if "skipped" in line], lines
    expected = {
        "country-code actors": 249,
        "agora documents": 763,
        "oecd.ai entries": 2216,
        "epoch models": 1149,  # 954 + 311, deduplicated by model (116 in both)
        "epoch notable": 954,
        "epoch large-scale": 311,
        "mit risk entries": 1612,
    }
    assert _counts(store) == expected
    first = table_counts(store)
    # Unchanged inputs are skipped; forced re-imports update and never duplicate.
    assert all(line.endswith("up to date") for line in load_all(store, shared_data))
    list(load_all(store, shared_data, force=True))
    second = table_counts(store)
    assert second.pop("import_run") == 2 * first.pop("import_run")
    assert second.pop("store_state") == first.pop("store_state") == 1  # one row, a counter
    assert second == first
