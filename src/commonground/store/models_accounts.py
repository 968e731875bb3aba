"""Accounts, organisations, roles, tokens, sessions and the audit trail (migration 0005).

Secrets are never stored: passwords as argon2 hashes, API tokens and session ids as
SHA-256 of high-entropy random values (the raw value is shown once, to its owner).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from commonground.store.models import Base, Id

# Ordered from least to most trusted; a role never implies another (checks name the
# roles they accept), but admin is accepted everywhere a role is asked for.
ROLES = ("viewer", "reporter", "triager", "editor", "admin")


class Organisation(Base):
    """An institute, company, agency or civil-society body that accounts belong to."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(Id, primary_key=True)  # slug, e.g. uk-aisi
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    # The registry's actor when there is one (a company that signed commitments).
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("actor.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(320))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(Text)  # argon2id; None: tokens only
    # Space-separated subset of ROLES.
    roles: Mapped[str] = mapped_column(String(200), default="viewer")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token: `cg_<prefix>_<secret>`; only SHA-256 of the whole is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256
    # Space-separated scopes: read, write, triage, admin.
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A signed-in browser: the cookie holds the raw id, the table its SHA-256."""

    __tablename__ = "web_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Failed sign-ins per key (username or client address) in a window, for rate limits
    that hold across worker processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (UniqueConstraint("key", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)


class AuditEvent(Base):
    """Who did what to which record, when; written in the same transaction as the change.

    `detail` holds ids and changed field names, never the text of an embargoed record.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(Id)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
