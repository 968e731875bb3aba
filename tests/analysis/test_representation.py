"""Representation analytics on small synthetic fixtures with hand-computed answers.

TEST FIXTURES: the states AAA, BBB, CCC, DDD, the territory TTT, the organisation
TEST-ORG, the people person-test-* and the instruments test-* below are invented
for these tests and exist only in each test's fresh database; they are not data.

Income histories (World Bank fiscal years):
    AAA  FY15 UM → FY23 H     (its group in 2015 differs from today's)
    BBB  FY15 L  → FY23 L     LDC and LLDC
    CCC  FY15 LM → FY23 UM    SIDS
    DDD  FY15 H  → FY23 H
    TTT  FY15 H  → FY23 H     a territory: not a UN member
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from typer.testing import CliRunner

from commonground.analysis import representation as rep
from commonground.errors import Error, NotFoundError
from commonground.store.models import (
    Actor,
    ActorFact,
    Instrument,
    InstrumentEvent,
    Participation,
    Source,
)

SOURCE = "test-fixture"
STATES = {
    # id: (name, region, subregion, ldc, lldc, sids, kind, un_member, {FY: group})
    "AAA": (
        "Alphaland",
        ("002", "Africa", "非洲"),
        ("202", "Sub-Saharan Africa", "撒哈拉以南非洲"),
        False,
        False,
        False,
        "state",
        True,
        {"FY15": "UM", "FY23": "H"},
    ),
    "BBB": (
        "Betaland",
        ("002", "Africa", "非洲"),
        ("202", "Sub-Saharan Africa", "撒哈拉以南非洲"),
        True,
        True,
        False,
        "state",
        True,
        {"FY15": "L", "FY23": "L"},
    ),
    "CCC": (
        "Gammaland",
        ("142", "Asia", "亚洲"),
        ("030", "Eastern Asia", "东亚"),
        False,
        False,
        True,
        "state",
        True,
        {"FY15": "LM", "FY23": "UM"},
    ),
    "DDD": (
        "Deltaland",
        ("150", "Europe", "欧洲"),
        ("155", "Western Europe", "西欧"),
        False,
        False,
        False,
        "state",
        True,
        {"FY15": "H", "FY23": "H"},
    ),
    "TTT": (
        "Territoryland",
        ("150", "Europe", "欧洲"),
        ("155", "Western Europe", "西欧"),
        False,
        False,
        False,
        "territory",
        False,
        {"FY15": "H", "FY23": "H"},
    ),
}
DECLARATION = "test-declaration-2015"
BODY = "test-body-2024"


def build_fixture(store) -> None:  # type: ignore[no-untyped-def]
    """Insert the synthetic test rows (see the module docstring) into a fresh database."""
    with store.sessions() as s, s.begin():
        s.add(Source(id=SOURCE, title="Synthetic test fixture (not data)", origin="test"))
        s.flush()
        for id, (name, region, sub, ldc, lldc, sids, kind, un, income) in STATES.items():
            s.add(
                Actor(
                    id=id,
                    kind=kind,
                    name_en=name,
                    name_zh=name + "国",
                    iso_alpha3=id,
                    m49_region_code=region[0],
                    m49_region_en=region[1],
                    m49_region_zh=region[2],
                    m49_subregion_code=sub[0],
                    m49_subregion_en=sub[1],
                    m49_subregion_zh=sub[2],
                    is_ldc=ldc,
                    is_lldc=lldc,
                    is_sids=sids,
                    un_member=un,
                    origin="test",
                )
            )
            for period, group in income.items():
                s.add(
                    ActorFact(
                        actor_id=id,
                        key="wb_income_group",
                        period=period,
                        value=group,
                        source_id=SOURCE,
                    )
                )
        s.add(Actor(id="TEST-ORG", kind="regional_org", name_en="Test Union", origin="test"))
        people = {
            "person-test-1": ("AAA", "stated"),
            "person-test-2": ("AAA", "from_role"),
            "person-test-3": ("BBB", "stated"),
            "person-test-4": (None, "not_stated"),
        }
        for id, (country, basis) in people.items():
            s.add(
                Actor(
                    id=id,
                    kind="individual",
                    name_en=id,
                    country=country,
                    country_basis=basis,
                    origin="test",
                )
            )
        s.add(
            Instrument(
                id=DECLARATION,
                name_en="Test declaration of 2015",
                name_zh="2015年测试宣言",
                type="declaration",
                year=2015,
                coverage_participants="complete",
                origin="test",
            )
        )
        s.add(
            Instrument(
                id=BODY,
                name_en="Test expert body of 2024",
                type="body",
                year=2024,
                coverage_participants="partial",
                coverage_expected=5,
                origin="test",
            )
        )
        s.flush()
        s.add(
            InstrumentEvent(
                instrument_id=DECLARATION,
                event="proposed",
                date=dt.date(2014, 9, 1),
                date_text="2014-09-01",
                source_id=SOURCE,
            )
        )
        s.add(
            InstrumentEvent(
                instrument_id=DECLARATION,
                event="adopted",
                date=dt.date(2015, 3, 1),
                date_text="2015-03-01",
                source_id=SOURCE,
            )
        )
        s.add(
            InstrumentEvent(
                instrument_id=BODY,
                event="established",
                date=dt.date(2024, 1, 15),
                date_text="2024-01-15",
                source_id=SOURCE,
            )
        )
        for actor, act in (
            ("AAA", "signed"),
            ("CCC", "signed"),
            ("DDD", "refused"),
            ("TTT", "endorsed"),
            ("TEST-ORG", "signed"),
        ):
            s.add(
                Participation(instrument_id=DECLARATION, actor_id=actor, act=act, source_id=SOURCE)
            )
        for person in people:
            s.add(
                Participation(instrument_id=BODY, actor_id=person, act="member", source_id=SOURCE)
            )


@pytest.fixture
def fixture_store(store):  # type: ignore[no-untyped-def]
    build_fixture(store)
    return store


def _shares(result, dimension):  # type: ignore[no-untyped-def]
    return {
        s.group: (s.participants, s.participant_share, s.reference, s.reference_share, s.ratio)
        for s in result.breakdowns[dimension].shares
    }


# -- one instrument ----------------------------------------------------------------------


def test_income_as_of_the_instruments_date_not_today(fixture_store):
    with fixture_store.sessions() as s:
        r = rep.analyse_instrument(s, DECLARATION)
    assert r.as_of == dt.date(2015, 3, 1) and r.date_basis == "adopted"
    assert (r.fiscal_year_wanted, r.fiscal_year_used, r.income_nearest) == ("FY15", "FY15", False)
    assert r.reference_size == 4 and r.counted == 2 and r.countries == ("AAA", "CCC")
    # In FY15 AAA was upper-middle income (high income today): 1 UM + 1 LM of 2.
    assert _shares(r, "income") == {
        "H": (0, 0.0, 1, 0.25, 0.0),
        "UM": (1, 0.5, 1, 0.25, 2.0),
        "LM": (1, 0.5, 1, 0.25, 2.0),
        "L": (0, 0.0, 1, 0.25, 0.0),
    }


def test_the_same_instrument_as_of_2023_uses_the_later_classification(fixture_store):
    with fixture_store.sessions() as s:
        r = rep.analyse_instrument(s, DECLARATION, as_of=dt.date(2023, 1, 1))
    assert r.date_basis == "given" and r.fiscal_year_used == "FY23"
    assert _shares(r, "income") == {
        "H": (1, 0.5, 2, 0.5, 1.0),  # AAA is high income by FY23
        "UM": (1, 0.5, 1, 0.25, 2.0),
        "L": (0, 0.0, 1, 0.25, 0.0),
    }


def test_who_is_counted_listed_or_left_out(fixture_store):
    with fixture_store.sessions() as s:
        r = rep.analyse_instrument(s, DECLARATION)
    via = {p.actor_id: p.via for p in r.participants}
    assert via == {
        "AAA": "state",
        "CCC": "state",
        "DDD": "not_party",  # refused: listed, not counted, still left out
        "TTT": "state",
        "TEST-ORG": "organisation",
    }
    assert [p.actor_id for p in r.outside_reference] == ["TTT"]  # not a UN member
    assert not next(p for p in r.participants if p.actor_id == "TTT").counted
    assert [c.id for c in r.left_out] == ["BBB", "DDD"]
    assert r.partial is False


def test_regions_subregions_and_status(fixture_store):
    with fixture_store.sessions() as s:
        r = rep.analyse_instrument(s, DECLARATION)
    assert _shares(r, "region") == {
        "002": (1, 0.5, 2, 0.5, 1.0),
        "142": (1, 0.5, 1, 0.25, 2.0),
        "150": (0, 0.0, 1, 0.25, 0.0),
    }
    assert _shares(r, "subregion")["030"] == (1, 0.5, 1, 0.25, 2.0)
    status = _shares(r, "status")
    assert status["sids"] == (1, 0.5, 1, 0.25, 2.0)
    assert status["ldc"] == (0, 0.0, 1, 0.25, 0.0)
    assert status["none"] == (1, 0.5, 2, 0.5, 1.0)  # AAA; DDD in the reference
    assert r.breakdowns["status"].exclusive is False


def test_all_economies_as_the_reference(fixture_store):
    with fixture_store.sessions() as s:
        r = rep.analyse_instrument(s, DECLARATION, reference="economies")
    assert r.reference_size == 5 and r.counted == 3  # TTT counts among economies
    assert _shares(r, "income")["H"] == (1, pytest.approx(1 / 3), 2, 0.4, pytest.approx(5 / 6))


def test_a_body_of_individuals_counts_nationalities_and_flags_a_partial_list(fixture_store):
    with fixture_store.sessions() as s:
        r = rep.analyse_instrument(s, BODY)
    assert r.partial and r.coverage_expected == 5 and r.individuals
    assert r.as_of == dt.date(2024, 1, 15) and r.date_basis == "established"
    # FY24 is wanted; the data ends in FY23, which is used and said to be the nearest.
    assert (r.fiscal_year_wanted, r.fiscal_year_used, r.income_nearest) == ("FY24", "FY23", True)
    assert r.counted == 3 and r.countries == ("AAA", "BBB")  # AAA twice: two members
    assert [p.actor_id for p in r.with_via("unknown")] == ["person-test-4"]
    bases = {p.actor_id: p.basis for p in r.participants}
    assert bases["person-test-2"] == "from_role"
    income = _shares(r, "income")
    assert income["H"] == (2, pytest.approx(2 / 3), 2, 0.5, pytest.approx(4 / 3))
    assert income["L"] == (1, pytest.approx(1 / 3), 1, 0.25, pytest.approx(4 / 3))
    assert _shares(r, "region")["002"] == (3, 1.0, 2, 0.5, 2.0)
    assert _shares(r, "status")["ldc"] == (1, pytest.approx(1 / 3), 1, 0.25, pytest.approx(4 / 3))
    assert [c.id for c in r.left_out] == ["DDD", "CCC"]  # Deltaland, Gammaland by name


def test_errors(fixture_store):
    with fixture_store.sessions() as s:
        with pytest.raises(NotFoundError):
            rep.analyse_instrument(s, "no-such-instrument")
        with pytest.raises(Error):
            rep.analyse_instrument(s, DECLARATION, reference="planet")
        with pytest.raises(Error):
            rep.analyse_group(s, [])


# -- a group of instruments ----------------------------------------------------------------


def test_party_to_none_some_and_all_and_the_matrix(fixture_store):
    with fixture_store.sessions() as s:
        g = rep.analyse_group(s, [DECLARATION, BODY])
    assert [c.id for c in g.all] == ["AAA"]
    assert [c.id for c in g.some] == ["BBB", "CCC"]  # Betaland, Gammaland
    assert [c.id for c in g.none] == ["DDD"]  # it refused: no participation counts
    assert g.partial == (BODY,)
    rows = {r.country.id: r for r in g.rows}
    assert set(rows) == {"AAA", "BBB", "CCC", "DDD", "TTT"}  # TTT: a participant outside
    assert rows["TTT"].in_reference is False
    assert rows["AAA"].cells[1] == rep.Cell(("member",), True, 2)
    assert rows["DDD"].cells[0] == rep.Cell(("refused",), False, 0)
    assert rows["DDD"].parties == 0 and rows["CCC"].cells[1] is None
    # The matrix uses the latest classification held: AAA is high income there.
    assert rows["AAA"].country.income == "H" and g.latest_period == "FY23"
    flat = {r["country"]: r for r in rep.matrix_rows(g)}
    assert flat["AAA"][BODY] == "member (2 nationals)"
    assert flat["DDD"][DECLARATION] == "refused" and flat["DDD"]["party_to"] == 0


def test_share_rows_and_json(fixture_store):
    with fixture_store.sessions() as s:
        g = rep.analyse_group(s, [DECLARATION, BODY])
    rows = rep.share_rows(g.instruments, "zh")
    um = next(
        r
        for r in rows
        if r["instrument"] == DECLARATION and r["dimension"] == "income" and r["group"] == "UM"
    )
    assert um["group_label"] == "中高收入" and um["instrument_label"] == "2015年测试宣言"
    assert (um["participants"], um["participant_base"], um["ratio"]) == (1, 2, 2.0)
    data = json.loads(json.dumps(rep.group_to_dict(g), default=str))
    assert data["counts"] == {"none": 1, "some": 2, "all": 1}
    body = data["instruments"][1]
    assert (
        body["partial"]
        and body["partial_warning"]
        and body["unknown_nationality"] == ["person-test-4"]
    )


# -- the command line --------------------------------------------------------------------


def test_cli_json_table_and_charts(fixture_store, database_url, tmp_path):
    from commonground.cli import app

    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "analyse",
            "representation",
            DECLARATION,
            BODY,
            "--format",
            "json",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["party_to_all"] == ["AAA"] and data["party_to_none"] == ["DDD"]
    decl = data["instruments"][0]
    assert decl["fiscal_year_used"] == "FY15"
    shares = {s["group"]: s for s in decl["breakdowns"]["income"]["shares"]}
    assert shares["UM"]["participants"] == 1 and shares["UM"]["ratio"] == 2.0

    result = runner.invoke(
        app,
        [
            "analyse",
            "representation",
            BODY,
            "--as-of",
            "2015-06-30",
            "--charts",
            str(tmp_path / "charts"),
            "--database-url",
            database_url,
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "PARTIAL LIST" in result.output
    assert "as of 2015-06-30 (given); income groups: World Bank FY15" in result.output
    assert re.search(r"Upper-middle income\s*│\s*2\s*│\s*66\.7%", result.output)  # AAA ×2 in FY15
    written = {p.name for p in (tmp_path / "charts").iterdir()}
    assert {"representation.csv", "representation-income.vl.json"} <= written
    spec = json.loads((tmp_path / "charts" / "representation-income.vl.json").read_text())
    assert spec["mark"]["type"] == "bar" and spec["width"] == 640

    bad = runner.invoke(
        app,
        [
            "analyse",
            "representation",
            DECLARATION,
            "--as-of",
            "soon",
            "--database-url",
            database_url,
        ],
    )
    assert bad.exit_code != 0


# -- the bundled dataset: the same numbers as the claim checks ------------------------------


def test_hlab_high_income_count_matches_the_claim_check(loaded_store):
    from commonground.analysis.claims import check_claims

    with loaded_store.sessions() as s:
        r = rep.analyse_instrument(s, "un-hlab-ai")
    assert r.partial, "the HLAB member list is partial and must say so"
    claim = next(c for c in check_claims(loaded_store) if c.id == "claim-009")
    high = int(re.search(r"high-income \(FY\d\d\): (\d+)", claim.ours).group(1))
    assert r.breakdowns["income"].get("H").participants == high
    unknown = len(r.with_via("unknown"))
    held = r.counted + unknown
    assert f"{held} of {r.coverage_expected} members held" in claim.ours
