"""AVID "LLM Evaluation" reports → evaluation results in the v1 format.

AVID (github.com/avidml/avid-db, MIT) publishes measured results in two shapes:

- Inspect Evals runs (2025–2026): `metrics[]` of `{scorer, metrics, value}`, one report
  per model and benchmark (`… on the wmdp_bio benchmark using Inspect Evals`); each
  becomes a result of suite `inspect_evals/<benchmark>`, metric `<scorer>: <metrics>`.
- garak probe runs (2026): `metrics[].results.rows[]` of `{detector, passed,
  total_evaluated, score}`, where `score` = passed / total_evaluated × 100 (true of every
  row of the 2026-03-26 copy); each row becomes a result of suite `garak`, metric
  `<probe> <detector> pass rate`, unit `%`, with the counts in the note.

Reports with no numeric value (the 2022 significance tests, the 2023 anecdotes) and
other classes (CVE entries, incidents) are skipped and counted. The evaluator is the
report's `credit` (joined with "; "), else "AVID": the garak reports credit no one and
were run by AVID's own pipeline. The date is AVID's `reported_date` (the run itself may
be earlier). Every result cites its report as a source (the file at the copied commit).
A model is linked (`model_id`) only when its name equals an Epoch model's name (case and
spacing aside) or when the caller maps it explicitly; otherwise it stays unresolved.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer
from commonground.ingest.evaluations import FORMAT, ResultIn, loads

AVID_REPO = "https://github.com/avidml/avid-db"
AVID_COMMIT = "8eda5f4e6f74a3738eb980b795c4f813c6e52ca8"
PUBLISHER = "AI Vulnerability Database (AVID)"
LICENSE = "MIT License (Copyright (c) 2022 AI Vulnerability Database (AVID))"

_INSPECT = re.compile(r"on the (\S+) benchmark using Inspect Evals")
_PROBE = re.compile(r"using the probe `([^`]+)`")


@dataclass
class Conversion:
    document: dict[str, Any]
    reports: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def report_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.rglob("*.json")))
        elif path.is_file():
            files.append(path)
        else:
            raise IngestError(path=path, reason="no such file or folder")
    return files


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _report_path(path: Path, report_id: str) -> str:
    year = report_id.split("-")[1] if report_id.count("-") >= 2 else path.parent.name
    return f"reports/{year}/{report_id}.json"


def _source(report: dict[str, Any], report_id: str, path: Path) -> dict[str, Any]:
    title = report["problemtype"]["description"]["value"]
    return {
        "id": f"avid-db:{report_id}",
        "title": f"{report_id}: {title}"[:1000],
        "publisher": PUBLISHER,
        "url": f"{AVID_REPO}/blob/{AVID_COMMIT}/{_report_path(path, report_id)}",
        "published": report.get("reported_date"),
        "language": "en",
        "license": LICENSE,
        "note": f"AVID report {report_id} (data_version {report.get('data_version')}), "
        f"copied at commit {AVID_COMMIT}.",
    }


def _model_name(report: dict[str, Any]) -> str | None:
    names = [
        a.get("name")
        for a in report.get("affects", {}).get("artifacts", [])
        if a.get("type") in ("Model", "System") and a.get("name")
    ]
    return names[0] if len(names) == 1 else None


def _results(report: dict[str, Any], path: Path) -> tuple[list[dict[str, Any]], str | None]:
    """The report's results without model_id, or (no results, why it was skipped)."""
    if report.get("problemtype", {}).get("classof") != "LLM Evaluation":
        return [], "not an LLM Evaluation report"
    metrics = report.get("metrics") or []
    model = _model_name(report)
    if model is None:
        return [], "no single model or system named"
    description = report["problemtype"]["description"]["value"]
    credit = [c.get("value") for c in report.get("credit") or [] if c.get("value")]
    evaluator = "; ".join(credit) if credit else "AVID"
    refs = [r.get("url") for r in report.get("references") or [] if r.get("type") == "source"]
    link = next(
        (u for u in refs if isinstance(u, str) and u.startswith(("http://", "https://"))), None
    )
    base = {
        "model_name": model,
        "date": report.get("reported_date"),
        "evaluator": evaluator,
        "url": link,
    }
    who = "" if credit else " The report credits no one; AVID published it."
    out: list[dict[str, Any]] = []
    inspect = _INSPECT.search(description)
    probe = _PROBE.search(description)
    for m in metrics:
        if "value" in m and inspect:
            out.append(
                base
                | {
                    "suite": f"inspect_evals/{inspect.group(1)}",
                    "metric": f"{m['scorer']}: {m['metrics']}",
                    "value": m["value"],
                    "note": f"Run with Inspect Evals; date is AVID's reported_date.{who}",
                }
            )
        for row in (m.get("results") or {}).get("rows", []) if probe else []:
            out.append(
                base
                | {
                    "suite": "garak",
                    "metric": f"{probe.group(1)} {row['detector']} pass rate",
                    "value": row["score"],
                    "unit": "%",
                    "note": (
                        f"passed {row['passed']} of {row['total_evaluated']} evaluated "
                        f"(garak probe {probe.group(1)}, detector {row['detector']}); "
                        f"date is AVID's reported_date.{who}"
                    ),
                }
            )
    if not out:
        return [], "no numeric measurement"
    return out, None


def convert(paths: list[Path], *, models: dict[str, str] | None = None) -> Conversion:
    """Read AVID report files (folders are searched for *.json) into one v1 document.

    `models` maps name_key(model name) → model_id for the names to link."""
    models = models or {}
    sources: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    conversion = Conversion(document={})
    for path in report_files(paths):
        try:
            report = loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise IngestError(path=path, reason=f"not valid JSON: {exc}") from None
        if not isinstance(report, dict) or report.get("data_type") != "AVID":
            conversion.skipped["not an AVID report"] += 1
            continue
        found, why = _results(report, path)
        if why:
            conversion.skipped[why] += 1
            continue
        report_id = report["metadata"]["report_id"]
        source = _source(report, report_id, path)
        sources.append(source)
        for item in found:
            item["source_id"] = source["id"]
            model_id = models.get(name_key(item["model_name"]))
            if model_id:
                item["model_id"] = model_id
            # Validate now, so a bad report is named here rather than at import.
            try:
                parsed = ResultIn.model_validate(item)
            except ValueError as exc:
                raise IngestError(path=path, reason=f"cannot convert: {exc}") from None
            results.append({"id": parsed.content_id(), **item})
        conversion.reports += 1
    conversion.document = {"format": FORMAT, "sources": sources, "results": results}
    return conversion


def to_json(document: dict[str, Any]) -> str:
    """The document with every value as the exact text AVID wrote (a decimal string)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def epoch_names(session: Any) -> dict[str, str]:
    """name_key(model name) → model id, for every AI model in the store."""
    from sqlalchemy import select

    from commonground.store.models import AIModel

    return {name_key(name): id for id, name in session.execute(select(AIModel.id, AIModel.name))}


class AvidEvaluationsImporter(Importer):
    """`commonground import avid-evals`: AVID's measured results, loaded with the rest."""

    name = "avid-evals"
    description = "Evaluation results in AVID's LLM Evaluation reports (Inspect Evals, garak)"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "avid-db" / "reports"

    def files(self, path: Path) -> list[Path]:
        return report_files([path])

    def load(self, ctx: ImportContext, path: Path) -> int:
        from commonground.ingest import evaluations

        ctx.start("AVID evaluation results", None)
        conversion = convert([path], models=epoch_names(ctx.session))
        document = evaluations.parse(conversion.document, path)
        evaluations.write(ctx.session, document, None)
        return len(document.results)
