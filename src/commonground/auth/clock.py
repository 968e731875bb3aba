"""UTC time for the account layer; SQLite hands back naive datetimes, so compare via
:func:`aware`."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware UTC datetime (stored values are always UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
