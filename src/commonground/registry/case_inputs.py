"""Validated input for filing and working on cases (the API's request bodies and what
the forms are parsed into). Every text is checked by `clean_text`; limits are generous
but finite, so no input can make a database error."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from commonground.registry.cases import clean_text
from commonground.store.models_cases import SEVERITIES, TRIAGE_STATES


def _url(value: str) -> str:
    value = clean_text(value)
    if not value.startswith(("http://", "https://")) or any(c.isspace() for c in value):
        raise ValueError("must be an http:// or https:// address without spaces")
    return value


def _filled(value: str) -> str:
    value = clean_text(value)
    if not value:
        raise ValueError("must not be blank")
    return value


def _date(value: dt.date) -> dt.date:
    if not 1900 <= value.year <= dt.date.today().year + 1:
        raise ValueError("must be a date between 1900 and next year")
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    """A moment in UTC (a time without zone is taken as UTC)."""
    try:
        moment = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not 1970 <= moment.year <= 9000:
        raise ValueError("must be a time between 1970 and 9000")
    return moment


Title = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_filled)]
Body = Annotated[str, Field(min_length=1, max_length=20000), AfterValidator(_filled)]
Short = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_filled)]
Url = Annotated[str, Field(max_length=2000), AfterValidator(_url)]
Day = Annotated[dt.date, AfterValidator(_date)]
Moment = Annotated[dt.datetime, AfterValidator(_utc)]
Values = Annotated[list[Short], Field(max_length=50)]
Severity = Literal[SEVERITIES]  # type: ignore[valid-type]
Status = Literal[TRIAGE_STATES]  # type: ignore[valid-type]
Id = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_filled)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IncidentIn(_In):
    title_en: Title | None = None
    title_zh: Title | None = None
    description_en: Body | None = None
    description_zh: Body | None = None
    date: Day | None = None
    date_precision: Literal["day", "month", "year"] | None = None
    severity: Severity | None = None
    url: Url | None = None
    countries: Values = []
    sectors: Values = []
    developers: Values = []
    deployers: Values = []
    technologies: Values = []

    @model_validator(mode="after")
    def _titled(self) -> IncidentIn:
        if not (self.title_en or self.title_zh):
            raise ValueError("title_en: give a title in English or Chinese (title_zh)")
        return self


AVID_CLASSES = (
    "AIID Incident",
    "ATLAS Case Study",
    "CVE Entry",
    "LLM Evaluation",
    "Third-party Report",
    "Undefined",
)
AVID_TYPES = ("Issue", "Advisory", "Measurement", "Detection")
AVID_RISK_DOMAINS = ("Security", "Ethics", "Performance")
AVID_ARTIFACT_TYPES = ("Model", "System", "Dataset")
AVID_LIFECYCLE = (
    "L01: Business Understanding",
    "L02: Data Understanding",
    "L03: Data Preparation",
    "L04: Model Development",
    "L05: Evaluation",
    "L06: Deployment",
)


def _sep(value: str) -> str:
    if not re.fullmatch(r"[SEP]\d{4}: \S.{0,100}", value):
        raise ValueError("a SEP view entry looks like 'S0301: Information Leak'")
    return value


class ArtifactIn(_In):
    type: Literal[AVID_ARTIFACT_TYPES]  # type: ignore[valid-type]
    name: Short


class ReferenceIn(_In):
    type: Literal["source", "reference"] = "source"
    label: Title
    url: Url


class VulnerabilityIn(_In):
    """A vulnerability in AVID's schema (data version 0.2), filed here."""

    title: Title
    description_en: Body | None = None
    description_zh: Body | None = None
    problem_class: Literal[AVID_CLASSES] = "Third-party Report"  # type: ignore[valid-type]
    problem_type: Literal[AVID_TYPES] = "Issue"  # type: ignore[valid-type]
    risk_domains: Annotated[list[Literal[AVID_RISK_DOMAINS]], Field(max_length=3)] = []  # type: ignore[valid-type]
    sep_view: Annotated[list[Annotated[str, AfterValidator(_sep)]], Field(max_length=40)] = []
    lifecycle_view: Annotated[list[Literal[AVID_LIFECYCLE]], Field(max_length=6)] = []  # type: ignore[valid-type]
    severity: Severity | None = None
    reported_date: Day | None = None
    developers: Values = []
    deployers: Values = []
    artifacts: Annotated[list[ArtifactIn], Field(max_length=50)] = []
    references: Annotated[list[ReferenceIn], Field(max_length=50)] = []
    developer_org_id: Short | None = None
    # Coordinated disclosure: hidden from everyone outside the embargo until then.
    embargo_until: Moment | None = None


class ReportIn(_In):
    url: Url
    title: Title | None = None
    publisher: Short | None = None
    date: Day | None = None
    language: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None
    # Other incidents the same report tells of (a report may link several).
    also_incidents: Annotated[list[Id], Field(max_length=20)] = []


class CommentIn(_In):
    body: Body


class TagIn(_In):
    term_id: Id
    note: Annotated[str, Field(max_length=2000), AfterValidator(clean_text)] | None = None


class TriageIn(_In):
    status: Status | None = None
    duplicate_of: Id | None = None
    # A triager's username; "" removes the assignee.
    assignee: Annotated[str, Field(max_length=80), AfterValidator(clean_text)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TriageIn:
        if self.status is None and self.assignee is None:
            raise ValueError("status: give a new status, an assignee, or both")
        if self.status == "duplicate" and not self.duplicate_of:
            raise ValueError("duplicate_of: a duplicate must name the case it duplicates")
        if self.duplicate_of and self.status != "duplicate":
            raise ValueError("duplicate_of: only with status duplicate")
        return self


class EmbargoIn(_In):
    embargo_until: Moment
