"""The `commitments` importer: the bundled files load whole and cited, a re-import prunes
rows removed from the files (never an editor's), and a bad record anywhere is named by
file, record, line and field and leaves the store unchanged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from commonground.auth.accounts import get_account, principal_of
from commonground.errors import IngestError
from commonground.ingest.base import run_import
from commonground.ingest.commitments import DATA_DIR, CommitmentsImporter
from commonground.registry import commitments as reg
from commonground.store.models import Provision, Source
from commonground.store.models_commitments import Assessment, Evidence
from tests.auth_helpers import make_account
from tests.commitments_helpers import FASC, FRAMEWORK, tracker_store

SHARED = "governance-sources/commitments"


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, shared_data):
    with tracker_store(tmp_path_factory.mktemp("tracker"), shared_data) as store:
        yield store


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _state(store) -> tuple:
    with store.sessions() as session:
        return (
            session.scalar(select(func.count(Evidence.id))),
            session.scalar(select(func.count(Assessment.id))),
            session.scalar(select(func.count(Source.id)).where(Source.origin == "commitments")),
            tuple(session.scalars(select(Assessment.status).order_by(Assessment.id))),
        )


def test_everything_in_the_files_is_loaded_and_cited(tracker):
    evidence, assessments, sources = (
        _rows("evidence.csv"),
        _rows("assessments.csv"),
        _rows("sources.csv"),
    )
    count_e, count_a, count_s, _ = _state(tracker)
    assert (count_e, count_a, count_s) == (len(evidence), len(assessments), len(sources))
    with tracker.sessions() as session:
        for e in session.scalars(select(Evidence)):
            assert e.url.startswith(("http://", "https://")), e.id
            assert e.title and e.publisher and e.source_id and e.basis, e.id
            assert e.published_text, e.id  # the date as the source gives it, or "undated"
            assert session.get(Source, e.source_id).url.startswith("http"), e.id
        ids = set(session.scalars(select(Evidence.id)))
        for a in session.scalars(select(Assessment)):
            assert a.assessor == "Common Ground dataset" and a.rationale_en and a.rationale_zh
            assert a.evidence_ids and set(a.evidence_ids.split()) <= ids, a.id


def test_the_source_files_are_covered(shared_data):
    """Every row of the two source CSVs is an evidence item (Seoul Tracker rows also
    once per commitment I-V, its own mapping)."""
    folder = shared_data / SHARED
    with (folder / "frontier_safety_frameworks.csv").open(encoding="utf-8") as fh:
        frameworks = list(csv.DictReader(fh))
    with (folder / "assessments.csv").open(encoding="utf-8") as fh:
        third = list(csv.DictReader(fh))
    seoul = sum(1 for r in third if r["assessor"].startswith("The Midas Project"))
    evidence = _rows("evidence.csv")
    assert len(evidence) == len(frameworks) + len(third) + 5 * seoul
    assert {r["url"] for r in evidence} >= {r["url"] for r in third}
    assert {r["url"] for r in evidence} >= {r["framework_url"] for r in frameworks} - {""}
    by_kind = {r["id"][:3] for r in evidence}
    assert by_kind == {"fsf", "tpa"}


def test_all_signatories_and_commitments_in_both_languages(tracker):
    with tracker.sessions() as session:
        m = reg.matrix(session, FASC)
        every = list(session.scalars(select(Provision).where(Provision.instrument_id == FASC)))
        with_evidence = set(session.scalars(select(Evidence.actor_id)))
    assert len(m.rows) == 20
    assert {s.actor.id for s in m.rows} <= with_evidence  # every signatory has cited evidence
    labels = {p.label for p in every}
    assert {f"Commitment {n}" for n in ("I II III IV V VI VII VIII".split())} <= labels
    assert {"Outcome 1", "Outcome 2", "Outcome 3"} <= labels
    for p in every:
        if p.id.endswith("/footnotes"):  # a heading over the footnotes, titled only
            assert p.title_en and p.title_zh
            continue
        assert p.text_en and p.text_zh and p.text_kind_en and p.text_kind_zh, p.id
    joined_later = {s.actor.id for s in m.rows if s.act == "joined_later"}
    assert joined_later == {"magic", "minimax", "01-ai", "nvidia"}
    assert all(s.date is None for s in m.rows if s.act == "joined_later")  # not guessed


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "commitments"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(folder: Path, name: str, record: int, **changes: str) -> None:
    path = folder / name
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    rows[record - 1].update(changes)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


BAD = [
    ("evidence.csv", 3, {"actor": "no-such-actor"}, "actor", "not a signatory"),
    ("evidence.csv", 3, {"actor": "USA"}, "actor", "not a signatory"),
    ("evidence.csv", 4, {"provision": f"{FASC}/IX"}, "provision", "unknown commitment"),
    ("evidence.csv", 4, {"provision": "bletchley-declaration/para-1"}, "provision", ""),
    ("evidence.csv", 5, {"url": "ftp://example.org"}, "url", "http"),
    ("evidence.csv", 5, {"url": ""}, "url", ""),
    ("evidence.csv", 6, {"published": "2025-02-30"}, "published", "not a date"),
    ("evidence.csv", 6, {"kind": "rumour"}, "kind", "must be one of"),
    ("evidence.csv", 7, {"title": "x" * 501}, "title", "500"),
    ("evidence.csv", 7, {"source": "no-such-source"}, "source", "unknown source"),
    ("evidence.csv", 8, {"id": "fsf-001"}, "id", "duplicate"),
    ("evidence.csv", 8, {"id": "ev-123"}, "id", "kept for rows added by editors"),
    ("assessments.csv", 2, {"status": "excellent"}, "status", "must be one of"),
    ("assessments.csv", 2, {"assessed_on": "2026-13-01"}, "assessed_on", "YYYY-MM-DD"),
    ("assessments.csv", 3, {"evidence": "no-such-ev"}, "evidence", "unknown evidence"),
    ("assessments.csv", 3, {"evidence": "fsf-001"}, "evidence", "is about amazon"),
    ("assessments.csv", 4, {"rationale_en": ""}, "rationale_en", ""),
    ("sources.csv", 2, {"url": "not a url"}, "url", ""),
    ("sources.csv", 2, {"id": "metr-common-elements"}, "id", "another dataset"),
]


@pytest.mark.parametrize(("name", "record", "changes", "field", "words"), BAD)
def test_a_bad_record_names_itself_and_changes_nothing(
    tracker, tmp_path, name, record, changes, field, words
):
    folder = _copy(tmp_path)
    _edit(folder, name, record, **changes)
    before = _state(tracker)
    with pytest.raises(IngestError) as caught:
        run_import(tracker, CommitmentsImporter(), folder)
    exc = caught.value
    assert exc.path.name == name and exc.field == field, str(exc)
    assert exc.record == record and exc.line == record + 1, str(exc)
    assert words in str(exc)
    assert _state(tracker) == before


def test_reimport_prunes_removed_rows_but_never_an_editors(tracker, tmp_path):
    make_account(tracker, "prune-editor", roles=("editor",))
    with tracker.sessions() as session:
        editor = principal_of(get_account(session, "prune-editor"))
    mine = reg.add_evidence(
        tracker,
        editor,
        {
            "instrument": FASC,
            "provision": FRAMEWORK,
            "actor": "g42",
            "kind": "news",
            "title": "News item",
            "url": "https://example.org/n",
        },
    )
    before = _state(tracker)
    folder = _copy(tmp_path)
    for name, drop in (("evidence.csv", "tpa-001"), ("assessments.csv", "cg-fasc-framework-g42")):
        path = folder / name
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["id"] != drop]
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    run_import(tracker, CommitmentsImporter(), folder)
    with tracker.sessions() as session:
        assert session.get(Evidence, "tpa-001") is None
        assert session.get(Assessment, "cg-fasc-framework-g42") is None
        assert session.get(Evidence, mine) is not None
        cell = reg.matrix(session, FASC).cell("g42", FRAMEWORK)
    assert cell.status == "not-assessed"
    after = _state(tracker)
    assert (after[0], after[1]) == (before[0] - 1, before[1] - 1)
    # The unchanged files again: everything back, the editor's row still there.
    run_import(tracker, CommitmentsImporter(), DATA_DIR)
    assert _state(tracker) == before
