"""Incident pages, forms and API: languages, filing through the form with a session and
CSRF, hostile text stored verbatim and shown escaped, bad input refused naming the field
with nothing changed, duplicates redirecting to their survivor, exports."""

from __future__ import annotations

import csv
import io

import pytest

from tests.auth_helpers import login, make_account
from tests.web.case_world import World, world
from tests.web.cases_payloads import PAYLOADS, XSS, assert_escaped, census

TEXT_FIELDS = ("title_en", "title_zh", "description_en", "description_zh")
LIST_FIELDS = ("countries", "sectors", "developers", "deployers", "technologies")


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("incident-pages")) as built:
        make_account(
            built.store, "filer", roles=("reporter", "triager", "editor"), organisation="own"
        )
        yield built


REPORTER = "reporter.own"
TRIAGER = "triager.own"


def test_pages_in_every_language(w: World):
    id = w.incident("Translator mislabels a road sign")
    for lang, word in (("en", "Incidents"), ("zh", "事件"), ("zh-Hant", "事件")):
        listing = w.client.get(f"/{lang}/incidents")
        assert listing.status_code == 200 and word in listing.text
        assert id in listing.text
        page = w.client.get(f"/{lang}/incidents/{id}")
        assert page.status_code == 200 and "Translator mislabels a road sign" in page.text
        form = w.client.get(f"/{lang}/incidents/new", headers=w.as_(REPORTER))
        assert form.status_code == 200 and 'name="title_en"' in form.text
        assert form.headers["cache-control"] == "no-store"
    assert "提交事件" in w.client.get("/zh/incidents/new", headers=w.as_(REPORTER)).text


