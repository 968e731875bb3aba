"""World Bank country income classification: the FY23 CLASS list of economies and
the OGHIST analytical history FY89–FY23, as dated facts about actors."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from sqlalchemy import func, select

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import Row, read_csv
from commonground.store.models import Actor, ActorFact

CLASS_FILE = "class_fy23_list_of_economies.csv"
HISTORY_FILE = "oghist_country_analytical_history_fy89-fy23.csv"
_REPO = "https://github.com/pyarasid/energy_research/tree/9f240c8c0a184110aa5bd9f42875facc59e75716"
_LICENSE = "CC BY 4.0 (World Bank dataset terms; the copying repository has no license file)"

CLASS_SOURCE = {
    "id": "worldbank-class-fy23",
    "title": "World Bank Country and Lending Groups (CLASS), FY23: List of economies",
    "publisher": "World Bank",
    "url": _REPO,
    "published": "2022-07",
    "language": "en",
    "license": _LICENSE,
    "note": "CLASS.xlsx as copied in github.com/pyarasid/energy_research. Its Parameters "
    "sheet says FY21, but its income groups match the OGHIST FY23 column for all 217 "
    "economies, so it is read as the FY23 classification (see PROVENANCE.md).",
    "origin": "worldbank",
}
HISTORY_SOURCE = {
    "id": "worldbank-oghist-fy89-fy23",
    "title": "World Bank historical income classifications (OGHIST), FY89–FY23: "
    "Country Analytical History",
    "publisher": "World Bank",
    "url": _REPO,
    "published": "2022-07",
    "language": "en",
    "license": _LICENSE,
    "note": "Historical_income_classification.xlsx as copied in "
    "github.com/pyarasid/energy_research.",
    "origin": "worldbank",
}

INCOME_GROUPS = {
    "Low income": "L",
    "Lower middle income": "LM",
    "Upper middle income": "UM",
    "High income": "H",
}
# The workbook's footnote to the "*" cells (Yemen, FY89–FY90), which the CSV drops.
_STAR_NOTE = (
    "The source marks this value with *: at this time there were Yemen, PDR (L) and "
    "Yemen, Arab Rep. (LM); combined they would have been LM."
)
_FY = re.compile(r"^FY(\d{2})$")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Code = Annotated[str, BeforeValidator(_strip), Field(pattern=r"^[A-Z0-9]{3}$")]
# ".." is "not available" and "" is "not an economy then": neither is a fact.
Cell = Annotated[Literal["", "..", "L", "LM", "LM*", "UM", "H"], BeforeValidator(_strip)]


class ClassRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    economy: str = Field(alias="Economy", min_length=1)
    code: Code = Field(alias="Code")
    region: str = Field(alias="Region")
    income_group: Literal[
        "", "Low income", "Lower middle income", "Upper middle income", "High income"
    ] = Field(alias="Income group")
    lending: Literal["", "IBRD", "IDA", "Blend"] = Field(alias="Lending category")


@cache
def _history_model(columns: tuple[str, ...]) -> type[BaseModel]:
    """A schema for OGHIST with one field per fiscal-year column found in the header."""
    fields: dict[str, Any] = {
        "code": (Code, Field(alias="Code")),
        "country": (str, Field(alias="Country", min_length=1)),
    }
    for column in columns:
        fields[column.lower()] = (Cell, Field(alias=column))
    return create_model(
        "HistoryRow", __config__=ConfigDict(extra="ignore", str_strip_whitespace=True), **fields
    )


def fiscal_year_bounds(period: str) -> tuple[dt.date, dt.date]:
    """World Bank FYnn runs 1 July of the previous year to 30 June: FY23 = 2022-07-01..2023-06-30."""
    match = _FY.match(period)
    if not match:
        raise ValueError(f"not a fiscal year: {period!r}")
    short = int(match.group(1))
    year = (1900 if short >= 50 else 2000) + short
    return dt.date(year - 1, 7, 1), dt.date(year, 6, 30)


@dataclass
class _Fact:
    code: str
    key: str
    period: str
    value: str
    source_id: str
    note: str | None
    path: Path


class WorldBankImporter(Importer):
    name = "worldbank"
    description = "World Bank income groups FY89–FY23, regions and lending categories"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "worldbank-income-class"

    def files(self, path: Path) -> list[Path]:
        if path.is_dir():
            return [path / CLASS_FILE, path / HISTORY_FILE]
        return [path]

    def load(self, ctx: ImportContext, path: Path) -> int:
        states = ctx.session.scalar(
            select(func.count()).select_from(Actor).where(Actor.kind == "state")
        )
        if not states:
            raise IngestError(
                path=path,
                reason="the store has no states: import country-codes first "
                "(commonground import country-codes)",
            )
        names: dict[str, tuple[str, str]] = {}  # code -> (name, source id)
        facts: dict[tuple[str, str, str], _Fact] = {}
        class_rows: list[tuple[Row, ClassRow, Path]] = []
        history = False
        for file in self.files(path):
            rows = list(read_csv(file))
            if rows and "Income group" in rows[0].data:
                class_rows += [(row, validate(ClassRow, row, file), file) for row in rows]
            elif rows and any(_FY.match(k) for k in rows[0].data):
                self._history(file, rows, names, facts)
                history = True
            else:
                raise IngestError(
                    path=file, reason="neither a CLASS list of economies nor an OGHIST history"
                )
        # After the history, so the CLASS list is checked against OGHIST FY23.
        self._class_list(class_rows, names, facts)

        if history:
            ctx.source(**HISTORY_SOURCE)
        if class_rows:
            ctx.source(**CLASS_SOURCE)
        existing = ctx.existing(Actor, lambda a: (a.id,), "id")
        new = [
            c for c in sorted(names) if (c,) not in existing or existing[(c,)].origin == "worldbank"
        ]
        ctx.start("worldbank", len(new) + len(facts))
        for code in new:
            name, source_id = names[code]
            ctx.upsert(
                Actor,
                {
                    "id": code,
                    "kind": "economy",
                    "name_en": name,
                    "name_zh": None,
                    "origin": "worldbank",
                    "source_id": source_id,
                    "note": "A World Bank economy code with no ISO 3166-1 entry in country-codes.",
                },
            )
        ctx.session.flush()  # actors before the facts that point at them
        for fact in facts.values():
            start, end = fiscal_year_bounds(fact.period)
            ctx.upsert(
                ActorFact,
                {
                    "actor_id": fact.code,
                    "key": fact.key,
                    "period": fact.period,
                    "valid_from": start,
                    "valid_to": end,
                    "value": fact.value,
                    "source_id": fact.source_id,
                    "note": fact.note,
                },
                key=("actor_id", "key", "period"),
            )
        return len(facts)

    def _history(
        self,
        file: Path,
        rows: list[Row],
        names: dict[str, tuple[str, str]],
        facts: dict[tuple[str, str, str], _Fact],
    ) -> None:
        columns = tuple(k for k in rows[0].data if _FY.match(k))
        schema = _history_model(columns)
        seen: set[str] = set()
        for row in rows:
            record = validate(schema, row, file)
            code: str = record.code  # type: ignore[attr-defined]
            if code in seen:
                raise IngestError(
                    path=file,
                    record=row.record,
                    line=row.line,
                    field="Code",
                    value=code,
                    reason="duplicate economy code",
                )
            seen.add(code)
            names.setdefault(code, (record.country, HISTORY_SOURCE["id"]))  # type: ignore[attr-defined]
            for column in columns:
                cell: str = getattr(record, column.lower())
                if cell in ("", ".."):
                    continue
                note = _STAR_NOTE if cell.endswith("*") else None
                facts[(code, "wb_income_group", column)] = _Fact(
                    code,
                    "wb_income_group",
                    column,
                    cell.rstrip("*"),
                    HISTORY_SOURCE["id"],
                    note,
                    file,
                )

    def _class_list(
        self,
        class_rows: list[tuple[Row, ClassRow, Path]],
        names: dict[str, tuple[str, str]],
        facts: dict[tuple[str, str, str], _Fact],
    ) -> None:
        seen: set[str] = set()
        for row, record, file in class_rows:
            if not record.region:
                continue  # an aggregate (World, IDA total, High income…), not an economy
            if record.code in seen:
                raise IngestError(
                    path=file,
                    record=row.record,
                    line=row.line,
                    field="Code",
                    value=record.code,
                    reason="duplicate economy code",
                )
            seen.add(record.code)
            names[record.code] = (record.economy, CLASS_SOURCE["id"])
            sid = CLASS_SOURCE["id"]
            period = "FY23"
            if record.income_group:
                value = INCOME_GROUPS[record.income_group]
                known = facts.get((record.code, "wb_income_group", period))
                if known is not None and known.value != value:
                    raise IngestError(
                        path=file,
                        record=row.record,
                        line=row.line,
                        field="Income group",
                        value=record.income_group,
                        reason=f"differs from {known.path.name} FY23 ({known.value!r}); "
                        "is this list really FY23?",
                    )
                if known is None:
                    facts[(record.code, "wb_income_group", period)] = _Fact(
                        record.code, "wb_income_group", period, value, sid, None, file
                    )
            facts[(record.code, "wb_region", period)] = _Fact(
                record.code, "wb_region", period, record.region, sid, None, file
            )
            if record.lending:
                facts[(record.code, "wb_lending_category", period)] = _Fact(
                    record.code, "wb_lending_category", period, record.lending, sid, None, file
                )
