"""Evaluation results in one common format: `commonground.org/evaluation-results/v1`.

A document is one JSON object::

    {"format": "commonground.org/evaluation-results/v1",
     "sources": [{"id": "…", "title": "…", "publisher": "…", "url": "https://…",
                  "published": "2025-05-26", "license": "…"}],
     "results": [{"model_name": "DeepSeek-R1", "model_id": "epoch:deepseek-r1",
                  "suite": "inspect_evals/wmdp", "metric": "accuracy", "value": "0.734",
                  "date": "2025-05-26", "evaluator": "…", "source_id": "…"}]}

`value` is a decimal string or a JSON number, kept exactly as written (the JSON is read
with a hook that hands over the number's own text: never a float round-trip). Ids are
given, or derived from the result's content (`CG:E-` + 16 hex digits of a SHA-256), so
importing the same document twice adds nothing. A document is imported all-or-nothing:
the first bad field raises an IngestError naming the file, record (1-based), field and
value, and nothing is written. Export writes the same format, so export → import into an
empty store gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.auth.principal import Principal
from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer
from commonground.store.models import Actor, AIModel, Provision, Source
from commonground.store.models_cases import EvaluationResult

FORMAT = "commonground.org/evaluation-results/v1"
ORIGIN = "evaluations"  # Source.origin of sources that come with evaluation documents
MAX_BYTES = 20 * 1024 * 1024
MAX_RESULTS = 50_000

# Result fields, in the order the format lists them (export writes them in this order).
FIELDS = (
    "id",
    "model_id",
    "model_name",
    "suite",
    "suite_version",
    "metric",
    "value",
    "unit",
    "date",
    "evaluator",
    "evaluator_actor_id",
    "threshold",
    "threshold_crossed",
    "commitment_id",
    "url",
    "note",
    "source_id",
)
SOURCE_FIELDS = ("id", "title", "publisher", "url", "published", "language", "license", "note")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._/+-]{0,199}$")
_DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class Number(str):
    """The exact text of a JSON number, as `json.loads` read it (parse_float/parse_int)."""


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number this format accepts")


def loads(text: str | bytes) -> Any:
    """JSON with every number kept as its own text (a `Number`); NaN and Infinity refused."""
    return json.loads(text, parse_float=Number, parse_int=Number, parse_constant=_no_constants)


def _bounded(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise ValueError(f"longer than {limit} characters")
    return value


def _url(value: str | None) -> str | None:
    value = _bounded(value, 2000)
    if value is not None:
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, flags=re.IGNORECASE):
            raise ValueError("must be an http:// or https:// URL")
    return value


class ResultIn(BaseModel):
    """One evaluation result as the format writes it; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    LIMITS: ClassVar[dict[str, int]] = {
        "model_name": 300,
        "suite": 300,
        "suite_version": 60,
        "metric": 300,
        "unit": 40,
        "evaluator": 300,
        "threshold": 2000,
        "note": 4000,
    }

    id: str | None = None
    model_id: str | None = None
    model_name: str
    suite: str
    suite_version: str | None = None
    metric: str
    value: str
    unit: str | None = None
    date: dt.date
    evaluator: str
    evaluator_actor_id: str | None = None
    threshold: str | None = None
    threshold_crossed: bool | None = None
    commitment_id: str | None = None
    url: str | None = None
    note: str | None = None
    source_id: str | None = None

    @field_validator("id", "model_id", "evaluator_actor_id", "commitment_id", "source_id")
    @classmethod
    def _ident(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _ID.match(value):
            raise ValueError("not a valid id (letters, digits and : . _ / + -, at most 200)")
        return value

    @field_validator(
        "model_name", "suite", "suite_version", "metric", "unit", "evaluator", "threshold", "note"
    )
    @classmethod
    def _text(cls, value: str | None, info: Any) -> str | None:
        text = _bounded(value, cls.LIMITS[info.field_name])
        if text is None and info.field_name in ("model_name", "suite", "metric", "evaluator"):
            raise ValueError("must not be empty")
        return text

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> str:
        # A JSON number arrives as `Number` (its own text); a string must spell a decimal.
        if isinstance(value, bool) or not isinstance(value, str):
            raise ValueError("must be a decimal string or a JSON number")
        text = value.strip()
        if len(text) > 60:
            raise ValueError("longer than 60 characters")
        if not _DECIMAL.match(text):
            raise ValueError("must be a decimal number such as 0.734, 57 or -1.5e-3")
        return text

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> dt.date:
        if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            raise ValueError("must be a date written YYYY-MM-DD")
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("not a calendar date") from None
        if day > dt.datetime.now(dt.UTC).date():
            raise ValueError("is in the future")
        return day

    @field_validator("threshold_crossed", mode="before")
    @classmethod
    def _crossed(cls, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise ValueError("must be true, false or null")

    @field_validator("url", mode="before")
    @classmethod
    def _link(cls, value: Any) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ValueError("must be a string")
        return _url(value)

    @model_validator(mode="after")
    def _threshold_pair(self) -> ResultIn:
        if self.threshold_crossed is not None and self.threshold is None:
            raise ValueError("threshold_crossed needs a threshold: say which threshold was tested")
        return self

    def content_id(self) -> str:
        """`CG:E-` + 16 hex digits of a SHA-256 over the fields that make the result."""
        parts = [
            self.model_id or "",
            self.model_name,
            self.suite,
            self.suite_version or "",
            self.metric,
            self.value,
            self.unit or "",
            self.date.isoformat(),
            self.evaluator,
            self.threshold or "",
        ]
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        return f"CG:E-{digest[:16]}"

    def row(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in FIELDS}
        values["id"] = self.id or self.content_id()
        return values


class SourceIn(BaseModel):
    """A source cited by results in the same document."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    license: str | None = None
    note: str | None = None

    @field_validator("id")
    @classmethod
    def _ident(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("not a valid id (letters, digits and : . _ / + -, at most 200)")
        return value

    @field_validator("title", "publisher", "license", "note")
    @classmethod
    def _text(cls, value: str | None, info: Any) -> str | None:
        text = _bounded(value, 4000 if info.field_name == "note" else 1000)
        if text is None and info.field_name == "title":
            raise ValueError("must not be empty")
        return text

    @field_validator("url", mode="before")
    @classmethod
    def _link(cls, value: Any) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ValueError("must be a string")
        return _url(value)

    @field_validator("published")
    @classmethod
    def _published(cls, value: str | None) -> str | None:
        if value is not None and not _PUBLISHED.match(value):
            raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$", value):
            raise ValueError("must be a language tag such as en or zh")
        return value


@dataclass(frozen=True)
class Document:
    """A parsed, field-valid document; references are checked against a session later."""

    path: Path
    results: list[ResultIn]
    sources: list[SourceIn]


def _fail(path: Path, reason: str, **where: Any) -> IngestError:
    return IngestError(path=path, reason=reason, **where)


def _validated(schema: type[BaseModel], data: Any, path: Path, record: int, prefix: str) -> Any:
    if not isinstance(data, dict):
        raise _fail(path, "must be a JSON object", record=record)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc") or ())
        value = err.get("input")
        reason = err.get("msg", "invalid").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            reason = "unknown field (see the format's field list)"
        if err.get("type") == "missing":
            reason = "is required"
        raise _bad(path, record, (prefix + loc) if loc else None, value, reason) from None


def _bad(path: Path, record: int, field: str | None, value: Any, reason: str) -> IngestError:
    shown = None if isinstance(value, dict | list) else value
    return IngestError(path=path, record=record, field=field, value=shown, reason=reason)


def parse(data: Any, path: Path) -> Document:
    """Check the envelope and every record's fields (no database needed)."""
    if isinstance(data, list):
        raise _fail(path, f'expected an object with "format": "{FORMAT}" and "results": [...]')
    if not isinstance(data, dict):
        raise _fail(path, "expected a JSON object")
    if data.get("format") != FORMAT:
        raise _fail(path, f'"format" must be "{FORMAT}"', field="format", value=data.get("format"))
    unknown = sorted(set(data) - {"format", "results", "sources"})
    if unknown:
        raise _fail(path, "unknown top-level field", field=unknown[0])
    results = data.get("results")
    if not isinstance(results, list):
        raise _fail(path, '"results" must be a list of result objects', field="results")
    if len(results) > MAX_RESULTS:
        raise _fail(path, f"more than {MAX_RESULTS:,} results in one document", field="results")
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise _fail(path, '"sources" must be a list of source objects', field="sources")
    parsed_sources = [
        _validated(SourceIn, item, path, i, "sources.") for i, item in enumerate(sources, 1)
    ]
    seen: dict[str, int] = {}
    for i, src in enumerate(parsed_sources, 1):
        if src.id in seen:
            raise _bad(path, i, "sources.id", src.id, f"repeats source {seen[src.id]}")
        seen[src.id] = i
    parsed = [_validated(ResultIn, item, path, i, "") for i, item in enumerate(results, 1)]
    ids: dict[str, int] = {}
    for i, result in enumerate(parsed, 1):
        rid = result.id or result.content_id()
        if rid in ids:
            raise _bad(path, i, "id", rid, f"repeats record {ids[rid]} (the same id or result)")
        ids[rid] = i
    return Document(path, parsed, parsed_sources)


def read(path: Path) -> Document:
    """Read and field-check a document file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot read: {exc.strerror}") from None
    return parse_bytes(raw, path)


def parse_bytes(raw: bytes | str, path: Path) -> Document:
    if len(raw) > MAX_BYTES:
        raise _fail(path, f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = loads(raw)
    except json.JSONDecodeError as exc:
        raise _fail(
            path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not valid JSON: {exc}") from None
    return parse(data, path)


def _source_row(src: SourceIn) -> dict[str, Any]:
    return {name: getattr(src, name) for name in SOURCE_FIELDS}


def check(session: Session, doc: Document) -> list[dict[str, Any]]:
    """Check every reference against the store; return the rows to add (new ids only).

    A result whose id is already stored with the same values is skipped; the same id
    with other values is an error (a stored result is never silently overwritten)."""
    path = doc.path
    given_sources = {s.id: i for i, s in enumerate(doc.sources, 1)}
    for src in doc.sources:
        stored = session.get(Source, src.id)
        if stored is not None:
            differs = [
                n for n in SOURCE_FIELDS if n != "id" and getattr(stored, n) != getattr(src, n)
            ]
            if differs:
                raise _bad(
                    path,
                    given_sources[src.id],
                    f"sources.{differs[0]}",
                    getattr(src, differs[0]),
                    f"source {src.id!r} is already stored with another {differs[0]}",
                )

    def known(model: type, ids: set[str]) -> set[str]:
        found: set[str] = set()
        chunk = sorted(ids)
        for start in range(0, len(chunk), 500):
            part = chunk[start : start + 500]
            found.update(session.scalars(select(model.id).where(model.id.in_(part))))
        return found

    rows = [r.row() for r in doc.results]
    models = known(AIModel, {r["model_id"] for r in rows if r["model_id"]})
    provisions = known(Provision, {r["commitment_id"] for r in rows if r["commitment_id"]})
    actors = known(Actor, {r["evaluator_actor_id"] for r in rows if r["evaluator_actor_id"]})
    stored_sources = known(Source, {r["source_id"] for r in rows if r["source_id"]})
    existing = {
        e.id: e
        for part in _chunks(sorted(r["id"] for r in rows))
        for e in session.scalars(select(EvaluationResult).where(EvaluationResult.id.in_(part)))
    }
    new: list[dict[str, Any]] = []
    for i, row in enumerate(rows, 1):
        if row["model_id"] and row["model_id"] not in models:
            raise _bad(
                path,
                i,
                "model_id",
                row["model_id"],
                "no such model (leave it out and give model_name alone)",
            )
        if row["commitment_id"] and row["commitment_id"] not in provisions:
            raise _bad(path, i, "commitment_id", row["commitment_id"], "no such provision")
        if row["evaluator_actor_id"] and row["evaluator_actor_id"] not in actors:
            raise _bad(path, i, "evaluator_actor_id", row["evaluator_actor_id"], "no such actor")
        sid = row["source_id"]
        if sid and sid not in stored_sources and sid not in given_sources:
            raise _bad(path, i, "source_id", sid, 'no such source (add it to "sources")')
        if row["id"] in existing:
            stored = existing[row["id"]]
            differs = [n for n in FIELDS if n != "id" and getattr(stored, n) != row[n]]
            if differs:
                raise _bad(
                    path,
                    i,
                    differs[0],
                    row[differs[0]],
                    f"result {row['id']!r} is already stored with another {differs[0]}",
                )
            continue
        new.append(row)
    return new


def _chunks(ids: list[str], size: int = 500) -> list[list[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)] or [[]]


def write(session: Session, doc: Document, principal: Principal | None) -> list[str]:
    """Check and add a document's results inside the caller's transaction.

    With a principal, the transparency log names it as submitter and the audit trail
    gets one event per result. Returns the ids added (results already stored are skipped).
    """
    from commonground.auth import audit

    rows = check(session, doc)
    if principal is not None:
        session.info["submitter"] = f"account:{principal.username}"
    for src in doc.sources:
        if session.get(Source, src.id) is None:
            session.add(Source(**_source_row(src), origin=ORIGIN))
    session.flush()
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        session.add(
            EvaluationResult(
                **row,
                created_by=principal.account_id if principal is not None else None,
                created_at=now,
            )
        )
    session.flush()
    if principal is not None:
        for row in rows:
            audit.record(
                session,
                principal,
                "evaluation.create",
                "evaluation_result",
                row["id"],
                {"fields": sorted(k for k, v in row.items() if v is not None)},
            )
    return [row["id"] for row in rows]


class EvaluationsImporter(Importer):
    """`commonground evals import FILE --as USERNAME`: one v1 document, all-or-nothing."""

    name = "evaluations"
    description = "Evaluation results in the commonground.org/evaluation-results/v1 JSON format"

    def __init__(self, principal: Principal | None = None) -> None:
        self.principal = principal
        self.added: list[str] = []

    def default_path(self, shared_dir: Path) -> Path:
        raise IngestError(path=shared_dir, reason="evaluation results have no default file")

    def load(self, ctx: ImportContext, path: Path) -> int:
        doc = read(path)
        ctx.start("evaluation results", len(doc.results))
        self.added = write(ctx.session, doc, self.principal)
        for _ in self.added:
            ctx.tick()
        return len(doc.results)


# -- export ------------------------------------------------------------------------------


def result_dict(row: EvaluationResult) -> dict[str, Any]:
    """One stored result in the format: value as a string, date as YYYY-MM-DD."""
    out: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(row, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[name] = value
    return out


def document(session: Session, results: list[EvaluationResult]) -> dict[str, Any]:
    """A v1 document holding `results` and the sources they cite."""
    source_ids = sorted({r.source_id for r in results if r.source_id})
    sources = [
        s
        for part in _chunks(source_ids)
        for s in session.scalars(select(Source).where(Source.id.in_(part)).order_by(Source.id))
    ]
    return {
        "format": FORMAT,
        "sources": [{n: getattr(s, n) for n in SOURCE_FIELDS} for s in sources],
        "results": [result_dict(r) for r in results],
    }


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
