"""`commonground commitments`: the matrix in three formats, a signatory's record, and
editor writes from the command line — refused for non-editors and for bad input, with
nothing changed."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from commonground.cli import app
from commonground.registry import commitments as reg
from commonground.store.models_commitments import Assessment, Evidence
from tests.auth_helpers import make_account
from tests.commitments_helpers import FASC, tracker_store

runner = CliRunner()


def _said(result) -> str:  # type: ignore[no-untyped-def]
    """What the user is told: output, or the Error that `main()` prints."""
    return result.output + (str(result.exception) if result.exception else "")


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, shared_data):
    with tracker_store(tmp_path_factory.mktemp("tracker"), shared_data) as store:
        make_account(store, "cli-editor", roles=("editor",))
        make_account(store, "cli-viewer", roles=("viewer",))
        yield store


@pytest.fixture(scope="module")
def url(tracker) -> str:
    return tracker.engine.url.render_as_string(hide_password=False)


def _counts(store) -> tuple[int, int]:
    with store.sessions() as session:
        return (
            session.scalar(select(func.count(Evidence.id))),
            session.scalar(select(func.count(Assessment.id))),
        )


def test_matrix_formats_agree_with_the_registry(tracker, url):
    with tracker.sessions() as session:
        rows = reg.matrix_rows(reg.matrix(session, FASC))
    as_csv = runner.invoke(
        app, ["commitments", "matrix", FASC, "--format", "csv", "--database-url", url]
    )
    assert as_csv.exit_code == 0, as_csv.output
    parsed = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [(r["actor_id"], r["provision_id"], r["status"]) for r in parsed] == [
        (r["actor_id"], r["provision_id"], r["status"]) for r in rows
    ]
    as_json = runner.invoke(
        app, ["commitments", "matrix", FASC, "--format", "json", "--database-url", url]
    )
    assert json.loads(as_json.output) == json.loads(json.dumps(rows))
    table = runner.invoke(app, ["commitments", "matrix", FASC, "--database-url", url])
    assert table.exit_code == 0 and "met: 10" in table.output and "not-met: 6" in table.output
    bad = runner.invoke(
        app, ["commitments", "matrix", FASC, "--format", "xml", "--database-url", url]
    )
    assert bad.exit_code == 1 and "unknown format" in _said(bad)


def test_show_lists_history_and_evidence(url):
    result = runner.invoke(app, ["commitments", "show", FASC, "xai", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Safety framework: contested (14 evidence)" in result.output
    assert "cg-fasc-framework-xai" in result.output and "fsf-036" in result.output


def test_assess_and_add_evidence_as_an_editor(tracker, url):
    before = _counts(tracker)
    added = runner.invoke(
        app,
        ["commitments", "add-evidence", FASC, "cohere", f"{FASC}/VII", "--kind", "report",
         "--title", "Transparency report", "--url", "https://example.org/t",
         "--published", "2026-08", "--as", "cli-editor", "--database-url", url],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    evidence_id = re.search(r"added evidence (\S+)", added.output).group(1)
    assessed = runner.invoke(
        app,
        ["commitments", "assess", FASC, "cohere", f"{FASC}/VII", "--status", "partly-met",
         "--rationale", "The report covers part of I-VI.", "--evidence", evidence_id,
         "--on", "2026-10-01", "--as", "cli-editor", "--database-url", url],
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    assert _counts(tracker) == (before[0] + 1, before[1] + 1)
    with tracker.sessions() as session:
        cell = reg.matrix(session, FASC).cell("cohere", f"{FASC}/VII")
    assert cell.status == "partly-met" and cell.assessment.created_by == "cli-editor"
    assert cell.assessment.assessor == "cli-editor"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--status", "great"], "status"),
        (["--status", "met", "--on", "2026-02-30"], "assessed_on"),
        (["--status", "met", "--evidence", "fsf-001"], "is about amazon"),
        (["--status", "met", "--as", "cli-viewer"], "needs the editor role"),
        (["--status", "met", "--as", "nobody"], "no such account"),
    ],
)
def test_bad_assessments_change_nothing(tracker, url, args, words):
    before = _counts(tracker)
    base = ["commitments", "assess", FASC, "cohere", f"{FASC}/VII", "--rationale", "r"]
    if "--as" not in args:
        args = [*args, "--as", "cli-editor"]
    result = runner.invoke(app, [*base, *args, "--database-url", url])
    assert result.exit_code == 1, result.output
    assert words in _said(result)
    assert _counts(tracker) == before


def test_bad_evidence_changes_nothing(tracker, url):
    before = _counts(tracker)
    result = runner.invoke(
        app,
        ["commitments", "add-evidence", FASC, "USA", f"{FASC}/VII", "--kind", "report",
         "--title", "t", "--url", "ftp://x", "--as", "cli-editor", "--database-url", url],
    )  # fmt: skip
    said = _said(result)
    assert result.exit_code == 1 and "url" in said and "USA" not in said
    assert _counts(tracker) == before
