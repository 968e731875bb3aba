"""AI Vulnerability Database (avid-db @ 8eda5f4e): 1,785 reports and vulnerabilities.

Input: the avid-db folder (`reports/<year>/*.json`, `vulnerabilities/<year>/*.json`, one
record per file), or one JSON file. Every file is validated against the AVID schema of its
`data_version` (0.1, 0.2 and 0.3.3 are known; any other is an error naming file and field).

- Vulnerability rows: `metadata.report_id` → kind "report", `metadata.vuln_id` → kind
  "vulnerability" (exactly one of the two). title = problemtype.description, description_en
  = description (lang "eng"; another language is an error rather than a guess),
  problem_class / problem_type = problemtype classof / type, risk_domains / sep_view /
  lifecycle_view / taxonomy_version from impact.avid, metrics / references / credit as
  given, severity from impact.cvss.baseSeverity (MEDIUM → "moderate").
- Dates: reported_date; vulnerability records (0.1, 0.2) have none and give published_date
  and last_modified_date instead, which stand in for it. AVID records are public:
  published_at = that date at 00:00 UTC, embargo_until None. created_at = published_date
  (else reported_date), updated_at = last_modified_date (else created_at), so re-imports
  change nothing. A record with no date at all gets the import time once, kept after.
- Status "new" on first import only (triage here survives re-imports).
- VulnerabilityLink rows from a vulnerability's `reports[]` (report_id, name).
- CaseAttribute rows: developer, deployer, artifact ("Model: bert-base-uncased"), cwe.
- AVID's own taxonomy `avid` (its risk domains, SEP-view and lifecycle-view codes, with the
  names as the records write them) and CaseTag rows for each record's values (method
  "imported", review status "unreviewed", author "AVID").
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.cases import CaseWriter, midnight, upsert_case
from commonground.ingest.readers import Row
from commonground.store.models import Taxonomy, Term
from commonground.store.models_cases import Vulnerability, VulnerabilityLink

COMMIT = "8eda5f4e6f74a3738eb980b795c4f813c6e52ca8"
SOURCE = {
    "id": "avid-db",
    "title": "AI Vulnerability Database (avid-db): reports and vulnerabilities",
    "publisher": "AI Vulnerability Database (AVID)",
    "url": f"https://github.com/avidml/avid-db/tree/{COMMIT}",
    "published": "2026-03-26",
    "language": "en",
    "license": "MIT",
    "origin": "avid",
}
TAXONOMY = "avid"
AUTHOR = "AVID"
FOLDERS = ("reports", "vulnerabilities")
SEVERITY = {"LOW": "low", "MEDIUM": "moderate", "HIGH": "high", "CRITICAL": "critical"}
DOMAINS = {"S": "Security", "E": "Ethics", "P": "Performance"}
_CODED = re.compile(r"^([SEPL])(\d{4}|\d{2}): (.+)$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LangText(_Model):
    lang: Literal["eng"]
    value: str


class Artifact(_Model):
    type: str = Field(min_length=1)
    name: str  # empty in the 18 "AIID Incident" records


class Affects(_Model):
    developer: list[str] = []
    deployer: list[str] = []
    artifacts: list[Artifact] = []


class ProblemType(_Model):
    classof: str = Field(max_length=80)  # empty in AVID-2025-R0001
    type: str | None = Field(None, max_length=80)
    description: LangText


class Reference(_Model):
    type: str | None = None
    label: str | None = None
    url: str = Field(min_length=1)


class AvidImpact(_Model):
    vuln_id: str | None = None
    risk_domain: list[Literal["Security", "Ethics", "Performance"]] = []
    sep_view: list[str] = []
    lifecycle_view: list[str] = []
    taxonomy_version: str | None = None


class Impact(BaseModel):
    model_config = ConfigDict(extra="allow")

    avid: AvidImpact | None = None
    cvss: dict[str, Any] | None = None
    cwe: list[dict[str, Any]] | None = None


class Metadata(_Model):
    report_id: str | None = Field(None, pattern=r"^AVID-\d{4}-R\d{4}$")
    vuln_id: str | None = Field(None, pattern=r"^AVID-\d{4}-V\d{3}$")

    @model_validator(mode="after")
    def _one_id(self) -> Metadata:
        if (self.report_id is None) == (self.vuln_id is None):
            raise ValueError("exactly one of report_id and vuln_id is required")
        return self


class ReportLink(_Model):
    report_id: str = Field(pattern=r"^AVID-\d{4}-R\d{4}$")
    type: str | None = None
    name: str | None = None


class AvidRecord(_Model):
    data_type: Literal["AVID"]
    data_version: Literal["0.1", "0.2", "0.3.3"]
    metadata: Metadata
    affects: Affects
    problemtype: ProblemType
    metrics: list[dict[str, Any]] | None = None
    references: list[Reference] = []
    description: LangText | None = None
    impact: Impact | None = None
    credit: list[LangText] | None = None
    reports: list[ReportLink] | None = None
    reported_date: dt.date | None = None
    published_date: dt.date | None = None
    last_modified_date: dt.date | None = None

    @model_validator(mode="after")
    def _codes(self) -> AvidRecord:
        avid = self.impact.avid if self.impact else None
        for name in ("sep_view", "lifecycle_view"):
            for value in getattr(avid, name, None) or []:
                match = _CODED.match(value)
                if not match or (match.group(1) == "L") != (name == "lifecycle_view"):
                    raise ValueError(f"impact.avid.{name}: not an AVID code and name: {value!r}")
        return self


def read_record(path: Path) -> AvidRecord:
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise IngestError(path=path, reason=f"cannot open: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(
            path=path, record=1, line=exc.lineno, reason=f"invalid JSON: {exc.msg}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise IngestError(path=path, record=1, reason=f"not UTF-8: {exc}") from exc
    if not isinstance(data, dict):
        raise IngestError(path=path, record=1, reason="expected one JSON object")
    return validate(AvidRecord, Row(1, None, data), path)


def _term_id(code: str) -> str:
    return f"{TAXONOMY}:{code}"


class AvidImporter(Importer):
    name = "avid"
    description = "AI Vulnerability Database: 1,785 AI vulnerability reports and records"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "avid-db"

    def files(self, path: Path) -> list[Path]:
        if path.is_file():
            return [path]
        return sorted(f for folder in FOLDERS for f in (path / folder).rglob("*.json"))

    def _taxonomy(self, ctx: ImportContext, records: list[AvidRecord]) -> None:
        ctx.upsert(
            Taxonomy,
            {
                "id": TAXONOMY,
                "name_en": "AVID taxonomy (risk domains, SEP view, lifecycle view)",
                "version": None,
                "publisher": "AI Vulnerability Database (AVID)",
                "url": "https://github.com/avidml/avid-db",
                "description_en": "Terms are the codes and names the avid-db records use "
                "(taxonomy versions 0.1 and 0.2), not the full published taxonomy.",
                "source_id": SOURCE["id"],
                "origin": "avid",
            },
        )
        groups = {**DOMAINS, "L": "Lifecycle"}
        for position, name in enumerate(groups.values(), 1):
            ctx.upsert(
                Term,
                {
                    "id": _term_id(name.lower()),
                    "taxonomy_id": TAXONOMY,
                    "parent_id": None,
                    "code": name.lower(),
                    "kind": "group",
                    "name_en": name,
                    "definition_en": None,
                    "url": None,
                    "position": position,
                    "extra": None,
                },
            )
        ctx.session.flush()
        names: dict[str, str] = {}
        for record in records:
            avid = record.impact.avid if record.impact else None
            for value in [*(avid.sep_view if avid else []), *(avid.lifecycle_view if avid else [])]:
                match = _CODED.match(value)
                assert match is not None  # checked by AvidRecord
                names.setdefault(match.group(1) + match.group(2), match.group(3))
        for position, (code, name) in enumerate(sorted(names.items()), 1):
            ctx.upsert(
                Term,
                {
                    "id": _term_id(code),
                    "taxonomy_id": TAXONOMY,
                    "parent_id": _term_id(groups[code[0]].lower()),
                    "code": code,
                    "kind": "term" if code[0] == "L" else "risk",
                    "name_en": name,
                    "definition_en": None,
                    "url": None,
                    "position": position,
                    "extra": None,
                },
            )

    def load(self, ctx: ImportContext, path: Path) -> int:
        files = self.files(path)
        records = [read_record(file) for file in files]
        seen: dict[str, Path] = {}
        for file, record in zip(files, records, strict=True):
            record_id = record.metadata.report_id or record.metadata.vuln_id or ""
            if record_id in seen:
                raise IngestError(
                    path=file,
                    record=1,
                    field="metadata",
                    value=record_id,
                    reason=f"duplicate id (also in {seen[record_id].name})",
                )
            seen[record_id] = file
        source_id = ctx.source(**SOURCE)
        self._taxonomy(ctx, records)
        now = dt.datetime.now(dt.UTC)
        writer = CaseWriter(ctx, "vulnerability")
        ctx.start("avid records", len(records))
        for record in records:
            record_id = record.metadata.report_id or record.metadata.vuln_id or ""
            avid = record.impact.avid if record.impact else None
            cvss = (record.impact.cvss if record.impact else None) or {}
            reported = record.reported_date or record.published_date
            created = record.published_date or record.reported_date
            updated = record.last_modified_date or created
            values: dict[str, Any] = {
                "id": record_id,
                "kind": "report" if record.metadata.report_id else "vulnerability",
                "data_version": record.data_version,
                "title": record.problemtype.description.value or None,
                "description_en": record.description.value if record.description else None,
                "problem_class": record.problemtype.classof or None,
                "problem_type": record.problemtype.type,
                "risk_domains": list(avid.risk_domain) if avid else None,
                "sep_view": avid.sep_view if avid else None,
                "lifecycle_view": avid.lifecycle_view if avid else None,
                "taxonomy_version": (avid.taxonomy_version or None) if avid else None,
                "metrics": record.metrics,
                "references": [r.model_dump(exclude_none=True) for r in record.references],
                "credit": [c.model_dump() for c in record.credit] if record.credit else None,
                "severity": SEVERITY.get(str(cvss.get("baseSeverity", "")).upper()),
                "reported_date": reported,
                "embargo_until": None,
                "published_at": midnight(reported) if reported else now,
                "status": "new",
                "source_id": source_id,
                "created_at": midnight(created) if created else now,
                "updated_at": midnight(updated) if updated else now,
            }
            if not created and (record_id,) in ctx.existing(Vulnerability, lambda r: (r.id,), "id"):
                # No date in the record: the time of the first import stays.
                del values["published_at"], values["updated_at"]
            upsert_case(ctx, Vulnerability, values)
        ctx.session.flush()
        ctx.start("avid links and attributes", None)
        links: set[tuple[str, str]] = set()
        for record in records:
            record_id = record.metadata.report_id or record.metadata.vuln_id or ""
            for link in record.reports or []:
                links.add((record_id, link.report_id))
                ctx.upsert(
                    VulnerabilityLink,
                    {"vulnerability_id": record_id, "report_id": link.report_id, "name": link.name},
                    key=("vulnerability_id", "report_id"),
                )
            affects = record.affects
            writer.attributes_for(record_id, "developer", _unique(affects.developer))
            writer.attributes_for(record_id, "deployer", _unique(affects.deployer))
            writer.attributes_for(
                record_id,
                "artifact",
                _unique(f"{a.type}: {a.name}" if a.name else a.type for a in affects.artifacts),
            )
            cwe = (record.impact.cwe if record.impact else None) or []
            writer.attributes_for(
                record_id, "cwe", _unique(str(c.get("cweId", "")) for c in cwe if c.get("cweId"))
            )
            avid = record.impact.avid if record.impact else None
            if avid is None:
                continue
            codes = [d.lower() for d in avid.risk_domain]
            for value in [*avid.sep_view, *avid.lifecycle_view]:
                match = _CODED.match(value)
                assert match is not None
                codes.append(match.group(1) + match.group(2))
            for code in codes:
                writer.tag(
                    record_id,
                    _term_id(code),
                    at=midnight(created) if created else now,
                    author=AUTHOR,
                )
        ctx.prune(
            VulnerabilityLink,
            links,
            key=("vulnerability_id", "report_id"),
            where=VulnerabilityLink.vulnerability_id.startswith("AVID-", autoescape=True),
        )
        writer.prune(id_prefix="AVID-", tag_author=AUTHOR)
        return len(records)


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
