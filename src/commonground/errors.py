"""Errors raised by Common Ground. This module imports nothing from the package.

Error
├── ConfigError            a setting is missing or malformed
├── StoreError             the database could not be reached or migrated
├── IngestError            one record of an input file is bad (file, record, field, value)
└── NotFoundError          an id names nothing in the store
"""

from __future__ import annotations

from pathlib import Path


class Error(Exception):
    """Base class: the CLI catches this once and exits non-zero."""

    code = "error"


class ConfigError(Error):
    code = "config"


class StoreError(Error):
    code = "store"


class NotFoundError(Error):
    code = "not-found"


class IngestError(Error):
    """A bad record in an input file; the message names file, record, field and value.

    `record` is 1-based over data records; `line` is the physical line (CSV) when known.
    """

    code = "ingest"

    def __init__(
        self,
        *,
        path: Path | str,
        reason: str,
        record: int | None = None,
        line: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.path = Path(path)
        self.record = record
        self.line = line
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.path.name]
        if self.record is not None:
            where.append(f"record {self.record}" + (f" (line {self.line})" if self.line else ""))
        if self.field is not None:
            where.append(f'field "{self.field}"')
        detail = self.reason
        if self.value not in (None, ""):
            shown = repr(self.value)
            detail += f" (got {shown[:77] + '...' if len(shown) > 80 else shown})"
        return f"{', '.join(where)}: {detail}"
