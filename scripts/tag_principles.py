"""Regenerate the rule-made principle tags in data/mappings/cg-principle-tags.csv.

Usage: .venv/bin/python scripts/tag_principles.py [--check]

Reads the bundled instruments (summaries) and provisions (titles and texts), runs the keyword
rule of commonground.analysis.tagging, and rewrites the CSV: rows made by hand (or any method
other than `rule`) are kept as they are; rule rows are regenerated, keeping the review status a
person gave an earlier rule row for the same pair, and keeping reviewed or rejected rule rows
the rule no longer proposes. --check exits 1 when the file would change (for CI).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import yaml

from commonground.analysis.tagging import TEXT_TYPES, Text, rule_tags

DATA = Path(__file__).resolve().parent.parent / "src" / "commonground" / "data"
TAGS = DATA / "mappings" / "cg-principle-tags.csv"
COLUMNS = (
    "subject_id subject_type predicate object_id object_type justification confidence method "
    "author review_status source note"
).split()


def _texts() -> list[Text]:
    texts: list[Text] = []
    for path in sorted((DATA / "instruments").glob("*.yaml")):
        for rec in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if rec.get("type") not in TEXT_TYPES:
                continue
            summary = rec.get("summary") or {}
            texts.append(
                Text(
                    rec["id"],
                    "instrument",
                    rec["sources"][0],
                    {"summary_en": summary.get("en"), "summary_zh": summary.get("zh")},
                )
            )
    for path in sorted((DATA / "provisions").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        stack = list(doc.get("provisions") or [])
        while stack:
            node = stack.pop(0)
            title, text = node.get("title") or {}, node.get("text") or {}
            texts.append(
                Text(
                    node["id"],
                    "provision",
                    node["source"],
                    {
                        "title_en": title.get("en"),
                        "title_zh": title.get("zh"),
                        "text_en": text.get("en"),
                        "text_zh": text.get("zh"),
                    },
                )
            )
            stack[0:0] = node.get("children") or []
    return texts


def render(existing: list[dict[str, str]]) -> str:
    kept = [r for r in existing if r["method"] != "rule"]
    old_rule = {(r["subject_id"], r["object_id"]): r for r in existing if r["method"] == "rule"}
    skip = {(r["subject_id"], r["object_id"]) for r in kept if r["predicate"] == "cg:expresses"}
    rows = []
    proposed = set()
    for tag in rule_tags(_texts(), skip=skip):
        row = tag.row()
        previous = old_rule.get((tag.subject_id, tag.object_id))
        if previous and previous["review_status"] != "unreviewed":
            row = previous  # a person's decision (and note) stands
        rows.append(row)
        proposed.add((tag.subject_id, tag.object_id))
    # A person's decision on a rule row outlives the rule's change of mind.
    rows += [
        r for k, r in old_rule.items() if k not in proposed and r["review_status"] != "unreviewed"
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(kept + rows)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    with TAGS.open(encoding="utf-8", newline="") as fh:
        existing = list(csv.DictReader(fh))
    text = render(existing)
    current = TAGS.read_text(encoding="utf-8")
    if "--check" in argv:
        if text != current:
            print(f"{TAGS} is out of date: run scripts/tag_principles.py", file=sys.stderr)
            return 1
        return 0
    TAGS.write_text(text, encoding="utf-8")
    n_rule = sum(1 for line in csv.DictReader(io.StringIO(text)) if line["method"] == "rule")
    print(f"wrote {TAGS}: {n_rule} rule tags")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
