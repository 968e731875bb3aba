"""Incidents: faceted keyset lists, one incident with everything about it, filing a new
one (`CG:I-<year>-<n>`) and adding reports (a report may tell of several incidents)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from commonground.auth import audit
from commonground.auth.principal import Principal
from commonground.errors import NotFoundError
from commonground.registry.case_inputs import IncidentIn, ReportIn
from commonground.registry.cases import (
    INCIDENT,
    Attached,
    CaseFacets,
    Filters,
    InvalidInput,
    add_attributes,
    add_event,
    attached,
    list_cases,
    next_case_id,
    require_role,
    submitter,
    username_of,
    year_of,
)
from commonground.registry.pagination import Page
from commonground.store.models import Source
from commonground.store.models_cases import Incident, IncidentReport, IncidentReportLink

FACETS = (
    "namespace",
    "status",
    "year",
    "severity",
    "country",
    "sector",
    "developer",
    "deployer",
    "technology",
    "tag",
)
SPEC = CaseFacets(
    subject_type=INCIDENT,
    model=Incident,
    columns={
        "namespace": Incident.namespace,
        "status": Incident.status,
        "year": year_of(Incident.date),
        "severity": Incident.severity,
    },
    int_columns=frozenset({"year"}),
)
# (form/API field, attribute kind) pairs filed with a new incident.
ATTRIBUTE_FIELDS = (
    ("countries", "country"),
    ("sectors", "sector"),
    ("developers", "developer"),
    ("deployers", "deployer"),
    ("technologies", "technology"),
)


def list_incidents(
    session: Session,
    principal: Principal,
    filters: Filters | None = None,
    *,
    cursor: str | None = None,
    limit: int = 50,
    with_facets: bool = True,
) -> Page[Incident]:
    """Every incident is public; the principal is taken so the signature matches
    vulnerabilities' and a future restriction has one place to go."""
    return list_cases(
        session,
        SPEC,
        Incident.date,
        filters,
        true(),
        cursor=cursor,
        limit=limit,
        with_facets=with_facets,
    )


@dataclass
class IncidentDetail:
    incident: Incident
    reports: list[IncidentReport]
    attached: Attached
    reporter: str | None
    assignee: str | None
    duplicates: list[str] = field(default_factory=list)
    source: Source | None = None


def get_incident(session: Session, principal: Principal, id: str) -> IncidentDetail:
    incident = session.get(Incident, id)
    if incident is None:
        raise NotFoundError(f"no incident {id!r}")
    reports = list(
        session.scalars(
            select(IncidentReport)
            .join(IncidentReportLink, IncidentReportLink.report_id == IncidentReport.id)
            .where(IncidentReportLink.incident_id == id)
            .order_by(IncidentReport.date, IncidentReport.id)
        )
    )
    duplicates = list(
        session.scalars(
            select(Incident.id).where(Incident.duplicate_of_id == id).order_by(Incident.id)
        )
    )
    return IncidentDetail(
        incident=incident,
        reports=reports,
        attached=attached(session, INCIDENT, id),
        reporter=username_of(session, incident.reporter_id),
        assignee=username_of(session, incident.assignee_id),
        duplicates=duplicates,
        source=session.get(Source, incident.source_id) if incident.source_id else None,
    )


def file_incident(
    session: Session, principal: Principal, data: IncidentIn, now: dt.datetime
) -> Incident:
    """File a new incident as `new`; the reporter's organisation is kept with it."""
    require_role(principal, "reporter")
    submitter(session, principal)
    incident = Incident(
        id=next_case_id(session, Incident, f"CG:I-{now.year}-"),
        namespace="CG",
        title_en=data.title_en,
        title_zh=data.title_zh,
        description_en=data.description_en,
        description_zh=data.description_zh,
        date=data.date,
        date_precision=data.date_precision or ("day" if data.date else None),
        severity=data.severity,
        url=data.url,
        status="new",
        reporter_id=principal.account_id,
        organisation_id=principal.organisation_id,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    add_attributes(
        session,
        INCIDENT,
        incident.id,
        [(kind, getattr(data, name)) for name, kind in ATTRIBUTE_FIELDS],
    )
    add_event(session, principal, INCIDENT, incident.id, "filed", now=now, to_status="new")
    audit.record(session, principal, "incident.file", INCIDENT, incident.id)
    session.flush()
    return incident


def add_report(
    session: Session, principal: Principal, incident_id: str, data: ReportIn, now: dt.datetime
) -> IncidentReport:
    """Link a report to the incident (and to `also_incidents`); a URL already known is
    the same report, linked again rather than copied."""
    require_role(principal, "reporter", "triager", "editor")
    ids = list(dict.fromkeys([incident_id, *data.also_incidents]))
    found = set(session.scalars(select(Incident.id).where(Incident.id.in_(ids))))
    if incident_id not in found:
        raise NotFoundError(f"no incident {incident_id!r}")
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput("also_incidents", f"no incident {missing[0]!r}")
    submitter(session, principal)
    report = session.scalar(select(IncidentReport).where(IncidentReport.url == data.url))
    if report is None:
        report = IncidentReport(
            id=next_case_id(session, IncidentReport, f"CG:R-{now.year}-"),
            url=data.url,
            title=data.title,
            publisher=data.publisher,
            date=data.date,
            language=data.language,
        )
        session.add(report)
        session.flush()
    linked = set(
        session.scalars(
            select(IncidentReportLink.incident_id).where(IncidentReportLink.report_id == report.id)
        )
    )
    new = [i for i in ids if i not in linked]
    if not new:
        from commonground.registry.cases import Conflict

        raise Conflict(f"report {report.id} is already linked to {', '.join(ids)}")
    for i in new:
        session.add(IncidentReportLink(incident_id=i, report_id=report.id))
        add_event(session, principal, INCIDENT, i, "report", now=now, detail={"report": report.id})
        audit.record(session, principal, "incident.report", INCIDENT, i, {"report": report.id})
    session.flush()
    return report
