"""Synthetic fixtures for the evaluation-result tests: two test models, a test instrument
with one provision, a test source. Never real data; never in the bundled dataset."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from commonground.store.engine import Store
from commonground.store.models import AIModel, Instrument, Provision, Source
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_cases import EvaluationResult

VALID = Path(__file__).parent / "data" / "evaluations" / "valid.json"
MODEL_A = "test:model-a"
MODEL_B = "test:model-b"
COMMITMENT = "test-commitments/I"


def seed(store: Store) -> None:
    with store.transaction() as session:
        session.add(Source(id="test-registry-source", title="Test registry source", origin="test"))
        session.flush()
        for id, name in ((MODEL_A, "Test Model A"), (MODEL_B, "Test Model B")):
            session.add(AIModel(id=id, name=name, source_id="test-registry-source"))
        session.add(
            Instrument(id="test-commitments", name_en="Test commitments", type="commitment",
                       origin="test")
        )  # fmt: skip
        session.flush()
        session.add(
            Provision(id=COMMITMENT, instrument_id="test-commitments", position=1,
                      kind="provision", label="Test commitment I",
                      source_id="test-registry-source")
        )  # fmt: skip


def valid_doc() -> dict[str, Any]:
    return json.loads(VALID.read_text(encoding="utf-8"))


def mutated(change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(valid_doc())
    change(doc)
    return doc


def counts(store: Store) -> dict[str, int]:
    with store.sessions() as session:
        return {
            "results": session.scalar(select(func.count()).select_from(EvaluationResult)) or 0,
            "sources": session.scalar(
                select(func.count()).select_from(Source).where(Source.origin == "evaluations")
            )
            or 0,
            "audit": session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.subject_type == "evaluation_result")
            )
            or 0,
        }


COMPARED = [
    c.name for c in EvaluationResult.__table__.columns if c.name not in ("created_by", "created_at")
]


def rows(store: Store) -> list[tuple]:
    """Every result's data columns (not who filed it or when), sorted by id."""
    with store.sessions() as session:
        return [
            tuple(getattr(r, c) for c in COMPARED)
            for r in session.scalars(select(EvaluationResult).order_by(EvaluationResult.id))
        ]
