"""AI Incident Database (AIID) classifications: 1,242 incidents, their MIT, GMF and CSETv1
classifications, and AIID's crosswalk to the OECD AI Incidents Monitor.

Input: a folder with `AI_Incidents_Master_Dataset_MIT_GMF_CSETv1.xlsx` (sheet "Master
Dataset"), `mit-mapping.json` and `oecd_relationships_2025_09_09.json` (see PROVENANCE.md).
The workbook is a third-party merge (a hackathon repository) of AIID's MIT (1,242 rows), GMF
(326) and CSETv1 (214) classification exports on Incident ID; it holds every value of
`classifications_GMF.csv` and `classifications_CSETv1_cleaned.csv` beside it, so those two
files are not read. It is not an official AIID snapshot, and the snapshot date is not stated.

- Incident `AIID:<n>`, namespace "AIID", url `https://incidentdatabase.ai/cite/<n>` (AIID's
  citation page, as in AIID's own sample classification file). The data has no titles or
  descriptions: title None and `extra["note"]` says so. Date from Incident Year / Month
  (CSETv1) with precision "year" or "month"; empty for the rest. Status "new", set on first
  import only; `extra["imported"]` True, `extra["data_sources"]` the workbook's list.
- MIT classification → CaseTag rows on the MIT AI Risk Repository terms of the `mit-risk`
  importer (a prerequisite: without them the import fails naming it): Risk Domain →
  `mit-domain:<n>`, Risk Subdomain (several joined with " | ") → `mit-domain:<n.m>`,
  Responsible Entity / Intent / Timing → `mit-causal:<group>-<code>`. Spellings are checked
  against `mit-mapping.json` (AIID's value mappings); an unknown value is an error.
- GMF and CSETv1 values → CaseTag rows on taxonomies `aiid-gmf` and `aiid-csetv1` created
  here from the values found (terms `aiid-gmf:<group>/<slug>`, `aiid-csetv1:<group>/<slug>`
  under one group term per field). GMF lists are split on ", "; a "Potential" value is
  tagged with note "potential" unless the known value is also given.
- Free-text CSETv1 fields → CaseAttribute rows: task, method, system-description,
  data-input, sector, region, country (two-letter code resolved to the store's actor),
  lives-lost, injuries.
- Tags: method "imported", review status "unreviewed", author "AIID (third-party export)".
- `oecd_relationships_2025_09_09.json` → Mapping rows in set `aiid:oecd-aim`: subject
  `AIID:<n>` (type "incident"), predicate `skos:closeMatch`, object the OECD AIM incident
  URL (type "oecd-aim-incident"). AIID writes `sameAs`, but 129 of the 446 incidents link to
  several AIM entries (209 to three, 701 to thirteen), so the link is not one-to-one and is
  stored as closeMatch. No (incident, URL) pair repeats in this file; one that did would be
  written once.
- created_at / updated_at: 2025-09-09 (the crosswalk's date; the workbook states none), so
  a re-import changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import select

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.cases import CaseWriter, country_index, resolve_country, upsert_case
from commonground.ingest.mit_risk import CAUSAL_TAXONOMY, CAUSAL_VALUES, DOMAIN_TAXONOMY
from commonground.ingest.readers import Row, read_xlsx
from commonground.ingest.values import slugify
from commonground.store.models import Mapping, Taxonomy, Term
from commonground.store.models_cases import Incident

WORKBOOK = "AI_Incidents_Master_Dataset_MIT_GMF_CSETv1.xlsx"
SHEET = "Master Dataset"
MIT_MAPPING = "mit-mapping.json"
OECD_FILE = "oecd_relationships_2025_09_09.json"
NAMESPACE = "AIID"
DATA_DATE = dt.datetime(2025, 9, 9, tzinfo=dt.UTC)
AUTHOR = "AIID (third-party export)"
MAPPING_SET = "aiid:oecd-aim"
GMF, CSET = "aiid-gmf", "aiid-csetv1"
AIID_REPO = (
    "https://github.com/responsible-ai-collaborative/aiid/blob/"
    "638678f2a065b264df21b5003a9bdd6c04b11f56/site/gatsby-site/"
)
SOURCES = {
    "master": {
        "id": "aiid-classifications-master",
        "title": "AI Incidents Master Dataset (AIID MIT, GMF and CSETv1 classifications merged)",
        "publisher": "TAI Hackathon Riverhouse Problem 5 team, from AI Incident Database "
        "classification exports",
        "url": "https://github.com/kritikaberry/TAI-Hackathon-Riverhouse-Problem5/blob/"
        "187be6ee52cb30cc5251348610abf676a9518d30/AI_Incidents_Master_Dataset.xlsx",
        "published": "2026-02",
        "language": "en",
        "license": "none stated for the data (third-party processed AIID classifications; "
        "AIID's code is Apache-2.0)",
        "note": "Third-party merge of AIID's MIT, GMF and CSETv1 classifications; not an "
        "official AIID snapshot, and the underlying snapshot date is not stated.",
        "origin": "aiid",
    },
    "mit": {
        "id": "aiid-mit-mapping",
        "title": "AIID MIT classification field and value mappings (mit-mapping.json)",
        "publisher": "Responsible AI Collaborative (AI Incident Database)",
        "url": AIID_REPO + "data/mit-mapping.json",
        "published": "2026-05-14",
        "language": "en",
        "license": "Apache-2.0 (repository licence; no separate data licence)",
        "origin": "aiid",
    },
    "oecd": {
        "id": "aiid-oecd-relationships-2025-09-09",
        "title": "AIID incident to OECD AI Incidents Monitor relationships",
        "publisher": "Responsible AI Collaborative (AI Incident Database)",
        "url": AIID_REPO + "migrations/data/oecd_relationships_2025_09_09.json",
        "published": "2025-09-09",
        "language": "en",
        "license": "Apache-2.0 (repository licence; no separate data licence)",
        "origin": "aiid",
    },
}
TAXONOMIES = {
    GMF: (
        "AIID Goals, Methods and Failures (GMF) taxonomy",
        "https://incidentdatabase.ai/taxonomy/gmf/",
    ),
    CSET: ("AIID CSET AI Harm taxonomy (CSETv1)", "https://incidentdatabase.ai/taxonomy/csetv1/"),
}
# Column → (taxonomy, group code, group name, split on ", ", known column it backs up).
TAG_COLUMNS: dict[str, tuple[str, str, str, bool, str | None]] = {
    "AI Goal": (GMF, "goal", "Known AI Goal", True, None),
    "Potential AI Goal": (GMF, "goal", "Known AI Goal", True, "AI Goal"),
    "AI Technology": (GMF, "technology", "Known AI Technology", True, None),
    "Potential AI Technology": (GMF, "technology", "Known AI Technology", True, "AI Technology"),
    "Technical Failure": (GMF, "failure", "Known AI Technical Failure", True, None),
    "Potential Technical Failure": (
        GMF,
        "failure",
        "Known AI Technical Failure",
        True,
        "Technical Failure",
    ),
    "Harm Domain": (CSET, "harm-domain", "Harm Domain", False, None),
    "AI Harm Level": (CSET, "ai-harm-level", "AI Harm Level", False, None),
    "Tangible Harm": (CSET, "tangible-harm", "Tangible Harm", False, None),
    "Autonomy Level": (CSET, "autonomy-level", "Autonomy Level", False, None),
    "Intentional Harm": (CSET, "intentional-harm", "Intentional Harm", False, None),
    "Public Sector Deployment": (
        CSET,
        "public-sector-deployment",
        "Public Sector Deployment",
        False,
        None,
    ),
    "Infrastructure Sectors": (
        CSET,
        "infrastructure-sectors",
        "Infrastructure Sectors",
        True,
        None,
    ),
    "Involving Minor": (CSET, "involving-minor", "Involving Minor", False, None),
}
ATTRIBUTE_COLUMNS = {
    "AI Task": "task",
    "AI Methods": "method",
    "AI System Description": "system-description",
    "Data Inputs": "data-input",
    "Sector of Deployment": "sector",
    "Location Region": "region",
    "Country Code": "country",
    "Lives Lost": "lives-lost",
    "Injuries": "injuries",
}
MIT_COLUMNS = ("Risk Domain", "Risk Subdomain", "Responsible Entity", "Intent", "Timing")
CAUSAL_COLUMNS = {"Responsible Entity": "entity", "Intent": "intent", "Timing": "timing"}
MONTHS = {
    name: number
    for number, name in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
        start=1,
    )
}  # fmt: skip


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _count(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"expected a whole number: {text!r}")
    return int(text)


def _month(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    number = int(text) if text.isdigit() else MONTHS.get(text.lower())
    if number is None or not 1 <= number <= 12:
        raise ValueError(f"expected a month 1-12 or its English name: {text!r}")
    return number


Text = Annotated[str, BeforeValidator(_text)]


class AiidRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    incident: int = Field(alias="Incident ID", ge=1)
    data_sources: Text = Field(alias="Data Sources")
    risk_domain: Text = Field(alias="Risk Domain")
    risk_subdomain: Text = Field(alias="Risk Subdomain")
    entity: Text = Field(alias="Responsible Entity")
    intent: Text = Field(alias="Intent")
    timing: Text = Field(alias="Timing")
    year: Annotated[int | None, BeforeValidator(_count)] = Field(alias="Incident Year")
    month: Annotated[int | None, BeforeValidator(_month)] = Field(alias="Incident Month")
    lives_lost: Annotated[int | None, BeforeValidator(_count)] = Field(alias="Lives Lost")
    injuries: Annotated[int | None, BeforeValidator(_count)] = Field(alias="Injuries")


class OecdLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident_id: int = Field(ge=1)
    sameAs: str = Field(pattern=r"^https://oecd\.ai/en/incidents/\S+$")
    source_namespace: str = Field(pattern=r"^OECD$")


def read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise IngestError(path=path, reason=f"cannot open: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(path=path, line=exc.lineno, reason=f"invalid JSON: {exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise IngestError(path=path, reason=f"not UTF-8: {exc}") from exc


_CODE = re.compile(r"^(\d)(?:\.(\d))?\.? ")


class AiidImporter(Importer):
    name = "aiid"
    description = "AI Incident Database: 1,242 classified incidents and the OECD AIM crosswalk"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "aiid"

    def files(self, path: Path) -> list[Path]:
        folder = path if path.is_dir() else path.parent
        workbook = path if path.is_file() else folder / WORKBOOK
        return [workbook, folder / MIT_MAPPING, folder / OECD_FILE]

    # -- validation ---------------------------------------------------------------

    def _mit_values(self, path: Path) -> dict[str, dict[str, str]]:
        """Column → accepted spelling → code ("7.3"), from AIID's value mappings."""
        data = read_json(path)
        mappings = data.get("valueMappings") if isinstance(data, dict) else None
        if not isinstance(mappings, dict):
            raise IngestError(path=path, field="valueMappings", reason="missing or not a mapping")
        accepted: dict[str, dict[str, str]] = {}
        for column in ("Risk Domain", "Risk Subdomain"):
            values = mappings.get(column)
            if not isinstance(values, dict):
                raise IngestError(path=path, field=f"valueMappings.{column}", reason="missing")
            known: dict[str, str] = {}
            for spelling, target in values.items():
                for text in (spelling, target):
                    match = _CODE.match(str(text))
                    if not match:
                        raise IngestError(
                            path=path,
                            field=f"valueMappings.{column}",
                            value=text,
                            reason="expected a value starting with its code",
                        )
                    known[str(text)] = ".".join(g for g in match.groups() if g)
            accepted[column] = known
        return accepted

    def _mit_terms(self, data: AiidRow, mit: dict[str, dict[str, str]], row: Row, path: Path):
        terms: list[str] = []

        def fail(column: str, value: str, reason: str) -> IngestError:
            return IngestError(
                path=path,
                record=row.record,
                line=row.line,
                field=column,
                value=value,
                reason=reason,
            )

        if data.risk_domain:
            code = mit["Risk Domain"].get(data.risk_domain)
            if code is None:
                raise fail("Risk Domain", data.risk_domain, "not a value of mit-mapping.json")
            terms.append(f"mit-domain:{code}")
        for value in (v.strip() for v in data.risk_subdomain.split(" | ") if v.strip()):
            code = mit["Risk Subdomain"].get(value)
            if code is None:
                raise fail("Risk Subdomain", value, "not a value of mit-mapping.json")
            terms.append(f"mit-domain:{code}")
        for column, group in CAUSAL_COLUMNS.items():
            value = getattr(data, group)
            if not value:
                continue
            codes = {label.lower(): code for code, label in CAUSAL_VALUES[group].items()}
            if value.lower() not in codes:
                expected = ", ".join(CAUSAL_VALUES[group].values())
                raise fail(column, value, f"expected one of {expected}")
            terms.append(f"mit-causal:{group}-{codes[value.lower()]}")
        return terms

    # -- writing ------------------------------------------------------------------

    def _vocabularies(self, ctx: ImportContext, tags: dict[str, dict[str, str]]) -> None:
        """Taxonomies, one group term per field, and a term per value found."""
        for taxonomy_id, (name, url) in TAXONOMIES.items():
            ctx.upsert(
                Taxonomy,
                {
                    "id": taxonomy_id,
                    "name_en": name,
                    "version": None,
                    "publisher": "Responsible AI Collaborative (AI Incident Database)",
                    "url": url,
                    "description_en": "Terms are the values found in AIID's classification "
                    "exports (the merged master dataset), not the full published vocabulary.",
                    "source_id": SOURCES["master"]["id"],
                    "origin": "aiid",
                },
            )
        groups: dict[str, tuple[str, str]] = {}
        for taxonomy_id, group, group_name, _split, _known in TAG_COLUMNS.values():
            groups.setdefault(f"{taxonomy_id}:{group}", (taxonomy_id, group_name))
        for position, (group_id, (taxonomy_id, group_name)) in enumerate(groups.items(), 1):
            ctx.upsert(
                Term,
                {
                    "id": group_id,
                    "taxonomy_id": taxonomy_id,
                    "parent_id": None,
                    "code": group_id.split(":", 1)[1],
                    "kind": "group",
                    "name_en": group_name,
                    "definition_en": None,
                    "url": None,
                    "position": position,
                    "extra": None,
                },
            )
        ctx.session.flush()
        for group_id, values in tags.items():
            taxonomy_id = group_id.split(":", 1)[0]
            for position, (term_id, value) in enumerate(sorted(values.items()), 1):
                ctx.upsert(
                    Term,
                    {
                        "id": term_id,
                        "taxonomy_id": taxonomy_id,
                        "parent_id": group_id,
                        "code": term_id.split("/", 1)[1][:60],
                        "kind": "term",
                        "name_en": value,
                        "definition_en": None,
                        "url": None,
                        "position": position,
                        "extra": None,
                    },
                )

    def load(self, ctx: ImportContext, path: Path) -> int:
        workbook, mit_file, oecd_file = self.files(path)
        mit = self._mit_values(mit_file)
        mit_terms = set(
            ctx.session.scalars(
                select(Term.id).where(Term.taxonomy_id.in_((DOMAIN_TAXONOMY, CAUSAL_TAXONOMY)))
            )
        )
        if not mit_terms:
            raise IngestError(
                path=workbook,
                reason=f"the MIT AI Risk Repository terms ({DOMAIN_TAXONOMY}, "
                f"{CAUSAL_TAXONOMY}) are not in the store: import mit-risk first",
            )
        records: list[tuple[AiidRow, Row, list[str], dict[str, list[tuple[str, str | None]]]]] = []
        vocab: dict[str, dict[str, str]] = {}
        seen: set[int] = set()
        for row in read_xlsx(workbook, SHEET):
            data = validate(AiidRow, row, workbook)
            if data.incident in seen:
                raise IngestError(
                    path=workbook,
                    record=row.record,
                    line=row.line,
                    field="Incident ID",
                    value=data.incident,
                    reason="duplicate incident id",
                )
            seen.add(data.incident)
            terms = self._mit_terms(data, mit, row, workbook)
            for term in terms:
                if term not in mit_terms:
                    raise IngestError(
                        path=workbook,
                        record=row.record,
                        line=row.line,
                        reason=f"MIT term {term} is not in the store: re-import mit-risk",
                    )
            tags: dict[str, list[tuple[str, str | None]]] = {}
            for column, (taxonomy_id, group, _name, split, known) in TAG_COLUMNS.items():
                text = _text(row.data.get(column))
                values = [v.strip() for v in text.split(", ")] if split else [text]
                for value in (v for v in values if v):
                    group_id = f"{taxonomy_id}:{group}"
                    term_id = f"{group_id}/{slugify(value)}"
                    vocab.setdefault(group_id, {}).setdefault(term_id, value)
                    tags.setdefault(group_id, []).append(
                        (term_id, "potential" if known is not None else None)
                    )
            records.append((data, row, terms, tags))
        links = read_json(oecd_file)
        if not isinstance(links, list):
            raise IngestError(path=oecd_file, reason="expected a list of objects")
        oecd: list[OecdLink] = []
        for number, item in enumerate(links, start=1):
            if not isinstance(item, dict):
                raise IngestError(path=oecd_file, record=number, reason="expected an object")
            oecd.append(validate(OecdLink, Row(number, None, item), oecd_file))

        for source in SOURCES.values():
            ctx.source(**source)
        self._vocabularies(ctx, vocab)
        countries = country_index(ctx.session)
        writer = CaseWriter(ctx, "incident")
        ctx.start("aiid incidents", len(records))
        for data, _row, _terms, _tags in records:
            incident_id = f"{NAMESPACE}:{data.incident}"
            precision = "month" if data.year and data.month else "year" if data.year else None
            upsert_case(
                ctx,
                Incident,
                {
                    "id": incident_id,
                    "namespace": NAMESPACE,
                    "title_en": None,
                    "description_en": None,
                    "date": dt.date(data.year, data.month or 1, 1) if data.year else None,
                    "date_precision": precision,
                    "url": f"https://incidentdatabase.ai/cite/{data.incident}",
                    "status": "new",
                    "source_id": SOURCES["master"]["id"],
                    "created_at": DATA_DATE,
                    "updated_at": DATA_DATE,
                    "extra": {
                        "imported": True,
                        "data_sources": [s.strip() for s in data.data_sources.split("|")],
                        "note": "AIID titles and descriptions are not in the imported data "
                        "(classification exports only); see the AIID page.",
                    },
                },
            )
        ctx.session.flush()
        ctx.start("aiid tags", None)
        for data, row, terms, tags in records:
            incident_id = f"{NAMESPACE}:{data.incident}"
            for term in terms:
                writer.tag(
                    incident_id, term, at=DATA_DATE, author=AUTHOR, note="AIID MIT classification"
                )
            for group_tags in tags.values():
                known = {t for t, note in group_tags if note is None}
                for term_id, note in group_tags:
                    if note is not None and term_id in known:
                        continue
                    writer.tag(incident_id, term_id, at=DATA_DATE, author=AUTHOR, note=note)
            for column, kind in ATTRIBUTE_COLUMNS.items():
                text = _text(row.data.get(column))
                if not text:
                    continue
                actors = {text: resolve_country(countries, text)} if kind == "country" else None
                writer.attributes_for(incident_id, kind, [text], actors)
        writer.prune(id_prefix=f"{NAMESPACE}:", tag_author=AUTHOR)
        ctx.start("aiid oecd crosswalk", len(oecd))
        written: set[tuple[str, str]] = set()
        for link in oecd:
            key = (f"{NAMESPACE}:{link.incident_id}", link.sameAs)
            if key in written:
                continue
            written.add(key)
            ctx.upsert(
                Mapping,
                {
                    "mapping_set": MAPPING_SET,
                    "subject_id": key[0],
                    "subject_type": "incident",
                    "predicate": "skos:closeMatch",
                    "object_id": link.sameAs,
                    "object_type": "oecd-aim-incident",
                    "justification": "semapv:UnspecifiedMatching",
                    "confidence": None,
                    "method": "imported",
                    "author": "AI Incident Database",
                    "review_status": "unreviewed",
                    "source_id": SOURCES["oecd"]["id"],
                    "note": "AIID records this link as sameAs; one AIID incident may link to "
                    "several OECD AIM incidents.",
                },
                key=("mapping_set", "subject_id", "predicate", "object_id"),
            )
        return len(records)
