"""The consensus analysis on a small fixture whose answers are worked out by hand below."""

from __future__ import annotations

import json

import pytest

from commonground.analysis import consensus as con
from commonground.errors import NotFoundError
from commonground.store.models import (
    Actor,
    Instrument,
    InstrumentActor,
    Mapping,
    Participation,
    Provision,
    Source,
    Taxonomy,
    Term,
)

# Instruments: (id, type, jurisdiction, coverage, status)
INSTRUMENTS = [
    ("i-both", "declaration", "international", "complete", "adopted"),
    ("i-a-only-complete", "statement", "international", "complete", "adopted"),
    ("i-a-partial", "statement", "international", "partial", "adopted"),
    ("i-b-refused", "statement", "international", "complete", "adopted"),
    ("i-withdrew", "statement", "international", "complete", "adopted"),
    ("i-national-a", "action_plan", "AAA", None, "published"),
    ("i-sub-a", "law", "AA-XX", None, "in_force"),
    ("i-revoked", "regulation", "AAA", None, "revoked"),
    ("i-body", "body", "international", "complete", "established"),
]
PARTICIPATION = [
    ("i-both", "AAA", "signed"),
    ("i-both", "BBB", "endorsed"),
    ("i-a-only-complete", "AAA", "endorsed"),  # BBB has no row, list complete → left out
    ("i-a-partial", "AAA", "signed"),  # BBB has no row, list partial → unknown
    ("i-b-refused", "BBB", "signed"),
    ("i-b-refused", "AAA", "refused"),
    ("i-withdrew", "AAA", "co_sponsored"),
    ("i-withdrew", "BBB", "signed"),
    ("i-withdrew", "BBB", "withdrew"),  # withdrawal wins over the signature
    ("i-body", "AAA", "member"),
    ("i-body", "BBB", "member"),
]
ISSUERS = [
    ("i-national-a", "aaa-gov"),  # AAA's own government body → AAA issued it
    ("i-sub-a", "aaa-sub"),  # a subdivision's law → not AAA's
    ("i-revoked", "AAA"),  # revoked → listed apart, not counted
]
# Tags: (subject, subject type, principle, method, review status)
TAGS = [
    ("i-both", "instrument", "p1", "manual", "reviewed"),
    ("i-both/art-1", "provision", "p2", "rule", "unreviewed"),
    ("i-b-refused", "instrument", "p2", "manual", "unreviewed"),
    ("i-a-only-complete", "instrument", "p3", "manual", "unreviewed"),
    ("i-a-partial", "instrument", "p4", "rule", "rejected"),  # ignored
    ("i-sub-a", "instrument", "p4", "manual", "unreviewed"),  # not AAA's
    ("i-revoked", "instrument", "p4", "manual", "unreviewed"),  # revoked
    ("i-national-a", "instrument", "p5", "manual", "unreviewed"),
    ("i-body", "instrument", "p3", "rule", "unreviewed"),  # members do not endorse
]


@pytest.fixture
def fixture_store(store):
    with store.sessions() as s:
        s.add(Source(id="src", title="Test source", origin="test"))
        for actor_id, kind, parent in (
            ("AAA", "state", None),
            ("BBB", "state", None),
            ("aaa-gov", "government_body", "AAA"),
            ("aaa-sub", "government_body", "AAA"),
        ):
            s.add(
                Actor(
                    id=actor_id,
                    kind=kind,
                    name_en=actor_id,
                    name_zh=actor_id,
                    parent_id=parent,
                    origin="test",
                )
            )
        s.flush()
        for iid, itype, juris, coverage, status in INSTRUMENTS:
            s.add(
                Instrument(
                    id=iid,
                    name_en=iid,
                    name_zh=iid,
                    type=itype,
                    jurisdiction=juris,
                    coverage_participants=coverage,
                    status=status,
                    year=2024,
                    origin="test",
                )
            )
        s.flush()
        s.add(
            Provision(
                id="i-both/art-1",
                instrument_id="i-both",
                position=1,
                kind="provision",
                label="Article 1",
                source_id="src",
            )
        )
        for iid, actor, act in PARTICIPATION:
            s.add(Participation(instrument_id=iid, actor_id=actor, act=act, source_id="src"))
        for iid, actor in ISSUERS:
            s.add(InstrumentActor(instrument_id=iid, actor_id=actor, role="issuer"))
        s.add(Taxonomy(id="cg-principles", name_en="P", source_id="src", origin="test"))
        s.flush()
        for n in range(1, 6):
            s.add(
                Term(
                    id=f"cg-principles:p{n}",
                    taxonomy_id="cg-principles",
                    kind="principle",
                    code=f"P{n}",
                    name_en=f"Principle {n}",
                    name_zh=f"原则{n}",
                    position=n,
                )
            )
        for subject, stype, principle, method, status in TAGS:
            s.add(
                Mapping(
                    mapping_set="cg-principle-tags",
                    subject_id=subject,
                    subject_type=stype,
                    predicate="cg:expresses",
                    object_id=f"cg-principles:{principle}",
                    object_type="term",
                    justification="semapv:ManualMappingCuration",
                    method=method,
                    author="test",
                    review_status=status,
                    source_id="src",
                )
            )
        s.commit()
    return store


