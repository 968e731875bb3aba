"""Search on the real database (SQLite FTS5, or PostgreSQL tsvector): matching in both
scripts and languages, safety against query syntax, facets, filters, highlights, rank."""

from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from commonground.search import FACETS, rebuild, search
from commonground.search.models import SearchDocument
from commonground.store.models import Actor, Instrument, Provision, Source

# Records as in src/commonground/data/instruments (summaries shortened), plus Taiwan's
# draft AI Basic Act, written in traditional characters with the Taiwan term 人工智慧.
INSTRUMENTS = [
    dict(
        id="bletchley-declaration",
        type="declaration",
        legal_force="soft",
        jurisdiction="international",
        year=2023,
        origin="curated",
        name_en="The Bletchley Declaration by Countries Attending the AI Safety Summit, "
        "1-2 November 2023",
        name_zh="《布莱切利宣言》",
        short_name_en="Bletchley Declaration",
        short_name_zh="布莱切利宣言",
        summary_en="Countries attending the 2023 AI Safety Summit recognise that frontier AI "
        "brings great opportunities but also risks of serious, even catastrophic, harm.",
        summary_zh="出席2023年人工智能安全峰会的国家认识到，前沿人工智能既带来巨大机遇，"
        "也可能造成严重乃至灾难性的危害。",
    ),
    dict(
        id="ai-safety-summit-2023",
        type="summit",
        legal_force="none",
        jurisdiction="international",
        year=2023,
        origin="curated",
        name_en="AI Safety Summit 2023",
        name_zh="首届全球人工智能安全峰会",
        summary_en="Hosted by the UK on 1-2 November 2023. Its outcome, the Bletchley "
        "Declaration, was endorsed by 28 countries and the EU.",
        summary_zh="峰会成果《布莱切利宣言》由28个国家和欧盟认可，其中包括中国和美国。",
    ),
    dict(
        id="cn-global-ai-governance-initiative",
        type="initiative",
        legal_force="soft",
        jurisdiction="CHN",
        year=2023,
        origin="curated",
        name_en="Global AI Governance Initiative",
        name_zh="《全球人工智能治理倡议》",
        short_name_en="GAIGI",
        short_name_zh="全球人工智能治理倡议",
        summary_en="China's position on global AI governance, announced by President Xi "
        "Jinping on 18 October 2023.",
        summary_zh="中国关于全球人工智能治理的立场文件，主张以人为本、智能向善、发展与安全并重。",
    ),
    dict(
        id="tw-ai-basic-act",
        type="law",
        legal_force="binding",
        jurisdiction="TWN",
        year=2024,
        origin="curated",
        name_en="Artificial Intelligence Basic Act (draft)",
        name_zh="人工智慧基本法（草案）",
        summary_en="Draft published by the National Science and Technology Council.",
        # contains 全 and 安, 治 and 理 — but neither 安全 nor 治理
        summary_zh="國家科學及技術委員會預告的草案，以人為本推動人工智慧研發與應用，"
        "保障全民權益，使國人安心；其理念與法治原則一致。",
    ),
]
PROVISIONS = [
    dict(
        id="cn-global-ai-governance-initiative/p2",
        instrument_id="cn-global-ai-governance-initiative",
        position=2,
        kind="provision",
        label="2",
        title_en="Development and security",
        title_zh="发展和安全并重",
        text_en="Uphold a vision of common, comprehensive, cooperative and sustainable "
        "security, and put equal emphasis on development and security.",
        text_zh="坚持共同、综合、合作、可持续的安全观，坚持发展和安全并重的原则。",
    ),
    dict(
        id="bletchley-declaration/p1",
        instrument_id="bletchley-declaration",
        position=1,
        kind="provision",
        label="1",
        title_en=None,
        title_zh=None,
        text_en="Artificial Intelligence (AI) presents enormous global opportunities: "
        "it has the potential to transform and enhance human wellbeing, peace & prosperity.",
        text_zh="人工智能带来巨大的全球机遇：它有潜力改变和增进人类福祉、和平与繁荣。",
    ),
]
ACTORS = [
    dict(
        id="CHN", kind="state", name_en="China", name_zh="中国", iso_alpha3="CHN", origin="curated"
    ),
    dict(
        id="GBR",
        kind="state",
        name_en="United Kingdom",
        name_zh="英国",
        iso_alpha3="GBR",
        origin="curated",
    ),
]
ALL = len(INSTRUMENTS) + len(PROVISIONS) + len(ACTORS)


