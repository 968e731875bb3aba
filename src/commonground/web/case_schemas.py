"""Response models of the incident and vulnerability API (request bodies are
`registry.case_inputs`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from commonground.registry.cases import Attached, as_utc
from commonground.web.api_schemas import ListPage, Out, SourceOut

# SQLite hands back naive datetimes: every moment leaves as UTC with its offset.
Moment = Annotated[dt.datetime, AfterValidator(as_utc)]


class IncidentOut(Out):
    id: str
    namespace: str
    title_en: str | None
    title_zh: str | None
    description_en: str | None
    description_zh: str | None
    date: dt.date | None
    date_precision: str | None
    severity: str | None
    url: str | None
    status: str = Field(description="new, triaged, confirmed, duplicate or rejected")
    duplicate_of_id: str | None
    created_at: Moment
    updated_at: Moment


class IncidentList(ListPage):
    items: list[IncidentOut]


class VulnerabilityOut(Out):
    id: str
    kind: str = Field(description="vulnerability or report (AVID)")
    data_version: str | None
    title: str | None
    description_en: str | None
    description_zh: str | None
    problem_class: str | None
    problem_type: str | None
    risk_domains: list[str] | None
    sep_view: list[str] | None
    lifecycle_view: list[str] | None
    taxonomy_version: str | None
    references: list[Any] | None
    severity: str | None
    reported_date: dt.date | None
    embargo_until: Moment | None = Field(description="Hidden from outsiders until then")
    published_at: Moment | None = Field(description="Null while under embargo")
    status: str
    duplicate_of_id: str | None
    developer_org_id: str | None
    created_at: Moment
    updated_at: Moment


class VulnerabilityList(ListPage):
    items: list[VulnerabilityOut]


class AttributeOut(Out):
    kind: str
    value: str
    actor_id: str | None


class TagOut(Out):
    term_id: str
    taxonomy_id: str
    name_en: str
    name_zh: str | None
    method: str = Field(description="manual, rule, imported or model")
    review_status: str = Field(description="unreviewed, reviewed or rejected")
    author: str | None
    note: str | None
    created_at: Moment


class CommentOut(Out):
    id: int
    author: str | None
    body: str
    created_at: Moment


class EventOut(Out):
    id: int
    at: Moment
    actor: str | None
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any] | None


class CaseParts(Out):
    reporter: str | None
    assignee: str | None
    duplicates: list[str] = Field(description="Cases marked as duplicates of this one")
    attributes: list[AttributeOut]
    tags: list[TagOut]
    comments: list[CommentOut]
    events: list[EventOut]
    source: SourceOut | None


class ReportOut(Out):
    id: str
    url: str | None
    title: str | None
    publisher: str | None
    date: dt.date | None
    language: str | None


class IncidentDetailOut(IncidentOut, CaseParts):
    reports: list[ReportOut]


class LinkOut(Out):
    report_id: str
    name: str | None


class VulnerabilityDetailOut(VulnerabilityOut, CaseParts):
    embargoed: bool
    links: list[LinkOut]


class CommentCreated(Out):
    id: int
    subject_id: str
    created_at: Moment


class TagCreated(Out):
    subject_id: str
    term_id: str
    method: str
    review_status: str


class Redirected(Out):
    """The answer for a duplicate's id: where its survivor is."""

    ok: bool = False
    note: str
    location: str


def parts(attached: Attached, **extra: Any) -> dict[str, Any]:
    return {
        "attributes": [AttributeOut.model_validate(a) for a in attached.attributes],
        "tags": [TagOut.model_validate(t) for t in attached.tags],
        "comments": [CommentOut.model_validate(c) for c in attached.comments],
        "events": [EventOut.model_validate(e) for e in attached.events],
        **extra,
    }
