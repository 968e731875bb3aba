"""Authorisation matrix: every role (anonymous, viewer, reporter, triager, editor, admin)
× every incident/vulnerability/triage page and endpoint × own/other organisation, each
cell asserting the exact status code.

`own` is the organisation that reported the embargoed vulnerability, `dev` the
affected developer's, `other` an outsider's. Each cell acts on a case created for it,
so no cell depends on another. Requests carry a Bearer token with the read, write and
triage scopes (the role decides); cookie sessions and CSRF are tested in the page tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.web.case_world import ORGS, ROLES, World, now, world

COMMENTERS = ("reporter", "triager", "editor", "admin")
TAGGERS = ("triager", "editor", "admin")
TRIAGERS = ("triager", "admin")
REPORTERS = ("reporter", "admin")

Rule = Callable[[str | None, str | None], int]


def insider(role: str | None, org: str | None) -> bool:
    return org in ("own", "dev") or role in TRIAGERS


def anyone(ok: int) -> Rule:
    return lambda role, org: ok


def roles(ok: int, allowed: tuple[str, ...]) -> Rule:
    return lambda role, org: 401 if role is None else ok if role in allowed else 403


def sees(ok: int) -> Rule:
    """A read of an embargoed vulnerability: 404 (as if never filed) to outsiders."""
    return lambda role, org: ok if role is not None and insider(role, org) else 404


def roles_then_sees(ok: int, allowed: tuple[str, ...]) -> Rule:
    """A write on an embargoed vulnerability: the role first (401/403), then visibility."""

    def rule(role: str | None, org: str | None) -> int:
        first = roles(ok, allowed)(role, org)
        return first if first != ok else (ok if insider(role, org) else 404)

    return rule


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # {id}: the target case's id
    target: str  # none | incident | embargoed | public
    rule: Rule
    json: Callable[[], dict] | None = None
    form: Callable[[], dict] | None = None


def _report() -> dict:
    return {"url": f"https://example.org/report/{uuid.uuid4().hex}", "title": "A report"}


TERM = {"term_id": "mit-domain:2.2"}


def _later() -> dict:
    return {"embargo_until": (now() + dt.timedelta(days=60)).isoformat()}


ENDPOINTS = [
    # reads
    Endpoint("incident list page", "GET", "/en/incidents", "incident", anyone(200)),
    Endpoint("incident csv", "GET", "/en/incidents.csv", "incident", anyone(200)),
    Endpoint("incident page", "GET", "/en/incidents/{id}", "incident", anyone(200)),
    Endpoint("incident page zh", "GET", "/zh/incidents/{id}", "incident", anyone(200)),
    Endpoint("incident api list", "GET", "/api/v1/incidents", "incident", anyone(200)),
    Endpoint("incident api json", "GET", "/api/v1/incidents.json", "incident", anyone(200)),
    Endpoint("incident api", "GET", "/api/v1/incidents/{id}", "incident", anyone(200)),
    Endpoint("vuln list page", "GET", "/en/vulnerabilities", "embargoed", anyone(200)),
    Endpoint("vuln csv", "GET", "/en/vulnerabilities.csv", "embargoed", anyone(200)),
    Endpoint("vuln api list", "GET", "/api/v1/vulnerabilities", "embargoed", anyone(200)),
    Endpoint("public vuln page", "GET", "/en/vulnerabilities/{id}", "public", anyone(200)),
    Endpoint("public vuln api", "GET", "/api/v1/vulnerabilities/{id}", "public", anyone(200)),
    Endpoint("embargoed vuln page", "GET", "/en/vulnerabilities/{id}", "embargoed", sees(200)),
    Endpoint(
        "embargoed vuln page zh-Hant",
        "GET",
        "/zh-Hant/vulnerabilities/{id}",
        "embargoed",
        sees(200),
    ),
    Endpoint("embargoed vuln api", "GET", "/api/v1/vulnerabilities/{id}", "embargoed", sees(200)),
    Endpoint("new incident form", "GET", "/en/incidents/new", "none", roles(200, REPORTERS)),
    Endpoint("new vuln form", "GET", "/en/vulnerabilities/new", "none", roles(200, REPORTERS)),
    Endpoint("triage queue", "GET", "/en/triage", "none", roles(200, TRIAGERS)),
    Endpoint(
        "triage queue vulns",
        "GET",
        "/zh/triage?subject=vulnerability",
        "none",
        roles(200, TRIAGERS),
    ),
    # filing
    Endpoint(
        "file incident api",
        "POST",
        "/api/v1/incidents",
        "none",
        roles(201, REPORTERS),
        json=lambda: {"title_en": "Filed"},
    ),
    Endpoint(
        "file incident form",
        "POST",
        "/en/incidents/new",
        "none",
        roles(303, REPORTERS),
        form=lambda: {"title_en": "Filed"},
    ),
    Endpoint(
        "file vuln api",
        "POST",
        "/api/v1/vulnerabilities",
        "none",
        roles(201, REPORTERS),
        json=lambda: {"title": "Filed", **_later()},
    ),
    Endpoint(
        "file vuln form",
        "POST",
        "/en/vulnerabilities/new",
        "none",
        roles(303, REPORTERS),
        form=lambda: {"title": "Filed"},
    ),
    # incidents
    Endpoint(
        "incident comment api",
        "POST",
        "/api/v1/incidents/{id}/comments",
        "incident",
        roles(201, COMMENTERS),
        json=lambda: {"body": "seen"},
    ),
    Endpoint(
        "incident comment form",
        "POST",
        "/en/incidents/{id}/comments",
        "incident",
        roles(303, COMMENTERS),
        form=lambda: {"body": "seen"},
    ),
    Endpoint(
        "incident tag api",
        "POST",
        "/api/v1/incidents/{id}/tags",
        "incident",
        roles(201, TAGGERS),
        json=lambda: TERM,
    ),
    Endpoint(
        "incident tag form",
        "POST",
        "/en/incidents/{id}/tags",
        "incident",
        roles(303, TAGGERS),
        form=lambda: TERM,
    ),
    Endpoint(
        "incident report api",
        "POST",
        "/api/v1/incidents/{id}/reports",
        "incident",
        roles(201, COMMENTERS),
        json=_report,
    ),
    Endpoint(
        "incident report form",
        "POST",
        "/en/incidents/{id}/reports",
        "incident",
        roles(303, COMMENTERS),
        form=_report,
    ),
    Endpoint(
        "incident triage api",
        "POST",
        "/api/v1/incidents/{id}/triage",
        "incident",
        roles(200, TRIAGERS),
        json=lambda: {"status": "triaged"},
    ),
    Endpoint(
        "incident triage form",
        "POST",
        "/en/triage/incident/{id}",
        "incident",
        roles(303, TRIAGERS),
        form=lambda: {"status": "triaged"},
    ),
    # embargoed vulnerabilities
    Endpoint(
        "vuln comment api",
        "POST",
        "/api/v1/vulnerabilities/{id}/comments",
        "embargoed",
        roles_then_sees(201, COMMENTERS),
        json=lambda: {"body": "seen"},
    ),
    Endpoint(
        "vuln comment form",
        "POST",
        "/en/vulnerabilities/{id}/comments",
        "embargoed",
        roles_then_sees(303, COMMENTERS),
        form=lambda: {"body": "seen"},
    ),
    Endpoint(
        "vuln tag api",
        "POST",
        "/api/v1/vulnerabilities/{id}/tags",
        "embargoed",
        roles_then_sees(201, TAGGERS),
        json=lambda: TERM,
    ),
    Endpoint(
        "vuln tag form",
        "POST",
        "/en/vulnerabilities/{id}/tags",
        "embargoed",
        roles_then_sees(303, TAGGERS),
        form=lambda: TERM,
    ),
    Endpoint(
        "vuln triage api",
        "POST",
        "/api/v1/vulnerabilities/{id}/triage",
        "embargoed",
        roles(200, TRIAGERS),
        json=lambda: {"status": "triaged"},
    ),
    Endpoint(
        "vuln triage form",
        "POST",
        "/en/triage/vulnerability/{id}",
        "embargoed",
        roles(303, TRIAGERS),
        form=lambda: {"status": "triaged"},
    ),
    Endpoint(
        "vuln publish api",
        "POST",
        "/api/v1/vulnerabilities/{id}/publish",
        "embargoed",
        roles(200, TRIAGERS),
    ),
    Endpoint(
        "vuln publish form",
        "POST",
        "/en/vulnerabilities/{id}/publish",
        "embargoed",
        roles(303, TRIAGERS),
        form=dict,
    ),
    Endpoint(
        "vuln embargo api",
        "POST",
        "/api/v1/vulnerabilities/{id}/embargo",
        "embargoed",
        roles(200, TRIAGERS),
        json=_later,
    ),
    Endpoint(
        "vuln embargo form",
        "POST",
        "/en/vulnerabilities/{id}/embargo",
        "embargoed",
        roles(303, TRIAGERS),
        form=_later,
    ),
]
PRINCIPALS: list[tuple[str | None, str | None]] = [
    (None, None),
    *itertools.product(ROLES, ORGS),
    ("viewer", "dev"),
]


@pytest.fixture(scope="module")
def w(tmp_path_factory) -> World:
    with world(tmp_path_factory.mktemp("authz")) as built:
        yield built


def _name(role: str | None, org: str | None) -> str | None:
    if role is None:
        return None
    return "developer.dev" if org == "dev" else f"{role}.{org}"


@pytest.mark.parametrize(
    ("endpoint", "who"),
    [
        pytest.param(e, p, id=f"{e.name}|{p[0] or 'anonymous'}|{p[1] or '-'}")
        for e in ENDPOINTS
        for p in PRINCIPALS
    ],
)
def test_status(w, endpoint: Endpoint, who: tuple[str | None, str | None]):
    role, org = who
    target = {
        "none": lambda: "",
        "incident": w.incident,
        "embargoed": lambda: w.vulnerability("Embargoed"),
        "public": lambda: w.vulnerability("Public", embargo=False),
    }[endpoint.target]()
    kwargs: dict = {"headers": w.as_(_name(role, org)), "follow_redirects": False}
    if endpoint.json is not None:
        kwargs["json"] = endpoint.json()
    if endpoint.form is not None:
        kwargs["data"] = endpoint.form()
    response = w.client.request(endpoint.method, endpoint.path.format(id=target), **kwargs)
    expected = endpoint.rule(role, org)
    assert response.status_code == expected, response.text[:300]
    if expected == 404:
        assert "Embargoed" not in response.text


def test_every_route_of_mine_is_in_the_matrix(w):
    """A new page or endpoint must be added to the matrix."""
    from commonground.web.routes import incidents, triage, vulnerabilities

    mine = set()
    for module in (incidents, vulnerabilities, triage):
        for router in (getattr(module, "router", None), getattr(module, "api", None)):
            for route in router.routes if router else ():
                for method in route.methods:
                    mine.add((method, route.path))
    covered = set()
    for e in ENDPOINTS:
        path = e.path.split("?")[0]
        for lang in ("en", "zh", "zh-Hant"):
            path = path.replace(f"/{lang}/", "/{lang}/")
        path = path.replace("{id}", "{id}")
        for sub, param in (
            ("/triage/incident/", "/triage/{subject}/"),
            ("/triage/vulnerability/", "/triage/{subject}/"),
        ):
            path = path.replace(sub, param)
        path = path.replace(".csv", ".{fmt}").replace(".json", ".{format}")
        covered.add((e.method, path))
    # The downloads' other suffix is the same route.
    covered |= {("GET", "/{lang}/incidents.{fmt}"), ("GET", "/{lang}/vulnerabilities.{fmt}")}
    covered |= {("GET", "/api/v1/vulnerabilities.{format}")}
    assert mine - covered == set()
