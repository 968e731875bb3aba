"""A small world for the web tests of incidents and vulnerabilities: one database per
test module, accounts of every role in two organisations, tokens, and a client.

Principals are named `<role>.<org>`: org `own` is the organisation that reports the
embargoed vulnerabilities, `dev` the affected developer, `other` an outsider; the
anonymous visitor has no name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from commonground.auth.accounts import get_account, principal_of
from commonground.auth.principal import ANONYMOUS, Principal
from commonground.config import Settings
from commonground.registry import incidents, vulnerabilities
from commonground.registry.case_inputs import IncidentIn, VulnerabilityIn
from commonground.store.engine import Store
from commonground.web.app import create_app
from tests.auth_helpers import auth_header, make_account, make_token
from tests.conftest import _new_database
from tests.registry.case_helpers import add_mit_term

ROLES = ("viewer", "reporter", "triager", "editor", "admin")
ORGS = ("own", "other")
SCOPES = ("read", "write", "triage")


@dataclass
class World:
    store: Store
    client: TestClient
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    principals: dict[str, Principal] = field(default_factory=dict)

    def as_(self, name: str | None) -> dict[str, str]:
        return self.headers[name] if name else {}

    def principal(self, name: str | None) -> Principal:
        return self.principals[name] if name else ANONYMOUS

    def incident(self, title: str = "A chatbot advised breaking the law") -> str:
        with self.store.transaction() as session:
            return incidents.file_incident(
                session, self.principals["reporter.own"], IncidentIn(title_en=title), now()
            ).id

    def vulnerability(self, title: str = "Hidden flaw", *, embargo: bool = True) -> str:
        until = now() + dt.timedelta(days=30) if embargo else None
        data = VulnerabilityIn(title=title, developer_org_id="dev", embargo_until=until)
        with self.store.transaction() as session:
            return vulnerabilities.file_vulnerability(
                session, self.principals["reporter.own"], data, now()
            ).id


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def world(tmp: Path, *, page_cache: bool = True) -> Iterator[World]:
    with _new_database(tmp) as url:
        store = Store.from_url(url)
        app = create_app(Settings(database_url=url, page_cache=page_cache), store=store)
        w = World(store, TestClient(app))
        make_account(store, "developer.dev", roles=("viewer",), organisation="dev", password=None)
        names = ["developer.dev"]
        for org in ORGS:
            for role in ROLES:
                name = f"{role}.{org}"
                make_account(store, name, roles=(role,), organisation=org, password=None)
                names.append(name)
        for name in names:
            w.headers[name] = auth_header(make_token(store, name, SCOPES))
            with store.sessions() as session:
                w.principals[name] = principal_of(get_account(session, name), frozenset(SCOPES))
        add_mit_term(store)
        try:
            yield w
        finally:
            w.client.close()
            store.dispose()
