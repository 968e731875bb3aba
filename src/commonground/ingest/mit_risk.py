"""MIT AI Risk Repository, version 3 (26 March 2025): its two taxonomies and 1,612 coded risks.

Input: a folder holding `ai_risk_database_v3_2025-03-26.csv` (the workbook's "AI Risk
Database v3" sheet exported to CSV) and the workbook `The_AI_Risk_Repository_V3_26_03_2025.xlsx`
itself, or the path of a CSV file with that workbook beside it (tests use a small CSV and a
link to the real workbook). Risk entries come from the CSV; the taxonomy definitions come
from the workbook's "Causal Taxonomy of AI Risks v3" and "Domain Taxonomy of AI Risks v3"
sheets.

Taxonomies and term ids (stable; the coded values are fixed in this module and an
unknown coded value in the CSV is an error naming file, record, line and field):

- `mit-causal-v3`: groups `mit-causal:entity`, `mit-causal:intent`, `mit-causal:timing`, and
  their coded values `mit-causal:<group>-<n>` for the database's "<n> - <Label>", e.g.
  "1 - Human" → `mit-causal:entity-1`. Codes 1 to 3 are the sheet's levels (with its
  definitions); code 4, "Not coded", is a value of the database only.
- `mit-domain-v3`: the 7 domains `mit-domain:<n>` ("6. Socioeconomic and Environmental" →
  `mit-domain:6`, kind "group") and 24 sub-domains `mit-domain:<n.m>` ("6.5 > Governance
  failure" → `mit-domain:6.5`, kind "risk"). Names are the database's labels; the sheet's
  wording, where it differs, is kept in `extra["sheet_name"]`. Two database-only codings:
  "<n>.0 > …" (coded to domain <n> only) sets the entry's domain and no sub-domain;
  "X.1 > Excluded" (outside the domain taxonomy) links the term `mit-domain:X.1`.

Risk entries: every row whose "Category level" is "Risk Category" or "Risk Sub-Category",
id `MIT:<Ev_ID>`. The upstream data repeats five Ev_IDs (49.01.02 and 62.31.00–03 occur
twice each, as different risks); the second occurrence gets `MIT:<Ev_ID>-2`, so all 1,612
risks are kept and ids stay stable for this version. "Paper" rows give paper titles.

"Additional evidence" rows (565) are not entries. Each follows the risk it belongs to; it is
attached to the nearest preceding risk entry when its Ev_ID minus its letter suffix is that
entry's Ev_ID ("01.01.00.a", "60.01.01a" → 01.01.00, 60.01.01), or, failing that, when it
has the same paper, risk category and risk sub-category (four upstream id slips:
21.02.01.b–d belong to the sub-category 21.02.01.a, 62.20.11a to 62.19.12). Its text
("Additional ev.", else "Description") is appended to that entry's `additional_evidence` as
"[<Ev_ID>] <text>", after the entry's own additional evidence; an evidence row that cannot
be linked this way is skipped and counted in `MitRiskImporter.unlinked_evidence` (none in
v3). Coded values on evidence rows (two rows carry them) are not stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import Row, read_csv
from commonground.store.models import RiskEntry, Taxonomy, Term

ORIGIN = "mit-risk"
CSV_NAME = "ai_risk_database_v3_2025-03-26.csv"
WORKBOOK_NAME = "The_AI_Risk_Repository_V3_26_03_2025.xlsx"
CAUSAL_SHEET = "Causal Taxonomy of AI Risks v3"
DOMAIN_SHEET = "Domain Taxonomy of AI Risks v3"
VERSION = "3 (2025-03-26)"
PUBLISHER = "MIT FutureTech (AI Risk Repository)"

SOURCE = {
    "id": "mit-ai-risk-repository-v3",
    "title": "The AI Risk Repository, version 3 (workbook, updated 26 March 2025)",
    "publisher": PUBLISHER,
    "url": "https://airisk.mit.edu/",
    "published": "2025-03-26",
    "language": "en",
    "license": "CC BY 4.0",
    "note": (
        "Workbook The_AI_Risk_Repository_V3_26_03_2025.xlsx as copied in "
        "https://github.com/davidturturean/airi-chatbot-class/blob/"
        "c431060943f7429daaa3eb6ec05c0d182a20141f/data/info_files/"
        "The_AI_Risk_Repository_V3_26_03_2025.xlsx (a third-party copy, byte-identical); "
        "risk entries from its 'AI Risk Database v3' sheet. Cite as Slattery et al. (2024), "
        "https://doi.org/10.48550/arXiv.2408.12622."
    ),
    "origin": ORIGIN,
}

CAUSAL_TAXONOMY = "mit-causal-v3"
DOMAIN_TAXONOMY = "mit-domain-v3"

# The database's coded values: (group, code) → label, as written in the CSV ("1 - Human").
CAUSAL_GROUPS = {"entity": "Entity", "intent": "Intent", "timing": "Timing"}
CAUSAL_VALUES: dict[str, dict[str, str]] = {
    "entity": {"1": "Human", "2": "AI", "3": "Other", "4": "Not coded"},
    "intent": {"1": "Intentional", "2": "Unintentional", "3": "Other", "4": "Not coded"},
    "timing": {"1": "Pre-deployment", "2": "Post-deployment", "3": "Other", "4": "Not coded"},
}
NOT_CODED = "4"

DOMAINS = {
    "1": "Discrimination & Toxicity",
    "2": "Privacy & Security",
    "3": "Misinformation",
    "4": "Malicious Actors & Misuse",
    "5": "Human-Computer Interaction",
    "6": "Socioeconomic and Environmental",
    "7": "AI System Safety, Failures, & Limitations",
}
SUBDOMAINS = {
    "1.1": "Unfair discrimination and misrepresentation",
    "1.2": "Exposure to toxic content",
    "1.3": "Unequal performance across groups",
    "2.1": "Compromise of privacy by leaking or correctly inferring sensitive information",
    "2.2": "AI system security vulnerabilities and attacks",
    "3.1": "False or misleading information",
    "3.2": "Pollution of information ecosystem and loss of consensus reality",
    "4.1": "Disinformation, surveillance, and influence at scale",
    "4.2": "Cyberattacks, weapon development or use, and mass harm",
    "4.3": "Fraud, scams, and targeted manipulation",
    "5.1": "Overreliance and unsafe use",
    "5.2": "Loss of human agency and autonomy",
    "6.1": "Power centralization and unfair distribution of benefits",
    "6.2": "Increased inequality and decline in employment quality",
    "6.3": "Economic and cultural devaluation of human effort",
    "6.4": "Competitive dynamics",
    "6.5": "Governance failure",
    "6.6": "Environmental harm",
    "7.1": "AI pursuing its own goals in conflict with human goals or values",
    "7.2": "AI possessing dangerous capabilities",
    "7.3": "Lack of capability or robustness",
    "7.4": "Lack of transparency or interpretability",
    "7.5": "AI welfare and rights",
    "7.6": "Multi-agent risks",
}
# "<n>.0 > …": coded to a domain only (the labels as the database writes them).
DOMAIN_ONLY = {
    "1.0": "Discrimination & Toxicity",
    "2.0": "Privacy & Security",
    "3.0": "Misinformation",
    "4.0": "Malicious use",
    "6.0": "Socioeconomic & Environmental",
    "7.0": "AI system safety, failures, & limitations",
}
EXCLUDED = ("X.1", "Excluded")

RISK_LEVELS = ("Risk Category", "Risk Sub-Category")
LEVELS = (*RISK_LEVELS, "Additional evidence", "Paper")

_CAUSAL_VALUE = re.compile(r"^(\d+)\s*-\s*(.+)$")
_DOMAIN_VALUE = re.compile(r"^(\d+)\.\s*(.+)$")
_SUBDOMAIN_VALUE = re.compile(r"^([0-9X]+\.\d+)\s*>\s*(.+)$")
_EVIDENCE_ID = re.compile(r"^(.+?)\.?([a-z]+)$")


def _norm(text: str) -> str:
    """Whitespace-collapsed, case-folded text for comparing labels."""
    return " ".join(text.split()).casefold()


def _label_key(text: str) -> str:
    """Sheet wording vs database wording: "Pre- deployment" = "Pre-deployment"."""
    return re.sub(r"\s*-\s*", "-", _norm(text))


def _clean(text: str) -> str | None:
    """Stripped text; blank and the placeholder "-" become None."""
    text = text.strip()
    return text if text and text != "-" else None


class MitRow(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=True)

    title: str = Field(alias="Title")
    quickref: str = Field(alias="QuickRef")
    ev_id: str = Field(alias="Ev_ID", pattern=r"^\d+\.\d+\.\d+(?:\.?[a-z]+)?$")
    paper_id: str = Field(alias="Paper_ID", pattern=r"^(\d+(?:\.0)?)?$")
    level: str = Field(alias="Category level")
    risk_category: str = Field(alias="Risk category")
    risk_subcategory: str = Field(alias="Risk subcategory")
    description: str = Field(alias="Description")
    additional_evidence: str = Field(alias="Additional ev.")
    entity: str = Field(alias="Entity")
    intent: str = Field(alias="Intent")
    timing: str = Field(alias="Timing")
    domain: str = Field(alias="Domain")
    subdomain: str = Field(alias="Sub-domain")

    @field_validator("ev_id", mode="before")
    @classmethod
    def _ev_id_present(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("missing: every row needs an Ev_ID")
        return value


REQUIRED_COLUMNS = tuple(
    info.alias for info in MitRow.model_fields.values() if info.alias is not None
)


@dataclass
class _Entry:
    id: str
    row: MitRow
    evidence: list[str] = field(default_factory=list)
    terms: dict[str, str | None] = field(default_factory=dict)


def _sheet_rows(path: Path, sheet: str) -> list[tuple[int, tuple[Any, ...]]]:
    """All non-empty rows of one sheet, with their 1-based row numbers."""
    from openpyxl import load_workbook  # heavy import, only where needed

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise IngestError(path=path, reason=f"not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet not in book.sheetnames:
            raise IngestError(path=path, field=sheet, reason="missing sheet")
        return [
            (number, values)
            for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1)
            if any(v not in (None, "") for v in values)
        ]
    finally:
        book.close()


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _table(path: Path, sheet: str, first_header: str) -> tuple[str | None, list[list[str]]]:
    """A taxonomy sheet: its "Description of Taxonomy" text and the table under the header
    row whose first non-empty cell is `first_header`, up to the first row with an empty
    last column (the "More information" footer)."""
    rows = _sheet_rows(path, sheet)
    description = None
    table: list[list[str]] = []
    header: list[int] | None = None
    for position, (_number, values) in enumerate(rows):
        cells = [_text(v) for v in values]
        filled = [c for c in cells if c]
        if filled and filled[0] == "Description of Taxonomy" and position + 1 < len(rows):
            following = [_text(v) for v in rows[position + 1][1] if _text(v)]
            description = following[0] if following else None
        elif header is None and filled and filled[0] == first_header:
            header = [i for i, c in enumerate(cells) if c]
        elif header is not None:
            last = header[-1]
            if last >= len(cells) or not cells[last]:
                break
            table.append(cells)
    if header is None:
        raise IngestError(path=path, field=sheet, reason=f"no table headed {first_header!r}")
    return description, table


def read_causal_sheet(path: Path) -> tuple[str | None, dict[tuple[str, str], str]]:
    """(group, level label key) → definition, from the causal taxonomy sheet."""
    description, table = _table(path, CAUSAL_SHEET, "Category")
    definitions: dict[tuple[str, str], str] = {}
    group = ""
    for cells in table:
        # Columns: (blank), Category, Level, Description.
        category, level, definition = cells[1], cells[2], cells[3]
        if category:
            group = category.casefold()
        if level and definition:
            definitions[(group, _label_key(level))] = definition
    return description, definitions


def read_domain_sheet(path: Path) -> tuple[str | None, dict[str, tuple[str, str | None]]]:
    """code → (sheet name, definition) for domains ("6") and sub-domains ("6.5")."""
    description, table = _table(path, DOMAIN_SHEET, "Domain")
    found: dict[str, tuple[str, str | None]] = {}
    for cells in table:
        # Columns: (blank), domain no., Domain, sub-domain no., Sub-domain, Description.
        domain_no, domain, sub_no, sub, definition = cells[1:6]
        if domain_no and domain:
            found[_code(domain_no)] = (domain, None)
        if sub_no and sub:
            found[_code(sub_no)] = (sub, definition or None)
    return description, found


def _code(number: str) -> str:
    """Sheet numbers come as floats: 6.0 → "6", 6.5 → "6.5"."""
    return number[:-2] if number.endswith(".0") else number


class MitRiskImporter(Importer):
    name = "mit-risk"
    description = "MIT AI Risk Repository v3: causal and domain taxonomies and 1,612 risks"

    def __init__(self) -> None:
        self.unlinked_evidence: list[str] = []

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "mit-ai-risk-repository"

    def files(self, path: Path) -> list[Path]:
        if path.is_dir():
            return [path / CSV_NAME, path / WORKBOOK_NAME]
        return [path, path.parent / WORKBOOK_NAME]

    # -- validation ---------------------------------------------------------------

    def _causal(self, group: str, value: str, row: Row, path: Path) -> str | None:
        if not value:
            return None
        match = _CAUSAL_VALUE.match(value)
        known = CAUSAL_VALUES[group]
        if (
            not match
            or known.get(match.group(1)) is None
            or (_label_key(match.group(2)) != _label_key(known[match.group(1)]))
        ):
            expected = ", ".join(f'"{k} - {v}"' for k, v in known.items())
            raise IngestError(
                path=path,
                record=row.record,
                line=row.line,
                field=CAUSAL_GROUPS[group],
                value=value,
                reason=f"unknown coded value; expected one of {expected}",
            )
        return f"mit-causal:{group}-{match.group(1)}"

    def _domain(self, entry: MitRow, row: Row, path: Path) -> tuple[str | None, str | None]:
        domain_id = None
        if entry.domain:
            match = _DOMAIN_VALUE.match(entry.domain)
            if not match or _norm(DOMAINS.get(match.group(1), "")) != _norm(match.group(2)):
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="Domain",
                    value=entry.domain,
                    reason='unknown domain; expected e.g. "6. Socioeconomic '
                    'and Environmental" with one of the 7 domains of the taxonomy',
                )
            domain_id = f"mit-domain:{match.group(1)}"
        subdomain_id = None
        if entry.subdomain:
            match = _SUBDOMAIN_VALUE.match(entry.subdomain)
            code, label = (match.group(1), match.group(2)) if match else ("", "")
            labels = {**SUBDOMAINS, **DOMAIN_ONLY, EXCLUDED[0]: EXCLUDED[1]}
            if code not in labels or _norm(labels[code]) != _norm(label):
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="Sub-domain",
                    value=entry.subdomain,
                    reason="unknown sub-domain; expected e.g. "
                    '"6.5 > Governance failure" with a sub-domain of the taxonomy',
                )
            parent = code.split(".")[0]
            if domain_id is not None and domain_id != f"mit-domain:{parent}":
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="Sub-domain",
                    value=entry.subdomain,
                    reason=f"not a sub-domain of {entry.domain!r}",
                )
            if code in DOMAIN_ONLY:
                domain_id = f"mit-domain:{parent}"
            else:
                subdomain_id = f"mit-domain:{code}"
        return domain_id, subdomain_id

    def _read(self, path: Path) -> tuple[list[_Entry], dict[str, str]]:
        """Validate every row; return the risk entries (with evidence) and paper titles."""
        entries: list[_Entry] = []
        papers: dict[str, str] = {}
        seen: dict[str, int] = {}
        current: _Entry | None = None
        self.unlinked_evidence = []
        for row in read_csv(path, required=REQUIRED_COLUMNS):
            data = validate(MitRow, row, path)
            if data.level not in LEVELS:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="Category level",
                    value=data.level,
                    reason=f"expected one of {', '.join(LEVELS)}",
                )
            paper_key = data.ev_id.split(".")[0]
            if data.level == "Paper":
                papers[paper_key] = data.title
                current = None
            elif data.level in RISK_LEVELS:
                required = [("Risk category", data.risk_category)]
                if data.level == "Risk Sub-Category":
                    required.append(("Risk subcategory", data.risk_subcategory))
                for name, value in required:
                    if not value:
                        raise IngestError(
                            path=path,
                            record=row.record,
                            line=row.line,
                            field=name,
                            reason=f"required for a {data.level!r} row",
                        )
                seen[data.ev_id] = seen.get(data.ev_id, 0) + 1
                suffix = "" if seen[data.ev_id] == 1 else f"-{seen[data.ev_id]}"
                current = _Entry(id=f"MIT:{data.ev_id}{suffix}", row=data)
                domain, subdomain = self._domain(data, row, path)
                current.terms = {
                    "entity_term_id": self._causal("entity", data.entity, row, path),
                    "intent_term_id": self._causal("intent", data.intent, row, path),
                    "timing_term_id": self._causal("timing", data.timing, row, path),
                    "domain_term_id": domain,
                    "subdomain_term_id": subdomain,
                }
                if data.additional_evidence:
                    current.evidence.append(data.additional_evidence)
                entries.append(current)
            else:
                text = data.additional_evidence or data.description
                if text and current is not None and self._belongs(data, current.row):
                    current.evidence.append(f"[{data.ev_id}] {text}")
                elif text:
                    self.unlinked_evidence.append(data.ev_id)
        return entries, papers

    @staticmethod
    def _belongs(evidence: MitRow, entry: MitRow) -> bool:
        match = _EVIDENCE_ID.match(evidence.ev_id)
        if match and match.group(1) == entry.ev_id:
            return True
        return (
            evidence.ev_id.split(".")[0] == entry.ev_id.split(".")[0]
            and _norm(evidence.risk_subcategory) == _norm(entry.risk_subcategory)
            and (
                not evidence.risk_category
                or _norm(evidence.risk_category) == _norm(entry.risk_category)
            )
        )

    # -- writing ------------------------------------------------------------------

    def _taxonomies(self, ctx: ImportContext, workbook: Path, source_id: str) -> None:
        causal_description, causal = read_causal_sheet(workbook)
        domain_description, domains = read_domain_sheet(workbook)
        common = {
            "version": VERSION,
            "publisher": PUBLISHER,
            "url": "https://airisk.mit.edu/",
            "source_id": source_id,
            "origin": ORIGIN,
        }
        ctx.upsert(
            Taxonomy,
            {
                "id": CAUSAL_TAXONOMY,
                "name_en": "MIT AI Risk Repository: Causal Taxonomy of AI Risks v3",
                "description_en": causal_description,
                **common,
            },
        )
        ctx.upsert(
            Taxonomy,
            {
                "id": DOMAIN_TAXONOMY,
                "name_en": "MIT AI Risk Repository: Domain Taxonomy of AI Risks v3",
                "description_en": domain_description,
                **common,
            },
        )
        ctx.start("mit-risk taxonomies", None)
        position = 0
        for group, group_name in CAUSAL_GROUPS.items():
            position += 1
            group_id = f"mit-causal:{group}"
            ctx.upsert(
                Term,
                {
                    "id": group_id,
                    "taxonomy_id": CAUSAL_TAXONOMY,
                    "parent_id": None,
                    "code": group,
                    "kind": "group",
                    "name_en": group_name,
                    "definition_en": None,
                    "url": None,
                    "position": position,
                    "extra": None,
                },
            )
            for code, label in CAUSAL_VALUES[group].items():
                position += 1
                definition = causal.get((group, _label_key(label)))
                extra: dict[str, Any] = {"coded_value": f"{code} - {label}"}
                if code == NOT_CODED:
                    extra["note"] = "a value of the database, not a level of the taxonomy sheet"
                ctx.upsert(
                    Term,
                    {
                        "id": f"{group_id}-{code}",
                        "taxonomy_id": CAUSAL_TAXONOMY,
                        "parent_id": group_id,
                        "code": code,
                        "kind": "term",
                        "name_en": label,
                        "definition_en": definition,
                        "url": None,
                        "position": position,
                        "extra": extra,
                    },
                )
        position = 0
        for code, label in DOMAINS.items():
            position += 1
            sheet_name = domains.get(code, (None, None))[0]
            ctx.upsert(
                Term,
                {
                    "id": f"mit-domain:{code}",
                    "taxonomy_id": DOMAIN_TAXONOMY,
                    "parent_id": None,
                    "code": code,
                    "kind": "group",
                    "name_en": label,
                    "definition_en": None,
                    "url": None,
                    "position": position,
                    "extra": _term_extra(f"{code}. {label}", label, sheet_name),
                },
            )
            for sub_code, sub_label in SUBDOMAINS.items():
                if sub_code.split(".")[0] != code:
                    continue
                position += 1
                sheet_name, definition = domains.get(sub_code, (None, None))
                ctx.upsert(
                    Term,
                    {
                        "id": f"mit-domain:{sub_code}",
                        "taxonomy_id": DOMAIN_TAXONOMY,
                        "parent_id": f"mit-domain:{code}",
                        "code": sub_code,
                        "kind": "risk",
                        "name_en": sub_label,
                        "definition_en": definition,
                        "url": None,
                        "position": position,
                        "extra": _term_extra(f"{sub_code} > {sub_label}", sub_label, sheet_name),
                    },
                )
        position += 1
        ctx.upsert(
            Term,
            {
                "id": f"mit-domain:{EXCLUDED[0]}",
                "taxonomy_id": DOMAIN_TAXONOMY,
                "parent_id": None,
                "code": EXCLUDED[0],
                "kind": "term",
                "name_en": EXCLUDED[1],
                "definition_en": None,
                "url": None,
                "position": position,
                "extra": {
                    "coded_value": f"{EXCLUDED[0]} > {EXCLUDED[1]}",
                    "note": "a value of the database for risks outside the domain taxonomy",
                },
            },
        )

    def load(self, ctx: ImportContext, path: Path) -> int:
        csv_path, workbook = self.files(path)
        entries, papers = self._read(csv_path)
        source_id = ctx.source(**SOURCE)
        self._taxonomies(ctx, workbook, source_id)
        ctx.start("mit-risk entries", len(entries))
        for entry in entries:
            row = entry.row
            paper_key = row.ev_id.split(".")[0]
            ctx.upsert(
                RiskEntry,
                {
                    "id": entry.id,
                    "paper_id": _code(row.paper_id) if row.paper_id else str(int(paper_key)),
                    "paper_title": papers.get(paper_key) or row.title or None,
                    "quickref": row.quickref or None,
                    "category_level": row.level,
                    "risk_category": _clean(row.risk_category),
                    "risk_subcategory": _clean(row.risk_subcategory),
                    "description": _clean(row.description),
                    "additional_evidence": "\n\n".join(entry.evidence) or None,
                    **entry.terms,
                    "source_id": source_id,
                },
            )
        return len(entries)


def _term_extra(coded: str, label: str, sheet_name: str | None) -> dict[str, Any]:
    extra: dict[str, Any] = {"coded_value": coded}
    if sheet_name and sheet_name != label:
        extra["sheet_name"] = sheet_name
    return extra
