"""Principle tags made by rule: a keyword rule over provision texts and instrument summaries.

The rule (`RULE_ID`) looks for a few unambiguous words that name a principle of the
`cg-principles` taxonomy in English or Chinese (以人为本 / human-centred / human-centric…)
and proposes a tag `instrument|provision cg:expresses cg-principles:<slug>`. Its output is
written to data/mappings/cg-principle-tags.csv by scripts/tag_principles.py with
`method: rule` and `review_status: unreviewed`, so that a person can review each row as
data (set `reviewed` or `rejected`); a pair already tagged by hand is never re-tagged.

Only instruments of a kind that states positions are read (not bodies, dialogues, summits
or reports, whose summaries describe them rather than state principles), and only their
own texts: a summary sentence that reports what a seed says is not the instrument's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

RULE_ID = "cg-principle-keywords-v1"
PREDICATE = "cg:expresses"
JUSTIFICATION = "semapv:LexicalMatching"
AUTHOR = "Common Ground (rule cg-principle-keywords-v1)"

# principle slug → (English patterns, Chinese substrings). English patterns are
# case-insensitive regular expressions matched on word boundaries.
KEYWORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "human-centred": (
        (r"human[- ]cent(?:red|ered|ric)", r"people[- ]cent(?:red|ered|ric)"),
        ("以人为本",),
    ),
    "ai-for-good": ((r"AI for good", r"for good and for all"), ("智能向善", "向善为民")),
    "trustworthy": ((r"trustworthy",), ("值得信赖", "可信")),
    "transparency": ((r"transparen(?:t|cy)", r"explainab(?:le|ility)"), ("透明", "可解释")),
    "privacy": ((r"privacy", r"personal data"), ("隐私", "个人数据", "个人信息")),
    "human-rights": ((r"human rights",), ("人权",)),
    "controllable": ((r"controllab(?:le|ility)",), ("可控",)),
    "accountability": ((r"accountab(?:le|ility)",), ("问责",)),
    "non-discrimination": ((r"non-discriminat\w*", r"discriminat\w*"), ("歧视",)),
}
# Instrument types whose summaries state what the instrument says.
TEXT_TYPES = frozenset(
    "law regulation standard declaration statement commitment resolution action_plan "
    "framework treaty guidelines recommendation principles initiative memorandum".split()
)
# Sentences that report a seed's or a scholar's reading, not the instrument's words.
_REPORTED = re.compile(r"\bseeds? \d{3}\b|\bseed\b|学者|种子文献|据.{0,12}介绍", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?。！？；;])\s*")
_COMPILED = {
    slug: tuple(re.compile(rf"\b{p}\b", re.IGNORECASE) for p in english)
    for slug, (english, _zh) in KEYWORDS.items()
}


@dataclass(frozen=True)
class Match:
    principle: str  # cg-principles term id
    keyword: str  # the text that matched
    field: str  # e.g. "summary_en", "text_zh", "title_zh"


@dataclass(frozen=True)
class Text:
    """One text to tag: an instrument or a provision, with its texts by field name."""

    subject_id: str
    subject_type: str  # instrument | provision
    source: str
    fields: dict[str, str | None]


@dataclass(frozen=True)
class RuleTag:
    subject_id: str
    subject_type: str
    object_id: str
    source: str
    matches: tuple[Match, ...]

    def row(self) -> dict[str, str]:
        found = "; ".join(f"{m.field}: '{m.keyword}'" for m in self.matches)
        return {
            "subject_id": self.subject_id,
            "subject_type": self.subject_type,
            "predicate": PREDICATE,
            "object_id": self.object_id,
            "object_type": "term",
            "justification": JUSTIFICATION,
            "confidence": "",
            "method": "rule",
            "author": AUTHOR,
            "review_status": "unreviewed",
            "source": self.source,
            "note": f"rule {RULE_ID} matched {found}",
        }


def _own_sentences(text: str) -> Iterator[str]:
    for sentence in _SENTENCE.split(text):
        if sentence and not _REPORTED.search(sentence):
            yield sentence


def match_principles(text: str | None, field: str = "text") -> list[Match]:
    """Every principle the text names, with the first keyword that matched (in order of
    `KEYWORDS`). Sentences reporting a seed's or scholar's reading are skipped."""
    if not text:
        return []
    found: list[Match] = []
    sentences = list(_own_sentences(text))
    for slug, (_english, chinese) in KEYWORDS.items():
        hit = None
        for sentence in sentences:
            for pattern in _COMPILED[slug]:
                m = pattern.search(sentence)
                if m:
                    hit = m.group(0)
                    break
            if hit is None:
                hit = next((word for word in chinese if word in sentence), None)
            if hit:
                break
        if hit:
            found.append(Match(f"cg-principles:{slug}", hit, field))
    return found


def rule_tags(texts: Iterable[Text], *, skip: set[tuple[str, str]] = frozenset()) -> list[RuleTag]:  # type: ignore[assignment]
    """The rule's tags for these texts, one per (subject, principle); pairs in `skip`
    (already tagged by hand) are left out. Sorted by subject, then principle."""
    tags: dict[tuple[str, str], RuleTag] = {}
    for text in texts:
        for field, value in text.fields.items():
            for m in match_principles(value, field):
                key = (text.subject_id, m.principle)
                if key in skip:
                    continue
                old = tags.get(key)
                matches = (*old.matches, m) if old else (m,)
                tags[key] = RuleTag(
                    text.subject_id, text.subject_type, m.principle, text.source, matches
                )
    return [tags[k] for k in sorted(tags)]