def _seed(store) -> None:
    with store.transaction() as s:
        s.add(Source(id="test-source", title="Test source", origin="test"))
        s.add_all(Instrument(**i) for i in INSTRUMENTS)
        s.add_all(Actor(**a) for a in ACTORS)
        s.flush()
        s.add_all(Provision(source_id="test-source", **p) for p in PROVISIONS)


@pytest.fixture
def indexed(store):
    _seed(store)
    assert rebuild(store) == ALL
    return store


def ids(results) -> set[str]:
    return {h.ref_id for h in results.hits}


def find(store, q, **kw) -> set[str]:
    results = search(store, q, limit=100, **kw)
    assert results.total == len(results.hits)
    return ids(results)


def test_rebuild_replaces_the_index(indexed):
    assert rebuild(indexed) == ALL
    with indexed.sessions() as s:
        assert s.scalar(select(func.count()).select_from(SearchDocument)) == ALL
    with indexed.transaction() as s:
        s.execute(delete(Provision))
    assert rebuild(indexed) == ALL - len(PROVISIONS)
    assert find(indexed, "并重") == {"cn-global-ai-governance-initiative"}


def test_simplified_finds_traditional_and_the_reverse(indexed):
    simplified = find(indexed, "人工智能")
    assert "tw-ai-basic-act" in simplified
    assert find(indexed, "人工智慧") == simplified
    assert simplified == {
        "bletchley-declaration",
        "ai-safety-summit-2023",
        "cn-global-ai-governance-initiative",
        "tw-ai-basic-act",
        "bletchley-declaration/p1",
    }
    assert find(indexed, "國人") == {"tw-ai-basic-act"}  # traditional query, traditional text
    assert find(indexed, "国人") == {"tw-ai-basic-act"}


def test_two_character_queries_find_exactly_the_documents_with_them(indexed):
    assert find(indexed, "治理") == {"cn-global-ai-governance-initiative"}
    assert find(indexed, "安全") == {
        "bletchley-declaration",
        "ai-safety-summit-2023",
        "cn-global-ai-governance-initiative",
        "cn-global-ai-governance-initiative/p2",
    }
    assert find(indexed, "英国") == {"GBR"}


def test_one_character_queries(indexed):
    assert find(indexed, "治") == {"cn-global-ai-governance-initiative", "tw-ai-basic-act"}
    # 议 ends the run 全球人工智能治理倡议
    assert find(indexed, "议") == {"cn-global-ai-governance-initiative"}
    assert find(indexed, "中") == {
        "CHN",
        "ai-safety-summit-2023",
        "cn-global-ai-governance-initiative",
    }


def test_english_is_stemmed(indexed):
    assert find(indexed, "governing") == {"cn-global-ai-governance-initiative"}
    assert find(indexed, "Securities") == {"cn-global-ai-governance-initiative/p2"}
    assert find(indexed, "catastrophe") == {"bletchley-declaration"}


def test_all_terms_must_match(indexed):
    assert find(indexed, "governance 安全") == {"cn-global-ai-governance-initiative"}
    assert find(indexed, "governance Bletchley") == set()
    assert find(indexed, "AI治理") == {"cn-global-ai-governance-initiative"}


@pytest.mark.parametrize(
    "q",
    [
        'AI" OR 1=1 --',
        "NEAR(",
        "*",
        '"',
        "'",
        "title_tok:ai",
        "AND",
        "OR",
        "NOT ai",
        "ai*",
        "^ai",
        "-ai",
        "(ai",
        "ai)",
        "'ai':*",
        "ai & !x | y",
        "\\",
        "ai <-> x",
        "{x}",
        "'; DROP TABLE search_document; --",
        "治 OR 理",
        "\x00",
    ],
)
def test_query_syntax_is_text_not_operators(indexed, q):
    results = search(indexed, q, limit=100)
    assert results.total < ALL
    assert len(results.hits) == results.total
    assert find(indexed, "英国") == {"GBR"}  # and the index is still there


def test_empty_query_finds_nothing(indexed):
    for q in ("", "   ", "。，！"):
        results = search(indexed, q)
        assert results.total == 0 and results.hits == []
        assert set(results.facets) == set(FACETS)


def test_facets_count_the_whole_result_set(indexed):
    results = search(indexed, "人工智能", limit=2)
    assert results.total == 5 and len(results.hits) == 2
    assert results.facets["kind"] == {"instrument": 4, "provision": 1}
    assert results.facets["jurisdiction"] == {"international": 3, "CHN": 1, "TWN": 1}
    assert results.facets["year"] == {"2023": 4, "2024": 1}
    assert results.facets["legal_force"] == {"soft": 3, "binding": 1, "none": 1}
    assert results.facets["type"] == {
        "declaration": 2,
        "initiative": 1,
        "law": 1,
        "summit": 1,
    }
    assert results.facets["origin"] == {"curated": 5}

    everything = search(indexed, "人工智能", limit=100)
    for facet in FACETS:
        counted = Counter(str(getattr(h, facet)) for h in everything.hits)
        assert results.facets[facet] == dict(counted), facet


