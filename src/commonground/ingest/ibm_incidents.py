"""IBM AI Risk Atlas incident examples (risk-atlas-nexus @ 97fbe673): 38 incidents.

Input: `risk_atlas_data_incidents.yaml` (or the ibm-risk-atlas-nexus folder holding it),
top-level key `riskincidents`. Prerequisite: the `ibm-nexus` import, whose Atlas risk terms
the examples illustrate; an example naming a risk that is not in the store is an error
naming file, record, line and field.

- Incident `IBM:<id>` (id as IBM gives it, e.g. `IBM:ibm-risk-atlas-ri-healthcare-bias`),
  namespace "IBM", title = name, description = IBM's summary. IBM gives no incident date:
  date None. Status "new" on first import only; `extra["imported"]` True.
- One IncidentReport `<incident id>#source` for `source_uri`, publisher = IBM's `author`
  text as written (it names outlet and month, several run together without a separator,
  so it is not parsed into a date), linked to the incident.
- CaseTag per `refersToRisk` term (method "imported", review status "unreviewed",
  author "IBM risk-atlas-nexus").
- created_at / updated_at: the commit date (2025-11-14), so re-imports change nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.cases import CaseWriter, upsert_case
from commonground.ingest.ibm_nexus import COMMIT_DATE, KG, LICENSE, ORIGIN, PUBLISHER, REPO_URL
from commonground.ingest.readers import read_yaml_list
from commonground.store.models import Term
from commonground.store.models_cases import Incident, IncidentReport, IncidentReportLink

FILE_NAME = "risk_atlas_data_incidents.yaml"
NAMESPACE = "IBM"
AUTHOR = "IBM risk-atlas-nexus"
DATA_DATE = dt.datetime.fromisoformat(COMMIT_DATE).replace(tzinfo=dt.UTC)
SOURCE = {
    "id": f"ibm-nexus:{FILE_NAME}",
    "title": f"IBM AI Risk Atlas incident examples (IBM risk-atlas-nexus, {FILE_NAME})",
    "publisher": PUBLISHER,
    "url": REPO_URL + KG + FILE_NAME,
    "published": COMMIT_DATE,
    "language": "en",
    "license": LICENSE,
    "note": None,
    "origin": ORIGIN,
}


class RiskIncident(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, pattern=r"^\S+$")
    name: str = Field(min_length=1)
    description: str | None = None
    refersToRisk: list[str] = Field(min_length=1)
    isDefinedByTaxonomy: str | None = None
    author: str | None = None
    source_uri: str | None = Field(None, pattern=r"^https?://\S+$")


class IbmIncidentsImporter(Importer):
    name = "ibm-incidents"
    description = "IBM AI Risk Atlas: 38 incident examples tagged with the risks they illustrate"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "ibm-risk-atlas-nexus" / FILE_NAME

    def files(self, path: Path) -> list[Path]:
        return [path / FILE_NAME] if path.is_dir() else [path]

    def load(self, ctx: ImportContext, path: Path) -> int:
        (file,) = self.files(path)
        rows = read_yaml_list(file, key="riskincidents")
        known = set(ctx.session.scalars(select(Term.id).where(Term.id.startswith("atlas-"))))
        if not known:
            raise IngestError(
                path=file,
                reason="the IBM AI Risk Atlas terms are not in the store: import ibm-nexus first",
            )
        entries: list[RiskIncident] = []
        seen: set[str] = set()
        for row in rows:
            entry = validate(RiskIncident, row, file)
            if entry.id in seen:
                raise IngestError(
                    path=file,
                    record=row.record,
                    line=row.line,
                    field="id",
                    value=entry.id,
                    reason="duplicate id",
                )
            seen.add(entry.id)
            for index, risk in enumerate(entry.refersToRisk):
                if risk not in known:
                    raise IngestError(
                        path=file,
                        record=row.record,
                        line=row.line,
                        field=f"refersToRisk.{index}",
                        value=risk,
                        reason="no such IBM AI Risk Atlas term in the store",
                    )
            entries.append(entry)
        source_id = ctx.source(**SOURCE)
        writer = CaseWriter(ctx, "incident")
        ctx.start("ibm-incidents", len(entries))
        for entry in entries:
            incident_id = f"{NAMESPACE}:{entry.id}"
            upsert_case(
                ctx,
                Incident,
                {
                    "id": incident_id,
                    "namespace": NAMESPACE,
                    "title_en": entry.name,
                    "description_en": entry.description,
                    "date": None,
                    "date_precision": None,
                    "url": None,
                    "status": "new",
                    "source_id": source_id,
                    "created_at": DATA_DATE,
                    "updated_at": DATA_DATE,
                    "extra": {"imported": True, "author": entry.author},
                },
            )
            if entry.source_uri:
                ctx.upsert(
                    IncidentReport,
                    {
                        "id": f"{incident_id}#source",
                        "url": entry.source_uri,
                        "title": None,
                        "publisher": entry.author,
                        "date": None,
                        "language": None,
                        "source_id": source_id,
                    },
                )
        ctx.session.flush()
        for entry in entries:
            incident_id = f"{NAMESPACE}:{entry.id}"
            if entry.source_uri:
                ctx.upsert(
                    IncidentReportLink,
                    {"incident_id": incident_id, "report_id": f"{incident_id}#source"},
                    key=("incident_id", "report_id"),
                )
            for risk in entry.refersToRisk:
                writer.tag(incident_id, risk, at=DATA_DATE, author=AUTHOR)
        writer.prune(id_prefix=f"{NAMESPACE}:", tag_author=AUTHOR)
        return len(entries)
