"""The tracker's reads and writes: matrix counts against a direct count, the current status
and its history (an assessment is never overwritten), and every bad write refused with a
clear error and no change."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from commonground.auth.accounts import get_account, principal_of
from commonground.auth.principal import ANONYMOUS
from commonground.registry import commitments as reg
from commonground.store.models import Participation, Provision
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_commitments import Assessment, Evidence
from tests.auth_helpers import make_account
from tests.commitments_helpers import FASC, FRAMEWORK, tracker_store


@pytest.fixture(scope="module")
def tracker(tmp_path_factory, shared_data):
    with tracker_store(tmp_path_factory.mktemp("tracker"), shared_data) as store:
        make_account(store, "editor1", roles=("editor",))
        make_account(store, "viewer1", roles=("viewer",))
        yield store


def _principal(store, username):
    with store.sessions() as session:
        return principal_of(get_account(session, username))


def _counts(store) -> tuple[int, int, int]:
    with store.sessions() as session:
        return (
            session.scalar(select(func.count(Evidence.id))),
            session.scalar(select(func.count(Assessment.id))),
            session.scalar(select(func.count(AuditEvent.id))),
        )


# -- reading -------------------------------------------------------------------------


def test_matrix_has_every_signatory_and_commitment(tracker):
    with tracker.sessions() as session:
        m = reg.matrix(session, FASC)
        signed = set(
            session.scalars(
                select(Participation.actor_id).where(
                    Participation.instrument_id == FASC,
                    Participation.act.in_(reg.COMMITTING_ACTS),
                )
            )
        )
        provisions = set(
            session.scalars(
                select(Provision.id).where(
                    Provision.instrument_id == FASC, Provision.kind == "provision"
                )
            )
        )
    assert {s.actor.id for s in m.rows} == signed
    assert len(signed) == 20
    assert [p.id.rsplit("/", 1)[1] for p in m.columns] == [
        "framework", "I", "II", "III", "IV", "V", "VI", "VII", "VIII",
    ]  # fmt: skip
    assert {p.id for p in m.columns} == provisions
    assert len(m.cells) == 20 * 9


def test_matrix_counts_equal_a_direct_count(tracker):
    """Row, column and total counts against statuses computed straight from the tables."""
    with tracker.sessions() as session:
        m = reg.matrix(session, FASC)
        latest: dict[tuple[str, str], tuple] = {}
        for a in session.scalars(select(Assessment).where(Assessment.instrument_id == FASC)):
            key = (a.actor_id, a.provision_id)
            rank = (a.assessed_on, a.created_at.replace(tzinfo=None), a.id)
            if key not in latest or rank > latest[key][0]:
                latest[key] = (rank, a.status)
        with_evidence = set(
            tuple(r)
            for r in session.execute(
                select(Evidence.actor_id, Evidence.provision_id).where(
                    Evidence.instrument_id == FASC
                )
            ).all()
        )
    expected: dict[tuple[str, str], str] = {}
    for s in m.rows:
        for p in m.columns:
            key = (s.actor.id, p.id)
            if key in latest:
                expected[key] = latest[key][1]
            else:
                expected[key] = "not-assessed" if key in with_evidence else "no-evidence-found"
    assert {k: c.status for k, c in m.cells.items()} == expected
    assert m.totals == Counter(expected.values())
    for s in m.rows:
        row = Counter(v for (a, _), v in expected.items() if a == s.actor.id)
        assert m.row_counts[s.actor.id].counts == row
        assert m.row_counts[s.actor.id].met == row["met"]
        assert m.row_counts[s.actor.id].judged == sum(row[x] for x in reg.JUDGED)
    for p in m.columns:
        column = Counter(v for (_, q), v in expected.items() if q == p.id)
        assert m.column_counts[p.id].counts == column


def test_bundled_assessments_as_decided(tracker):
    """The dataset's own statuses on the framework undertaking (10 met, 6 not met, 4 contested)."""
    with tracker.sessions() as session:
        m = reg.matrix(session, FASC)
    column = {s.actor.id: m.cell(s.actor.id, FRAMEWORK).status for s in m.rows}
    assert Counter(column.values()) == {"met": 10, "not-met": 6, "contested": 4}
    assert {a for a, s in column.items() if s == "not-met"} == {
        "inflection-ai", "mistral-ai", "technology-innovation-institute", "zhipu-ai",
        "minimax", "01-ai",
    }  # fmt: skip
    assert {a for a, s in column.items() if s == "contested"} == {
        "ibm", "samsung-electronics", "xai", "nvidia",
    }  # fmt: skip
    # Commitments VI-VIII have no evidence at all: computed, never stored.
    for s in m.rows:
        for label in ("VI", "VII", "VIII"):
            cell = m.cell(s.actor.id, f"{FASC}/{label}")
            assert cell.status == "no-evidence-found" and not cell.stored


