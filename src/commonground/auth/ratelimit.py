"""Failed sign-in limits per username and per client address, in fixed windows kept in
`login_attempt` so that every worker process sees the same counts.

A key with MAX_FAILURES failures in the current window is locked until the window ends.
A successful sign-in resets nothing: an attacker who guesses one password must not
clear the count another key has built up.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from commonground.auth.clock import aware
from commonground.store.models_accounts import LoginAttempt

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
KEEP = dt.timedelta(days=1)
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def window_start(now: dt.datetime) -> dt.datetime:
    return _EPOCH + ((aware(now) - _EPOCH) // WINDOW) * WINDOW


def keys_for(username: str, address: str | None) -> list[str]:
    keys = [f"user:{username.strip().lower()[:180]}"]
    if address:
        keys.append(f"addr:{address[:180]}")
    return keys


def locked_until(session: Session, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    """The end of the current window if any key is locked in it, else None."""
    start = window_start(now)
    worst = session.scalar(
        select(LoginAttempt.failures)
        .where(LoginAttempt.key.in_(keys), LoginAttempt.window_start == start)
        .order_by(LoginAttempt.failures.desc())
        .limit(1)
    )
    return start + WINDOW if worst is not None and worst >= MAX_FAILURES else None


def record_failure(session: Session, keys: list[str], now: dt.datetime) -> None:
    """Count one failure against each key, atomically (an upsert on key and window)."""
    start = window_start(now)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in keys:
        stmt = insert(LoginAttempt).values(key=key, window_start=start, failures=1)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[LoginAttempt.key, LoginAttempt.window_start],
                set_={"failures": LoginAttempt.failures + 1},
            )
        )
    session.execute(delete(LoginAttempt).where(LoginAttempt.window_start < start - KEEP))


def failures(session: Session, key: str, now: dt.datetime) -> int:
    return (
        session.scalar(
            select(LoginAttempt.failures).where(
                LoginAttempt.key == key, LoginAttempt.window_start == window_start(now)
            )
        )
        or 0
    )
