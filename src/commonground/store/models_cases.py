"""Incidents, their reports, vulnerabilities and evaluation results (migration 0005).

Ids are permanent and namespaced (`AIAAIC:2152`, `AIID:56`, `AVID-2023-V028`, `CG:…`).
A duplicate keeps its row and points at its survivor (`duplicate_of_id`); nothing is
deleted. Attributes, tags, comments and triage events are shared by incidents and
vulnerabilities through (`subject_type`, `subject_id`); comments and events are
append-only, so a case's history is never rewritten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from commonground.store.models import Base, Id

TRIAGE_STATES = ("new", "triaged", "confirmed", "duplicate", "rejected")
SEVERITIES = ("low", "moderate", "high", "critical")


class Incident(Base):
    __tablename__ = "incident"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(20), index=True)  # AIAAIC | AIID | CG
    title_en: Mapped[str | None] = mapped_column(Text)
    title_zh: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    date_precision: Mapped[str | None] = mapped_column(String(10))  # day | month | year
    severity: Mapped[str | None] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    duplicate_of_id: Mapped[str | None] = mapped_column(ForeignKey("incident.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IncidentReport(Base):
    """One account of an incident: a news article, a filing, a post."""

    __tablename__ = "incident_report"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    date: Mapped[dt.date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(20))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))


class IncidentReportLink(Base):
    """Reports ↔ incidents: one report may tell of several incidents."""

    __tablename__ = "incident_report_link"

    incident_id: Mapped[str] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("incident_report.id"), primary_key=True)


class Vulnerability(Base):
    """An AVID vulnerability or report (`kind`), or one filed here; may be embargoed."""

    __tablename__ = "vulnerability"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # vulnerability | report
    data_version: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_zh: Mapped[str | None] = mapped_column(Text)
    problem_class: Mapped[str | None] = mapped_column(String(80), index=True)
    problem_type: Mapped[str | None] = mapped_column(String(80))
    risk_domains: Mapped[list[str] | None] = mapped_column(JSON)
    sep_view: Mapped[list[str] | None] = mapped_column(JSON)
    lifecycle_view: Mapped[list[str] | None] = mapped_column(JSON)
    taxonomy_version: Mapped[str | None] = mapped_column(String(20))
    metrics: Mapped[list[Any] | None] = mapped_column(JSON)
    references: Mapped[list[Any] | None] = mapped_column(JSON)
    credit: Mapped[list[Any] | None] = mapped_column(JSON)
    severity: Mapped[str | None] = mapped_column(String(20))
    reported_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    # Coordinated disclosure: embargoed until `embargo_until` (UTC), then published.
    embargo_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    duplicate_of_id: Mapped[str | None] = mapped_column(ForeignKey("vulnerability.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    reporter_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    developer_org_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"))
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class VulnerabilityLink(Base):
    """An AVID vulnerability's reports (`reports[]`)."""

    __tablename__ = "vulnerability_link"

    vulnerability_id: Mapped[str] = mapped_column(ForeignKey("vulnerability.id"), primary_key=True)
    report_id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)


class CaseAttribute(Base):
    """A listed fact of an incident or vulnerability: deployer, developer, harmed party,
    country, sector, technology, artifact…, optionally resolved to a registry actor."""

    __tablename__ = "case_attribute"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(Id)
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)


class CaseTag(Base):
    """A taxonomy term on an incident or vulnerability, with method and review status."""

    __tablename__ = "case_tag"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "term_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(Id)
    term_id: Mapped[str] = mapped_column(ForeignKey("term.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # manual | rule | imported | model
    review_status: Mapped[str] = mapped_column(String(20))  # unreviewed | reviewed | rejected
    author: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CaseComment(Base):
    __tablename__ = "case_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(Id)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CaseEvent(Base):
    """One step of a case's history (filed, status, assignee, published…); append-only."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(Id)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class EvaluationResult(Base):
    """One measured result in a common format (UK AISI Inspect logs, AI Verify results)."""

    __tablename__ = "evaluation_result"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    model_id: Mapped[str | None] = mapped_column(ForeignKey("ai_model.id"), index=True)
    model_name: Mapped[str] = mapped_column(Text)
    suite: Mapped[str] = mapped_column(Text)
    suite_version: Mapped[str | None] = mapped_column(String(60))
    metric: Mapped[str] = mapped_column(Text)
    # Decimal text as reported ("0.734", "57"), never a float round-trip.
    value: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str | None] = mapped_column(String(40))
    date: Mapped[dt.date] = mapped_column(Date)
    evaluator: Mapped[str] = mapped_column(Text)
    evaluator_actor_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"))
    # If-then: the capability threshold tested and whether it was crossed.
    threshold: Mapped[str | None] = mapped_column(Text)
    threshold_crossed: Mapped[bool | None] = mapped_column(Boolean)
    commitment_id: Mapped[str | None] = mapped_column(ForeignKey("provision.id"))
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


Index("ix_case_attribute_subject", CaseAttribute.subject_type, CaseAttribute.subject_id)
Index("ix_case_attribute_kind_value", CaseAttribute.kind, CaseAttribute.value)
Index("ix_case_tag_subject", CaseTag.subject_type, CaseTag.subject_id)
Index("ix_case_comment_subject", CaseComment.subject_type, CaseComment.subject_id)
Index("ix_case_event_subject", CaseEvent.subject_type, CaseEvent.subject_id)
