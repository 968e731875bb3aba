"""Text normalisation for search: one analysis for documents and queries.

Every text goes through the same steps:

1. NFKC and lower-case, character by character (so offsets into the original text
   survive for highlighting);
2. split into runs: CJK runs (Han, kana, Hangul, Bopomofo) and word runs (letters
   and digits); everything else separates;
3. a CJK run is folded to simplified Chinese with OpenCC in two ways — `tw2sp`
   (Taiwan phrases too, so 人工智慧 → 人工智能, 資訊 → 信息) and plain `t2s`
   (character by character) — and turned into overlapping character bigrams;
   a document also gets the run's last character on its own, so that a
   one-character query (a prefix query) finds a character at any position;
4. a word loses its diacritics and, if it is then plain ASCII letters, is stemmed
   with the Snowball English stemmer ("governing", "governance" → "govern").

A query becomes one or two alternatives (the `tw2sp` and the `t2s` reading, when
they differ), each a list of terms that must all match.
"""

from __future__ import annotations

import difflib
import html
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import opencc
import snowballstemmer

# CJK characters that are letters or numbers (kana marks, Kangxi radicals and CJK
# punctuation are left out: they separate).
_CJK_RANGES = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3021-\u3029"  # Hangzhou numerals
    "\u3041-\u3096\u309d-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # katakana
    "\u3105-\u312f\u31a0-\u31bf"  # Bopomofo
    "\u3131-\u318e"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs (+ extension A)
    "\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"  # Hangul
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U00020000-\U0003134f"  # extensions B–G
)
_RUN = re.compile(f"(?P<cjk>[{_CJK_RANGES}]+)|(?P<word>[^\\W_{_CJK_RANGES}]+)")
_HAS_CJK = re.compile(f"[{_CJK_RANGES}]")

