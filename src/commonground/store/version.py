"""The data version in `store_state`: bumped inside every write transaction."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from commonground.store.models import StoreState


def bump(conn: Connection) -> None:
    conn.execute(
        update(StoreState).where(StoreState.id == 1).values(version=StoreState.version + 1)
    )


def current(conn: Connection) -> int:
    return conn.scalar(select(StoreState.version).where(StoreState.id == 1)) or 0