def test_filters_narrow_results(indexed):
    assert find(indexed, "人工智能", filters={"jurisdiction": ["CHN"]}) == {
        "cn-global-ai-governance-initiative"
    }
    assert find(indexed, "安全", filters={"jurisdiction": ["CHN"]}) == {
        "cn-global-ai-governance-initiative",
        "cn-global-ai-governance-initiative/p2",
    }
    assert find(indexed, "人工智能", filters={"year": ["2024"]}) == {"tw-ai-basic-act"}
    assert find(indexed, "人工智能", filters={"year": ["not a year"]}) == set()
    assert find(indexed, "人工智能", filters={"type": ["law", "summit"]}) == {
        "tw-ai-basic-act",
        "ai-safety-summit-2023",
    }
    assert find(indexed, "安全", kinds=["provision"]) == {"cn-global-ai-governance-initiative/p2"}
    assert find(indexed, "china", kinds=["actor"]) == {"CHN"}
    narrowed = search(indexed, "安全", filters={"legal_force": ["soft"]})
    assert narrowed.facets["legal_force"] == {"soft": 3}
    assert narrowed.facets["kind"] == {"instrument": 2, "provision": 1}


def test_unknown_kinds_and_filters_are_refused(indexed):
    with pytest.raises(ValueError, match="unknown kind"):
        search(indexed, "ai", kinds=["treaty"])
    with pytest.raises(ValueError, match="unknown filter"):
        search(indexed, "ai", filters={"name_en; --": ["x"]})
    with pytest.raises(ValueError):
        search(indexed, "ai", limit=-1)


def test_hits_are_highlighted_and_escaped(indexed):
    [tw] = search(indexed, "人工智能", filters={"jurisdiction": ["TWN"]}).hits
    assert tw.title_zh == "人工智慧基本法（草案）"
    assert tw.title_zh_html == "<mark>人工智慧</mark>基本法（草案）"
    assert "<mark>人工智慧</mark>研發" in tw.snippet_zh

    [p] = search(indexed, "安全", kinds=["provision"]).hits
    assert p.instrument_id == "cn-global-ai-governance-initiative"
    assert p.snippet_zh.count("<mark>安全</mark>") == 2
    assert p.title_zh_html == "发展和<mark>安全</mark>并重"

    [b] = search(indexed, "prosperity").hits
    assert b.snippet_en.endswith("peace &amp; <mark>prosperity</mark>.")
    assert b.title_en == "1"  # no title: the label

    [g] = search(indexed, "governing", kinds=["instrument"]).hits
    assert g.title_en_html == "Global AI <mark>Governance</mark> Initiative"
    assert "global AI <mark>governance</mark>" in g.snippet_en


def test_a_title_match_ranks_above_a_body_only_match(indexed):
    results = search(indexed, "declaration")
    assert [h.ref_id for h in results.hits] == ["bletchley-declaration", "ai-safety-summit-2023"]
    assert results.hits[0].score > results.hits[1].score
    results = search(indexed, "布莱切利宣言")
    assert [h.ref_id for h in results.hits] == ["bletchley-declaration", "ai-safety-summit-2023"]


def test_paging(indexed):
    everything = [h.ref_id for h in search(indexed, "人工智能", limit=100).hits]
    paged = [
        h.ref_id
        for o in range(0, 5, 2)
        for h in search(indexed, "人工智能", limit=2, offset=o).hits
    ]
    assert paged == everything
    assert search(indexed, "人工智能", limit=0).hits == []
    assert search(indexed, "人工智能", limit=0).total == 5


ALPHABET = "治理安全人工智能國际合作"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(alphabet=ALPHABET, min_size=2, max_size=30), st.data())
def test_any_substring_finds_its_document(store, text, data):
    with store.transaction() as s:
        s.execute(delete(Instrument))
        s.add(Instrument(id="doc", name_en="Document", type="law", origin="test", summary_zh=text))
    rebuild(store)
    i = data.draw(st.integers(0, len(text) - 2), label="start")
    j = data.draw(st.integers(i + 2, len(text)), label="end")
    assert "doc" in ids(search(store, text[i:j]))
