"""What an evidence item or an assessment must look like, wherever it comes from: the
bundled CSV files, the web forms, the API or the CLI. Field checks live here; checks
against the store (does the actor sign this instrument?) live in `commitments.check_cell`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from commonground.ingest.values import partial_date
from commonground.store.models_commitments import EVIDENCE_KINDS, STATUSES

BASES = ("listed", "stated", "inferred")
# Dates the sources write when they give none; kept as text, parsed to nothing.
UNDATED = ("undated", "unknown")
# Statuses only a stored assessment carries; "no-evidence-found" may also be stored
# (an assessor who searched and found nothing says so, dated).
MAX_TITLE, MAX_TEXT, MAX_SHORT = 500, 4000, 300
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _blank_to_none(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("must be an http:// or https:// address")
    return value


def _published(value: str | None) -> str | None:
    if value is None or value in UNDATED:
        return value
    try:
        partial_date(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD, or 'undated'"
        ) from None
    return value


def _optional(max_length: int, pattern: str | None = None) -> object:
    """Optional text: blank means absent; present text is at most `max_length` long."""
    inner = Annotated[str, StringConstraints(max_length=max_length, pattern=pattern)]
    return Annotated[inner | None, BeforeValidator(_blank_to_none)]


Text = Annotated[str | None, BeforeValidator(_blank_to_none)]
Short = _optional(MAX_SHORT)
Long = _optional(MAX_TEXT)
Published = Annotated[_optional(40), AfterValidator(_published)]  # type: ignore[valid-type]
Language = _optional(20, r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
Url = Annotated[str, BeforeValidator(_blank_to_none), AfterValidator(_http_url)]


class EvidenceInput(BaseModel):
    """One evidence item about one signatory and one commitment."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    instrument: str = Field(min_length=1, max_length=200)
    provision: str = Field(min_length=1, max_length=200)
    actor: str = Field(min_length=1, max_length=200)
    kind: str
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    url: Url = Field(max_length=2000)
    publisher: Short = None  # type: ignore[valid-type]
    published: Published = None  # type: ignore[valid-type]
    excerpt: Long = None  # type: ignore[valid-type]
    language: Language = None  # type: ignore[valid-type]
    basis: Text = None
    note: Long = None  # type: ignore[valid-type]

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in EVIDENCE_KINDS:
            raise ValueError(f"must be one of {', '.join(EVIDENCE_KINDS)}")
        return value

    @field_validator("basis")
    @classmethod
    def _basis(cls, value: str | None) -> str | None:
        if value is not None and value not in BASES:
            raise ValueError(f"must be one of {', '.join(BASES)}")
        return value

    def published_on(self) -> dt.date | None:
        if self.published is None or self.published in UNDATED:
            return None
        return partial_date(self.published)[0]


class AssessmentInput(BaseModel):
    """A dated status of one signatory on one commitment, with its reasons."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    instrument: str = Field(min_length=1, max_length=200)
    provision: str = Field(min_length=1, max_length=200)
    actor: str = Field(min_length=1, max_length=200)
    status: str
    assessed_on: dt.date
    assessor: str = Field(min_length=1, max_length=MAX_SHORT)
    rationale_en: str = Field(min_length=1, max_length=MAX_TEXT)
    rationale_zh: Long = None  # type: ignore[valid-type]
    evidence: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        if value not in STATUSES:
            raise ValueError(f"must be one of {', '.join(STATUSES)}")
        return value

    @field_validator("assessed_on", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("expected a date YYYY-MM-DD") from None
        return value

    @field_validator("assessed_on")
    @classmethod
    def _not_future(cls, value: dt.date) -> dt.date:
        if value > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):
            raise ValueError("an assessment cannot be dated in the future")
        return value

    @field_validator("evidence", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, str):
            return value.replace(",", " ").split()
        return value

    @field_validator("evidence")
    @classmethod
    def _slugs(cls, value: list[str]) -> list[str]:
        for item in value:
            if not SLUG.match(item) or len(item) > 200:
                raise ValueError(f"not an evidence id: {item!r}")
        if len(set(value)) != len(value):
            raise ValueError("an evidence id is listed twice")
        return value
