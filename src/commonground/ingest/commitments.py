"""The bundled commitments data (src/commonground/data/commitments/): evidence sources,
evidence items and the dataset's own assessments. Runs after `curated`, whose
instruments, provisions, actors and participation it refers to.

The files are the whole truth about the dataset's rows (`added_by`/`created_by`
"dataset"): a re-import updates them and a row removed from a file is removed from the
store. Rows added by editors through the web, API or CLI are never touched.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import Row, read_csv
from commonground.ingest.values import partial_date
from commonground.registry.commitment_inputs import SLUG, AssessmentInput, EvidenceInput
from commonground.registry.commitments import COMMITTING_ACTS, DATASET
from commonground.store.models import Participation, Provision, Source
from commonground.store.models_commitments import Assessment, Evidence

ORIGIN = "commitments"
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "commitments"
FILES = ("sources.csv", "evidence.csv", "assessments.csv")


def _dataset_id(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError("ids are lower-case letters, digits, '.', '_' and '-'")
    if value.startswith(("ev-", "as-")):
        raise ValueError("ids starting ev- or as- are kept for rows added by editors")
    return value


def _added_at(value: str) -> dt.datetime:
    day = dt.date.fromisoformat(value.strip())
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


class SourceRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")
    date: str = ""
    language: str = Field(min_length=2, max_length=10)
    note: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _dataset_id(value)

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        if value:
            partial_date(value)
        return value


class EvidenceRow(EvidenceInput):
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    added_by: str = Field(pattern=f"^{DATASET}$")
    added_at: dt.datetime

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _dataset_id(value)

    @field_validator("added_at", mode="before")
    @classmethod
    def _at(cls, value: str) -> dt.datetime:
        return _added_at(value)


class AssessmentRow(AssessmentInput):
    id: str = Field(min_length=1, max_length=200)
    created_by: str = Field(pattern=f"^{DATASET}$")
    created_at: dt.datetime

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        return _dataset_id(value)

    @field_validator("created_at", mode="before")
    @classmethod
    def _at(cls, value: str) -> dt.datetime:
        return _added_at(value)


class CommitmentsImporter(Importer):
    name = "commitments"
    description = "Commitments tracker: evidence per signatory and commitment, and assessments"

    def default_path(self, shared_dir: Path) -> Path:
        return DATA_DIR

    def files(self, path: Path) -> list[Path]:
        return [path / name for name in FILES]

    def load(self, ctx: ImportContext, path: Path) -> int:
        sources = self._read(path / "sources.csv", SourceRow)
        evidence = self._read(path / "evidence.csv", EvidenceRow)
        assessments = self._read(path / "assessments.csv", AssessmentRow)
        self._check(ctx, path, sources, evidence, assessments)
        self._write(ctx, sources, evidence, assessments)
        return len(evidence) + len(assessments)

    @staticmethod
    def _read(path: Path, schema: type[BaseModel]) -> list[tuple[Row, BaseModel]]:
        rows = []
        seen: set[str] = set()
        for row in read_csv(path, required=("id",)):
            record = validate(schema, row, path)
            if record.id in seen:  # type: ignore[attr-defined]
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="id",
                    value=record.id,  # type: ignore[attr-defined]
                    reason="duplicate id",
                )
            seen.add(record.id)  # type: ignore[attr-defined]
            rows.append((row, record))
        return rows

    @staticmethod
    def _check(
        ctx: ImportContext,
        root: Path,
        sources: list,
        evidence: list,
        assessments: list,
    ) -> None:
        session = ctx.session
        others = set(session.scalars(select(Source.id).where(Source.origin != ORIGIN)))
        for row, s in sources:
            if s.id in others:
                raise IngestError(
                    path=root / "sources.csv",
                    record=row.record,
                    line=row.line,
                    field="id",
                    value=s.id,
                    reason="a source with this id comes from another dataset",
                )
        source_ids = {s.id for _, s in sources} | others
        provisions = {
            p.id: p for p in session.scalars(select(Provision).where(Provision.kind == "provision"))
        }
        signed: dict[str, set[str]] = defaultdict(set)
        for instrument, actor in session.execute(
            select(Participation.instrument_id, Participation.actor_id).where(
                Participation.act.in_(COMMITTING_ACTS)
            )
        ):
            signed[instrument].add(actor)

        def fail(path: Path, row: Row, field: str, value: object, reason: str) -> None:
            raise IngestError(
                path=path, record=row.record, line=row.line, field=field, value=value, reason=reason
            )

        def cell(path: Path, row: Row, rec: EvidenceInput | AssessmentInput) -> None:
            p = provisions.get(rec.provision)
            if p is None:
                fail(path, row, "provision", rec.provision, "unknown commitment (import curated?)")
            elif p.instrument_id != rec.instrument:
                fail(path, row, "provision", rec.provision, f"belongs to {p.instrument_id}")
            if rec.actor not in signed[rec.instrument]:
                fail(path, row, "actor", rec.actor, f"not a signatory of {rec.instrument}")

        path = root / "evidence.csv"
        owners: dict[str, tuple[str, str]] = {}
        for row, rec in evidence:
            cell(path, row, rec)
            if rec.source not in source_ids:
                fail(path, row, "source", rec.source, "unknown source")
            owners[rec.id] = (rec.instrument, rec.actor)
        path = root / "assessments.csv"
        for row, rec in assessments:
            cell(path, row, rec)
            for ev in rec.evidence:
                if ev not in owners:
                    fail(path, row, "evidence", ev, "unknown evidence id")
                if owners[ev] != (rec.instrument, rec.actor):
                    fail(path, row, "evidence", ev, f"is about {owners[ev][1]}, not {rec.actor}")

    @staticmethod
    def _write(ctx: ImportContext, sources: list, evidence: list, assessments: list) -> None:
        ctx.start("commitments", len(sources) + len(evidence) + len(assessments))
        for _, s in sources:
            ctx.upsert(
                Source,
                {
                    "id": s.id,
                    "title": s.title,
                    "publisher": s.publisher,
                    "url": s.url,
                    "published": s.date or None,
                    "language": s.language,
                    "note": s.note or None,
                    "origin": ORIGIN,
                },
            )
        ctx.session.flush()
        for _, e in evidence:
            ctx.upsert(
                Evidence,
                {
                    "id": e.id,
                    "instrument_id": e.instrument,
                    "provision_id": e.provision,
                    "actor_id": e.actor,
                    "kind": e.kind,
                    "title": e.title,
                    "url": e.url,
                    "publisher": e.publisher,
                    "published_on": e.published_on(),
                    "published_text": e.published,
                    "excerpt": e.excerpt,
                    "language": e.language,
                    "basis": e.basis,
                    "note": e.note,
                    "source_id": e.source,
                    "added_by": DATASET,
                    "added_at": e.added_at,
                },
            )
        for _, a in assessments:
            ctx.upsert(
                Assessment,
                {
                    "id": a.id,
                    "instrument_id": a.instrument,
                    "provision_id": a.provision,
                    "actor_id": a.actor,
                    "status": a.status,
                    "assessed_on": a.assessed_on,
                    "assessor": a.assessor,
                    "rationale_en": a.rationale_en,
                    "rationale_zh": a.rationale_zh,
                    "evidence_ids": " ".join(a.evidence) or None,
                    "created_by": DATASET,
                    "created_at": a.created_at,
                },
            )
        ctx.session.flush()
        ctx.prune(
            Assessment,
            {(a.id,) for _, a in assessments},
            key=("id",),
            where=Assessment.created_by == DATASET,
        )
        ctx.prune(
            Evidence,
            {(e.id,) for _, e in evidence},
            key=("id",),
            where=Evidence.added_by == DATASET,
        )
        ctx.session.flush()
        ctx.prune(Source, {(s.id,) for _, s in sources}, key=("id",), where=Source.origin == ORIGIN)
