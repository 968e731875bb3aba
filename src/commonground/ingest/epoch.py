"""Epoch AI's model database exports ("Notable AI models", "Large-scale AI models").

Every `*.csv` in the folder is read by header name, so an export with other
columns, or another column order, loads: only `Model` is required. Models are
deduplicated by name across files (the 2025-05 notable and large-scale exports
share 116 of their 954 + 311 rows, 1,149 models in all). Compute, parameters
and cost become exact integers through `Decimal`, never a float; the source
text is kept beside each. Columns without a field of their own are kept in
`extra` under their header names.

Merging (files in sorted name order): a later file fills fields that are still
empty and never blanks a filled one; `in_notable` / `in_large_scale` come from
the file names and are OR'ed. When two files give different non-empty values
for a numeric field (training compute, finetune compute, parameters, cost), the
first is kept and the other file's text is recorded in `extra["_conflicts"]`
with a sentence in `extra["_note"]`.

Ids are `epoch:` + slugify(Model). Slugify folds case and drops punctuation, so
distinct names can collide (in the 2025-05 notable export "DeepLabV3" and
"DeepLabV3+", "PointNet" and "PointNet++"; across the exports "CALM" (NVIDIA)
and "CaLM" (Oxford)). Within each colliding group the name first in code-point
order keeps the plain slug; each other one gets `-` plus the first 8 hex digits
of the SHA-256 of its name, which depends on nothing but the name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer
from commonground.ingest.readers import Row, read_csv
from commonground.ingest.values import exact_int, iso_date, slugify
from commonground.store.models import AIModel
from commonground.store.types import MAX_EXACT

PUBLISHER = "Epoch AI"
LICENSE = (
    "No license file in the copying repository; the upstream publisher is Epoch AI "
    "(epoch.ai/data): check Epoch's own terms of use before redistributing."
)
COPY_REPO = "https://github.com/vaaniarora/Water_Sustainability"
COPY_COMMIT = "34a5c4138fe410a8c9b0d7926469c5b6b01294af"

# The exports described in /work/shared/data/epoch-ai-models/PROVENANCE.md.
KNOWN_FILES: dict[str, dict[str, str]] = {
    "notable_ai_models_2025-05.csv": {
        "id": "epoch-notable-ai-models-2025-05",
        "title": "Notable AI models (Epoch AI model database CSV export, May 2025)",
        "url": f"{COPY_REPO}/blob/{COPY_COMMIT}/notable_ai_models.csv",
        "published": "2025-05",
        "note": (
            "954 models, publication dates 1950-07-02 to 2025-04-10. Third-party copy "
            f"(notable_ai_models.csv) added in commit {COPY_COMMIT} (2025-05-20), unchanged "
            "at f111e0fe9115cf0c08e894c0422f2e7e51416c18."
        ),
    },
    "large_scale_ai_models_2025-05.csv": {
        "id": "epoch-large-scale-ai-models-2025-05",
        "title": "Large-scale AI models (Epoch AI model database CSV export, May 2025)",
        "url": f"{COPY_REPO}/blob/{COPY_COMMIT}/large_scale_ai_models.csv",
        "published": "2025-05",
        "note": (
            "311 models, publication dates 2017-10-18 to 2025-04-29. Third-party copy "
            f"(large_scale_ai_models.csv) added in commit {COPY_COMMIT} (2025-05-20), "
            "unchanged at f111e0fe9115cf0c08e894c0422f2e7e51416c18."
        ),
    },
}

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}(?:-\d{2})?)$")


def _text(limit: int | None = None) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if limit is not None and len(value) > limit:
            raise ValueError(f"longer than {limit} characters")
        return value

    return parse


def _exact(value: str) -> int:
    number = exact_int(value)
    if number > MAX_EXACT:
        raise ValueError("more than 48 digits")
    return number


@dataclass(frozen=True)
class Column:
    """A known header: the AIModel field it fills and how its text is parsed."""

    field: str
    parse: Callable[[str], Any]
    text_field: str | None = None  # where the source text of a number is kept


# Known headers (compared case- and space-insensitively) → AIModel fields.
COLUMNS: dict[str, Column] = {
    "Model": Column("name", _text()),
    "Organization": Column("organization", _text()),
    "Organization categorization": Column("organization_category", _text()),
    "Organization categorization (from Organization)": Column("organization_category", _text()),
    "Country (of organization)": Column("countries", _text()),
    "Publication date": Column("publication_date", iso_date),
    "Domain": Column("domain", _text()),
    "Task": Column("task", _text()),
    "Parameters": Column("parameters", _exact),
    "Training compute (FLOP)": Column("training_compute_flop", _exact, "training_compute_text"),
    "Training compute notes": Column("training_compute_notes", _text()),
    "Finetune compute (FLOP)": Column("finetune_compute_flop", _exact, "finetune_compute_text"),
    "Training compute cost (2023 USD)": Column("training_cost_usd", _exact, "training_cost_text"),
    "Confidence": Column("confidence", _text(30)),
    "Model accessibility": Column("accessibility", _text()),
    "Base model": Column("base_model", _text()),
    "Link": Column("link", _text()),
}
TEXT_LIMIT = 60  # training_compute_text, finetune_compute_text, training_cost_text


def _norm_header(header: str) -> str:
    return " ".join(header.split()).casefold()


_BY_HEADER = {_norm_header(h): c for h, c in COLUMNS.items()}

# Every AIModel field the importer sets, so a re-import also clears stale values.
_FIELDS = sorted(
    {c.field for c in COLUMNS.values()} | {c.text_field for c in COLUMNS.values() if c.text_field}
)


def model_name(text: str) -> str:
    """The model name with surrounding and repeated whitespace (incl. NBSP) folded."""
    return " ".join(text.split())


def _suffix(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def model_ids(names: list[str]) -> dict[str, str]:
    """`epoch:` + slug per name; colliding slugs disambiguated (see module docstring)."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(slugify(name) or _suffix(name), []).append(name)
    ids: dict[str, str] = {}
    for slug, members in groups.items():
        first, *others = sorted(set(members))
        ids[first] = f"epoch:{slug}"
        for name in others:
            ids[name] = f"epoch:{slug}-{_suffix(name)}"
    return ids


