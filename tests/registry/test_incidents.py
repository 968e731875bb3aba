"""Incidents: filing (ids under concurrency), attributes, reports, lists and facets."""

from __future__ import annotations

import threading

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from commonground.auth.principal import ANONYMOUS
from commonground.errors import NotFoundError
from commonground.registry import incidents
from commonground.registry.case_inputs import IncidentIn, ReportIn
from commonground.registry.cases import Conflict, Forbidden, InvalidInput
from commonground.store.models_accounts import AuditEvent
from commonground.store.models_cases import (
    CaseAttribute,
    CaseEvent,
    Incident,
    IncidentReport,
    IncidentReportLink,
)
from tests.registry.case_helpers import NOW, principal


def _counts(store) -> dict[str, int]:
    tables = (Incident, IncidentReport, IncidentReportLink, CaseAttribute, CaseEvent, AuditEvent)
    with store.sessions() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in tables
        }


def _file(store, who, **fields):
    with store.transaction() as session:
        return incidents.file_incident(session, who, IncidentIn(**fields), NOW).id


def test_filing_allocates_sequential_ids_and_keeps_attributes(store):
    alice = principal(store, "alice", ("reporter",), "civic-lab")
    first = _file(store, alice, title_en="Chatbot gave false tax advice", countries=["Canada"])
    second = _file(
        store, alice, title_zh="人脸识别误认", sectors=["Policing", "Policing"], developers=["X"]
    )
    assert (first, second) == ("CG:I-2026-1", "CG:I-2026-2")
    with store.sessions() as session:
        d = incidents.get_incident(session, ANONYMOUS, second)
    assert d.incident.namespace == "CG" and d.incident.status == "new"
    assert d.incident.organisation_id == "civic-lab" and d.reporter == "alice"
    assert [(a.kind, a.value) for a in d.attached.attributes] == [
        ("developer", "X"),
        ("sector", "Policing"),
    ]
    assert [(e.action, e.to_status, e.actor) for e in d.attached.events] == [
        ("filed", "new", "alice")
    ]


def test_ids_continue_past_nine_and_ignore_other_years(store):
    alice = principal(store, "alice", ("reporter",))
    with store.transaction() as session:
        for n in (9, 10):
            session.add(
                Incident(
                    id=f"CG:I-2026-{n}",
                    namespace="CG",
                    status="new",
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.add(
            Incident(
                id="CG:I-2025-99", namespace="CG", status="new", created_at=NOW, updated_at=NOW
            )
        )
    assert _file(store, alice, title_en="Eleventh") == "CG:I-2026-11"


def test_concurrent_filers_get_distinct_ids(store):
    alice = principal(store, "alice", ("reporter",))
    barrier = threading.Barrier(4)
    ids: list[str] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            ids.append(_file(store, alice, title_en=f"Concurrent {n}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(ids) == [f"CG:I-2026-{n}" for n in range(1, 5)]


@pytest.mark.parametrize("roles", [(), ("viewer",), ("triager",), ("editor",)])
def test_filing_needs_the_reporter_role(store, roles):
    who = principal(store, "bob", roles) if roles else ANONYMOUS
    before = _counts(store)
    with pytest.raises(Forbidden):
        _file(store, who, title_en="Not allowed")
    assert _counts(store) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "title_en"),
        ({"title_en": "   "}, "title_en"),
        ({"title_en": "x" * 501}, "title_en"),
        ({"title_en": "a\x00b"}, "title_en"),
        ({"title_en": "ok", "url": "javascript:alert(1)"}, "url"),
        ({"title_en": "ok", "date": "1066-10-14"}, "date"),
        ({"title_en": "ok", "severity": "apocalyptic"}, "severity"),
        ({"title_en": "ok", "countries": ["x" * 201]}, "countries"),
        ({"title_en": "ok", "surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_field(fields, field):
    with pytest.raises(ValidationError) as info:
        IncidentIn(**fields)
    assert field in str(info.value)


def test_reports_link_several_incidents_and_are_not_copied(store):
    alice = principal(store, "alice", ("reporter",))
    a = _file(store, alice, title_en="A")
    b = _file(store, alice, title_en="B")
    url = "https://www.bbc.com/news/technology-00000000"
    with store.transaction() as session:
        report = incidents.add_report(
            session, alice, a, ReportIn(url=url, title="Two failures", also_incidents=[b]), NOW
        )
    assert report.id == "CG:R-2026-1"
    c = _file(store, alice, title_en="C")
    with store.transaction() as session:
        again = incidents.add_report(session, alice, c, ReportIn(url=url), NOW)
    assert again.id == report.id
    with store.sessions() as session:
        for i in (a, b, c):
            assert [r.id for r in incidents.get_incident(session, ANONYMOUS, i).reports] == [
                report.id
            ]
    before = _counts(store)
    with pytest.raises(Conflict), store.transaction() as session:
        incidents.add_report(session, alice, a, ReportIn(url=url), NOW)
    with pytest.raises(InvalidInput, match="also_incidents"), store.transaction() as session:
        incidents.add_report(
            session, alice, a, ReportIn(url=url + "2", also_incidents=["CG:I-1999-1"]), NOW
        )
    with pytest.raises(NotFoundError), store.transaction() as session:
        incidents.add_report(session, alice, "CG:I-1999-1", ReportIn(url=url + "3"), NOW)
    assert _counts(store) == before


def test_list_filters_facets_and_pages(store):
    alice = principal(store, "alice", ("reporter",))
    _file(store, alice, title_en="one", date="2024-05-01", countries=["Kenya"], sectors=["Health"])
    _file(store, alice, title_en="two", date="2025-02-01", countries=["Kenya", "Peru"])
    _file(store, alice, title_en="three", countries=["Peru"], sectors=["Health"])
    with store.sessions() as session:
        page = incidents.list_incidents(session, ANONYMOUS, {"country": ["Kenya"]})
        assert [i.title_en for i in page.items] == ["two", "one"]
        assert page.total == 2
        assert dict(page.facets["country"]) == {"Kenya": 2, "Peru": 2}
        assert dict(page.facets["year"]) == {"2025": 1, "2024": 1}
        assert dict(page.facets["sector"]) == {"Health": 1}
        both = incidents.list_incidents(
            session, ANONYMOUS, {"country": ["Peru"], "sector": ["Health"]}
        )
        assert [i.title_en for i in both.items] == ["three"]
        seen, cursor = [], None
        while True:
            page = incidents.list_incidents(session, ANONYMOUS, cursor=cursor, limit=1)
            seen += [i.title_en for i in page.items]
            cursor = page.next_cursor
            if not cursor:
                break
        assert seen == ["two", "one", "three"]  # newest first, undated last
        assert incidents.list_incidents(session, ANONYMOUS, {"year": ["2024"]}).total == 1
