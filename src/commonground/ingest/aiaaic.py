"""AIAAIC Repository (December 2025): 2,139 AI, algorithmic and automation incidents.

Input: the Google-Sheets CSV export `AIAAIC_Repository_Incidents_2025-12.csv` (or a folder
holding it). Line 1 is a banner, line 2 the header, line 3 a sub-header naming the harm
columns (External harms → Individual | Societal | Environmental; Internal impacts →
Strategic/reputational | Operational | Financial | Legal/regulatory); data from line 4.
Blank rows are skipped.

- Incident `AIAAIC:<n>` from "AIAAIC2152" (digits as written, so "AIAAIC001" →
  `AIAAIC:001`), namespace "AIAAIC", title = Headline, url = the Summary/links page (AIAAIC's
  own page for the incident, not a news report, so no IncidentReport row).
- Occurred is a year, or a span "2023-2024" / ongoing "2023-": date = 1 January of the first
  year, date_precision "year", the text as written in `extra["occurred"]` when it is a span;
  empty stays empty.
- Status "new": AIAAIC publishes these incidents, nobody here has confirmed them. The status
  is set on first import only (a triager's later status survives re-imports);
  `extra["imported"]` is True.
- CaseAttribute rows, values split on ";": country, sector, deployer, developer, system,
  technology, purpose, trigger, issue, harm-individual, harm-societal, harm-environmental,
  impact-strategic-reputational, impact-operational, impact-financial,
  impact-legal-regulatory. Country values are also split on "," (a few cells list countries
  that way) and resolved to actors of the store where a name or ISO code matches
  (`cases.COUNTRY_ALIASES` adds AIAAIC's spellings; "EU" and "Kosovo" resolve to the
  curated dataset's actors, hence the catalog loads cases after it); "Global", "All" and
  "Multiple" stay text only.
- created_at / updated_at: the data version date (2025-12-01 UTC), so a re-import of the same
  file changes nothing.

The export repeats one id: AIAAIC2094 is on two rows (lines 64 and 135 of the file, CSV rows
62 and 133, as some quoted fields span lines), the second a sparser copy of the first (no
year, no link, fewer harms). Rows sharing an id are merged into one incident: the first
non-empty value of each single-valued field, the union of listed values in order; the lines
are kept in `extra["source_lines"]` with a note, and a conflicting non-empty value in
`extra["conflicting_values"]`. Nothing is dropped silently. AIAAIC0184 has an id and no
other value; it is kept with an empty title.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.cases import (
    CaseWriter,
    country_index,
    resolve_country,
    split_values,
    upsert_case,
)
from commonground.ingest.readers import Row, csv_records
from commonground.store.models_cases import Incident

FILE_NAME = "AIAAIC_Repository_Incidents_2025-12.csv"
NAMESPACE = "AIAAIC"
DATA_DATE = dt.datetime(2025, 12, 1, tzinfo=dt.UTC)
SOURCE = {
    "id": "aiaaic-repository-2025-12",
    "title": "AIAAIC Repository: AI, Algorithmic, and Automation Incidents and "
    "Controversies (Incidents sheet)",
    "publisher": "AIAAIC",
    "url": "https://www.aiaaic.org/aiaaic-repository",
    "published": "2025-12",
    "language": "en",
    "license": "CC BY-SA 4.0",
    "note": "Google-Sheets CSV export 'Data Version: December 2025', copied unchanged from "
    "github.com/cartesiosson/ai_act_project (forensic_agent/benchmark/data/AIAAIC Repository "
    "- Incidents.csv, commit 08f129d66530635a44cb16dfe75ee17cb300fd66, 2025-12-06). "
    "See https://www.aiaaic.org/terms.",
    "origin": "aiaaic",
}

# Column (as combined from header and sub-header) → CaseAttribute kind.
LIST_COLUMNS = {
    "Country(ies)": "country",
    "Sector(s)": "sector",
    "Deployer(s)": "deployer",
    "Developer(s)": "developer",
    "System name(s)": "system",
    "Technology(ies)": "technology",
    "Purpose(s)": "purpose",
    "News trigger(s)": "trigger",
    "Issue(s)": "issue",
    "External harms: Individual": "harm-individual",
    "External harms: Societal": "harm-societal",
    "External harms: Environmental": "harm-environmental",
    "Internal impacts: Strategic/reputational": "impact-strategic-reputational",
    "Internal impacts: Operational": "impact-operational",
    "Internal impacts: Financial": "impact-financial",
    "Internal impacts: Legal/regulatory": "impact-legal-regulatory",
}
ID, HEADLINE, OCCURRED, LINKS = "AIAAIC ID#", "Headline", "Occurred", "Summary/links"
REQUIRED_COLUMNS = (ID, HEADLINE, OCCURRED, LINKS, *LIST_COLUMNS)


class AiaaicRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str = Field(alias=ID, pattern=r"^AIAAIC\d+$")
    headline: str = Field(alias=HEADLINE)  # AIAAIC0184 has an id and nothing else
    occurred: str = Field(alias=OCCURRED, pattern=r"^(\d{4}(-(\d{4})?)?)?$")
    url: str = Field(alias=LINKS)

    @field_validator("occurred")
    @classmethod
    def _span(cls, value: str) -> str:
        if len(value) == 9 and value[5:] < value[:4]:
            raise ValueError("a span must not end before it starts")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("expected an http(s) URL")
        return value


def read_aiaaic(path: Path) -> list[Row]:
    """Data rows keyed by combined column names ("External harms: Individual")."""
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise IngestError(path=path, reason=f"cannot open: {exc.strerror}") from exc
    rows: list[Row] = []
    with fh:
        reader = csv.reader(fh)
        try:
            next(reader)  # banner
            header = [h.strip() for h in next(reader)]
            sub = [h.strip() for h in next(reader)]
        except StopIteration:
            raise IngestError(
                path=path, reason="expected a banner, a header and a sub-header row"
            ) from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise IngestError(path=path, record=0, reason=f"unreadable header: {exc}") from exc
        names: list[str] = []
        group = ""
        for index, name in enumerate(header):
            if name:
                group = name
            part = sub[index] if index < len(sub) else ""
            names.append(f"{group}: {part}" if part else name)
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            raise IngestError(
                path=path, record=0, line=2, field=missing[0], reason="missing column"
            )
        for record, start, _end, values in csv_records(reader, path, len(names)):
            data = {n: v for n, v in zip(names, values, strict=True) if n}
            rows.append(Row(record, start, data))
    return rows


@dataclass
class _Incident:
    id: str
    lines: list[int]
    headline: str
    occurred: str
    url: str
    lists: dict[str, list[str]]
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def _lists(data: dict[str, Any]) -> dict[str, list[str]]:
    return {kind: split_values(str(data[column])) for column, kind in LIST_COLUMNS.items()}


def _merge(into: _Incident, other: _Incident) -> None:
    into.lines += other.lines
    for name in ("headline", "occurred", "url"):
        mine, theirs = getattr(into, name), getattr(other, name)
        if not mine:
            setattr(into, name, theirs)
        elif theirs and theirs != mine:
            into.conflicts.setdefault(name, [mine]).append(theirs)
    for kind, values in other.lists.items():
        into.lists[kind] += [v for v in values if v not in into.lists[kind]]


def incidents(path: Path) -> list[_Incident]:
    """Validated incidents in file order, rows sharing an id merged."""
    merged: dict[str, _Incident] = {}
    for row in read_aiaaic(path):
        data = validate(AiaaicRow, row, path)
        incident = _Incident(
            id=f"{NAMESPACE}:{data.id.removeprefix('AIAAIC')}",
            lines=[row.line or 0],
            headline=data.headline,
            occurred=data.occurred,
            url=data.url,
            lists=_lists(row.data),
        )
        if incident.id in merged:
            _merge(merged[incident.id], incident)
        else:
            merged[incident.id] = incident
    return list(merged.values())


class AiaaicImporter(Importer):
    name = "aiaaic"
    description = "AIAAIC Repository (December 2025): 2,139 AI incidents and controversies"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "aiaaic"

    def files(self, path: Path) -> list[Path]:
        return [path / FILE_NAME] if path.is_dir() else [path]

    def load(self, ctx: ImportContext, path: Path) -> int:
        (file,) = self.files(path)
        found = incidents(file)
        source_id = ctx.source(**SOURCE)
        countries = country_index(ctx.session)
        writer = CaseWriter(ctx, "incident")
        ctx.start("aiaaic incidents", len(found))
        for incident in found:
            extra: dict[str, Any] = {
                "imported": True,
                "source_record": "AIAAIC" + incident.id.split(":", 1)[1],
            }
            if len(incident.occurred) > 4:
                extra["occurred"] = incident.occurred
            if len(incident.lines) > 1:
                extra["source_lines"] = incident.lines
                extra["note"] = (
                    f"The export lists this id on {len(incident.lines)} rows; they are merged "
                    "(first non-empty value of each field, union of listed values)."
                )
            if incident.conflicts:
                extra["conflicting_values"] = incident.conflicts
            year = int(incident.occurred[:4]) if incident.occurred else None
            upsert_case(
                ctx,
                Incident,
                {
                    "id": incident.id,
                    "namespace": NAMESPACE,
                    "title_en": incident.headline or None,
                    "description_en": None,
                    "date": dt.date(year, 1, 1) if year else None,
                    "date_precision": "year" if year else None,
                    "url": incident.url or None,
                    "status": "new",
                    "source_id": source_id,
                    "created_at": DATA_DATE,
                    "updated_at": DATA_DATE,
                    "extra": extra,
                },
            )
        ctx.session.flush()
        ctx.start("aiaaic attributes", None)
        for incident in found:
            for kind, values in incident.lists.items():
                if kind == "country":
                    values = [p for v in values for p in split_values(v, ",")]
                    actors = {v: resolve_country(countries, v) for v in values}
                    writer.attributes_for(incident.id, kind, values, actors)
                else:
                    writer.attributes_for(incident.id, kind, values)
        writer.prune(id_prefix=f"{NAMESPACE}:")
        return len(found)