@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
            st.datetimes(dt.datetime(2024, 1, 1), dt.datetime(2026, 12, 31)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_current_is_latest_by_date_then_recording_time(items):
    rows = [
        SimpleNamespace(assessed_on=d, created_at=t, id=f"as-{i:03d}")
        for i, (d, t) in enumerate(items)
    ]
    chosen = reg.current(rows)
    assert all(
        (chosen.assessed_on, chosen.created_at) >= (r.assessed_on, r.created_at) for r in rows
    )


def test_timeline_is_newest_first(tracker):
    with tracker.sessions() as session:
        items = reg.evidence_for(session, FASC, actor_id="anthropic")
    dated = [e.published_on for e in items if e.published_on]
    assert dated == sorted(dated, reverse=True)
    undated = [e for e in items if e.published_on is None]
    assert items[len(items) - len(undated) :] == undated
    assert len(items) == 13 + 12 + 5  # 13 framework rows, 12 assessments, Seoul I-V


# -- writing -------------------------------------------------------------------------


def _assessment(actor="cohere", provision=f"{FASC}/VI", **over):
    data = {
        "instrument": FASC,
        "provision": provision,
        "actor": actor,
        "status": "partly-met",
        "assessed_on": "2026-10-01",
        "assessor": "Test assessor",
        "rationale_en": "A rationale.",
    }
    data.update(over)
    return data


def test_second_assessment_adds_a_row_and_becomes_current(tracker):
    editor = _principal(tracker, "editor1")
    before = _counts(tracker)
    first = reg.add_assessment(tracker, editor, _assessment())
    second = reg.add_assessment(
        tracker, editor, _assessment(status="met", assessed_on="2026-10-02", rationale_en="Later.")
    )
    assert _counts(tracker) == (before[0], before[1] + 2, before[2] + 2)
    with tracker.sessions() as session:
        cell = reg.matrix(session, FASC).cell("cohere", f"{FASC}/VI")
        history = reg.assessments_for(session, FASC, actor_id="cohere", provision_id=f"{FASC}/VI")
        old = session.get(Assessment, first)
        assert (old.status, old.rationale_en, old.assessed_on) == (
            "partly-met", "A rationale.", dt.date(2026, 10, 1),
        )  # fmt: skip
        assert old.created_by == "editor1"
    assert cell.status == "met" and cell.assessment.id == second
    assert [a.id for a in history] == [second, first]
    # An assessment dated earlier, recorded later, does not become current.
    third = reg.add_assessment(
        tracker, editor, _assessment(status="not-met", assessed_on="2026-09-01")
    )
    with tracker.sessions() as session:
        cell = reg.matrix(session, FASC).cell("cohere", f"{FASC}/VI")
        history = reg.assessments_for(session, FASC, actor_id="cohere", provision_id=f"{FASC}/VI")
    assert cell.assessment.id == second
    assert [a.id for a in history] == [second, first, third]


def test_evidence_is_added_with_who_and_when(tracker):
    editor = _principal(tracker, "editor1")
    new_id = reg.add_evidence(
        tracker,
        editor,
        {
            "instrument": FASC,
            "provision": f"{FASC}/VII",
            "actor": "magic",
            "kind": "blog-post",
            "title": "A post",
            "url": "https://example.org/post",
            "published": "2025-03",
        },
    )
    with tracker.sessions() as session:
        e = session.get(Evidence, new_id)
        event = session.scalars(select(AuditEvent).where(AuditEvent.subject_id == new_id)).one()
        cell = reg.matrix(session, FASC).cell("magic", f"{FASC}/VII")
    assert (e.added_by, e.published_on, e.published_text) == (
        "editor1",
        dt.date(2025, 3, 1),
        "2025-03",
    )
    assert e.added_at is not None and event.action == "evidence.add"
    assert cell.status == "not-assessed" and cell.evidence_count == 1


GOOD_EVIDENCE = {
    "instrument": FASC,
    "provision": f"{FASC}/VII",
    "actor": "amazon",
    "kind": "report",
    "title": "A report",
    "url": "https://example.org/r",
}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"actor": "no-such-actor"}, "actor", "no such actor"),
        ({"actor": "USA"}, "actor", "not a signatory"),
        ({"provision": f"{FASC}/IX"}, "provision", "no such provision"),
        ({"provision": "bletchley-declaration/para-1"}, "provision", ""),
        ({"provision": f"{FASC}/outcome-1"}, "provision", "not a commitment"),
        ({"instrument": "no-such-instrument"}, "instrument", "no such instrument"),
        ({"kind": "rumour"}, "kind", "must be one of"),
        ({"url": ""}, "url", ""),
        ({"url": "ftp://example.org/x"}, "url", "http"),
        ({"url": "javascript:alert(1)"}, "url", "http"),
        ({"published": "2025-13-01"}, "published", "YYYY"),
        ({"published": "last spring"}, "published", "YYYY"),
        ({"title": "x" * 501}, "title", "at most 500"),
        ({"excerpt": "x" * 4001}, "excerpt", "at most 4000"),
        ({"title": ""}, "title", ""),
        ({"basis": "guessed"}, "basis", "must be one of"),
        ({"extra": "field"}, "extra", "not permitted"),
    ],
)
def test_bad_evidence_is_refused_and_changes_nothing(tracker, change, field, words):
    editor = _principal(tracker, "editor1")
    before = _counts(tracker)
    data = {k: v for k, v in {**GOOD_EVIDENCE, **change}.items()}
    with pytest.raises(reg.InvalidInput) as caught:
        reg.add_evidence(tracker, editor, data)
    fields = [f for f, _ in caught.value.errors]
    assert fields[0] == field, caught.value.errors
    assert words in str(caught.value)
    assert _counts(tracker) == before


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"actor": "nobody"}, "actor", "no such actor"),
        ({"provision": f"{FASC}/footnote-1"}, "provision", "not a commitment"),
        ({"provision": "no-such/provision"}, "provision", "no such provision"),
        ({"status": "excellent"}, "status", "must be one of"),
        ({"status": "not-assessed"}, "status", "must be one of"),
        ({"assessed_on": "2026-02-30"}, "assessed_on", "YYYY-MM-DD"),
        ({"assessed_on": "yesterday"}, "assessed_on", "YYYY-MM-DD"),
        ({"assessed_on": "2999-01-01"}, "assessed_on", "future"),
        ({"rationale_en": ""}, "rationale_en", ""),
        ({"rationale_en": "x" * 4001}, "rationale_en", "at most 4000"),
        ({"assessor": ""}, "assessor", ""),
        ({"evidence": "no-such-evidence"}, "evidence", "no such evidence"),
        ({"evidence": "fsf-001"}, "evidence", "is about amazon"),
        ({"evidence": "Bad Id!"}, "evidence", "not an evidence id"),
    ],
)
def test_bad_assessment_is_refused_and_changes_nothing(tracker, change, field, words):
    editor = _principal(tracker, "editor1")
    before = _counts(tracker)
    with pytest.raises(reg.InvalidInput) as caught:
        reg.add_assessment(tracker, editor, {**_assessment(actor="openai"), **change})
    assert caught.value.errors[0][0] == field, caught.value.errors
    assert words in str(caught.value)
    assert _counts(tracker) == before


@pytest.mark.parametrize("who", ["anonymous", "viewer1"])
def test_only_editors_write(tracker, who):
    principal = ANONYMOUS if who == "anonymous" else _principal(tracker, who)
    before = _counts(tracker)
    with pytest.raises(reg.NotAllowed):
        reg.add_evidence(tracker, principal, dict(GOOD_EVIDENCE))
    with pytest.raises(reg.NotAllowed):
        reg.add_assessment(tracker, principal, _assessment())
    assert _counts(tracker) == before
