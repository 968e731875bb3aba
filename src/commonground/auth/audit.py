"""The audit trail: who did what to which record, written in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commonground.auth.principal import Principal
from commonground.store.models_accounts import Account, AuditEvent


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record(
    session: Session,
    principal: Principal,
    action: str,
    subject_type: str,
    subject_id: object,
    detail: dict[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> AuditEvent:
    """Add an event to ``session`` (commits or rolls back with the change it describes).

    ``detail`` holds ids and changed field names only, never embargoed text.
    """
    event = AuditEvent(
        at=at or _now(),
        account_id=principal.account_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    username: str | None
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any] | None


def count_events(session: Session, *, action: str | None = None) -> int:
    query = select(func.count(AuditEvent.id))
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalar(query) or 0


def list_events(
    session: Session, *, limit: int = 50, offset: int = 0, action: str | None = None
) -> list[AuditRow]:
    """Newest first; for the admin's audit page and API."""
    query = (
        select(AuditEvent, Account.username)
        .outerjoin(Account, Account.id == AuditEvent.account_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return [
        AuditRow(e.id, e.at, username, e.action, e.subject_type, e.subject_id, e.detail)
        for e, username in session.execute(query)
    ]