_local = threading.local()


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str, *, phrases: bool = True) -> str:
    """Fold traditional Chinese to simplified: with Taiwan phrases (`tw2sp`) or not (`t2s`)."""
    return _converter("tw2sp" if phrases else "t2s").convert(text)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """Snowball English stem of a lower-case ASCII word (thread-safe, cached)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char).lower()


def _fold(text: str) -> tuple[str, list[int] | None]:
    """NFKC + lower-case, character by character; the map gives each folded character's
    original index (None: the identity, when every character folds to exactly one)."""
    if text.isascii():
        return text.lower(), None
    parts = list(map(_fold_char, text))
    folded = "".join(parts)
    if len(folded) == len(text) and set(map(len, parts)) == {1}:
        return folded, None
    return folded, [i for i, part in enumerate(parts) for _ in part]


@lru_cache(maxsize=100_000)
def _word_term(word: str) -> str:
    if not word.isascii():
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(c for c in decomposed if not unicodedata.combining(c))
        word = "".join(c for c in word if c.isalnum())
    if word.isascii() and word.isalpha():
        return stem(word)
    return word


def _align(src: str, dst: str) -> list[tuple[int, int]]:
    """For each character of `dst` (a conversion of `src`), the range of `src` it came from."""
    if len(src) == len(dst):
        return [(i, i + 1) for i in range(len(dst))]
    spans: list[tuple[int, int]] = []
    matcher = difflib.SequenceMatcher(None, src, dst, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            spans.extend((i1 + k, i1 + k + 1) for k in range(j2 - j1))
        elif tag in ("replace", "insert"):
            span = (i1, i2) if i2 > i1 else (max(i1 - 1, 0), max(i1, 1))
            spans.extend([span] * (j2 - j1))
    return spans


@dataclass(frozen=True, slots=True)
class Token:
    """An index term and where it comes from in the original text.

    `head_end` ends the token's first character: a one-character (prefix) query
    that matches a bigram highlights only that character.
    """

    term: str
    start: int
    end: int
    head_end: int


@dataclass(frozen=True, slots=True)
class QueryTerm:
    term: str
    prefix: bool = False


Alternative = tuple[QueryTerm, ...]


Run = tuple[str, str, int, int]  # kind ("cjk" or "word"), folded run, start, end


def _runs(text: str, *, cjk: bool = True) -> tuple[list[Run], list[list[str]], list[int] | None]:
    """The text's runs (offsets into the folded text), the simplified readings of each
    CJK run (see `_readings`; with `cjk=False` the CJK runs are left out), and the
    folded→original offset map."""
    folded, where = _fold(text)
    runs = [
        (m.lastgroup or "", folded[a:b], a, b)
        for m in _RUN.finditer(folded)
        for a, b in (m.span(),)
    ]
    if not cjk:
        return [r for r in runs if r[0] == "word"], [], where
    return runs, _readings([r[1] for r in runs if r[0] == "cjk"]), where


def _readings(runs: list[str]) -> list[list[str]]:
    """Per CJK run its simplified readings: with Taiwan phrases (`tw2sp`), then plain
    `t2s` when that differs. One OpenCC call per reading for all the runs together."""
    if not runs:
        return []
    joined = "\n".join(runs)  # no phrase spans a line break
    phrased = to_simplified(joined, phrases=True).split("\n")
    plain = to_simplified(joined, phrases=False).split("\n")
    if len(phrased) != len(runs) or len(plain) != len(runs):  # pragma: no cover - defensive
        phrased = [to_simplified(r, phrases=True) for r in runs]
        plain = [to_simplified(r, phrases=False) for r in runs]
    return [[a] if a == b else [a, b] for a, b in zip(phrased, plain, strict=True)]


def _orig(where: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """Original [start, end) of the folded range [start, end)."""
    if where is None:
        return start, end
    return where[start], where[end - 1] + 1


def _grams(form: str, *, tail: bool) -> list[str]:
    """Overlapping bigrams of `form`; a one-character form alone; with `tail`, the last
    character alone too. Gram i starts at character i."""
    if len(form) == 1:
        return [form]
    grams = [form[i : i + 2] for i in range(len(form) - 1)]
    if tail:
        grams.append(form[-1])
    return grams


def _document_grams(forms: list[str]) -> list[tuple[int, int, str]]:
    """(reading, gram index, term) for a CJK run: all grams of the first reading, and
    those of the second that differ from the first's at the same place."""
    first = _grams(forms[0], tail=True)
    out = [(0, i, term) for i, term in enumerate(first)]
    if len(forms) > 1:
        taken = set(enumerate(first))
        out.extend(
            (1, i, term)
            for i, term in enumerate(_grams(forms[1], tail=True))
            if (i, term) not in taken
        )
    return out


def document_terms(text: str | None) -> list[str]:
    """Index terms of a document text, in order (the same as `document_tokens`')."""
    if not text:
        return []
    runs, readings, _where = _runs(text)
    terms: list[str] = []
    cjk = iter(readings)
    for kind, run, _start, _end in runs:
        if kind == "word":
            term = _word_term(run)
            if term:
                terms.append(term)
        else:
            terms.extend(term for _r, _i, term in _document_grams(next(cjk)))
    return terms


def document_tokens(text: str | None) -> list[Token]:
    """Index tokens of a document text, with their offsets in the original text."""
    if not text:
        return []
    runs, readings, where = _runs(text)
    tokens: list[Token] = []
    cjk = iter(readings)
    for kind, run, start, end in runs:
        if kind == "word":
            term = _word_term(run)
            if term:
                s, e = _orig(where, start, end)
                tokens.append(Token(term, s, e, e))
            continue
        forms = next(cjk)
        spans = [_align(run, form) for form in forms]
        for r, i, term in _document_grams(forms):
            first = spans[r][i]
            last = spans[r][i + len(term) - 1] if len(term) > 1 else first
            s = _orig(where, start + first[0], start + first[1])
            e = _orig(where, start + last[0], start + last[1])
            tokens.append(Token(term, s[0], e[1], s[1]))
    return tokens


def index_text(*texts: str | None) -> str:
    """The space-separated index terms of some texts, for the full-text index."""
    return " ".join(term for text in texts for term in document_terms(text))


