"""Commitment tracking: evidence per signatory × commitment and dated assessments
(migration 0005).

A commitment is a `Provision` of its instrument, so any instrument's provisions can be
tracked without code changes. Assessments are append-only: a new one never overwrites
an old one; the current status is the latest by (`assessed_on`, `created_at`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from commonground.store.models import Base, Id

EVIDENCE_KINDS = (
    "published-framework",
    "report",
    "blog-post",
    "system-card",
    "third-party-assessment",
    "news",
)
STATUSES = ("met", "partly-met", "not-met", "no-evidence-found", "not-yet-due", "contested")


class Evidence(Base):
    """One cited item bearing on whether a signatory kept a commitment."""

    __tablename__ = "evidence"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), index=True)
    provision_id: Mapped[str] = mapped_column(ForeignKey("provision.id"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    # The date as the source gives it (`2025-02`, `undated`), beside the parsed one.
    published_text: Mapped[str | None] = mapped_column(String(40))
    excerpt: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(20))
    # How the evidence source establishes it: listed (in a curated index), stated, inferred.
    basis: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("source.id"))
    added_by: Mapped[str] = mapped_column(String(120))  # account username or "dataset"
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Assessment(Base):
    """A dated status of one signatory on one commitment, with its reasons."""

    __tablename__ = "assessment"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    instrument_id: Mapped[str] = mapped_column(ForeignKey("instrument.id"), index=True)
    provision_id: Mapped[str] = mapped_column(ForeignKey("provision.id"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("actor.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(Text)
    rationale_en: Mapped[str | None] = mapped_column(Text)
    rationale_zh: Mapped[str | None] = mapped_column(Text)
    # Space-separated evidence ids the rationale rests on.
    evidence_ids: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


Index("ix_assessment_cell", Assessment.provision_id, Assessment.actor_id)
Index("ix_evidence_cell", Evidence.provision_id, Evidence.actor_id)