def test_filing_through_the_form_needs_the_csrf_token(w: World):
    client = w.client
    csrf = login(client, "filer")
    try:
        before = census(w.store)
        refused = client.post(
            "/en/incidents/new", data={"title_en": "No token"}, follow_redirects=False
        )
        assert refused.status_code == 403 and "CSRF" in refused.text
        assert census(w.store) == before
        done = client.post(
            "/en/incidents/new",
            data={
                "title_en": "Hiring model rejects older applicants",
                "csrf_token": csrf,
                "countries": "Kenya\nPeru\n",
                "date": "2025-03-01",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
        page = client.get(done.headers["location"])
        assert "Hiring model rejects older applicants" in page.text
        assert "Kenya" in page.text and "Peru" in page.text
        assert 'name="csrf_token"' in page.text  # the comment form carries it
        id = done.headers["location"].rsplit("/", 1)[1]
        comment = client.post(
            f"/en/incidents/{id}/comments",
            data={"body": "Confirmed by a second outlet.", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert comment.status_code == 303
        assert "Confirmed by a second outlet." in client.get(f"/en/incidents/{id}").text
    finally:
        client.cookies.clear()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_text_is_stored_verbatim_and_shown_escaped(w: World, payload: str):
    body = {name: payload for name in TEXT_FIELDS} | {name: [payload] for name in LIST_FIELDS}
    body["url"] = 'https://example.org/"><script>alert(1)</script>'
    filed = w.client.post("/api/v1/incidents", json=body, headers=w.as_(REPORTER))
    assert filed.status_code == 201, filed.text
    id = filed.json()["id"]
    stored = w.client.get(f"/api/v1/incidents/{id}").json()
    assert all(stored[name] == payload for name in TEXT_FIELDS)
    assert stored["url"] == body["url"]
    assert sorted(a["value"] for a in stored["attributes"]) == [payload] * len(LIST_FIELDS)
    for path, data in (
        (f"/api/v1/incidents/{id}/comments", {"body": payload}),
        (
            f"/api/v1/incidents/{id}/reports",
            {
                "url": f"https://example.org/{len(payload)}/{hash(payload)}",
                "title": payload,
                "publisher": payload,
            },
        ),
    ):
        assert w.client.post(path, json=data, headers=w.as_(REPORTER)).status_code == 201
    tag = w.client.post(
        f"/api/v1/incidents/{id}/tags",
        headers=w.as_(TRIAGER),
        json={"term_id": "mit-domain:2.2", "note": payload},
    )
    assert tag.status_code == 201
    detail = w.client.get(f"/api/v1/incidents/{id}").json()
    assert detail["comments"][0]["body"] == payload
    assert detail["reports"][0]["title"] == payload
    assert detail["tags"][0]["note"] == payload
    for lang in ("en", "zh"):
        page = w.client.get(f"/{lang}/incidents/{id}")
        assert page.status_code == 200
        assert_escaped(page.text, payload)
        assert '"><script>alert(1)' not in page.text
    listing = w.client.get("/en/incidents", params={"country": payload})
    assert listing.status_code == 200
    assert_escaped(listing.text, payload)


def test_hostile_text_through_the_form(w: World):
    data = {name: XSS for name in TEXT_FIELDS} | {"sectors": XSS}
    done = w.client.post(
        "/en/incidents/new", data=data, headers=w.as_(REPORTER), follow_redirects=False
    )
    assert done.status_code == 303
    page = w.client.get(done.headers["location"])
    assert_escaped(page.text, XSS)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "title_en"),
        ({"title_en": "   "}, "title_en"),
        ({"title_en": "x" * 501}, "title_en"),
        ({"title_en": "ok", "date": "yesterday"}, "date"),
        ({"title_en": "ok", "date": "1066-10-14"}, "date"),
        ({"title_en": "ok", "url": "javascript:alert(1)"}, "url"),
        ({"title_en": "ok", "severity": "apocalyptic"}, "severity"),
        ({"title_en": "ok", "date_precision": "hour"}, "date_precision"),
        ({"title_en": "bad\x00nul"}, "title_en"),
        ({"title_en": "ok", "countries": "x" * 201}, "countries"),
    ],
)
def test_bad_form_input_names_the_field_and_changes_nothing(w: World, data, field):
    before = census(w.store)
    response = w.client.post("/en/incidents/new", data=data, headers=w.as_(REPORTER))
    assert response.status_code == 400
    assert field in response.text and 'role="alert"' in response.text
    assert census(w.store) == before


@pytest.mark.parametrize(
    ("path", "body", "field", "status"),
    [
        ("/api/v1/incidents", {"title_en": ""}, "title_en", 422),
        ("/api/v1/incidents", {"title_en": "ok", "countries": "Kenya"}, "countries", 422),
        ("/api/v1/incidents", {"title_en": "ok", "id": "CG:I-2026-999"}, "id", 422),
        ("{id}/comments", {"body": ""}, "body", 422),
        ("{id}/comments", {"body": "x" * 20001}, "body", 422),
        ("{id}/tags", {"term_id": "no-such-term"}, "term_id", 400),
        ("{id}/tags", {"term_id": "' OR 1=1 --"}, "term_id", 400),
        ("{id}/reports", {"url": "ftp://example.org/x"}, "url", 422),
        (
            "{id}/reports",
            {"url": "https://example.org/a", "also_incidents": ["CG:I-1900-1"]},
            "also_incidents",
            400,
        ),
        ("{id}/triage", {"status": "confirmed"}, "status", 409),
        ("{id}/triage", {"status": "duplicate"}, "duplicate_of", 422),
        (
            "{id}/triage",
            {"status": "duplicate", "duplicate_of": "'; DROP TABLE incident;--"},
            "duplicate_of",
            400,
        ),
        ("{id}/triage", {"assignee": "reporter.own"}, "assignee", 400),
        ("{id}/triage", {}, "status", 422),
    ],
)
def test_bad_api_input_names_the_field_and_changes_nothing(w: World, path, body, field, status):
    id = w.incident()
    url = path.replace("{id}", f"/api/v1/incidents/{id}")
    before = census(w.store)
    response = w.client.post(
        url,
        json=body,
        headers=w.as_(
            TRIAGER if "triage" in path else "editor.own" if "tags" in path else REPORTER
        ),
    )
    assert response.status_code == status, response.text
    assert field in response.json()["error"]
    assert census(w.store) == before


@pytest.mark.parametrize(
    ("form", "data", "field"),
    [
        ("comments", {"body": ""}, "body"),
        ("tags", {"term_id": "mit-domain:99"}, "term_id"),
        ("reports", {"url": "not a url"}, "url"),
    ],
)
def test_bad_case_forms_name_the_field_and_change_nothing(w: World, form, data, field):
    id = w.incident()
    before = census(w.store)
    response = w.client.post(
        f"/en/incidents/{id}/{form}",
        data=data,
        headers=w.as_("triager.own"),
        follow_redirects=False,
    )
    assert response.status_code == 400 and field in response.text
    assert census(w.store) == before


def test_a_duplicate_redirects_to_its_survivor_with_a_note(w: World):
    survivor, duplicate = w.incident("The survivor"), w.incident("The duplicate")
    triaged = w.client.post(
        f"/api/v1/incidents/{duplicate}/triage",
        headers=w.as_(TRIAGER),
        json={"status": "duplicate", "duplicate_of": survivor},
    )
    assert triaged.status_code == 200 and triaged.json()["duplicate_of_id"] == survivor
    api = w.client.get(f"/api/v1/incidents/{duplicate}", follow_redirects=False)
    assert api.status_code == 308
    assert api.headers["location"] == f"/api/v1/incidents/{survivor}"
    assert api.json()["note"] == f"{duplicate} is a duplicate of {survivor}"
    page = w.client.get(f"/zh/incidents/{duplicate}", follow_redirects=False)
    assert page.status_code == 308
    followed = w.client.get(page.headers["location"])
    assert "The survivor" in followed.text and duplicate in followed.text
    assert w.client.get(f"/api/v1/incidents/{survivor}").json()["duplicates"] == [duplicate]
    # A note naming a case that is not a duplicate is not shown.
    forged = w.client.get(f"/en/incidents/{survivor}?duplicate=CG:I-2026-424242")
    assert "CG:I-2026-424242" not in forged.text.split("<main", 1)[1].split("</main>")[0]


def test_exports_follow_the_filters(w: World):
    marked = w.client.post(
        "/api/v1/incidents",
        headers=w.as_(REPORTER),
        json={"title_en": "Exported", "sectors": ["Export sector"]},
    ).json()
    rows = list(
        csv.DictReader(
            io.StringIO(w.client.get("/en/incidents.csv", params={"sector": "Export sector"}).text)
        )
    )
    assert [r["id"] for r in rows] == [marked["id"]]
    data = w.client.get("/api/v1/incidents.json", params={"sector": "Export sector"}).json()
    assert [i["id"] for i in data["items"]] == [marked["id"]] and data["total"] == 1
    assert w.client.get("/en/incidents.xml").status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/en/incidents?country=%00", 400),
        ("/en/vulnerabilities?developer=a%00b", 400),
        ("/api/v1/incidents?sector=%00", 400),
        ("/en/incidents/CG%00I", 400),
        ("/en/incidents?year=99999999999&year=-1", 200),
        ("/en/incidents?cursor=not-a-cursor", 400),
        ("/api/v1/vulnerabilities?cursor=WyJ4Il0", 400),
        ("/api/v1/incidents?year=0", 422),
        ("/en/incidents?tag=%27%20OR%201%3D1%20--", 200),
        ("/en/triage?subject=%27;DROP", 400),
    ],
)
def test_hostile_queries_answer_4xx_never_5xx(w: World, path, status):
    response = w.client.get(path, headers=w.as_(TRIAGER))
    assert response.status_code == status, response.text[:300]
