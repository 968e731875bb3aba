"""Search normalisation: folding, bigrams, stemming, query alternatives, highlighting."""

from hypothesis import given, settings
from hypothesis import strategies as st

from commonground.search.text import (
    QueryTerm,
    document_terms,
    document_tokens,
    highlight,
    index_text,
    query_alternatives,
    query_terms,
    snippet,
    to_simplified,
)


def _terms(q: str) -> list[list[str]]:
    return [[t.term + ("*" if t.prefix else "") for t in alt] for alt in query_alternatives(q)]


def test_traditional_and_taiwan_phrases_fold_to_simplified():
    assert to_simplified("人工智慧") == "人工智能"  # a Taiwan phrase, not a character pair
    assert to_simplified("人工智慧", phrases=False) == "人工智慧"
    assert to_simplified("《布萊切利宣言》") == "《布莱切利宣言》"
    assert to_simplified("全球人工智能治理倡议") == "全球人工智能治理倡议"  # simplified stays


def test_chinese_becomes_overlapping_bigrams_with_the_last_character_alone():
    assert document_terms("布莱切利宣言") == ["布莱", "莱切", "切利", "利宣", "宣言", "言"]
    assert document_terms("《治》") == ["治"]


def test_a_traditional_document_is_indexed_under_both_readings():
    terms = set(document_terms("人工智慧"))
    assert {"人工", "工智", "智能"} <= terms  # tw2sp: 人工智能
    assert "智慧" in terms  # t2s, character by character


def test_queries_become_bigrams_and_a_single_character_a_prefix():
    assert _terms("治理") == [["治理"]]
    assert _terms("人工智能") == [["人工", "工智", "智能"]]
    assert _terms("治") == [["治*"]]
    assert _terms("人工智慧") == [["人工", "工智", "智能"], ["人工", "工智", "智慧"]]
    assert _terms("AI治理") == [["ai", "治理"]]


def test_english_is_lower_cased_stemmed_and_stripped_of_diacritics():
    assert _terms("Governing") == [["govern"]]
    assert document_terms("AI governance, Governed") == ["ai", "govern", "govern"]
    assert document_terms("Café CAFÉ cafe\u0301") == ["cafe", "cafe", "cafe"]
    assert document_terms("ＡＩ　２０２３ G7") == ["ai", "2023", "g7"]  # NFKC: full width


def test_operators_and_punctuation_are_not_query_syntax():
    assert _terms('AI" OR 1=1 --') == [["ai", "or", "1"]]
    assert _terms("NEAR(") == [["near"]]
    assert _terms("*") == []
    assert _terms("") == []
    assert _terms("'\"):*&|!") == []


def test_tokens_point_back_into_the_original_text():
    text = "Ｔｈｅ 全球人工智慧治理"
    for token in document_tokens(text):
        assert token.start < token.head_end <= token.end <= len(text)
    [ai] = [t for t in document_tokens(text) if t.term == "智能"]
    assert text[ai.start : ai.end] == "智慧"


def test_highlight_wraps_matches_and_escapes_the_rest():
    assert highlight("全球人工智慧 <治理> & co", query_terms("人工智能")) == (
        "全球<mark>人工智慧</mark> &lt;治理&gt; &amp; co"
    )
    assert highlight("Global AI Governance", query_terms("governing")) == (
        "Global AI <mark>Governance</mark>"
    )
    # a one-character query marks that character only, not the bigram
    assert highlight("法治原则", [QueryTerm("治", prefix=True)]) == "法<mark>治</mark>原则"


def test_snippet_cuts_around_the_first_match():
    text = "lorem ipsum " * 30 + "frontier AI safety" + " dolor sit" * 30
    out = snippet(text, query_terms("frontier"), width=80)
    assert out.startswith("…") and out.endswith("…")
    assert "<mark>frontier</mark>" in out
    assert len(out) < 120


def test_index_text_is_space_separated_terms():
    assert index_text("AI", None, "治理") == "ai 治理 理"


CHARS = "治理安全人工智能慧國際合作全球"


@settings(max_examples=300)
@given(st.text(alphabet=CHARS, min_size=2, max_size=40), st.data())
def test_any_substring_of_two_or_more_characters_matches(text, data):
    i = data.draw(st.integers(0, len(text) - 2))
    j = data.draw(st.integers(i + 2, len(text)))
    doc = set(document_terms(text))
    alternatives = query_alternatives(text[i:j])
    assert any(all(t.term in doc for t in alt) for alt in alternatives)
