"""The JSON API: lists, details, filters, cursor pages, downloads, citations, errors —
against a database loaded with the bundled dataset and the vocabularies and models."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from commonground.config import Settings
from commonground.registry.pagination import encode_cursor
from commonground.store.engine import Store
from commonground.web.app import create_app
from commonground.web.cite import bibtex_key, escape_bibtex
from tests.conftest import _new_database

API_IMPORTS = ("country-codes", "worldbank", "epoch", "mit-risk", "ibm-nexus", "curated")
GPT4_FLOP = "21000000000000000000000000"  # 2.1e25: far above 2^53


def build_api_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[Store]:
    from commonground.ingest.base import run_import
    from commonground.ingest.catalog import get_importer

    with _new_database(tmp_path_factory.mktemp("api")) as url:
        store = Store.from_url(url)
        for name in API_IMPORTS:
            importer = get_importer(name)
            run_import(store, importer, importer.default_path(shared_data))
        yield store
        store.dispose()


@pytest.fixture(scope="session")
def api_store(tmp_path_factory, shared_data) -> Iterator[Store]:
    """Read-only: states, income classes, the bundled dataset, Epoch models, MIT risks,
    IBM Nexus taxonomies and mappings."""
    yield from build_api_store(tmp_path_factory, shared_data)


@pytest.fixture(scope="session")
def client(api_store) -> TestClient:
    return TestClient(create_app(Settings(database_url="sqlite://"), store=api_store))


def walk(client: TestClient, path: str, params: dict) -> tuple[list[dict], int]:
    """Every item of a list, following `next_url`; also checks the Link header."""
    items: list[dict] = []
    response = client.get(path, params=params)
    total = response.json()["total"]
    for _ in range(total // max(1, int(params.get("limit", 50))) + 2):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == total
        items += body["items"]
        if not body["next"]:
            assert "link" not in response.headers
            return items, total
        assert response.headers["link"] == f'<{body["next_url"]}>; rel="next"'
        response = client.get(body["next_url"])
    raise AssertionError("the cursor did not advance")


def key_of(item: dict) -> str:
    return item.get("id") or "|".join(
        str(item.get(k))
        for k in (
            "instrument_id",
            "actor_id",
            "act",
            "mapping_set",
            "subject_id",
            "predicate",
            "object_id",
        )
    )


# -- lists and pages -----------------------------------------------------------------


def test_instruments_list_has_items_cursor_facets_and_link_header(client):
    response = client.get("/api/v1/instruments", params={"origin": "curated", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "next", "next_url", "total", "facets"}
    assert len(body["items"]) == 5 and body["total"] > 5
    assert set(body["facets"]) == {
        "type",
        "legal_force",
        "jurisdiction",
        "issuer",
        "year",
        "collection",
        "origin",
    }
    assert {"value": "curated", "count": body["total"]} in body["facets"]["origin"]
    assert body["next_url"].startswith("http://testserver/api/v1/instruments?")
    assert "origin=curated" in body["next_url"] and f"cursor={body['next']}" in body["next_url"]
    assert response.headers["link"] == f'<{body["next_url"]}>; rel="next"'


@pytest.mark.parametrize("sort", ["newest", "oldest", "name"])
def test_walking_a_filtered_instrument_list_yields_total_rows_once(client, sort):
    params = {"origin": "curated", "jurisdiction": "international", "sort": sort, "limit": 4}
    items, total = walk(client, "/api/v1/instruments", params)
    ids = [i["id"] for i in items]
    assert len(ids) == total > 4 and len(set(ids)) == total
    assert all(i["jurisdiction"] == "international" and i["origin"] == "curated" for i in items)
    single = client.get("/api/v1/instruments", params={**params, "limit": 1000}).json()
    assert [i["id"] for i in single["items"]] == ids and single["next"] is None


def test_facet_filters_or_within_and_across(client):
    both = client.get("/api/v1/instruments", params=[("type", "declaration"), ("type", "treaty")])
    counts = dict((f["value"], f["count"]) for f in both.json()["facets"]["type"])
    assert both.json()["total"] == counts["declaration"] + counts["treaty"]
    year = client.get("/api/v1/instruments", params={"type": "declaration", "year": 2023}).json()
    assert year["total"] >= 1
    assert all(i["type"] == "declaration" and i["year"] == 2023 for i in year["items"])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/actors", {"kind": "state", "region": "Asia"}),
        ("/api/v1/sources", {"origin": "curated"}),
        ("/api/v1/participation", {"act": "signed"}),
        ("/api/v1/taxonomies", {}),
        ("/api/v1/terms", {"taxonomy": "mit-domain-v3"}),
        ("/api/v1/mappings", {"mapping_set": "ibm-nexus:ai-risk-taxonomy"}),
        ("/api/v1/models", {"year": 2023, "sort": "compute"}),
        ("/api/v1/models", {"in_notable": "true", "sort": "oldest"}),
        ("/api/v1/risks", {"domain": "mit-domain:7"}),
    ],
)
def test_every_list_walks_to_its_total_without_duplicates(client, path, params):
    items, total = walk(client, path, {**params, "limit": 37})
    keys = [key_of(i) for i in items]
    assert total > 0 and len(keys) == total == len(set(keys))


def test_participation_filters_by_instrument_actor_and_act(client):
    body = client.get(
        "/api/v1/participation", params={"instrument": "bletchley-declaration", "actor": "CHN"}
    ).json()
    assert body["total"] >= 1
    assert all(
        p["instrument_id"] == "bletchley-declaration" and p["actor_id"] == "CHN"
        for p in body["items"]
    )
    assert set(body["facets"]) == {"instrument", "actor", "act"}


# -- exact integers -----------------------------------------------------------------------


def test_model_compute_is_an_exact_decimal_string(client):
    response = client.get("/api/v1/models/epoch:gpt-4")
    assert response.status_code == 200
    body = response.json()
    assert body["training_compute_flop"] == GPT4_FLOP
    assert body["training_compute_text"] == "2.1e+25"
    assert f'"training_compute_flop":"{GPT4_FLOP}"' in response.text
    assert body["source"]["id"] == body["source_id"]
    top = client.get("/api/v1/models", params={"sort": "compute", "limit": 30}).json()["items"]
    flops = [int(m["training_compute_flop"]) for m in top if m["training_compute_flop"]]
    assert flops == sorted(flops, reverse=True) and flops[0] > 2**53
    assert all(isinstance(m["training_compute_flop"], str) for m in top)


def test_model_csv_keeps_exact_integers(client):
    text = client.get("/api/v1/models.csv", params={"year": 2023}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    gpt4 = next(r for r in rows if r["id"] == "epoch:gpt-4")
    assert gpt4["training_compute_flop"] == GPT4_FLOP


# -- downloads ---------------------------------------------------------------------------


def test_csv_download_equals_the_filtered_list(client):
    params = {"origin": "curated", "legal_force": "soft", "sort": "name"}
    items, total = walk(client, "/api/v1/instruments", {**params, "limit": 9})
    response = client.get("/api/v1/instruments", params={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == [i["id"] for i in items] and len(rows) == total
    assert rows[0]["name_en"] == items[0]["name_en"]
    suffix = client.get("/api/v1/instruments.csv", params=params)
    assert suffix.text == response.text


def test_json_download_has_the_list_shape_with_every_row(client):
    params = {"kind": "state"}
    items, total = walk(client, "/api/v1/actors", {**params, "limit": 50})
    body = client.get("/api/v1/actors.json", params=params).json()
    assert body["items"] == items and body["total"] == total and body["next"] is None
    assert client.get("/api/v1/actors", params={**params, "format": "json"}).json() == body


def test_download_of_more_than_one_page(client):
    # More rows than one 1000-row page: the stream walks the cursor.
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/risks.csv").text)))
    total = client.get("/api/v1/risks", params={"limit": 1}).json()["total"]
    assert total > 1000 and len(rows) == total == len({r["id"] for r in rows})


# -- details -----------------------------------------------------------------------------


def test_instrument_detail_has_everything_and_a_cite_block(client):
    response = client.get("/api/v1/instruments/bletchley-declaration")
    assert response.status_code == 200
    d = response.json()
    assert d["id"] == "bletchley-declaration" and d["name_zh"]
    assert d["events"] and all(e["source"]["id"] for e in d["events"])
    assert d["as_of"] == "2023-11-01"
    assert {
        "actor": {
            "id": "GBR",
            "kind": "state",
            "name_en": d["issuers"][0]["actor"]["name_en"],
            "name_zh": d["issuers"][0]["actor"]["name_zh"],
        },
        "role": "issuer",
    } in d["issuers"]
    chn = next(s for s in d["signatories"] if s["actor"]["id"] == "CHN")
    assert chn["income"]["group"] == "UM" and chn["income"]["period"]
    assert chn["actor"]["m49_region_en"] == "Asia" and chn["source"]["id"]
    assert d["sources"]
    cite = d["cite"]
    assert cite["permalink"] == "http://testserver/en/instruments/bletchley-declaration"
    assert cite["csl_json"]["title"] == d["name_en"]
    assert cite["csl_json"]["issued"] == {"date-parts": [[2023, 11, 1]]}
    assert cite["bibtex"].startswith("@misc{cg:bletchley-declaration,")


def test_provision_and_term_ids_with_slashes_and_colons(client):
    tree = client.get("/api/v1/instruments/frontier-ai-safety-commitments").json()["provisions"]
    assert tree and all("children" in node for node in tree)
    first = tree[0]["id"]
    assert "/" in first
    response = client.get(f"/api/v1/provisions/{first}")
    assert response.status_code == 200
    assert response.json()["id"] == first
    assert response.json()["instrument"]["id"] == "frontier-ai-safety-commitments"
    term = client.get("/api/v1/terms/ai-risk-taxonomy-bioweapons/viruses/gain-of-function")
    assert term.status_code == 200 and term.json()["taxonomy_id"] == "ai-risk-taxonomy"
    assert client.get("/api/v1/terms/mit-domain:7").json()["children"]
    encoded = client.get("/api/v1/terms/ai-risk-taxonomy-bioweapons%2Fviruses%2Fgain-of-function")
    assert encoded.status_code == 200


def test_actor_source_taxonomy_and_risk_details(client):
    gbr = client.get("/api/v1/actors/GBR").json()
    assert gbr["iso_alpha3"] == "GBR" and gbr["facts"] and gbr["facts"][0]["source"]["id"]
    assert any(e["act"] == "issued" for e in gbr["timeline"])
    assert all(e["instrument"]["id"] for e in gbr["timeline"])
    source_id = client.get("/api/v1/instruments/bletchley-declaration").json()["sources"][0]["id"]
    source = client.get(f"/api/v1/sources/{source_id}").json()
    assert any(i["id"] == "bletchley-declaration" for i in source["instruments"])
    taxonomy = client.get("/api/v1/taxonomies/mit-domain-v3").json()
    assert taxonomy["terms"] == 32
    risk = client.get("/api/v1/risks/MIT:01.01.00").json()
    assert risk["paper_id"] == "1" and {t["id"] for t in risk["terms"]} >= {risk["domain_term_id"]}


# -- citations ---------------------------------------------------------------------------


def balanced(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch in "{}" and i and text[i - 1] == "\\":
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_cite_json_is_csl(client):
    response = client.get("/api/v1/instruments/bletchley-declaration/cite.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.citationstyles.csl+json"
    [item] = json.loads(response.text)
    assert item["type"] and item["title"].startswith("The Bletchley Declaration")
    assert item["author"] == [{"literal": "United Kingdom of Great Britain and Northern Ireland"}]
    assert item["URL"].startswith("https://www.gov.uk/")
    assert item["language"] == "en"
    assert (
        "布莱切利宣言" in item["note"] and "/en/instruments/bletchley-declaration" in item["note"]
    )


@pytest.mark.parametrize("id", ["bletchley-declaration", "cn-global-ai-governance-action-plan"])
def test_cite_bib_is_a_balanced_entry_with_required_fields(client, id):
    response = client.get(f"/api/v1/instruments/{id}/cite.bib")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    text = response.text
    match = re.match(r"@misc\{([!-~]+),\n", text)
    assert match and match.group(1) == bibtex_key(id) and match.group(1).isascii()
    assert balanced(text) and text.rstrip().endswith("}")
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", text, flags=re.M))
    assert {"title", "author", "year", "url", "note", "language"} <= set(fields)
    assert "titleaddon" in fields and not fields["titleaddon"].isascii()  # UTF-8 Chinese title
    detail = client.get(f"/api/v1/instruments/{id}").json()
    assert detail["cite"]["bibtex"] == text


def test_bibtex_escapes_specials_and_keys_are_stable_ascii():
    assert escape_bibtex("R&D 100% {x} $5 #1 a_b ~ ^ \\") == (
        r"R\&D 100\% \{x\} \$5 \#1 a\_b \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert bibtex_key("AGORA:1046") == "cg:AGORA:1046"
    odd = bibtex_key("a b/c{d}")
    assert odd.isascii() and " " not in odd and "{" not in odd and odd == bibtex_key("a b/c{d}")
    assert bibtex_key("a b") != bibtex_key("a-b")
    assert bibtex_key("中文").isascii()


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/instruments/no-such-thing",
        "/api/v1/instruments/AGORA:999999",
        "/api/v1/instruments/no-such-thing/cite.json",
        "/api/v1/instruments/no-such-thing/cite.bib",
        "/api/v1/actors/XXX",
        "/api/v1/sources/nope",
        "/api/v1/provisions/frontier-ai-safety-commitments/no-such-outcome",
        "/api/v1/taxonomies/nope",
        "/api/v1/terms/nope",
        "/api/v1/models/epoch:nope",
        "/api/v1/risks/MIT:99.99.99",
    ],
)
def test_unknown_ids_are_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["ok"] is False and body["status"] == 404 and body["error"]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/instruments", {"cursor": "not-a-cursor"}, 400),
        ("/api/v1/instruments", {"cursor": encode_cursor(["2024", "x"])}, 400),
        ("/api/v1/instruments", {"cursor": encode_cursor([2024, "x"]), "sort": "name"}, 400),
        ("/api/v1/instruments", {"cursor": encode_cursor([1, 2, 3])}, 400),
        ("/api/v1/actors", {"cursor": encode_cursor([1, "x"])}, 400),
        ("/api/v1/sources", {"cursor": encode_cursor([None])}, 400),
        ("/api/v1/models", {"cursor": encode_cursor([-1, "x"]), "sort": "compute"}, 400),
        ("/api/v1/models", {"cursor": encode_cursor(["2024-13-01", "x"])}, 400),
        ("/api/v1/terms", {"cursor": encode_cursor(["t", "1", "x"])}, 400),
        ("/api/v1/instruments", {"limit": 0}, 422),
        ("/api/v1/instruments", {"limit": 1001}, 422),
        ("/api/v1/instruments", {"limit": "many"}, 422),
        ("/api/v1/instruments", {"sort": "sideways"}, 422),
        ("/api/v1/instruments", {"year": "recent"}, 422),
        ("/api/v1/models", {"in_notable": "perhaps"}, 422),
        ("/api/v1/instruments", {"format": "xml"}, 422),
        ("/api/v1/instruments", {"type": "a\x00b"}, 400),
        ("/api/v1/participation", [("act", "\x00"), ("act", "signed")], 400),
    ],
)
def test_bad_parameters_are_400_or_422_json(client, path, params, status):
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]


def test_nul_in_an_id_is_400(client):
    assert client.get("/api/v1/instruments/a%00b").status_code == 400


def test_openapi_documents_every_endpoint(client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = set(doc["paths"])
    for name in (
        "instruments",
        "actors",
        "sources",
        "participation",
        "taxonomies",
        "terms",
        "mappings",
        "models",
        "risks",
    ):
        assert f"/api/v1/{name}" in paths
    for path in (
        "/api/v1/instruments/{id}",
        "/api/v1/instruments/{id}/cite.json",
        "/api/v1/instruments/{id}/cite.bib",
        "/api/v1/provisions/{id}",
        "/api/v1/models/{id}",
        "/api/v1/risks/{id}",
        "/api/v1/actors/{id}",
    ):
        assert path in paths
    model = doc["components"]["schemas"]["ModelOut"]["properties"]["training_compute_flop"]
    types = {branch.get("type") for branch in model["anyOf"]}
    assert types == {"string", "null"}
