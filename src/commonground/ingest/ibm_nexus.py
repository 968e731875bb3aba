"""IBM risk-atlas-nexus (commit 97fbe673): AI risk taxonomies, principles and crosswalks.

Input: a folder with the LinkML YAML instance files listed in `TAXONOMY_FILES` and the
crosswalk `MAPPING_FILE` (all required; `risk_atlas_data_incidents.yaml` is left for the
incident registry). Every file becomes a Source row citing its path in the repository.

- Taxonomy rows: each file's `taxonomies` entries, ids as IBM gives them. The principle
  files have none, so each gets one taxonomy (`PRINCIPLE_TAXONOMIES`) built from its
  `documents` entry.
- Term rows, ids as IBM gives them (they are unique across the files): `riskgroups` →
  kind "group", `risks` → "risk", `principles` → "principle", `actions` → "action";
  taxonomy from `isDefinedByTaxonomy` (else the file's only taxonomy), parent from
  `isPartOf`, position = place in its list. The other fields (dateCreated, tag, concern,
  hasRelatedRisk, hasDocumentation…) are kept in `extra`, dates as ISO text.
- Mapping rows (SSSOM-style, method "imported", review status "unreviewed"): one per
  (subject, object) pair of a `relatedMatch`, `closeMatch`, `exactMatch`, `broadMatch` or
  `narrowMatch` list, predicate `skos:<key>`. The crosswalk file goes into mapping set
  `ibm-nexus:mit-atlas`; match lists inside a taxonomy file into `ibm-nexus:<taxonomy id>`
  (the subject's taxonomy). Pairs repeated in a file are written once.

References are checked, since published crosswalks cite ids that do not exist: a mapping
whose subject or object is neither a term of this import nor a term already in the store is
not written, and an `isPartOf` naming no term leaves the parent empty (the raw value stays
in `extra["isPartOf"]`). Both, and dangling ids in hasPart / hasRelatedRisk /
hasRelatedAction (kept in `extra` only), are listed in `IbmNexusImporter.dangling` after an
import, and by `dangling_references(folder)` without a store. In this snapshot no mapping
id dangles; nine Atlas risks cite the parent `ibm-risk-atlas-robustness-Prompt-attacks`,
whose real id is spelt `…-prompt-attacks`. A file that is not valid YAML, has an unexpected
shape, or an entry without an id or name is an IngestError naming file, record (place in its
list), line and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import Row
from commonground.ingest.values import literal_list
from commonground.store.models import Mapping, Taxonomy, Term

ORIGIN = "ibm-nexus"
COMMIT = "97fbe673b276dd07e783b1dbe90ea77b1c571d44"
COMMIT_DATE = "2025-11-14"
REPO_URL = f"https://github.com/IBM/risk-atlas-nexus/blob/{COMMIT}/"
PUBLISHER = "IBM Research (risk-atlas-nexus)"
LICENSE = "Apache-2.0"
KG = "src/risk_atlas_nexus/data/knowledge_graph/"

# file here → path in the repository (see PROVENANCE.md).
TAXONOMY_FILES = {
    "ailuminate.yaml": KG + "ailuminate.yaml",
    "air_2024_data.yaml": KG + "air_2024_data.yaml",
    "mit_ai_risk_repository_data.yaml": KG + "mit_ai_risk_repository_data.yaml",
    "nist_ai_rmf_data.yaml": KG + "nist_ai_rmf_data.yaml",
    "nist_ai_rmf_actions_data.yaml": KG + "nist_ai_rmf_actions_data.yaml",
    "owasp_llm_2.0_data.yaml": KG + "owasp_llm_2.0_data.yaml",
    "principles_oecd.yaml": KG + "principles_oecd.yaml",
    "principles_un.yaml": KG + "principles_un.yaml",
    "risk_atlas_data.yaml": KG + "risk_atlas_data.yaml",
}
MAPPING_FILE = "mapping_mit-ai-risk-repository_ibm-risk-atlas.yaml"
MAPPING_REPO_PATH = KG + "mappings/mit-ai-risk-repository_ibm-risk-atlas_from_tsv_data.yaml"
MAPPING_SET = "ibm-nexus:mit-atlas"
MAPPING_TITLE = "Mapping of MIT AI Risk Repository risks to IBM AI Risk Atlas risks"
FILE_TITLES = {
    "nist_ai_rmf_actions_data.yaml": "NIST AI RMF Generative AI Profile (NIST AI 600-1): "
    "suggested actions",
}

PRINCIPLE_TAXONOMIES = {
    "principles_oecd.yaml": ("oecd-ai-principles-2019", "OECD"),
    "principles_un.yaml": (
        "un-system-principles-2022",
        "United Nations System Chief Executives Board for Coordination",
    ),
}
TAXONOMY_PUBLISHERS = {
    "ailuminate-v1.0": "MLCommons",
    "ai-risk-taxonomy": "Zeng et al. (AIR 2024)",
    "mit-ai-risk-repository": "MIT FutureTech (AI Risk Repository)",
    "mit-ai-risk-repository-causal": "MIT FutureTech (AI Risk Repository)",
    "nist-ai-rmf": "National Institute of Standards and Technology (NIST)",
    "owasp-llm-2.0": "OWASP Foundation",
    "ibm-risk-atlas": "IBM",
}

TERM_KINDS = {
    "riskgroups": "group",
    "risks": "risk",
    "principles": "principle",
    "actions": "action",
}
LIST_KEYS = ("documents", "taxonomies", *TERM_KINDS)
MATCHES = ("relatedMatch", "closeMatch", "exactMatch", "broadMatch", "narrowMatch")
REFERENCES = ("hasPart", "hasRelatedRisk", "hasRelatedAction")
# Fields with their own columns (or turned into mappings), not copied into `extra`.
COLUMNS = {"id", "name", "description", "url", "isDefinedByTaxonomy", "isPartOf", *MATCHES}


class _Mapping(dict):
    """A YAML mapping that remembers its 1-based line."""

    line: int | None = None


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    data = _Mapping(loader.construct_mapping(node, deep=True))
    data.line = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml_lines(path: Path) -> Any:
    """Like readers.read_yaml, but every mapping carries the line it starts on."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_LineLoader)
    except OSError as exc:
        raise IngestError(path=path, reason=f"cannot open: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(
            path=path,
            line=mark.line + 1 if mark else None,
            record=None,
            reason=f"invalid YAML{f' at line {mark.line + 1}' if mark else ''}: "
            f"{getattr(exc, 'problem', None) or exc}",
        ) from exc
    except UnicodeDecodeError as exc:
        raise IngestError(path=path, reason=f"not UTF-8: {exc}") from exc


