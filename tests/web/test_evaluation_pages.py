"""Evaluation pages, the editors' form and the API, in every language."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.ingest import evaluations as fmt
from commonground.ingest.base import run_import
from commonground.ingest.evaluations import EvaluationsImporter
from commonground.web.app import create_app
from tests.auth_helpers import auth_header, login, make_account, make_token
from tests.evaluations_helpers import COMMITMENT, MODEL_A, VALID, counts, rows, seed


@pytest.fixture
def client(store):
    seed(store)
    run_import(store, EvaluationsImporter(None), VALID)
    make_account(store, "eve", roles=("editor",))
    make_account(store, "vic", roles=("viewer",))
    app = create_app(Settings(database_url="sqlite://"), store=store)
    with TestClient(app) as client:
        client.store = store  # type: ignore[attr-defined]
        yield client


ONE = {
    "model_id": MODEL_A,
    "model_name": "Test Model A",
    "suite": "test-suite-2",
    "metric": "pass rate",
    "value": 0.10000000000000000001,
    "date": "2025-03-01",
    "evaluator": "Third Test Evaluator",
}


@pytest.mark.parametrize(
    ("lang", "title", "crossed"),
    [
        ("en", "Evaluation results", "crossed"),
        ("zh", "评估结果", "已越过"),
        ("zh-Hant", "評估結果", "已越過"),
    ],
)
def test_list_page_shows_results_in_each_language(client, lang, title, crossed):
    page = client.get(f"/{lang}/evaluations")
    assert page.status_code == 200
    assert title in page.text and crossed in page.text
    assert "12345678901234567890.123456789" in page.text
    assert page.text.count("<tr>") == 1 + 3  # the header and three results
    assert f'href="/{lang}/evaluations"' in page.text  # the nav item


def test_list_page_filters_by_threshold_crossed_and_evaluator(client):
    page = client.get("/en/evaluations?threshold_crossed=true")
    assert "0.81" in page.text and "0.7340" not in page.text
    page = client.get("/en/evaluations?evaluator=Test+Evaluator")
    assert "0.7340" in page.text and "0.81" not in page.text


def test_model_page_is_a_table_of_suites_by_evaluators(client):
    page = client.get(f"/en/models/{MODEL_A}/evaluations")
    assert page.status_code == 200
    html = page.text
    head = html.split("<thead>")[1].split("</thead>")[0]
    assert head.index("Second Test Evaluator") < head.index(">Test Evaluator<")
    assert "0.7340" in html and "0.81" in html and "test threshold T1" in html
    assert "evaluations-spec" in html  # two evaluators: the chart is drawn
    spec = json.loads(html.split('id="evaluations-spec">')[1].split("</script>")[0])
    assert sorted(v["value"] for v in spec["data"]["values"]) == ["0.7340", "0.81"]
    zh = client.get(f"/zh/models/{MODEL_A}/evaluations")
    assert "评估" in zh.text


def test_unknown_model_and_result_are_404(client):
    assert client.get("/en/models/test:nothing/evaluations").status_code == 404
    assert client.get("/en/evaluations/CG:E-nothing").status_code == 404
    assert client.get("/api/v1/models/test:nothing/evaluations").status_code == 404


def test_detail_page_links_commitment_and_source(client):
    page = client.get("/en/evaluations/CG:E-test-unlinked")
    assert page.status_code == 200
    assert "unresolved model" in page.text
    listing = client.get("/api/v1/evaluations?threshold_crossed=true").json()
    rid = listing["items"][0]["id"]
    detail = client.get(f"/en/evaluations/{rid}")
    assert "Test commitment I" in detail.text and "Test Evaluator report" in detail.text


def test_downloads_are_csv_rows_and_a_v1_document(client):
    text = client.get("/en/evaluations.csv?evaluator=Test+Evaluator").text
    table = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["value"] for r in table) == ["0.7340", "12345678901234567890.123456789"]
    assert list(table[0]) == list(fmt.FIELDS)
    doc = client.get("/en/evaluations.json").json()
    assert doc["format"] == fmt.FORMAT and len(doc["results"]) == 3
    model_doc = client.get(f"/en/models/{MODEL_A}/evaluations.json").json()
    assert {r["value"] for r in model_doc["results"]} == {"0.7340", "0.81"}
    api_doc = client.get("/api/v1/evaluations.json?threshold_crossed=false").json()
    assert api_doc["results"] == []
    api_csv = client.get("/api/v1/evaluations?format=csv&threshold_crossed=true")
    assert api_csv.headers["content-type"].startswith("text/csv")
    assert [r["value"] for r in csv.DictReader(io.StringIO(api_csv.text))] == ["0.81"]
    assert client.get("/en/evaluations.xml").status_code == 404


def test_api_list_pages_with_a_cursor_and_link_header(client):
    first = client.get("/api/v1/evaluations?limit=2")
    body = first.json()
    assert body["total"] == 3 and len(body["items"]) == 2
    assert 'rel="next"' in first.headers["link"]
    second = client.get("/api/v1/evaluations", params={"limit": 2, "cursor": body["next"]}).json()
    ids = [i["id"] for i in body["items"]] + [i["id"] for i in second["items"]]
    assert len(set(ids)) == 3 and second["next"] is None
    unlinked = next(i for i in body["items"] + second["items"] if i["model_id"] is None)
    assert (
        unlinked["model_resolved"] is False
        and unlinked["value"] == "12345678901234567890.123456789"
    )
    assert client.get("/api/v1/evaluations?cursor=garbage").status_code == 400


def test_api_model_view(client):
    body = client.get(f"/api/v1/models/{MODEL_A}/evaluations").json()
    assert body["evaluators"] == ["Second Test Evaluator", "Test Evaluator"]
    assert body["thresholds_crossed"] == 1 and body["total"] == 2
    cells = {
        c["evaluator"]: [r["value"] for r in c["results"]] for c in body["measures"][0]["cells"]
    }
    assert cells == {"Second Test Evaluator": ["0.81"], "Test Evaluator": ["0.7340"]}


def test_api_post_needs_an_editor(client):
    raw = json.dumps(ONE).replace('"value": 0.1', '"value": 0.10000000000000000001')
    assert client.post("/api/v1/evaluations", content=raw).status_code == 401
    viewer = auth_header(make_token(client.store, "vic", scopes=("read", "write")))
    assert client.post("/api/v1/evaluations", content=raw, headers=viewer).status_code == 403
    read_only = auth_header(make_token(client.store, "eve", scopes=("read",)))
    assert client.post("/api/v1/evaluations", content=raw, headers=read_only).status_code == 403
    assert counts(client.store)["results"] == 3


def test_api_post_one_result_keeps_the_number_exact(client):
    headers = auth_header(make_token(client.store, "eve"))
    raw = (
        '{"model_id": "test:model-a", "model_name": "Test Model A", "suite": "test-suite-2",'
        ' "metric": "pass rate", "value": 0.10000000000000000001, "date": "2025-03-01",'
        ' "evaluator": "Third Test Evaluator"}'
    )
    response = client.post("/api/v1/evaluations", content=raw, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    added = response.json()["added"]
    assert len(added) == 1
    got = client.get(f"/api/v1/evaluations/{added[0]}").json()
    assert got["value"] == "0.10000000000000000001"
    again = client.post("/api/v1/evaluations", content=raw, headers=headers).json()
    assert again == {"ok": True, "added": [], "unchanged": 1}
    assert counts(client.store)["results"] == 4
    assert counts(client.store)["audit"] == 1


def test_api_post_a_v1_document_all_or_nothing(client):
    headers = auth_header(make_token(client.store, "eve"))
    good = dict(ONE, value="1.5")
    bad = dict(ONE, metric="other", date="2999-01-01")
    doc = {"format": fmt.FORMAT, "results": [good, bad]}
    before = rows(client.store)
    response = client.post("/api/v1/evaluations", content=json.dumps(doc), headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["record"] == 2 and body["field"] == "date"
    assert "in the future" in body["error"]
    assert rows(client.store) == before
    for bad_body, reason in (
        ("{oops", "not valid JSON"),
        ('{"format": "x", "results": []}', '"format" must be'),
        (json.dumps(dict(ONE, commitment_id="test-commitments")), "no such provision"),
        (json.dumps(dict(ONE, url="javascript:alert(1)")), "http"),
    ):
        response = client.post("/api/v1/evaluations", content=bad_body, headers=headers)
        assert response.status_code == 400 and reason in response.json()["error"], bad_body
    assert rows(client.store) == before
    doc = {"format": fmt.FORMAT, "results": [good, dict(good, metric="second")]}
    response = client.post("/api/v1/evaluations", content=json.dumps(doc), headers=headers)
    assert response.status_code == 201 and len(response.json()["added"]) == 2


def test_form_needs_an_editor_and_is_never_cached(client):
    assert client.get("/en/evaluations/new").status_code == 401
    login(client, "vic")
    assert client.get("/en/evaluations/new").status_code == 403


def test_form_adds_a_result_with_csrf(client):
    csrf = login(client, "eve")
    page = client.get("/zh/evaluations/new")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert 'name="csrf_token"' in page.text and "添加评估结果" in page.text
    assert COMMITMENT in page.text
    form = {
        "model_id": MODEL_A,
        "suite": "test-suite-3",
        "metric": "accuracy",
        "value": "0.25",
        "date": "2025-04-01",
        "evaluator": "Form Test Evaluator",
        "threshold": "test threshold T2",
        "threshold_crossed": "no",
        "commitment_id": COMMITMENT,
    }
    no_csrf = client.post("/en/evaluations/new", data=form, follow_redirects=False)
    assert no_csrf.status_code == 403
    assert counts(client.store)["results"] == 3
    done = client.post(
        "/en/evaluations/new", data={**form, "csrf_token": csrf}, follow_redirects=False
    )
    assert done.status_code == 303
    target = done.headers["location"]
    shown = client.get(target)
    assert "Test Model A" in shown.text and "0.25" in shown.text and "not crossed" in shown.text
    assert counts(client.store) == {"results": 4, "sources": 1, "audit": 1}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", "0,25", "decimal number"),
        ("date", "2999-01-01", "in the future"),
        ("url", "ftp://example.org", "http"),
        ("model_id", "test:nope", "no such model"),
        ("threshold_crossed", "yes", "needs a threshold"),
    ],
)
def test_form_errors_are_shown_and_change_nothing(client, field, value, message):
    csrf = login(client, "eve")
    form = {
        "model_name": "Form Model",
        "suite": "test-suite-3",
        "metric": "accuracy",
        "value": "0.25",
        "date": "2025-04-01",
        "evaluator": "Form Test Evaluator",
        "csrf_token": csrf,
        field: value,
    }
    response = client.post("/en/evaluations/new", data=form, follow_redirects=False)
    assert response.status_code == 400
    assert message in response.text
    assert response.headers["cache-control"] == "no-store"
    assert 'value="Form Test Evaluator"' in response.text  # the editor's input is kept
    assert counts(client.store)["results"] == 3


def test_nul_characters_are_a_bad_request_not_a_database_error(client):
    assert client.get("/en/evaluations?suite=%00").status_code == 400
    assert client.get("/api/v1/evaluations?evaluator=a%00b").status_code == 400


@pytest.mark.slow
def test_evaluation_api_conforms_to_its_openapi_document(client):
    from tests.fuzz import fuzz, operations

    ops = operations(client.app, lambda path: "evaluations" in path)
    assert sorted(o.label for o in ops) == [
        "GET /api/v1/evaluations",
        "GET /api/v1/evaluations/{id}",
        "GET /api/v1/models/{id}/evaluations",
        "POST /api/v1/evaluations",
    ]
    failures = fuzz(ops)
    assert not failures, "\n\n".join(failures)
    assert counts(client.store)["results"] == 3  # anonymous fuzzing wrote nothing


def test_api_post_with_a_session_cookie_needs_the_csrf_header(client):
    csrf = login(client, "eve")
    raw = json.dumps(dict(ONE, value="2"))
    assert client.post("/api/v1/evaluations", content=raw).status_code == 403
    assert counts(client.store)["results"] == 3
    response = client.post("/api/v1/evaluations", content=raw, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201 and len(response.json()["added"]) == 1


def test_form_errors_are_in_the_page_language(client):
    csrf = login(client, "eve", lang="zh")
    form = {
        "model_name": "Form Model",
        "suite": "test-suite-3",
        "metric": "accuracy",
        "value": "abc",
        "date": "2025-04-01",
        "evaluator": "Form Test Evaluator",
        "csrf_token": csrf,
    }
    response = client.post("/zh/evaluations/new", data=form, follow_redirects=False)
    assert response.status_code == 400
    assert "数值: 必须是十进制数" in response.text
    long_suite = client.post(
        "/zh-Hant/evaluations/new", data={**form, "value": "1", "suite": "s" * 301}
    )
    assert "評估套件: 超過 300 個字符" in long_suite.text
