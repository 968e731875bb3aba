"""The one import path: validate everything, then write it in one transaction.

Each importer subclasses `Importer` and implements `load(session, paths, ctx)`,
which reads and validates its input and writes through `ctx.upsert`. The
runner wraps that in a single transaction: a bad record anywhere, a constraint
failure, or a killed process leaves the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from commonground.errors import IngestError
from commonground.ingest.readers import Row, input_digest
from commonground.store.engine import Store
from commonground.store.models import Base, ImportRun, Source

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T", bound=Base)

# Fault injection for the crash tests: the process SIGKILLs itself after this
# many records have been written and flushed inside the open transaction.
FAULT_ENV = "COMMONGROUND_FAULT_KILL_AFTER"


def validate(schema: type[M], row: Row, path: Path) -> M:
    """Validate one record; a failure names the file, record, line, field and value."""
    try:
        return schema.model_validate(row.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(part) for part in err.get("loc") or ()]
        if loc and loc[0] in schema.model_fields:
            loc[0] = schema.model_fields[loc[0]].alias or loc[0]
        value = err.get("input")
        raise IngestError(
            path=path,
            record=row.record,
            line=row.line,
            field=".".join(loc) or None,
            value=None if isinstance(value, dict | list) else value,
            reason=err.get("msg", "invalid"),
        ) from None


@dataclass
class ImportContext:
    """What an importer writes through: upserts, progress, and the fault hook."""

    session: Session
    progress: Progress | None
    written: int = 0
    _kill_after: int | None = None
    _task: Any = None
    _caches: dict[tuple[type, str], dict[Hashable, Any]] = field(default_factory=dict)

    def start(self, description: str, total: int | None) -> None:
        if self.progress is not None:
            if self._task is not None:
                self.progress.update(self._task, visible=False)
            self._task = self.progress.add_task(description, total=total)

    def tick(self) -> None:
        self.written += 1
        if self.progress is not None and self._task is not None:
            self.progress.advance(self._task)
        if self._kill_after is not None and self.written >= self._kill_after:
            self.session.flush()
            os.kill(os.getpid(), signal.SIGKILL)

    def existing(self, model: type[T], key: Callable[[T], Hashable], name: str = "") -> dict:
        """All rows of `model` keyed by their natural key, loaded once per import."""
        cache_key = (model, name)
        if cache_key not in self._caches:
            rows = self.session.scalars(select(model)).all()
            self._caches[cache_key] = {key(r): r for r in rows}
        return self._caches[cache_key]

    def upsert(
        self,
        model: type[T],
        values: dict[str, Any],
        *,
        key: Sequence[str] = ("id",),
        cache: str = "",
    ) -> T:
        """Insert, or update the row with the same natural key: re-imports never duplicate."""
        index = self.existing(
            model, lambda r: tuple(getattr(r, k) for k in key), cache or ",".join(key)
        )
        natural = tuple(values[k] for k in key)
        row = index.get(natural)
        if row is None:
            row = model(**values)
            self.session.add(row)
            index[natural] = row
        else:
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
        self.tick()
        return row

    def prune(
        self,
        model: type[T],
        keep: set[Hashable],
        *,
        key: Sequence[str],
        where: Any,
        order: Callable[[T], Any] | None = None,
    ) -> int:
        """Delete rows matching `where` whose natural key is not in `keep`.

        For sources that are the whole truth about their records (the bundled
        dataset): a row removed from the file is removed from the store.
        """
        stale = [
            row
            for row in self.session.scalars(select(model).where(where))
            if tuple(getattr(row, k) for k in key) not in keep
        ]
        # `order` puts children before parents in self-referencing tables.
        for row in sorted(stale, key=order) if order else stale:
            self.session.delete(row)
            if order:
                self.session.flush()
        self._caches = {k: v for k, v in self._caches.items() if k[0] is not model}
        return len(stale)

    def source(self, **values: Any) -> str:
        """Upsert a Source row (every fact cites one) and return its id."""
        self.upsert(Source, values)
        return values["id"]


class Importer:
    """Base class for importers; one subclass per source, registered by `name`."""

    name: ClassVar[str]
    description: ClassVar[str]

    def default_path(self, shared_dir: Path) -> Path:
        raise NotImplementedError

    def files(self, path: Path) -> list[Path]:
        """The input files behind `path` (a folder or one file)."""
        return [path]

    def load(self, ctx: ImportContext, path: Path) -> int:
        """Validate and write everything; return the number of primary records."""
        raise NotImplementedError


@dataclass(frozen=True)
class ImportResult:
    importer: str
    path: Path
    records: int
    rows_written: int


def run_import(
    store: Store, importer: Importer, path: Path, *, console: Console | None = None
) -> ImportResult:
    """Run one importer inside one transaction; any error rolls everything back."""
    path = Path(path)
    if not path.exists():
        raise IngestError(path=path, reason="no such file or folder")
    files = importer.files(path)
    for file in files:
        if not file.is_file():
            raise IngestError(path=file, reason="no such file")
    started = dt.datetime.now(dt.UTC)
    kill_after = os.environ.get(FAULT_ENV)
    progress = (
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        if console is not None
        else None
    )
    try:
        with store.transaction() as session:
            # The log names who submitted each record version: here, the importer.
            session.info["submitter"] = f"import:{importer.name}"
            ctx = ImportContext(
                session=session,
                progress=progress,
                _kill_after=int(kill_after) if kill_after else None,
            )
            if progress is not None:
                progress.start()
            try:
                records = importer.load(ctx, path)
                session.flush()
            finally:
                if progress is not None:
                    progress.stop()
            digest = input_digest(files)
            session.add(
                ImportRun(
                    importer=importer.name,
                    path=str(path),
                    sha256=digest,
                    records=records,
                    started_at=started,
                    finished_at=dt.datetime.now(dt.UTC),
                )
            )
    except IntegrityError as exc:
        raise IngestError(path=path, reason=f"constraint violated: {exc.orig}") from exc
    except DBAPIError as exc:
        raise IngestError(path=path, reason=f"database rejected a value: {exc.orig}") from exc
    return ImportResult(importer.name, path, records, ctx.written)
