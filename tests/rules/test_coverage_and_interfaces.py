"""Coverage counts on a small fixture (hand-computed), the CLI and the web interfaces."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from commonground.rules.coverage import coverage, model_points, thresholds
from commonground.store.models import AIModel, Source

D = dt.date
# name, organisation(s), countries, date, compute, confidence
MODELS = [
    (
        "Big",
        "Org A,Org B",
        "United States of America,China",
        D(2024, 5, 1),
        2 * 10**26,
        "Confident",
    ),
    ("At EU line", "Org A", "United States of America", D(2024, 6, 1), 10**25, "Likely"),
    ("Above EU line", "Org C", "France", D(2023, 1, 1), 10**25 + 1, "Speculative"),
    ("Exactly US line", "Org D", "China", D(2025, 2, 1), 10**26, "Confident"),
    ("No estimate", "Org E", "Japan", D(2025, 3, 1), None, None),
    ("Small", "Org F", "Germany", D(2022, 1, 1), 10**22, "Confident"),
    ("GPAI-sized", "Org F", "Germany", D(2022, 2, 1), 10**23 + 1, "Unknown"),
]


@pytest.fixture
def fixture_store(store):
    with store.sessions() as session, session.begin():
        session.add(Source(id="epoch-test", title="Epoch test rows", origin="test"))
        session.flush()
        for i, (name, org, countries, date, compute, conf) in enumerate(MODELS):
            session.add(
                AIModel(
                    id=f"epoch:test-{i}",
                    name=name,
                    organization=org,
                    countries=countries,
                    publication_date=date,
                    training_compute_flop=compute,
                    confidence=conf,
                    accessibility="API access" if i % 2 else "Open weights (unrestricted)",
                    domain="Language",
                    task="Chat",
                    source_id="epoch-test",
                )
            )
    return store


def _line(report, regime, value):
    return next(line for line in report.lines if line.value == value and regime in line.regimes)


def test_coverage_counts_by_hand(fixture_store):
    with fixture_store.sessions() as session:
        points = model_points(session)
    report = coverage(points)
    assert (report.models, report.with_compute) == (7, 6)

    eu = _line(report, "eu-ai-act", 10**25)  # > 10^25: Big, Above, Exactly-US
    assert eu.all.models == 3
    assert eu.all.unknown == 1  # "No estimate" is unknown, never below
    assert eu.all.to_dict()["below"] == 3  # At EU line, Small, GPAI-sized
    assert eu.all.organisations == {"Org A", "Org B", "Org C", "Org D"}
    assert eu.all.countries == {"United States of America", "China", "France"}
    assert eu.all.low_confidence == 1  # Above EU line (Speculative)
    assert eu.by_year[2024].models == 1 and eu.by_year[2023].models == 1
    assert eu.by_year[2025].models == 1 and eu.by_year[2025].unknown == 1

    us = _line(report, "eo-14110", 10**26)  # > 10^26: only Big (Exactly US line is not above)
    assert us.all.models == 1 and us.all.organisations == {"Org A", "Org B"}
    kr = _line(report, "kr-ai-basic-act", 10**26)  # >= 10^26: Big and Exactly US line
    assert kr.op == ">=" and kr.all.models == 2

    gpai = _line(report, "eu-gpai-guidelines", 10**23)
    assert gpai.all.models == 5 and gpai.all.unknown == 1 and gpai.all.low_confidence == 2
    assert len(gpai.all.organisations) == 5

    claim = {d["key"]: d for d in report.seed_claim["data"]}
    assert claim["eu_systemic"]["organisations"] == 4
    assert claim["us_reporting"]["organisations"] == 2


def test_unknown_is_never_below(fixture_store):
    with fixture_store.sessions() as session:
        points = model_points(session)
    for line in coverage(points).lines:
        d = line.all.to_dict()
        assert d["unknown"] == 1
        assert d["models"] + d["below"] + d["unknown"] == d["total"] == 7


def test_thresholds_list_every_compute_line():
    values = {(t.regime, t.op, t.value) for t in thresholds()}
    assert ("eu-ai-act", ">", 10**25) in values
    assert ("eo-14110", ">", 10**26) in values
    assert ("kr-ai-basic-act", ">=", 10**26) in values
    assert ("eu-gpai-guidelines", ">", 10**23) in values


# -- CLI --------------------------------------------------------------------------------------


def _cli():
    from commonground.cli import app
    from commonground.cli.applies import applies

    if not any(c.name == "applies" for c in app.registered_commands):
        app.command("applies")(applies)
    return app


def test_cli_profile_json(tmp_path):
    from typer.testing import CliRunner

    path = tmp_path / "p.yaml"
    path.write_text(
        "name: P\ntraining_compute_flop: 10^26\njurisdictions: [EU]\nprovider_role: provider\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        _cli(), ["applies", "--profile", str(path), "--as-of", "2025-09-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_rule = {r["rule"]: r for r in rows}
    assert by_rule["eu-ai-act/gpai-systemic-risk-presumption"]["result"] == "applies"
    assert by_rule["eo-14110/sec-4-2-b-i-general"]["result"] == "not_applicable"
    assert set(rows[0]) >= {"regime", "rule", "result", "reason", "missing", "provision"}


def test_cli_model_and_coverage(fixture_store, database_url):
    from typer.testing import CliRunner

    runner = CliRunner()
    result = runner.invoke(
        _cli(),
        [
            "applies",
            "--model",
            "big",
            "--as-of",
            "2024-06-01",
            "--format",
            "jsonl",
            "--database-url",
            database_url,
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["rule"]: r["result"] for r in rows}["eo-14110/sec-4-2-b-i-general"] == "applies"
    result = runner.invoke(
        _cli(), ["applies", "--coverage", "--format", "json", "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["without_compute"] == 1


def test_cli_bad_profile_is_a_clear_error(tmp_path):
    from commonground.cli.applies import applies
    from commonground.errors import Error

    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ntraining_compute_flop: 1.0e+25\n", encoding="utf-8")
    with pytest.raises(Error, match="not a float"):
        applies(
            model=None,
            profile=path,
            as_of=None,
            jurisdiction=None,
            set_=None,
            regime=None,
            format="json",
            show_coverage=False,
            database_url=None,
        )


# -- web --------------------------------------------------------------------------------------


@pytest.fixture
def client(fixture_store):
    from fastapi.testclient import TestClient

    from commonground.config import Settings
    from commonground.web.app import create_app
    from commonground.web.routes import applies

    app = create_app(Settings(database_url="sqlite://"), store=fixture_store)
    if not any(getattr(r, "path", "") == "/{lang}/applies" for r in app.routes):
        app.router.routes[:0] = applies.router.routes
    with TestClient(app) as c:
        yield c


def test_applies_page(client):
    r = client.get("/en/applies", params={"model": "Big", "as_of": "2024-06-01"})
    assert r.status_code == 200
    assert "EO 14110 Sec. 4.2(b)(i)" in r.text and "Applies" in r.text
    r = client.get(
        "/zh/applies",
        params={
            "training_compute_flop": "10^25",
            "jurisdictions": "EU",
            "provider_role": "provider",
            "as_of": "2025-09-01",
        },
    )
    assert r.status_code == 200 and "不高于" in r.text
    assert client.get("/en/applies", params={"training_compute_flop": "1.5"}).status_code == 400


def test_thresholds_page(client):
    r = client.get("/en/thresholds")
    assert r.status_code == 200
    assert 'data-vega="thresholds-spec"' in r.text and "数百家公司" in r.text
    assert client.get("/zh-Hant/thresholds").status_code == 200


def test_applies_api(client):
    r = client.post(
        "/api/v1/applies",
        json={
            "profile": {
                "name": "x",
                "training_compute_flop": "10^26",
                "jurisdictions": ["US-CA"],
                "provider_role": "provider",
                "fine_tuning_compute_flop": 1,
                "developer_revenue_usd": 500_000_001,
            },
            "as_of": "2026-02-01",
        },
    )
    assert r.status_code == 200
    body = r.json()
    assert body["profile"]["training_compute_flop"] == str(10**26)
    by_rule = {x["rule"]: x for x in body["results"]}
    assert by_rule["us-ca-sb53/large-frontier-developer"]["result"] == "applies"
    assert (
        client.post("/api/v1/applies", json={"model": "Big", "as_of": "2024-06-01"}).status_code
        == 200
    )
    bad = client.post("/api/v1/applies", json={"profile": {"name": "x", "users": 1.5}})
    assert bad.status_code == 400 and "users" in bad.json()["error"]
    assert client.get("/api/v1/thresholds").json()["models"] == 7
