"""The tracker on the web: pages in every language, downloads equal to the matrix, the
read API, and the writes (forms and API) — editors only, CSRF on forms, every bad
input answered with a clear error and no change to the store."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from commonground.config import Settings
from commonground.registry import commitments as reg
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_commitments import Assessment, Evidence
from commonground.web.app import create_app
from tests.auth_helpers import auth_header, login, make_account, make_token
from tests.commitments_helpers import FASC, FRAMEWORK, tracker_store

BASE = f"/en/commitments/{FASC}"


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, shared_data):
    with tracker_store(tmp_path_factory.mktemp("tracker"), shared_data) as store:
        make_account(store, "web-editor", roles=("editor",))
        make_account(store, "web-viewer", roles=("viewer",))
        yield store


@pytest.fixture(scope="module")
def app(tracker):
    return create_app(Settings(database_url="sqlite://"), store=tracker)


@pytest.fixture
def client(app):
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def tokens(tracker):
    return {
        "editor": make_token(tracker, "web-editor", scopes=("read", "write")),
        "editor-read": make_token(tracker, "web-editor", scopes=("read",)),
        "viewer": make_token(tracker, "web-viewer", scopes=("read", "write")),
    }


def _state(store) -> tuple[int, int, int]:
    with store.sessions() as session:
        return (
            session.scalar(select(func.count(Evidence.id))),
            session.scalar(select(func.count(Assessment.id))),
            session.scalar(select(func.count(AuditEvent.id))),
        )


# -- reading -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
def test_pages_render_in_every_language(client, lang):
    for path in (
        "commitments",
        "commitments/methodology",
        f"commitments/{FASC}",
        f"commitments/{FASC}/signatories/xai",
        f"commitments/{FASC}/provisions/framework",
        f"commitments/{FASC}/provisions/VII",
    ):
        response = client.get(f"/{lang}/{path}")
        assert response.status_code == 200, (path, response.text[:300])


def test_matrix_page_shows_each_cell_and_counts(client, tracker):
    html = client.get(BASE).text
    with tracker.sessions() as session:
        m = reg.matrix(session, FASC)
    cells = re.findall(r'<td class="cell cm-([a-z-]+)" data-status="([a-z-]+)"', html)
    assert len(cells) == len(m.rows) * len(m.columns) == 180
    assert [s for _, s in cells] == [
        m.cell(s.actor.id, p.id).status for s in m.rows for p in m.columns
    ]
    assert html.count("10 met of 20 judged") == 1  # the framework column's count
    assert html.count("1 met of 1 judged") == 10  # the ten signatories that met it
    assert html.count("0 met of 1 judged") == 10
    zh = client.get(f"/zh/commitments/{FASC}").text
    assert "已履行" in zh and "未找到证据" in zh and "有争议" in zh


def test_signatory_page_has_timeline_and_history(client):
    html = client.get(f"{BASE}/signatories/nvidia").text
    assert "Frontier AI Risk Assessment" in html and "2025-02-17" in html
    assert "cg-fasc-framework-nvidia" not in html or "contested" in html
    assert "joining date not given" in html
    assert client.get(f"{BASE}/signatories/USA").status_code == 404


def test_downloads_equal_the_matrix(client, tracker):
    with tracker.sessions() as session:
        rows = reg.matrix_rows(reg.matrix(session, FASC))
    body = client.get(f"{BASE}.csv").text
    parsed = list(csv.DictReader(io.StringIO(body)))
    assert [(r["actor_id"], r["provision_id"], r["status"]) for r in parsed] == [
        (r["actor_id"], r["provision_id"], r["status"]) for r in rows
    ]
    as_json = client.get(f"{BASE}.json").json()
    assert len(as_json) == len(rows) == 180
    one = client.get(f"{BASE}/signatories/xai.json").json()
    assert {c["provision_id"] for c in one["cells"]} == {r["provision_id"] for r in rows}
    assert len(one["evidence"]) == 5 + 9 + 5  # 5 framework versions, 9 third-party, Seoul I-V
    assert sum(a["current"] for a in one["assessments"]) == 1


def test_api_matrix_counts(client, tracker):
    data = client.get(f"/api/v1/commitments/{FASC}/matrix").json()
    with tracker.sessions() as session:
        m = reg.matrix(session, FASC)
    assert data["totals"] == dict(m.totals)
    assert sum(data["totals"].values()) == 180
    by_actor = {s["actor_id"]: s for s in data["signatories"]}
    assert by_actor["anthropic"]["met"] == 1 and by_actor["anthropic"]["judged"] == 1
    evidence = client.get(f"/api/v1/commitments/{FASC}/evidence", params={"actor": "magic"})
    assert {e["actor_id"] for e in evidence.json()["items"]} == {"magic"}
    assert client.get("/api/v1/commitments/no-such/matrix").status_code == 404


# -- writing: API --------------------------------------------------------------------

EVIDENCE = {
    "instrument": FASC,
    "provision": f"{FASC}/VIII",
    "actor": "naver",
    "kind": "report",
    "title": "A report",
    "url": "https://example.org/report",
    "published": "2026-09",
}
ASSESSMENT = {
    "instrument": FASC,
    "provision": f"{FASC}/VIII",
    "actor": "naver",
    "status": "partly-met",
    "assessed_on": "2026-10-01",
    "assessor": "Web test",
    "rationale_en": "Because.",
}


@pytest.mark.parametrize("path", ["/api/v1/evidence", "/api/v1/assessments"])
@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("viewer", 403), ("editor-read", 403), ("bad", 401)]
)
def test_api_writes_need_an_editor(client, tracker, tokens, path, who, status):
    headers = {} if who is None else auth_header(tokens.get(who, "cg_not_a_token"))
    before = _state(tracker)
    body = EVIDENCE if path.endswith("evidence") else ASSESSMENT
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert _state(tracker) == before


BAD_API = [
    ("/api/v1/evidence", {"actor": "nobody"}, "actor"),
    ("/api/v1/evidence", {"provision": f"{FASC}/IX"}, "provision"),
    ("/api/v1/evidence", {"provision": "bletchley-declaration/para-1"}, "provision"),
    ("/api/v1/evidence", {"kind": "gossip"}, "kind"),
    ("/api/v1/evidence", {"published": "2026-02-31"}, "published"),
    ("/api/v1/evidence", {"url": None}, "url"),
    ("/api/v1/evidence", {"url": "file:///etc/passwd"}, "url"),
    ("/api/v1/evidence", {"title": "t" * 600}, "title"),
    ("/api/v1/assessments", {"actor": "nobody"}, "actor"),
    ("/api/v1/assessments", {"provision": f"{FASC}/outcome-2"}, "provision"),
    ("/api/v1/assessments", {"status": "great"}, "status"),
    ("/api/v1/assessments", {"assessed_on": "01/10/2026"}, "assessed_on"),
    ("/api/v1/assessments", {"rationale_en": "r" * 5000}, "rationale_en"),
    ("/api/v1/assessments", {"evidence": ["tpa-001"]}, "evidence"),
]


@pytest.mark.parametrize(("path", "change", "field"), BAD_API)
def test_api_bad_input_is_refused_and_changes_nothing(client, tracker, tokens, path, change, field):
    body = {**(EVIDENCE if path.endswith("evidence") else ASSESSMENT), **change}
    before = _state(tracker)
    response = client.post(path, json=body, headers=auth_header(tokens["editor"]))
    assert response.status_code == 422, response.text
    data = response.json()
    assert data["ok"] is False and data["errors"][0]["field"] == field
    assert field in data["error"]
    assert _state(tracker) == before


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"x" * 70000])
def test_api_rejects_a_body_that_is_not_an_object(client, tracker, tokens, raw):
    before = _state(tracker)
    response = client.post(
        "/api/v1/evidence",
        content=raw,
        headers={**auth_header(tokens["editor"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "body"
    assert _state(tracker) == before


def test_api_write_history_never_overwrites(client, tracker, tokens):
    headers = auth_header(tokens["editor"])
    first = client.post("/api/v1/assessments", json=ASSESSMENT, headers=headers)
    second = client.post(
        "/api/v1/assessments",
        json={**ASSESSMENT, "status": "met", "assessed_on": "2026-10-05"},
        headers=headers,
    )
    assert first.status_code == second.status_code == 201
    assert first.headers["cache-control"] == "no-store"
    history = client.get(
        f"/api/v1/commitments/{FASC}/assessments",
        params={"actor": "naver", "provision": f"{FASC}/VIII"},
    ).json()["items"]
    assert [(a["id"], a["status"], a["current"]) for a in history[:2]] == [
        (second.json()["id"], "met", True),
        (first.json()["id"], "partly-met", False),
    ]
    assert all(a["created_by"] == "web-editor" for a in history[:2])
    added = client.post("/api/v1/evidence", json=EVIDENCE, headers=headers)
    assert added.status_code == 201
    with tracker.sessions() as session:
        assert session.get(Evidence, added.json()["id"]).added_by == "web-editor"


# -- writing: forms ------------------------------------------------------------------


def test_forms_need_an_editor(client, tracker):
    for which in ("evidence", "assessments"):
        assert client.get(f"{BASE}/{which}/new").status_code == 401
    login(client, "web-viewer")
    for which in ("evidence", "assessments"):
        assert client.get(f"{BASE}/{which}/new").status_code == 403


def test_form_needs_csrf_and_reports_bad_input(client, tracker):
    csrf = login(client, "web-editor")
    form = client.get(f"{BASE}/evidence/new?actor=naver")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    assert 'name="csrf_token"' in form.text
    data = {k: v for k, v in EVIDENCE.items() if k != "instrument"}
    before = _state(tracker)
    assert client.post(f"{BASE}/evidence/new", data=data).status_code == 403
    for change, field in (
        ({"url": "not-a-url"}, "url"),
        ({"url": ""}, "url"),
        ({"actor": "nobody"}, "actor"),
        ({"provision": "bletchley-declaration/para-1"}, "provision"),
        ({"published": "20255"}, "published"),
        ({"title": "t" * 501}, "title"),
    ):
        response = client.post(f"{BASE}/evidence/new", data={**data, **change, "csrf_token": csrf})
        assert response.status_code == 400, (change, response.status_code)
        assert "Nothing was saved" in response.text and f"<code>{field}</code>" in response.text
        assert response.headers["cache-control"] == "no-store"
    bad = {k: v for k, v in ASSESSMENT.items() if k != "instrument"}
    for change, field in (
        ({"status": "brilliant"}, "status"),
        ({"assessed_on": "2026-02-30"}, "assessed_on"),
        ({"rationale_en": ""}, "rationale_en"),
        ({"evidence": "fsf-001"}, "evidence"),
    ):
        response = client.post(
            f"{BASE}/assessments/new", data={**bad, **change, "csrf_token": csrf}
        )
        assert response.status_code == 400 and f"<code>{field}</code>" in response.text
    assert _state(tracker) == before
    ok = client.post(
        f"{BASE}/assessments/new",
        data={**bad, "provision": FRAMEWORK, "actor": "openai", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == f"{BASE}/signatories/openai"
    after = _state(tracker)
    assert after[1] == before[1] + 1
    page = client.get(f"{BASE}/signatories/openai").text
    assert "superseded" in page and "Web test" in page  # the dataset's one is now history


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/commitments/x%00y/matrix",
        f"/api/v1/commitments/{FASC}/evidence?actor=a%00b",
        f"/en/commitments/{FASC}/signatories/a%00b",
    ],
)
def test_nul_characters_are_refused_before_any_query(client, path):
    assert client.get(path).status_code == 400