class Entry(BaseModel):
    """One LinkML instance (risk group, risk, principle, action, taxonomy, document)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: str = Field(min_length=1, pattern=r"^\S+$")
    name: str = Field(min_length=1)
    description: str | None = None
    url: str | None = None
    isDefinedByTaxonomy: str | None = None
    isPartOf: str | None = None


class MatchEntry(BaseModel):
    """One entry of the crosswalk file: an id and its match lists."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^\S+$")
    relatedMatch: list[str] | str | None = None
    closeMatch: list[str] | str | None = None
    exactMatch: list[str] | str | None = None
    broadMatch: list[str] | str | None = None
    narrowMatch: list[str] | str | None = None


@dataclass(frozen=True)
class DanglingReference:
    """A reference to an id that names no term; mappings with one are not written."""

    file: str
    record: int
    subject: str
    field: str
    target: str


@dataclass
class _Term:
    file: str
    record: int
    line: int | None
    kind: str
    entry: Entry
    position: int


@dataclass
class _Pair:
    file: str
    record: int
    mapping_set: str
    subject: str
    predicate: str
    object: str


@dataclass
class _Parsed:
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    taxonomies: dict[str, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, _Term] = field(default_factory=dict)
    pairs: list[_Pair] = field(default_factory=list)


def _plain(value: Any) -> Any:
    """YAML values as JSON: dates become ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _entries(path: Path, data: dict[str, Any], key: str) -> list[tuple[int, _Mapping]]:
    items = data.get(key) or []
    if not isinstance(items, list):
        raise IngestError(path=path, field=key, reason="expected a list of entries")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise IngestError(
                path=path,
                record=number,
                field=key,
                value=str(item)[:60],
                reason=f"each {key} entry must be a mapping",
            )
    return list(enumerate(items, start=1))


def _row(number: int, item: _Mapping) -> Row:
    return Row(number, getattr(item, "line", None), dict(item))


def _ids(path: Path, number: int, line: int | None, name: str, value: Any) -> list[str]:
    """A list of ids: a YAML list, one id, or IBM's "['a', 'b']" text."""
    ids: list[str] | None = None
    if (
        value is None
        or isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        try:
            ids = literal_list(value)
        except (ValueError, SyntaxError):
            ids = None
    if ids is None:
        raise IngestError(
            path=path,
            record=number,
            line=line,
            field=name,
            value=value,
            reason="expected a list of ids",
        )
    return [i.strip() for i in ids if i.strip()]


def _load_yaml(path: Path) -> dict[str, Any]:
    data = read_yaml_lines(path)
    if not isinstance(data, dict):
        raise IngestError(path=path, reason="malformed: expected a mapping of lists at the top")
    return data


def _source(name: str, repo_path: str, title: str, note: str | None) -> dict[str, Any]:
    return {
        "id": f"ibm-nexus:{name}",
        "title": f"{title} (IBM risk-atlas-nexus, {name})",
        "publisher": PUBLISHER,
        "url": REPO_URL + repo_path,
        "published": COMMIT_DATE,
        "language": "en",
        "license": LICENSE,
        "note": note,
        "origin": ORIGIN,
    }


def parse_folder(folder: Path) -> _Parsed:
    """Read and validate every file; nothing is written."""
    parsed = _Parsed()
    documents: dict[str, _Mapping] = {}
    loaded = {name: _load_yaml(folder / name) for name in TAXONOMY_FILES}
    for name, data in loaded.items():
        path = folder / name
        unknown = sorted(set(data) - set(LIST_KEYS))
        if unknown:
            raise IngestError(path=path, field=unknown[0], reason="unexpected top-level key")
        for number, item in _entries(path, data, "documents"):
            doc = validate(Entry, _row(number, item), path)
            documents[doc.id] = item
    for name, data in loaded.items():
        path = folder / name
        file_taxonomies: list[str] = []
        for number, item in _entries(path, data, "taxonomies"):
            tax = validate(Entry, _row(number, item), path)
            if tax.id in parsed.taxonomies:
                raise IngestError(
                    path=path,
                    record=number,
                    line=item.line,
                    field="id",
                    value=tax.id,
                    reason="duplicate taxonomy id",
                )
            version = item.get("version")
            parsed.taxonomies[tax.id] = {
                "id": tax.id,
                "name_en": tax.name,
                "version": str(version) if version not in (None, "") else None,
                "publisher": TAXONOMY_PUBLISHERS.get(tax.id),
                "url": tax.url,
                "description_en": tax.description,
                "source_id": f"ibm-nexus:{name}",
                "origin": ORIGIN,
            }
            file_taxonomies.append(tax.id)
        docs = [validate(Entry, _row(n, i), path) for n, i in _entries(path, data, "documents")]
        if name in PRINCIPLE_TAXONOMIES and not file_taxonomies:
            if not docs:
                raise IngestError(path=path, field="documents", reason="a principle set needs one")
            tax_id, publisher = PRINCIPLE_TAXONOMIES[name]
            doc = docs[0]
            parsed.taxonomies[tax_id] = {
                "id": tax_id,
                "name_en": doc.name,
                "version": None,
                "publisher": str(documents[doc.id].get("author") or publisher).strip(),
                "url": doc.url,
                "description_en": doc.description,
                "source_id": f"ibm-nexus:{name}",
                "origin": ORIGIN,
            }
            file_taxonomies.append(tax_id)
        # Terms.
        referenced_docs: list[str] = []
        for key, kind in TERM_KINDS.items():
            for number, item in _entries(path, data, key):
                entry = validate(Entry, _row(number, item), path)
                if entry.id in parsed.terms:
                    raise IngestError(
                        path=path,
                        record=number,
                        line=item.line,
                        field="id",
                        value=entry.id,
                        reason=f"duplicate id (also in {parsed.terms[entry.id].file})",
                    )
                referenced_docs += _ids(
                    path, number, item.line, "hasDocumentation", item.get("hasDocumentation")
                )
                parsed.terms[entry.id] = _Term(name, number, item.line, kind, entry, number)
                if entry.isDefinedByTaxonomy is None and len(file_taxonomies) != 1:
                    raise IngestError(
                        path=path,
                        record=number,
                        line=item.line,
                        field="isDefinedByTaxonomy",
                        reason="missing, and the file does not define exactly one taxonomy",
                    )
                if entry.isDefinedByTaxonomy is None:
                    entry.isDefinedByTaxonomy = file_taxonomies[0]
                for match in MATCHES:
                    for target in _ids(path, number, item.line, match, item.get(match)):
                        parsed.pairs.append(_Pair(name, number, "", entry.id, match, target))
        # Source: titled after the file's taxonomy or document, noting the documents cited.
        if file_taxonomies:
            title = parsed.taxonomies[file_taxonomies[0]]["name_en"]
        else:
            title = docs[0].name if docs else FILE_TITLES.get(name, name)
        notes = []
        for doc_id in [d.id for d in docs] or sorted(set(referenced_docs)):
            doc = documents.get(doc_id)
            if doc is not None:
                when = _plain(doc.get("dateCreated"))
                notes.append(
                    f"{doc.get('name')}, {doc.get('url')}" + (f" ({when})" if when else "")
                )
        note = f"Describes: {'; '.join(notes)}." if notes else None
        parsed.sources[name] = _source(name, TAXONOMY_FILES[name], title, note)
    # Taxonomy of every term must exist; within-taxonomy match lists get their set.
    for term in parsed.terms.values():
        if term.entry.isDefinedByTaxonomy not in parsed.taxonomies:
            raise IngestError(
                path=folder / term.file,
                record=term.record,
                line=term.line,
                field="isDefinedByTaxonomy",
                value=term.entry.isDefinedByTaxonomy,
                reason="names no taxonomy of these files",
            )
    for pair in parsed.pairs:
        pair.mapping_set = f"ibm-nexus:{parsed.terms[pair.subject].entry.isDefinedByTaxonomy}"
    # The crosswalk.
    path = folder / MAPPING_FILE
    data = _load_yaml(path)
    unknown = sorted(set(data) - {"risks"})
    if unknown or "risks" not in data:
        raise IngestError(
            path=path,
            field=unknown[0] if unknown else "risks",
            reason="malformed: expected only a list under `risks`",
        )
    for number, item in _entries(path, data, "risks"):
        match_entry = validate(MatchEntry, _row(number, item), path)
        for match in MATCHES:
            for target in _ids(path, number, item.line, match, getattr(match_entry, match)):
                parsed.pairs.append(
                    _Pair(MAPPING_FILE, number, MAPPING_SET, match_entry.id, match, target)
                )
    parsed.sources[MAPPING_FILE] = _source(MAPPING_FILE, MAPPING_REPO_PATH, MAPPING_TITLE, None)
    return parsed


def _dangling(parsed: _Parsed, known: set[str]) -> list[DanglingReference]:
    found: list[DanglingReference] = []
    for term_id, term in parsed.terms.items():
        targets: list[tuple[str, str]] = []
        if term.entry.isPartOf:
            targets.append(("isPartOf", term.entry.isPartOf))
        extra = term.entry.model_extra or {}
        for ref in REFERENCES:
            targets += [(ref, t) for t in literal_list(extra.get(ref))]
        found += [
            DanglingReference(term.file, term.record, term_id, ref, target)
            for ref, target in targets
            if target not in known
        ]
    for pair in parsed.pairs:
        for end in (pair.subject, pair.object):
            if end not in known:
                found.append(
                    DanglingReference(pair.file, pair.record, pair.subject, pair.predicate, end)
                )
    return found


def dangling_references(folder: Path) -> list[DanglingReference]:
    """Ids cited in the files that name no term of the files (no store needed)."""
    parsed = parse_folder(folder)
    return _dangling(parsed, set(parsed.terms))


def _parents_first(terms: dict[str, _Term], known: set[str]) -> Iterable[str]:
    """Term ids ordered so that a parent is written before its children."""
    done: set[str] = set()
    for term_id in terms:
        chain: list[str] = []
        current: str | None = term_id
        while current is not None and current in terms and current not in done:
            if current in chain:  # a cycle: write as is, the database will say no
                break
            chain.append(current)
            parent = terms[current].entry.isPartOf
            current = parent if parent in known else None
        for item in reversed(chain):
            done.add(item)
            yield item


class IbmNexusImporter(Importer):
    name = "ibm-nexus"
    description = "IBM risk-atlas-nexus: AIR 2024, Risk Atlas, NIST, OWASP, OECD, UN and crosswalks"

    def __init__(self) -> None:
        self.dangling: list[DanglingReference] = []

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "ibm-risk-atlas-nexus"

    def files(self, path: Path) -> list[Path]:
        folder = path if path.is_dir() else path.parent
        return [folder / name for name in (*TAXONOMY_FILES, MAPPING_FILE)]

    def load(self, ctx: ImportContext, path: Path) -> int:
        folder = path if path.is_dir() else path.parent
        parsed = parse_folder(folder)
        stored = set(ctx.existing(Term, lambda t: t.id))
        known = stored | set(parsed.terms)
        self.dangling = _dangling(parsed, known)
        for values in parsed.sources.values():
            ctx.source(**values)
        for values in parsed.taxonomies.values():
            ctx.upsert(Taxonomy, values)
        ctx.start("ibm-nexus terms", len(parsed.terms))
        for term_id in _parents_first(parsed.terms, known):
            term = parsed.terms[term_id]
            entry = term.entry
            extra = {k: _plain(v) for k, v in (entry.model_extra or {}).items()}
            extra = {k: v for k, v in extra.items() if k not in COLUMNS}
            parent = entry.isPartOf if entry.isPartOf in known else None
            if entry.isPartOf and parent is None:
                extra["isPartOf"] = entry.isPartOf
            ctx.upsert(
                Term,
                {
                    "id": term_id,
                    "taxonomy_id": entry.isDefinedByTaxonomy,
                    "parent_id": parent,
                    "code": None,
                    "kind": term.kind,
                    "name_en": entry.name,
                    "definition_en": entry.description or None,
                    "url": entry.url or None,
                    "position": term.position,
                    "extra": extra or None,
                },
            )
        ctx.start("ibm-nexus mappings", len(parsed.pairs))
        written: set[tuple[str, str, str, str]] = set()
        for pair in parsed.pairs:
            if pair.subject not in known or pair.object not in known:
                continue
            key = (pair.mapping_set, pair.subject, f"skos:{pair.predicate}", pair.object)
            if key in written:
                continue
            written.add(key)
            ctx.upsert(
                Mapping,
                {
                    "mapping_set": pair.mapping_set,
                    "subject_id": pair.subject,
                    "subject_type": "term",
                    "predicate": f"skos:{pair.predicate}",
                    "object_id": pair.object,
                    "object_type": "term",
                    "justification": "semapv:ManualMappingCuration",
                    "confidence": None,
                    "method": "imported",
                    "author": "IBM risk-atlas-nexus",
                    "review_status": "unreviewed",
                    "source_id": f"ibm-nexus:{pair.file}",
                    "note": None,
                },
                key=("mapping_set", "subject_id", "predicate", "object_id"),
            )
        return len(parsed.terms)
