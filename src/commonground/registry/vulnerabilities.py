"""Vulnerabilities in AVID's schema: lists, one vulnerability, filing (`CG:V-<year>-<n>`),
each read through the disclosure rule (`disclosure.visible_vulnerabilities`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from commonground.auth import audit
from commonground.auth.principal import Principal
from commonground.registry.case_inputs import VulnerabilityIn
from commonground.registry.cases import (
    VULNERABILITY,
    Attached,
    CaseFacets,
    EventRow,
    Filters,
    InvalidInput,
    add_attributes,
    add_event,
    as_utc,
    attached,
    list_cases,
    next_case_id,
    require_role,
    submitter,
    username_of,
    year_of,
)
from commonground.registry.disclosure import embargoed, get_visible, visible_vulnerabilities
from commonground.registry.pagination import Page
from commonground.store.models import Source
from commonground.store.models_accounts import Organisation
from commonground.store.models_cases import Vulnerability, VulnerabilityLink

# Longest embargo a filer may ask for (CERT/CC's default is 45 days, Project Zero's 90).
MAX_EMBARGO = dt.timedelta(days=365)
FACETS = (
    "namespace",
    "kind",
    "status",
    "year",
    "problem_class",
    "severity",
    "developer",
    "deployer",
    "tag",
)
SPEC = CaseFacets(
    subject_type=VULNERABILITY,
    model=Vulnerability,
    columns={
        "namespace": case((Vulnerability.id.startswith("CG:"), "CG"), else_="AVID"),
        "kind": Vulnerability.kind,
        "status": Vulnerability.status,
        "year": year_of(Vulnerability.reported_date),
        "problem_class": Vulnerability.problem_class,
        "severity": Vulnerability.severity,
    },
    int_columns=frozenset({"year"}),
)


def list_vulnerabilities(
    session: Session,
    principal: Principal,
    now: dt.datetime,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
    with_facets: bool = True,
) -> Page[Vulnerability]:
    """Only what `principal` may see at `now`: rows, total and every facet count."""
    page = list_cases(
        session,
        SPEC,
        Vulnerability.reported_date,
        filters,
        visible_vulnerabilities(principal, now),
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )
    _mask_survivors(session, principal, now, page.items)
    return page


def _hidden(session: Session, principal: Principal, now: dt.datetime, ids: set[str]) -> set[str]:
    """Which of `ids` name vulnerabilities `principal` may not see."""
    if not ids:
        return set()
    seen = session.scalars(
        select(Vulnerability.id).where(
            Vulnerability.id.in_(sorted(ids)), visible_vulnerabilities(principal, now)
        )
    )
    return ids - set(seen)


def _mask_survivors(
    session: Session, principal: Principal, now: dt.datetime, items: list[Vulnerability]
) -> None:
    """A visible duplicate of a hidden survivor must not name it: the row is detached
    from the session (so the change is never written) and its pointer blanked."""
    hidden = _hidden(session, principal, now, {v.duplicate_of_id for v in items} - {None})
    for v in items:
        if v.duplicate_of_id in hidden:
            session.expunge(v)
            v.duplicate_of_id = None


def _mask_events(events: list[EventRow], hidden: set[str]) -> list[EventRow]:
    """History entries that name a hidden vulnerability (duplicate links) name none."""
    masked = []
    for e in events:
        if e.detail and hidden & {str(v) for v in e.detail.values()}:
            detail = {k: (None if v in hidden else v) for k, v in e.detail.items()}
            e = replace(e, detail=detail)
        masked.append(e)
    return masked


@dataclass
class VulnerabilityDetail:
    vulnerability: Vulnerability
    links: list[VulnerabilityLink]
    attached: Attached
    reporter: str | None
    assignee: str | None
    embargoed: bool
    duplicates: list[str] = field(default_factory=list)
    source: Source | None = None


def get_vulnerability(
    session: Session, principal: Principal, id: str, now: dt.datetime
) -> VulnerabilityDetail:
    """NotFoundError (as for an unused id) unless `principal` may see it at `now`."""
    v = get_visible(session, principal, id, now)
    _mask_survivors(session, principal, now, [v])
    links = list(
        session.scalars(
            select(VulnerabilityLink)
            .where(VulnerabilityLink.vulnerability_id == id)
            .order_by(VulnerabilityLink.report_id)
        )
    )
    duplicates = list(
        session.scalars(
            select(Vulnerability.id)
            .where(Vulnerability.duplicate_of_id == id, visible_vulnerabilities(principal, now))
            .order_by(Vulnerability.id)
        )
    )
    parts = attached(session, VULNERABILITY, id)
    named = {
        str(value)
        for e in parts.events
        for key, value in (e.detail or {}).items()
        if key in ("duplicate_of", "from", "to") and value
    }
    parts.events = _mask_events(parts.events, _hidden(session, principal, now, named))
    return VulnerabilityDetail(
        vulnerability=v,
        links=links,
        attached=parts,
        reporter=username_of(session, v.reporter_id),
        assignee=username_of(session, v.assignee_id),
        embargoed=embargoed(v, now),
        duplicates=duplicates,
        source=session.get(Source, v.source_id) if v.source_id else None,
    )


def file_vulnerability(
    session: Session, principal: Principal, data: VulnerabilityIn, now: dt.datetime
) -> Vulnerability:
    """File a vulnerability as `new`. With `embargo_until` it stays hidden from everyone
    outside the embargo until then; without, it is published at once."""
    require_role(principal, "reporter")
    until = as_utc(data.embargo_until)
    if until is not None and not now < until <= now + MAX_EMBARGO:
        raise InvalidInput("embargo_until", "must be in the future and at most 365 days away")
    if data.developer_org_id and session.get(Organisation, data.developer_org_id) is None:
        raise InvalidInput("developer_org_id", f"no organisation {data.developer_org_id!r}")
    submitter(session, principal)
    v = Vulnerability(
        id=next_case_id(session, Vulnerability, f"CG:V-{now.year}-"),
        kind="vulnerability",
        data_version="0.2",
        title=data.title,
        description_en=data.description_en,
        description_zh=data.description_zh,
        problem_class=data.problem_class,
        problem_type=data.problem_type,
        risk_domains=list(data.risk_domains),
        sep_view=list(data.sep_view),
        lifecycle_view=list(data.lifecycle_view),
        taxonomy_version="0.2",
        references=[r.model_dump() for r in data.references],
        severity=data.severity,
        reported_date=data.reported_date or now.date(),
        embargo_until=until,
        published_at=None if until else now,
        status="new",
        reporter_id=principal.account_id,
        reporter_org_id=principal.organisation_id,
        developer_org_id=data.developer_org_id,
        created_at=now,
        updated_at=now,
    )
    session.add(v)
    session.flush()
    add_attributes(
        session,
        VULNERABILITY,
        v.id,
        [
            ("developer", list(data.developers)),
            ("deployer", list(data.deployers)),
            ("artifact", [f"{a.type}: {a.name}" for a in data.artifacts]),
        ],
    )
    add_event(
        session,
        principal,
        VULNERABILITY,
        v.id,
        "filed",
        now=now,
        to_status="new",
        detail={"embargo_until": until.isoformat()} if until else None,
    )
    if not until:
        add_event(session, principal, VULNERABILITY, v.id, "published", now=now)
    # Ids and field names only: the audit trail never holds an embargoed record's text.
    audit.record(session, principal, "vulnerability.file", VULNERABILITY, v.id)
    session.flush()
    return v