@dataclass
class Merged:
    """One model's values, merged over the files it appears in."""

    name: str
    source_id: str
    values: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    conflicts: dict[str, dict[str, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # field → file name it came from
    in_notable: bool = False
    in_large_scale: bool = False


def _flags(path: Path) -> tuple[bool, bool]:
    stem = path.stem.lower().replace("-", "_")
    return "notable" in stem, "large_scale" in stem


def source_for(path: Path) -> dict[str, Any]:
    """The Source row for one export file (metadata from PROVENANCE.md when known)."""
    known = KNOWN_FILES.get(path.name)
    if known is not None:
        values = dict(known)
    else:
        match = _DATE_IN_NAME.search(path.stem)
        values = {
            "id": f"epoch-{slugify(path.stem)}",
            "title": f"Epoch AI model database CSV export ({path.name})",
            "url": "https://epoch.ai/data",
            "published": match.group(1) if match else None,
            "note": None,
        }
    return {
        **values,
        "publisher": PUBLISHER,
        "language": "en",
        "license": LICENSE,
        "origin": "epoch",
    }


class EpochImporter(Importer):
    name = "epoch"
    description = "Epoch AI's notable and large-scale AI model exports, compute as exact integers"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "epoch-ai-models"

    def files(self, path: Path) -> list[Path]:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.csv") if p.is_file())
            if not found:
                raise IngestError(path=path, reason="no *.csv files in this folder")
            return found
        return [path]

    def _parse_row(self, path: Path, row: Row) -> tuple[dict[str, Any], dict[str, str]]:
        """One record → (AIModel field values, other non-empty columns)."""
        values: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for header, raw in row.data.items():
            text = raw.strip() if isinstance(raw, str) else str(raw)
            column = _BY_HEADER.get(_norm_header(header))
            if column is None:
                if text and header:
                    extra[header] = text
                continue
            if not text or column.field in values:
                continue
            try:
                parsed = column.parse(text)
                if column.text_field is not None and len(text) > TEXT_LIMIT:
                    raise ValueError(f"longer than {TEXT_LIMIT} characters")
            except ValueError as exc:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field=header,
                    value=raw,
                    reason=str(exc),
                ) from None
            values[column.field] = parsed
            if column.text_field is not None:
                values[column.text_field] = text
        values["name"] = model_name(values.get("name", ""))
        if not values["name"]:
            raise IngestError(
                path=path,
                record=row.record,
                line=row.line,
                field="Model",
                reason="empty model name",
            )
        return values, extra

    def _read(self, path: Path, source_id: str, models: dict[str, Merged]) -> int:
        notable, large_scale = _flags(path)
        seen: dict[str, int] = {}
        count = 0
        for row in read_csv(path, required=("Model",)):
            values, extra = self._parse_row(path, row)
            name = values["name"]
            if name in seen:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="Model",
                    value=name,
                    reason=f"duplicate model (also record {seen[name]})",
                )
            seen[name] = row.record
            count += 1
            model = models.get(name)
            if model is None:
                model = models[name] = Merged(name=name, source_id=source_id)
            model.sources.append(source_id)
            model.in_notable |= notable
            model.in_large_scale |= large_scale
            self._merge(model, values, extra, path)
        return count

    @staticmethod
    def _merge(model: Merged, values: dict[str, Any], extra: dict[str, str], path: Path) -> None:
        for name, value in values.items():
            if name not in model.values:
                model.values[name] = value
                model.origin[name] = path.name
                continue
            column = next((c for c in COLUMNS.values() if c.field == name), None)
            if column is None or column.text_field is None or model.values[name] == value:
                continue  # first non-empty value wins; equal numbers are no conflict
            header = next(h for h, c in COLUMNS.items() if c.field == name)
            text = values[column.text_field]
            model.conflicts.setdefault(header, {})[path.name] = text
            model.notes.append(
                f"{header}: kept {model.values[column.text_field]!r} from "
                f"{model.origin[name]}; {path.name} gives {text!r}."
            )
        for header, text in extra.items():
            model.extra.setdefault(header, text)

    def load(self, ctx: ImportContext, path: Path) -> int:
        files = self.files(path)
        models: dict[str, Merged] = {}
        sources = [source_for(file) for file in files]
        for file, source in zip(files, sources, strict=True):
            self._read(file, source["id"], models)
        ids = model_ids(list(models))
        for source in sources:
            ctx.source(**source)
        ctx.start("epoch", len(models))
        for name, model in models.items():
            extra: dict[str, Any] = dict(model.extra)
            extra["_sources"] = model.sources
            if model.conflicts:
                extra["_conflicts"] = model.conflicts
                extra["_note"] = (
                    "The exports disagree; the first file's value is kept. " + " ".join(model.notes)
                )
            row = {column: None for column in _FIELDS}
            row.update(model.values)
            row.update(
                {
                    "id": ids[name],
                    "name": name,
                    "in_notable": model.in_notable,
                    "in_large_scale": model.in_large_scale,
                    "source_id": model.source_id,
                    "extra": extra,
                }
            )
            ctx.upsert(AIModel, row)
        return len(models)
