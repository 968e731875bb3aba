"""Engines and sessions for SQLite and PostgreSQL through one code path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from commonground.errors import StoreError


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # We issue BEGIN ourselves (see below) so that writes take the lock up front.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WRITE = "commonground_write"
DEFAULT_LOG_ORIGIN = "commonground.org/log"


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # A writer (Store.transaction) begins IMMEDIATE: it takes the write lock at the
    # start, so two writers never deadlock on a lock upgrade. Readers begin
    # DEFERRED and read a WAL snapshot without blocking anyone (datasette likewise).
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


def make_engine(url: str) -> Engine:
    """Create an engine for any SQLAlchemy URL; `postgresql://` uses psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Threads serving requests (anyio's pool holds 40) each may hold a connection:
        # a pool smaller than that makes requests queue for seconds under load.
        return create_engine(
            parsed, pool_pre_ping=True, pool_size=20, max_overflow=30, pool_timeout=10
        )
    raise StoreError(
        f"unsupported database: {parsed.get_backend_name()} (use sqlite or postgresql)"
    )


class Store:
    """An engine plus session factories; build it once and pass it in.

    `sessions()` is for reading (on SQLite a deferred snapshot); `transaction()`
    is the one way to write: all-or-nothing, holding the write lock from the start.
    """

    def __init__(self, *, engine: Engine, log_origin: str | None = DEFAULT_LOG_ORIGIN) -> None:
        self.engine = engine
        # Every write of a logged record is appended to this transparency log (None: off,
        # for tools that only read or that manage the log tables themselves).
        self.log_origin = log_origin
        self.write_engine = engine.execution_options(**{WRITE: True})
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self._writes = sessionmaker(self.write_engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, *, log_origin: str | None = DEFAULT_LOG_ORIGIN) -> Store:
        return cls(engine=make_engine(url), log_origin=log_origin)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self, *, public: bool = True) -> Iterator[Session]:
        """One all-or-nothing unit of work: commit on success, roll back on any error.

        Changes to logged records are appended to the transparency log at the end of the
        unit of work, inside it, so records and log commit or roll back together.
        `public=False` marks a write no public page shows (sign-ins, sessions, tokens):
        it leaves the data version, and so every cached page, as it was — else anyone
        could empty the page cache by failing to sign in.
        """
        from commonground.store.version import bump

        with self._writes() as session, session.begin():
            recorder = None
            if self.log_origin:
                from commonground.tlog.recorder import Recorder

                recorder = Recorder(self.log_origin)
                event.listen(session, "after_flush", recorder.after_flush)
            yield session
            if recorder is not None:
                recorder.finish(session)
            if public:
                bump(session.connection())

    def version(self) -> int:
        """The data version: changes whenever any write transaction commits."""
        from commonground.store.version import current

        with self.engine.connect() as conn:
            return current(conn)

    def dispose(self) -> None:
        self.engine.dispose()
