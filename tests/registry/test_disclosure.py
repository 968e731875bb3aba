"""Coordinated disclosure: who sees an embargoed vulnerability, publishing on time and
early, and the embargo ending before the publishing job runs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from commonground.auth.principal import ANONYMOUS
from commonground.errors import NotFoundError
from commonground.registry import disclosure
from commonground.registry import vulnerabilities as vulns
from commonground.registry.case_inputs import VulnerabilityIn
from commonground.registry.cases import Conflict, Forbidden, InvalidInput
from commonground.store.models_cases import CaseEvent, Vulnerability
from tests.registry.case_helpers import NOW, principal

DAY = dt.timedelta(days=1)


@pytest.fixture
def people(store):
    with store.transaction() as session:
        from commonground.auth import accounts
        from commonground.auth.operator import OPERATOR

        accounts.create_organisation(session, OPERATOR, "model-maker", "Model Maker")
    return {
        "reporter": principal(store, "rita", ("reporter",), "red-team"),
        "colleague": principal(store, "carl", ("viewer",), "red-team"),
        "developer": principal(store, "dora", ("viewer",), "model-maker"),
        "triager": principal(store, "tess", ("triager",), "observatory"),
        "admin": principal(store, "adam", ("admin",)),
        "outsider": principal(store, "otto", ("reporter", "editor"), "elsewhere"),
        "no-org": principal(store, "nina", ("viewer",)),
        "anonymous": ANONYMOUS,
    }


def _embargoed(store, people, until=NOW + 10 * DAY) -> str:
    data = VulnerabilityIn(
        title="Jailbreak via base64", developer_org_id="model-maker", embargo_until=until
    )
    with store.transaction() as session:
        return vulns.file_vulnerability(session, people["reporter"], data, NOW - DAY).id


def _sees(store, who, vid, now=NOW) -> bool:
    with store.sessions() as session:
        ids = [v.id for v in vulns.list_vulnerabilities(session, who, now).items]
        try:
            disclosure.get_visible(session, who, vid, now)
            detail = True
        except NotFoundError:
            detail = False
    assert detail == (vid in ids)
    return detail


def test_who_sees_an_embargoed_vulnerability(store, people):
    vid = _embargoed(store, people)
    insiders = {"reporter", "colleague", "developer", "triager", "admin"}
    for name, who in people.items():
        assert _sees(store, who, vid) == (name in insiders), name


def test_embargo_end_counts_as_published_before_the_job_runs(store, people):
    vid = _embargoed(store, people, until=NOW + DAY)
    assert not _sees(store, people["outsider"], vid, NOW)
    assert _sees(store, people["outsider"], vid, NOW + DAY)
    assert _sees(store, ANONYMOUS, vid, NOW + 2 * DAY)


def test_publish_due_publishes_ended_embargoes_once(store, people):
    soon = _embargoed(store, people, until=NOW + DAY)
    later = _embargoed(store, people, until=NOW + 5 * DAY)
    with store.transaction() as session:
        assert disclosure.publish_due(session, NOW) == []
    with store.transaction() as session:
        assert disclosure.publish_due(session, NOW + 2 * DAY) == [soon]
    with store.transaction() as session:
        assert disclosure.publish_due(session, NOW + 2 * DAY) == []
    with store.sessions() as session:
        v = session.get(Vulnerability, soon)
        assert v.published_at is not None and session.get(Vulnerability, later).published_at is None
        actions = session.scalars(
            select(CaseEvent.action).where(CaseEvent.subject_id == soon).order_by(CaseEvent.id)
        ).all()
    assert actions == ["filed", "published"]


def test_triager_publishes_early_and_only_once(store, people):
    vid = _embargoed(store, people)
    with pytest.raises(Forbidden), store.transaction() as session:
        disclosure.publish(session, people["reporter"], vid, NOW)
    with store.transaction() as session:
        disclosure.publish(session, people["triager"], vid, NOW)
    assert _sees(store, ANONYMOUS, vid)
    with pytest.raises(Conflict), store.transaction() as session:
        disclosure.publish(session, people["triager"], vid, NOW)


def test_triager_moves_an_embargo(store, people):
    vid = _embargoed(store, people)
    with pytest.raises(InvalidInput, match="embargo_until"), store.transaction() as session:
        disclosure.set_embargo(session, people["triager"], vid, NOW - DAY, NOW)
    with store.transaction() as session:
        disclosure.set_embargo(session, people["triager"], vid, NOW + 40 * DAY, NOW)
    assert not _sees(store, ANONYMOUS, vid, NOW + 20 * DAY)
    assert _sees(store, ANONYMOUS, vid, NOW + 41 * DAY)


def test_token_scopes_do_not_widen_visibility(store, people):
    vid = _embargoed(store, people)
    read_only_outsider = principal(store, "rory", ("admin",), scopes=frozenset({"read"}))
    # An admin's token sees what the admin sees (visibility follows roles, not scopes).
    assert _sees(store, read_only_outsider, vid)
    assert not _sees(store, people["no-org"], vid)


def test_cli_publish_due(store, people, database_url):
    from typer.testing import CliRunner

    from commonground.cli import app

    vid = _embargoed(store, people, until=NOW + DAY)
    runner = CliRunner()
    args = ["cases", "publish-due", "--database-url", database_url]
    early = runner.invoke(app, [*args, "--now", NOW.isoformat()])
    assert early.exit_code == 0, early.output
    assert "published 0 vulnerabilities" in early.output
    due = runner.invoke(app, [*args, "--now", (NOW + 2 * DAY).isoformat()])
    assert due.exit_code == 0, due.output
    assert "published 1 vulnerability" in due.output and vid in due.output
    bad = runner.invoke(app, [*args, "--now", "tomorrow"])
    assert bad.exit_code != 0 and "--now" in bad.output
