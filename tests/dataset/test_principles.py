"""The principle taxonomy, glossary, crosswalk and tags: complete, bilingual, cited, resolvable.

The crosswalk points at the OECD and UN principle terms of the ibm-nexus import, so the store
here loads ibm-nexus before the bundled dataset (as `commonground load` does)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from commonground.ingest.curated import DATA_DIR
from commonground.store.engine import Store
from commonground.store.models import Mapping, Term
from tests.conftest import _new_database

TAXONOMIES = DATA_DIR / "taxonomies"
MAPPINGS = DATA_DIR / "mappings"


def _yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _csv(name: str) -> list[dict[str, str]]:
    with (MAPPINGS / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


SOURCES = {s["id"] for s in _yaml(DATA_DIR / "sources.yaml")}


@pytest.fixture(scope="module")
def vocab_store(tmp_path_factory, shared_data) -> Iterator[Store]:
    from commonground.ingest.base import run_import
    from commonground.ingest.catalog import get_importer

    with _new_database(tmp_path_factory.mktemp("principles")) as url:
        store = Store.from_url(url)
        for name in ("country-codes", "worldbank", "ibm-nexus", "curated"):
            importer = get_importer(name)
            run_import(store, importer, importer.default_path(shared_data))
        yield store
        store.dispose()


@pytest.mark.parametrize("name", ["cg-principles.yaml", "cg-glossary.yaml"])
def test_every_term_is_bilingual_and_cited(name):
    doc = _yaml(TAXONOMIES / name)
    assert doc["version"] and doc["publisher"] == "Common Ground"
    assert doc["source"] in SOURCES
    for term in doc["terms"]:
        assert term["names"]["en"].strip() and term["names"]["zh"].strip(), term["id"]
        assert term["definitions"]["en"].strip() and term["definitions"]["zh"].strip(), term["id"]
        assert term["source"] in SOURCES, term["id"]


def test_principles_include_the_seeds_terms_in_both_languages():
    names = {t["names"]["zh"] for t in _yaml(TAXONOMIES / "cg-principles.yaml")["terms"]}
    for zh in (
        "以人为本",
        "智能向善",
        "负责任",
        "安全可控",
        "发展导向",
        "尊重主权",
        "公平普惠",
        "开放合作",
    ):
        assert zh in names


def test_glossary_senses_name_their_side_and_document():
    terms = _yaml(TAXONOMIES / "cg-glossary.yaml")["terms"]
    ids = {t["id"] for t in terms}
    senses = [t for t in terms if t.get("kind") == "sense"]
    assert senses
    for sense in senses:
        assert sense["code"] in ("USA", "CHN") and sense["parent"] in ids
        assert sense.get("note"), f"{sense['id']} must say which document it comes from"


def test_every_tag_cites_a_source_and_shows_how_it_was_made():
    for row in _csv("cg-principle-tags.csv"):
        assert row["source"] in SOURCES, row
        assert row["predicate"] == "cg:expresses" and row["object_id"].startswith("cg-principles:")
        assert row["method"] in ("manual", "rule", "model")
        assert row["review_status"] in ("unreviewed", "reviewed", "rejected")
        if row["method"] != "manual":
            assert row["note"], "machine tags say what matched"


def test_every_crosswalk_row_is_manual_and_cited():
    for row in _csv("cg-principles-crosswalk.csv"):
        assert row["source"] in SOURCES
        assert row["method"] == "manual" and row["justification"] == "semapv:ManualMappingCuration"
        assert row["predicate"].startswith("skos:")


def test_every_crosswalk_and_tag_id_exists_in_the_store(vocab_store):
    with vocab_store.sessions() as s:
        terms = set(s.scalars(select(Term.id)))
        rows = s.scalars(select(Mapping).where(Mapping.mapping_set.like("cg-%"))).all()
    assert len(rows) == len(_csv("cg-principles-crosswalk.csv")) + len(
        _csv("cg-principle-tags.csv")
    )
    for m in _csv("cg-principles-crosswalk.csv"):
        assert m["subject_id"] in terms and m["object_id"] in terms
    targets = {m["object_id"] for m in _csv("cg-principles-crosswalk.csv")}
    assert any(t.startswith("principle-oecd-") for t in targets)
    assert any(t.startswith("principle-un-") for t in targets)
