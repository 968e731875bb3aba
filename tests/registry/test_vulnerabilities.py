"""Vulnerabilities in AVID's schema: filing, embargo checks at filing, lists, detail."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from commonground.auth.principal import ANONYMOUS
from commonground.errors import NotFoundError
from commonground.registry import vulnerabilities as vulns
from commonground.registry.case_inputs import VulnerabilityIn
from commonground.registry.cases import Forbidden, InvalidInput
from commonground.store.models_cases import CaseAttribute, CaseEvent, Vulnerability
from tests.registry.case_helpers import NOW, principal

DAY = dt.timedelta(days=1)


def _file(store, who, now=NOW, **fields):
    fields.setdefault("title", "Prompt injection exfiltrates chat history")
    with store.transaction() as session:
        return vulns.file_vulnerability(session, who, VulnerabilityIn(**fields), now).id


def _count(store, model=Vulnerability) -> int:
    with store.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_public_filing_is_published_at_once(store):
    rita = principal(store, "rita", ("reporter",), "red-team")
    vid = _file(
        store,
        rita,
        problem_class="LLM Evaluation",
        problem_type="Detection",
        risk_domains=["Security"],
        sep_view=["S0301: Information Leak"],
        lifecycle_view=["L06: Deployment"],
        artifacts=[{"type": "System", "name": "ExampleChat"}],
        references=[{"label": "Write-up", "url": "https://example.org/write-up"}],
        developers=["Example AI"],
    )
    assert vid == "CG:V-2026-1"
    with store.sessions() as session:
        d = vulns.get_vulnerability(session, ANONYMOUS, vid, NOW)
    v = d.vulnerability
    assert (v.kind, v.data_version, v.status, v.reporter_org_id) == (
        "vulnerability",
        "0.2",
        "new",
        "red-team",
    )
    assert v.published_at is not None and not d.embargoed
    assert v.references == [
        {"type": "source", "label": "Write-up", "url": "https://example.org/write-up"}
    ]
    assert [(a.kind, a.value) for a in d.attached.attributes] == [
        ("artifact", "System: ExampleChat"),
        ("developer", "Example AI"),
    ]
    assert [e.action for e in d.attached.events] == ["filed", "published"]


def test_embargoed_filing_is_hidden_from_outsiders(store):
    rita = principal(store, "rita", ("reporter",), "red-team")
    vid = _file(store, rita, embargo_until=NOW + 30 * DAY)
    with store.sessions() as session:
        with pytest.raises(NotFoundError) as hidden:
            vulns.get_vulnerability(session, ANONYMOUS, vid, NOW)
        with pytest.raises(NotFoundError) as never:
            vulns.get_vulnerability(session, ANONYMOUS, "CG:V-2026-2", NOW)
        assert str(hidden.value).replace(vid, "ID") == str(never.value).replace("CG:V-2026-2", "ID")
        assert vulns.get_vulnerability(session, rita, vid, NOW).embargoed
        assert vulns.list_vulnerabilities(session, ANONYMOUS, NOW).total == 0
        assert vulns.list_vulnerabilities(session, rita, NOW).total == 1


@pytest.mark.parametrize(
    ("until", "field"),
    [(NOW - DAY, "embargo_until"), (NOW, "embargo_until"), (NOW + 400 * DAY, "embargo_until")],
)
def test_embargo_must_be_future_and_bounded(store, until, field):
    rita = principal(store, "rita", ("reporter",))
    before = (_count(store), _count(store, CaseEvent), _count(store, CaseAttribute))
    with pytest.raises(InvalidInput) as info:
        _file(store, rita, embargo_until=until, developers=["X"])
    assert info.value.field == field
    assert (_count(store), _count(store, CaseEvent), _count(store, CaseAttribute)) == before


def test_developer_org_must_exist(store):
    rita = principal(store, "rita", ("reporter",))
    with pytest.raises(InvalidInput, match="developer_org_id"):
        _file(store, rita, developer_org_id="no-such-org")
    assert _count(store) == 0


def test_filing_needs_reporter(store):
    viewer = principal(store, "vera", ("viewer",))
    with pytest.raises(Forbidden):
        _file(store, viewer)
    assert _count(store) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "t", "problem_class": "Rumour"}, "problem_class"),
        ({"title": "t", "risk_domains": ["Vibes"]}, "risk_domains"),
        ({"title": "t", "sep_view": ["nonsense"]}, "sep_view"),
        ({"title": "t", "lifecycle_view": ["L09: Afterlife"]}, "lifecycle_view"),
        ({"title": "t", "artifacts": [{"type": "Toaster", "name": "x"}]}, "artifacts"),
        ({"title": "t", "references": [{"label": "x", "url": "ftp://x"}]}, "references"),
        ({"title": "t", "embargo_until": "soon"}, "embargo_until"),
    ],
)
def test_bad_avid_fields_are_named(fields, field):
    with pytest.raises(ValidationError) as info:
        VulnerabilityIn(**fields)
    assert field in str(info.value)


def test_list_facets_count_only_visible(store):
    rita = principal(store, "rita", ("reporter",), "red-team")
    _file(store, rita, problem_class="CVE Entry", developers=["Acme"])
    _file(store, rita, problem_class="LLM Evaluation", developers=["Acme"], embargo_until=NOW + DAY)
    with store.sessions() as session:
        outside = vulns.list_vulnerabilities(session, ANONYMOUS, NOW)
        inside = vulns.list_vulnerabilities(session, rita, NOW)
    assert dict(outside.facets["problem_class"]) == {"CVE Entry": 1}
    assert dict(outside.facets["developer"]) == {"Acme": 1}
    assert dict(inside.facets["problem_class"]) == {"CVE Entry": 1, "LLM Evaluation": 1}
    assert dict(inside.facets["developer"]) == {"Acme": 2}
    assert dict(outside.facets["namespace"]) == {"CG": 1}
