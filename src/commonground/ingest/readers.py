"""Readers for CSV, XLSX and YAML inputs that report positions for error messages."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from commonground.errors import IngestError


@dataclass(frozen=True)
class Row:
    """A data record: 1-based record number, physical line (if known) and its fields."""

    record: int
    line: int | None
    data: dict[str, Any]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_digest(files: list[Path]) -> str:
    """One digest for an importer's inputs (order-independent for several files)."""
    if len(files) == 1:
        return sha256_file(files[0])
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(file.name.encode() + b"\0" + sha256_file(file).encode())
    return digest.hexdigest()


def read_csv(path: Path, *, required: tuple[str, ...] = (), skip_lines: int = 0) -> Iterator[Row]:
    """Rows by header name (so column order and extra columns do not matter).

    A UTF-8 BOM is dropped; header names are stripped. `required` headers must exist.
    """
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise IngestError(path=path, reason=f"cannot open: {exc.strerror}") from exc
    with fh:
        for _ in range(skip_lines):
            fh.readline()
        reader = csv.reader(fh)
        try:
            header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        except StopIteration:
            raise IngestError(path=path, reason="file is empty (no header row)") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise IngestError(path=path, record=0, reason=f"unreadable header: {exc}") from exc
        missing = [name for name in required if name not in header]
        if missing:
            raise IngestError(
                path=path, record=0, line=skip_lines + 1, field=missing[0], reason="missing column"
            )
        for record, _start, end, values in csv_records(reader, path, len(header)):
            yield Row(record, end, dict(zip(header, values, strict=True)))


def csv_records(reader: Any, path: Path, width: int) -> Iterator[tuple[int, int, int, list[str]]]:
    """The data rows after the header: (record number, first line, last line, values
    padded to `width`). Blank rows are skipped; a malformed row or one with more fields
    than the header is an error naming the record and line."""
    record = 0
    while True:
        start = reader.line_num + 1  # a quoted field may span lines
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise IngestError(
                path=path, record=record + 1, line=reader.line_num, reason=f"malformed CSV: {exc}"
            ) from exc
        if not any(v.strip() for v in values):
            continue
        record += 1
        if len(values) > width:
            raise IngestError(
                path=path,
                record=record,
                line=start,
                reason=f"{len(values)} fields but the header has {width}",
            )
        yield record, start, reader.line_num, values + [""] * (width - len(values))


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except OSError as exc:
        raise IngestError(path=path, reason=f"cannot open: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IngestError(
            path=path,
            line=mark.line + 1 if mark else None,
            record=None,
            reason=f"invalid YAML: {getattr(exc, 'problem', exc)}",
        ) from exc
    except UnicodeDecodeError as exc:
        raise IngestError(path=path, reason=f"not UTF-8: {exc}") from exc


def read_xlsx(path: Path, sheet: str, *, header_row: int = 1) -> Iterator[Row]:
    """Rows of one sheet by header name; `header_row` is 1-based."""
    from openpyxl import load_workbook  # heavy import, only where needed

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise IngestError(path=path, reason=f"not a readable XLSX workbook: {exc}") from exc
    if sheet not in book.sheetnames:
        raise IngestError(path=path, field=sheet, reason="missing sheet")
    rows = book[sheet].iter_rows(values_only=True)
    header: list[str] = []
    record = 0
    for line, values in enumerate(rows, start=1):
        if line < header_row:
            continue
        if line == header_row:
            header = [str(v).strip() if v is not None else "" for v in values]
            continue
        if not any(v not in (None, "") for v in values):
            continue
        record += 1
        data = {h: ("" if v is None else v) for h, v in zip(header, values, strict=False) if h}
        yield Row(record, line, data)
    book.close()


def read_yaml_list(path: Path, *, key: str | None = None) -> list[Row]:
    """A YAML list of mappings (optionally under `key`), each with its line number."""
    data = read_yaml(path)
    with path.open(encoding="utf-8") as fh:
        node = yaml.compose(fh)
    if key is not None:
        if not isinstance(data, dict) or key not in data:
            raise IngestError(path=path, field=key, reason="missing top-level key")
        data = data[key]
        node = next(v for k, v in node.value if k.value == key)
    if data is None:
        return []
    if not isinstance(data, list):
        raise IngestError(path=path, reason="expected a list of records")
    rows = []
    for index, (item, item_node) in enumerate(zip(data, node.value, strict=True), start=1):
        if not isinstance(item, dict):
            raise IngestError(
                path=path,
                record=index,
                line=item_node.start_mark.line + 1,
                reason="expected a mapping",
            )
        rows.append(Row(index, item_node.start_mark.line + 1, item))
    return rows