def query_alternatives(query: str | None) -> list[Alternative]:
    """A query as alternatives (any may match), each a tuple of terms (all must match).

    A CJK run of n ≥ 2 characters becomes its n−1 bigrams, of one character a prefix
    term; there are two alternatives when the `tw2sp` and `t2s` readings differ.
    No terms at all (an empty query, or only punctuation and operators): [].
    """
    if not query:
        return []
    readings: list[list[QueryTerm]] = [[], []]
    runs, cjk_readings, _where = _runs(query)
    cjk = iter(cjk_readings)
    for kind, run, _start, _end in runs:
        if kind == "word":
            term = _word_term(run)
            if term:
                for reading in readings:
                    reading.append(QueryTerm(term))
            continue
        forms = next(cjk)
        for reading, form in zip(readings, (forms[0], forms[-1]), strict=True):
            if len(form) == 1:
                reading.append(QueryTerm(form, prefix=True))
            else:
                reading.extend(QueryTerm(t) for t in _grams(form, tail=False))
    alternatives: list[Alternative] = []
    for reading in readings:
        alternative = tuple(dict.fromkeys(reading))
        if alternative and alternative not in alternatives:
            alternatives.append(alternative)
    return alternatives


def query_terms(query: str | None) -> list[QueryTerm]:
    """All distinct terms of a query's alternatives (for highlighting)."""
    return list(dict.fromkeys(t for alt in query_alternatives(query) for t in alt))


# -- highlighting -----------------------------------------------------------------


def match_spans(text: str | None, terms: Iterable[QueryTerm]) -> list[tuple[int, int]]:
    """Merged, sorted [start, end) ranges of `text` that match any of the query terms."""
    if not text:
        return []
    exact = {t.term for t in terms if not t.prefix}
    prefixes = tuple({t.term for t in terms if t.prefix})
    if not exact and not prefixes:
        return []
    # document_tokens(), but building offsets only for the tokens that match
    spans: list[tuple[int, int]] = []
    want_cjk = bool(prefixes) or any(has_cjk(term) for term in exact)
    runs, readings, where = _runs(text, cjk=want_cjk)
    cjk = iter(readings)
    for kind, run, start, end in runs:
        if kind == "word":
            if _word_term(run) in exact:
                spans.append(_orig(where, start, end))
            continue
        forms = next(cjk)
        aligned: dict[int, list[tuple[int, int]]] = {}
        for r, i, term in _document_grams(forms):
            if term in exact:
                width = len(term)
            elif prefixes and term.startswith(prefixes):
                width = 1  # a prefix query marks the first character only
            else:
                continue
            if r not in aligned:
                aligned[r] = _align(run, forms[r])
            first, last = aligned[r][i], aligned[r][i + width - 1]
            s = _orig(where, start + first[0], start + first[1])
            e = _orig(where, start + last[0], start + last[1])
            spans.append((s[0], e[1]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: Sequence[tuple[int, int]], lo: int, hi: int) -> str:
    parts: list[str] = []
    at = lo
    for start, end in spans:
        start, end = max(start, lo), min(end, hi)
        if start >= end:
            continue
        parts.append(html.escape(text[at:start]))
        parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        at = end
    parts.append(html.escape(text[at:hi]))
    return "".join(parts)


def highlight(text: str | None, terms: Iterable[QueryTerm]) -> str:
    """The whole text, HTML-escaped, with matches wrapped in <mark>…</mark>."""
    if not text:
        return ""
    return _render(text, match_spans(text, terms), 0, len(text))


def snippet(text: str | None, terms: Iterable[QueryTerm], *, width: int = 160) -> str:
    """An excerpt of about `width` characters around the first match, HTML-escaped with
    matches in <mark>…</mark> and "…" where the text was cut; the start if no match."""
    if not text:
        return ""
    spans = match_spans(text, terms)
    if len(text) <= width:
        return _render(text, spans, 0, len(text))
    first = spans[0][0] if spans else 0
    lo = max(0, first - width // 4)
    if lo > 0:
        # start at a word boundary when there is one close by
        space = text.rfind(" ", max(0, lo - 15), first)
        if space != -1:
            lo = space + 1
    hi = min(len(text), lo + width)
    if hi < len(text):
        space = text.rfind(" ", hi - 15, hi)
        if space > first:
            hi = space
    body = _render(text, spans, lo, hi)
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def has_cjk(text: str) -> bool:
    return _HAS_CJK.search(text) is not None
