"""Browser sessions: the `cg_session` cookie holds a random id, `web_session` its SHA-256
plus the session's CSRF token. Logging out deletes the row."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from commonground.auth.clock import aware, utcnow
from commonground.store.models_accounts import WebSession

LIFETIME = dt.timedelta(hours=12)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_session(
    session: Session, account_id: int, *, now: dt.datetime | None = None
) -> tuple[str, WebSession]:
    """Start a session; returns the raw id (for the cookie only) and the row."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    row = WebSession(
        id_hash=_digest(raw),
        account_id=account_id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + LIFETIME,
    )
    session.add(row)
    # Expired rows of anyone are cleared as sessions are made, so the table stays small.
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    session.flush()
    return raw, row


def find_session(
    session: Session, raw: str | None, *, now: dt.datetime | None = None
) -> WebSession | None:
    """The live session the cookie value names, or None (unknown or expired)."""
    if not raw or len(raw) > 100:
        return None
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.id_hash == _digest(raw)))
    if row is None or aware(row.expires_at) <= now:
        return None
    return row


def end_session(session: Session, raw: str | None) -> bool:
    """Delete the session the cookie names; True if there was one."""
    if not raw:
        return False
    result = session.execute(delete(WebSession).where(WebSession.id_hash == _digest(raw)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_sessions_of(session: Session, account_id: int) -> None:
    """Sign an account out everywhere (when it is disabled)."""
    session.execute(delete(WebSession).where(WebSession.account_id == account_id))
