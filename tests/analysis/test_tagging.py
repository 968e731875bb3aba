"""The keyword rule that proposes principle tags, and the CSV it writes."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from commonground.analysis.tagging import Text, match_principles, rule_tags

ROOT = Path(__file__).resolve().parents[2]


def _principles(text: str) -> list[str]:
    return [m.principle.split(":")[1] for m in match_principles(text)]


def test_english_and_chinese_keywords():
    assert _principles("AI should be human-centric, trustworthy and responsible.") == [
        "human-centred",
        "trustworthy",
    ]
    assert _principles("发展人工智能应坚持以人为本理念") == ["human-centred"]
    assert _principles("确保安全可控") == ["controllable"]
    assert _principles("protecting human rights and personal data") == ["privacy", "human-rights"]


def test_word_boundaries_and_reported_sentences_are_respected():
    assert _principles("a nontransparent process") == []
    assert _principles("Seed 002 reads it as human-centred. It is a plan.") == []
    assert _principles("清华学者认为其以人为本。") == []
    assert _principles("It is a plan. It is transparent.") == ["transparency"]
    assert match_principles(None) == []


def test_rule_tags_merge_fields_skip_manual_pairs_and_sort():
    texts = [
        Text(
            "b-inst",
            "instrument",
            "s1",
            {"summary_en": "transparent and trustworthy", "summary_zh": "透明"},
        ),
        Text("a-inst/p1", "provision", "s2", {"text_en": "privacy"}),
    ]
    tags = rule_tags(texts, skip={("b-inst", "cg-principles:trustworthy")})
    assert [(t.subject_id, t.object_id) for t in tags] == [
        ("a-inst/p1", "cg-principles:privacy"),
        ("b-inst", "cg-principles:transparency"),
    ]
    transparency = tags[1]
    assert [(m.field, m.keyword) for m in transparency.matches] == [
        ("summary_en", "transparent"),
        ("summary_zh", "透明"),
    ]
    row = transparency.row()
    assert row["method"] == "rule" and row["review_status"] == "unreviewed"
    assert row["predicate"] == "cg:expresses" and row["source"] == "s1"
    assert "summary_zh: '透明'" in row["note"]


def _script():
    spec = importlib.util.spec_from_file_location(
        "tag_principles", ROOT / "scripts" / "tag_principles.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_bundled_tag_file_is_what_the_script_writes():
    script = _script()
    with script.TAGS.open(encoding="utf-8", newline="") as fh:
        existing = list(csv.DictReader(fh))
    assert script.render(existing) == script.TAGS.read_text(encoding="utf-8")
    methods = {r["method"] for r in existing}
    assert methods == {"manual", "rule"}
    assert all(r["review_status"] != "reviewed" for r in existing if r["method"] == "rule")


def test_script_keeps_review_decisions(tmp_path):
    script = _script()
    with script.TAGS.open(encoding="utf-8", newline="") as fh:
        existing = list(csv.DictReader(fh))
    rule = next(r for r in existing if r["method"] == "rule" and r["review_status"] == "unreviewed")
    rule["review_status"] = "reviewed"
    rule["note"] = "checked by a person"
    out = list(csv.DictReader(script.render(existing).splitlines()))
    kept = next(
        r
        for r in out
        if (r["subject_id"], r["object_id"]) == (rule["subject_id"], rule["object_id"])
    )
    assert kept["review_status"] == "reviewed" and kept["note"] == "checked by a person"
