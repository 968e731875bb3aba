"""Property: an embargoed vulnerability does not exist for anyone outside its embargo.

Hypothesis builds random vulnerabilities (random reporter and developer organisations,
published or not, embargoes ending before or after now, or none set), each with
distinctive random marker strings in every field a person typed (id, title, both
descriptions, attributes, comments, tag notes, AVID report names, references). Then,
for a random observer, every list, detail, export, facet, search, stats, log and page
endpoint is requested, and:

- no response contains a marker of a vulnerability the observer may not see;
- a hidden id answers exactly as an id never used does (status and body);
- totals and facet counts equal those of the visible vulnerabilities alone;
- insiders do see their embargoed vulnerabilities, in lists and detail.

The oracle below is a plain restatement of the disclosure rule, independent of the SQL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import string
from dataclasses import dataclass, replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.store.models_cases import (
    CaseAttribute,
    CaseComment,
    CaseEvent,
    CaseTag,
    Vulnerability,
    VulnerabilityLink,
)
from tests.web.case_world import World, now, world

OBSERVERS = {
    None: (None, None),
    "viewer.own": ("viewer", "own"),
    "viewer.other": ("viewer", "other"),
    "reporter.other": ("reporter", "other"),
    "editor.own": ("editor", "own"),
    "developer.dev": ("viewer", "dev"),
    "triager.other": ("triager", "other"),
    "admin.other": ("admin", "other"),
}
ORGS = ("own", "other", "dev")
MINUTE = dt.timedelta(minutes=1)
COUNTER = itertools.count()


@dataclass(frozen=True)
class Spec:
    marker: str
    reporter_org: str | None
    developer_org: str | None
    published: bool
    embargo_minutes: int | None  # embargo_until relative to now; None: not set

    @property
    def id(self) -> str:
        return f"PROP:V-{self.marker}"

    def texts(self) -> list[str]:
        return [self.id] + [f"{self.marker}{suffix}" for suffix in "TEZACNLR"]


def visible_to(observer: str | None, spec: Spec, at: dt.datetime, made: dt.datetime) -> bool:
    role, org = OBSERVERS[observer]
    if spec.published:
        return True
    if spec.embargo_minutes is not None and made + spec.embargo_minutes * MINUTE <= at:
        return True
    if role in ("triager", "admin"):
        return True
    return org is not None and org in (spec.reporter_org, spec.developer_org)


markers = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=10, max_size=10)
specs = st.builds(
    Spec,
    marker=markers.map(lambda m: "QX" + m),
    reporter_org=st.sampled_from((*ORGS, None)),
    developer_org=st.sampled_from((*ORGS, None)),
    published=st.booleans(),
    # Never within an hour of now, so the clock cannot move a record across the line
    # while one example runs.
    embargo_minutes=st.one_of(
        st.none(),
        st.integers(60, 60 * 24 * 60),
        st.integers(-60 * 24 * 60, -60),
    ),
)


def _insert(w: World, batch: list[Spec], made: dt.datetime) -> None:
    with w.store.transaction() as session:
        for s in batch:
            m = s.marker
            session.add(
                Vulnerability(
                    id=s.id,
                    kind="vulnerability",
                    data_version="0.2",
                    title=f"{m}T",
                    description_en=f"{m}E",
                    description_zh=f"{m}Z",
                    problem_class="LLM Evaluation",
                    references=[
                        {"type": "source", "label": f"{m}R", "url": "https://example.org/"}
                    ],
                    reported_date=made.date(),
                    embargo_until=made + s.embargo_minutes * MINUTE
                    if s.embargo_minutes is not None
                    else None,
                    published_at=made - MINUTE if s.published else None,
                    status="new",
                    reporter_org_id=s.reporter_org,
                    developer_org_id=s.developer_org,
                    created_at=made,
                    updated_at=made,
                )
            )
            session.flush()
            common = {"subject_type": "vulnerability", "subject_id": s.id}
            session.add(CaseAttribute(**common, kind="developer", value=f"{m}A", position=0))
            session.add(CaseComment(**common, body=f"{m}C", created_at=made))
            session.add(
                CaseTag(
                    **common,
                    term_id="mit-domain:2.2",
                    method="manual",
                    review_status="unreviewed",
                    note=f"{m}N",
                    created_at=made,
                )
            )
            session.add(CaseEvent(**common, at=made, action="filed", to_status="new"))
            session.add(VulnerabilityLink(vulnerability_id=s.id, report_id=f"{m}-R", name=f"{m}L"))


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    with world(tmp_path_factory.mktemp("embargo")) as built:
        built.specs = []  # type: ignore[attr-defined]
        yield built


LISTS = (
    "/api/v1/vulnerabilities?limit=1000",
    "/api/v1/vulnerabilities?format=csv",
    "/api/v1/vulnerabilities.json",
    "/en/vulnerabilities",
    "/zh/vulnerabilities",
    "/en/vulnerabilities.csv",
    "/zh-Hant/vulnerabilities.json",
    "/en/",
    "/zh/",
    "/api/v1/stats",
    "/en/search?q=QX",
    "/en/log",
    "/en/triage?subject=vulnerability",
    "/api/v1/incidents?limit=1000",
)


def _never_used_like(id: str) -> str:
    return id[:-1] + ("0" if id[-1] != "0" else "1") + "Q"


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    batch=st.lists(specs, min_size=1, max_size=4, unique_by=lambda s: s.marker),
    observer=st.sampled_from(sorted(OBSERVERS, key=str)),
)
def test_embargoed_records_do_not_exist_outside_the_embargo(w, batch, observer):
    # Fresh markers of one length for every example (Hypothesis replays values).
    batch = [replace(s, marker=f"{s.marker}K{next(COUNTER):05d}") for s in batch]
    made = now()
    _insert(w, batch, made)
    w.specs.extend((s, made) for s in batch)
    at = now()
    hidden = [s for s, t in w.specs if not visible_to(observer, s, at, t)]
    shown = [s for s, t in w.specs if visible_to(observer, s, at, t)]
    headers = w.as_(observer)
    secrets = [text for s in hidden for text in s.texts()]

    def get(path: str):  # type: ignore[no-untyped-def]
        response = w.client.get(path, headers=headers)
        assert response.status_code < 500, (path, response.text[:300])
        leaked = [x for x in secrets if x in response.text]
        assert not leaked, f"{path} leaks {leaked[:3]} to {observer or 'anonymous'}"
        return response

    for path in LISTS:
        get(path)
    listing = get("/api/v1/vulnerabilities?limit=1000").json()
    assert listing["total"] == len(shown)
    assert {i["id"] for i in listing["items"]} == {s.id for s in shown}
    assert sum(f["count"] for f in listing["facets"]["developer"]) == min(len(shown), 50) or (
        len(listing["facets"]["developer"]) == 50
    )
    counted = {f["value"]: f["count"] for f in listing["facets"]["developer"]}
    assert set(counted) <= {f"{s.marker}A" for s in shown}
    if observer is None:
        stats = get("/api/v1/stats").json()
        assert stats["vulnerability"] == len(shown)
    for s in hidden[-4:]:
        # A hidden id, filtered or looked up, answers as a never-used one does.
        for template in (
            "/api/v1/vulnerabilities/{}",
            "/en/vulnerabilities/{}",
            "/api/v1/log/records/vulnerability/{}",
        ):
            secret = w.client.get(template.format(s.id), headers=headers)
            never_id = _never_used_like(s.id)
            never = w.client.get(template.format(never_id), headers=headers)
            assert secret.status_code == never.status_code == 404
            assert secret.text.replace(s.id, "ID") == never.text.replace(never_id, "ID")
        # Filters and searches echo the asked text: the answer for a hidden value must be
        # the answer for a value never used.
        for template in (
            "/api/v1/vulnerabilities?developer={}",
            "/en/vulnerabilities?developer={}",
            "/en/search?q={}",
        ):
            asked = w.client.get(template.format(f"{s.marker}A"), headers=headers)
            never = w.client.get(template.format("QXNEVERUSEDK00000A"), headers=headers)
            assert asked.status_code == never.status_code == 200
            assert asked.text.replace(f"{s.marker}A", "X") == never.text.replace(
                "QXNEVERUSEDK00000A", "X"
            )
    for s in [s for s in shown if s in batch]:
        page = get(f"/en/vulnerabilities/{s.id}")
        assert page.status_code == 200
        for text in (
            f"{s.marker}T",
            f"{s.marker}E",
            f"{s.marker}C",
            f"{s.marker}A",
            f"{s.marker}L",
        ):
            assert text in page.text
        api = get(f"/api/v1/vulnerabilities/{s.id}").json()
        assert api["comments"][0]["body"] == f"{s.marker}C"
        assert api["tags"][0]["note"] == f"{s.marker}N"