@pytest.fixture
def result(fixture_store):
    with fixture_store.sessions() as s:
        return con.consensus(s, "AAA", "BBB")


def _ids(rows):
    return [r.instrument_id for r in rows]


def test_principles_split_by_who_endorses_them(result):
    status = {p.term_id.split(":")[1]: p.status for p in result.principles}
    assert status == {"p1": "both", "p2": "both", "p3": "only_a", "p4": "neither", "p5": "only_a"}
    assert [p.term_id for p in result.only_b] == []


def test_evidence_carries_instrument_provision_method_and_review(result):
    p2 = next(p for p in result.principles if p.term_id == "cg-principles:p2")
    assert [
        (e.instrument_id, e.provision_id, e.method, e.review_status, e.machine)
        for e in p2.evidence_a
    ] == [("i-both", "i-both/art-1", "rule", "unreviewed", True)]
    assert [(e.instrument_id, e.method) for e in p2.evidence_b] == [
        ("i-b-refused", "manual"),
        ("i-both", "rule"),
    ]
    assert p2.machine_only_a and not p2.machine_only_b
    assert p2.shared_instruments == ["i-both"]
    p5 = next(p for p in result.principles if p.term_id == "cg-principles:p5")
    assert [(e.instrument_id, e.act) for e in p5.evidence_a] == [("i-national-a", "issuer")]


def test_instrument_lists(result):
    assert _ids(result.both_endorsed) == ["i-both"]
    assert _ids(result.both_took_part) == ["i-body"]
    assert [(r.instrument_id, r.b.state) for r in result.a_not_b] == [
        ("i-a-only-complete", "left_out"),
        ("i-a-partial", "unknown"),
        ("i-withdrew", "refused"),
    ]
    assert [(r.instrument_id, r.a.state, r.a.act) for r in result.b_not_a] == [
        ("i-b-refused", "refused", "refused")
    ]
    assert [(r.instrument_id, r.a.state, r.b.state) for r in result.ended] == [
        ("i-revoked", "ended", "not_applicable")
    ]


def test_the_analysis_is_symmetric(fixture_store):
    with fixture_store.sessions() as s:
        flipped = con.consensus(s, "BBB", "AAA")
    assert [p.term_id for p in flipped.only_b] == ["cg-principles:p3", "cg-principles:p5"]
    assert _ids(flipped.b_not_a) == ["i-a-only-complete", "i-a-partial", "i-withdrew"]


def test_json_and_chart_rows(result):
    data = con.as_dict(result)
    assert [p["term"] for p in data["principles"]["both"]] == [
        "cg-principles:p1",
        "cg-principles:p2",
    ]
    assert data["principles"]["neither"] == ["cg-principles:p4"]
    assert data["instruments"]["a_not_b"][0]["b"]["state"] == "left_out"
    rows = {(r["principle"], r["actor"]): r for r in con.coverage_rows(result)}
    assert rows[("cg-principles:p2", "AAA")]["instruments_machine_unreviewed"] == 1
    assert rows[("cg-principles:p2", "AAA")]["instruments_confirmed"] == 0
    assert rows[("cg-principles:p2", "BBB")]["instruments_confirmed"] == 1
    assert rows[("cg-principles:p2", "BBB")]["instruments"] == 2


def test_unknown_actor(fixture_store):
    with fixture_store.sessions() as s, pytest.raises(NotFoundError):
        con.consensus(s, "AAA", "ZZZ")


def test_cli_prints_tables_and_json(fixture_store, database_url):
    from typer.testing import CliRunner

    from commonground.cli import _register_groups, app

    _register_groups()
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["analyse", "consensus", "AAA", "BBB", "--format", "json", "--database-url", database_url],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [p["term"] for p in data["principles"]["only_a"]] == [
        "cg-principles:p3",
        "cg-principles:p5",
    ]
    assert data["principles"]["both"][1]["evidence_a"][0]["method"] == "rule"
    table = runner.invoke(
        app, ["analyse", "consensus", "AAA", "BBB", "--database-url", database_url]
    )
    assert table.exit_code == 0, table.output
    text = " ".join(table.output.split())
    assert "Principles both endorse" in text and "⚙ i-both" in text
    for word in ("rule,", "unreviewed]", "left out", "unknown (list", "REFUSED"):
        assert word in text
