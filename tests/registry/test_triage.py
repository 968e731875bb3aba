"""The triage workflow: legal and illegal transitions, duplicates and their survivors,
assignees, comments and tags; every change appends an event, a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from commonground.auth.principal import ANONYMOUS
from commonground.errors import NotFoundError
from commonground.registry import incidents, triage
from commonground.registry import vulnerabilities as vulns
from commonground.registry.case_inputs import (
    CommentIn,
    IncidentIn,
    TagIn,
    TriageIn,
    VulnerabilityIn,
)
from commonground.registry.cases import INCIDENT, VULNERABILITY, Conflict, Forbidden, InvalidInput
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_cases import CaseComment, CaseEvent, CaseTag, Incident
from tests.registry.case_helpers import NOW, TERM_ID, add_mit_term, principal


def _snapshot(store) -> tuple:
    with store.sessions() as session:
        rows = session.execute(
            select(
                Incident.id, Incident.status, Incident.duplicate_of_id, Incident.assignee_id
            ).order_by(Incident.id)
        ).all()
        counts = tuple(
            session.scalar(select(func.count()).select_from(t))
            for t in (CaseEvent, CaseComment, CaseTag, AuditEvent)
        )
    return tuple(rows), counts


@pytest.fixture
def world(store):
    p = {
        "reporter": principal(store, "rita", ("reporter",)),
        "triager": principal(store, "tess", ("triager",)),
        "other_triager": principal(store, "theo", ("triager",)),
        "editor": principal(store, "eddy", ("editor",)),
        "viewer": principal(store, "vera", ("viewer",)),
    }
    ids = []
    for title in ("first", "second", "third"):
        with store.transaction() as session:
            ids.append(
                incidents.file_incident(session, p["reporter"], IncidentIn(title_en=title), NOW).id
            )
    return p, ids


def _triage(store, who, id, subject=INCIDENT, **fields):
    with store.transaction() as session:
        return triage.triage(session, who, subject, id, TriageIn(**fields), NOW).status


def test_the_happy_path_appends_events(store, world):
    p, (a, _, _) = world
    assert _triage(store, p["triager"], a, status="triaged", assignee="theo") == "triaged"
    assert _triage(store, p["triager"], a, status="confirmed") == "confirmed"
    with store.sessions() as session:
        d = incidents.get_incident(session, ANONYMOUS, a)
    assert d.assignee == "theo"
    assert [(e.action, e.from_status, e.to_status) for e in d.attached.events] == [
        ("filed", None, "new"),
        ("status", "new", "triaged"),
        ("assigned", None, None),
        ("status", "triaged", "confirmed"),
    ]
    assert d.attached.events[2].detail == {"assignee": "theo"}


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "confirmed"),
        ([], "new"),
        (["triaged", "confirmed"], "rejected"),
        (["rejected"], "confirmed"),
        (["triaged"], "triaged"),
    ],
)
def test_illegal_transitions_conflict_and_change_nothing(store, world, path, illegal):
    p, (a, _, _) = world
    for status in path:
        _triage(store, p["triager"], a, status=status)
    before = _snapshot(store)
    with pytest.raises(Conflict, match="status: cannot go"):
        _triage(store, p["triager"], a, status=illegal)
    assert _snapshot(store) == before


def test_rejected_can_be_reopened(store, world):
    p, (a, _, _) = world
    _triage(store, p["triager"], a, status="rejected")
    assert _triage(store, p["triager"], a, status="triaged") == "triaged"


def test_duplicates_point_at_a_survivor_that_is_not_a_duplicate(store, world):
    p, (a, b, c) = world
    _triage(store, p["triager"], a, status="duplicate", duplicate_of=b)
    before = _snapshot(store)
    with pytest.raises(Conflict, match="itself a duplicate"):
        _triage(store, p["triager"], c, status="duplicate", duplicate_of=a)
    with pytest.raises(InvalidInput, match="duplicate_of"):
        _triage(store, p["triager"], c, status="duplicate", duplicate_of=c)
    with pytest.raises(InvalidInput, match="duplicate_of"):
        _triage(store, p["triager"], c, status="duplicate", duplicate_of="CG:I-1999-9")
    assert _snapshot(store) == before
    # b becomes a duplicate of c: a (b's duplicate) follows to c, and keeps its row.
    _triage(store, p["triager"], b, status="duplicate", duplicate_of=c)
    with store.sessions() as session:
        assert session.get(Incident, a).duplicate_of_id == c
        assert triage.survivor_of(session, ANONYMOUS, INCIDENT, a, NOW) == c
        assert triage.survivor_of(session, ANONYMOUS, INCIDENT, c, NOW) is None
        events = incidents.get_incident(session, ANONYMOUS, a).attached.events
    assert events[-1].action == "redirected" and events[-1].detail == {"from": b, "to": c}


def test_duplicate_needs_a_survivor_and_survivor_needs_duplicate():
    with pytest.raises(ValidationError, match="duplicate_of"):
        TriageIn(status="duplicate")
    with pytest.raises(ValidationError, match="duplicate_of"):
        TriageIn(status="triaged", duplicate_of="CG:I-2026-1")
    with pytest.raises(ValidationError, match="status"):
        TriageIn()
    with pytest.raises(ValidationError, match="status"):
        TriageIn(status="archived")


@pytest.mark.parametrize("who", ["reporter", "editor", "viewer"])
def test_triage_needs_a_triager(store, world, who):
    p, (a, _, _) = world
    before = _snapshot(store)
    with pytest.raises(Forbidden):
        _triage(store, p[who], a, status="triaged")
    with pytest.raises(Forbidden):
        _triage(store, ANONYMOUS, a, status="triaged")
    assert _snapshot(store) == before


def test_a_token_without_the_triage_scope_cannot_triage(store, world):
    p, (a, _, _) = world
    token_triager = principal(store, "tina", ("triager",), scopes=frozenset({"read", "write"}))
    with pytest.raises(Forbidden):
        _triage(store, token_triager, a, status="triaged")


def test_assignee_must_be_a_triager(store, world):
    p, (a, _, _) = world
    before = _snapshot(store)
    for name in ("rita", "nobody"):
        with pytest.raises(InvalidInput, match="assignee"):
            _triage(store, p["triager"], a, assignee=name)
    assert _snapshot(store) == before
    _triage(store, p["triager"], a, assignee="theo")
    with pytest.raises(Conflict, match="nothing to change"):
        _triage(store, p["triager"], a, assignee="theo")
    _triage(store, p["triager"], a, assignee="")
    with store.sessions() as session:
        assert session.get(Incident, a).assignee_id is None


def test_comments_are_appended(store, world):
    p, (a, _, _) = world
    for who, body in (("reporter", "Seen again in March."), ("triager", "<b>ok</b>")):
        with store.transaction() as session:
            triage.comment(session, p[who], INCIDENT, a, CommentIn(body=body), NOW)
    with pytest.raises(Forbidden), store.transaction() as session:
        triage.comment(session, p["viewer"], INCIDENT, a, CommentIn(body="no"), NOW)
    with pytest.raises(NotFoundError), store.transaction() as session:
        triage.comment(session, p["reporter"], INCIDENT, "CG:I-1999-1", CommentIn(body="x"), NOW)
    with store.sessions() as session:
        comments = incidents.get_incident(session, ANONYMOUS, a).attached.comments
    assert [(c.author, c.body) for c in comments] == [
        ("rita", "Seen again in March."),
        ("tess", "<b>ok</b>"),
    ]


def test_tags_need_an_existing_term(store, world):
    p, (a, _, _) = world
    add_mit_term(store)
    before = _snapshot(store)
    with pytest.raises(InvalidInput, match="term_id"), store.transaction() as session:
        triage.tag(session, p["editor"], INCIDENT, a, TagIn(term_id="mit-domain:99"), NOW)
    with pytest.raises(Forbidden), store.transaction() as session:
        triage.tag(session, p["reporter"], INCIDENT, a, TagIn(term_id=TERM_ID), NOW)
    assert _snapshot(store) == before
    with store.transaction() as session:
        triage.tag(session, p["editor"], INCIDENT, a, TagIn(term_id=TERM_ID, note="why"), NOW)
    with pytest.raises(Conflict), store.transaction() as session:
        triage.tag(session, p["triager"], INCIDENT, a, TagIn(term_id=TERM_ID), NOW)
    with store.sessions() as session:
        tags = incidents.get_incident(session, ANONYMOUS, a).attached.tags
        assert incidents.list_incidents(session, ANONYMOUS, {"tag": [TERM_ID]}).total == 1
    assert [(t.term_id, t.method, t.review_status, t.author) for t in tags] == [
        (TERM_ID, "manual", "unreviewed", "account:eddy")
    ]


def test_embargoed_vulnerabilities_are_not_found_for_outsiders_writes(store, world):
    p, _ = world
    data = VulnerabilityIn(title="Hidden", embargo_until=NOW + dt.timedelta(days=3))
    with store.transaction() as session:
        vid = vulns.file_vulnerability(session, p["reporter"], data, NOW).id
    outsider = principal(store, "olga", ("reporter", "editor"), "elsewhere")
    with pytest.raises(NotFoundError), store.transaction() as session:
        triage.comment(session, outsider, VULNERABILITY, vid, CommentIn(body="hi"), NOW)
    with store.transaction() as session:
        triage.comment(session, p["reporter"], VULNERABILITY, vid, CommentIn(body="mine"), NOW)
    assert _triage(store, p["triager"], vid, VULNERABILITY, status="triaged") == "triaged"
    with store.sessions() as session:
        queue = triage.queue(session, p["triager"], NOW, subject_type=VULNERABILITY)
        assert [v.id for v in queue] == [vid]
        assert triage.queue(session, p["triager"], NOW, subject_type=INCIDENT, assignee="")
