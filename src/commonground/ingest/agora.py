"""ETO AGORA (AI Governance and Regulatory Archive): documents, their authorities and
collections. Reads the full dump (a folder of three CSVs) or one per-collection export."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.readers import Row, read_csv
from commonground.ingest.values import blank, partial_date, slugify
from commonground.store.models import (
    Actor,
    Collection,
    Instrument,
    InstrumentActor,
    InstrumentCollection,
    InstrumentEvent,
    InstrumentSource,
)

DOCUMENTS = "agora_documents.csv"
AUTHORITIES = "agora_authorities.csv"
COLLECTIONS = "agora_collections.csv"

SOURCE = {
    "id": "eto-agora-2025-01",
    "title": "AGORA: AI Governance and Regulatory Archive (documents, authorities, collections)",
    "publisher": "Emerging Technology Observatory (CSET, Georgetown University)",
    "url": "https://github.com/ashrane111/AI-GovBot/tree/4819d2faffe5fd75f3434de0b974dd737d0c4e99"
    "/data/data-pipeline/dags/merged_input/agora",
    "published": "2025-01",
    "language": "en",
    "license": "ETO's terms for AGORA data (not stated in the copying repository, whose MIT "
    "license covers only its code)",
    "note": "January 2025 AGORA dump as committed by a third party (ashrane111/AI-GovBot, "
    "2025-02-27); the canonical copy is on Zenodo, record 15672628.",
    "origin": "agora",
}

AUTHORITY_PREFIX = "agora-authority:"
COLLECTION_PREFIX = "agora:"
# The per-topic boolean columns ("Harms: Discrimination", …) of the full dump.
TAG_COLUMN = re.compile(r"^(Applications|Harms|Incentives|Risk factors|Strategies): ")
TYPE_COLUMNS = ("Type", "Document type")  # absent from the 2025 dump; used when present
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0", ""}


def _date(value: str) -> str:
    if value:
        partial_date(value)  # ValueError names the expected form
    return value


def _bool(value: Any) -> bool | None:
    return None if blank(value) else value


DateText = Annotated[str, AfterValidator(_date)]
OptBool = Annotated[bool | None, BeforeValidator(_bool)]


class AuthorityRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(alias="Name", min_length=1)
    jurisdiction: str = Field("", alias="Jurisdiction")
    parent: str = Field("", alias="Parent authority")


class CollectionRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: str = Field(alias="Name", min_length=1)
    description: str = Field("", alias="Description")


class DocumentRow(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    agora_id: str = Field(alias="AGORA ID", pattern=r"^\d+$")
    official_name: str = Field(alias="Official name", min_length=1)
    casual_name: str = Field("", alias="Casual name")
    link: str = Field("", alias="Link to document")
    authority: str = Field("", alias="Authority")
    collections: str = Field("", alias="Collections")
    activity: str = Field("", alias="Most recent activity", max_length=40)  # becomes an event
    activity_date: DateText = Field("", alias="Most recent activity date")
    proposed_date: DateText = Field("", alias="Proposed date")
    short_summary: str = Field("", alias="Short summary")
    long_summary: str = Field("", alias="Long summary")
    tags: str = Field("", alias="Tags")
    machine_output: OptBool = Field(
        None, alias="Summaries and tags may include unreviewed machine output"
    )
    annotated: OptBool = Field(None, alias="Annotated?")
    validated: OptBool = Field(None, alias="Validated?")
    applies_government: OptBool = Field(None, alias="Primarily applies to the government")
    applies_private: OptBool = Field(None, alias="Primarily applies to the private sector")


@dataclass
class _Document:
    row: Row
    doc: DocumentRow
    type: str
    flags: list[str]


def _split(text: str) -> list[str]:
    """AGORA joins multi-valued cells with ";" and repeats tags once per segment."""
    return list(dict.fromkeys(p.strip() for p in text.split(";") if p.strip()))


class AgoraImporter(Importer):
    name = "agora"
    description = "ETO AGORA: AI laws, regulations and policies with authorities and collections"

    def default_path(self, shared_dir: Path) -> Path:
        return shared_dir / "agora-eto"

    def files(self, path: Path) -> list[Path]:
        if path.is_dir():
            return [path / DOCUMENTS, path / AUTHORITIES, path / COLLECTIONS]
        return [path]

    def load(self, ctx: ImportContext, path: Path) -> int:
        files = self.files(path)
        full = len(files) == 3  # with authorities and collections: references must resolve
        authorities = (
            [validate(AuthorityRow, r, files[1]) for r in read_csv(files[1], required=("Name",))]
            if full
            else []
        )
        collections = (
            [validate(CollectionRow, r, files[2]) for r in read_csv(files[2], required=("Name",))]
            if full
            else []
        )
        docs = self._documents(files[0])
        self._check(files, docs, authorities, collections, full)

        source_id = ctx.source(**SOURCE)
        ctx.start("agora", len(authorities) + len(collections) + len(docs))
        known = {a.name for a in authorities}
        # Parents first, so no insert batch meets a parent row not yet written.
        for a in sorted(authorities, key=lambda a: self._depth(a, authorities)):
            parent = AUTHORITY_PREFIX + slugify(a.parent) if a.parent else None
            self._authority(ctx, a.name, source_id, a.jurisdiction or None, parent)
        for doc in docs:  # a single export may name authorities no file describes
            if doc.doc.authority and doc.doc.authority not in known:
                known.add(doc.doc.authority)
                self._authority(ctx, doc.doc.authority, source_id)
        names = {c.name for c in collections} | {n for d in docs for n in _split(d.doc.collections)}
        described = {c.name: c.description for c in collections}
        for name in sorted(names):
            values = {"id": COLLECTION_PREFIX + slugify(name), "name_en": name, "origin": "agora"}
            if name in described:
                values["description_en"] = described[name] or None
            ctx.upsert(Collection, values)
        ctx.session.flush()
        for doc in docs:
            self._instrument(ctx, doc)
        ctx.session.flush()  # instruments before the rows that point at them
        for doc in docs:
            self._links(ctx, doc.doc, source_id)
        return len(docs)

    def _documents(self, path: Path) -> list[_Document]:
        docs: list[_Document] = []
        seen: set[str] = set()
        for row in read_csv(path, required=("AGORA ID", "Official name")):
            doc = validate(DocumentRow, row, path)
            if doc.agora_id in seen:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="AGORA ID",
                    value=doc.agora_id,
                    reason="duplicate document id",
                )
            seen.add(doc.agora_id)
            flags = []
            for column, value in row.data.items():
                if TAG_COLUMN.match(column):
                    text = value.strip().lower()
                    if text not in TRUE | FALSE:
                        raise IngestError(
                            path=path,
                            record=row.record,
                            line=row.line,
                            field=column,
                            value=value,
                            reason="expected True or False",
                        )
                    if text in TRUE:
                        flags.append(column)
            column = next((c for c in TYPE_COLUMNS if row.data.get(c, "").strip()), "")
            kind = row.data[column].strip() if column else ""
            if len(kind) > 40:  # instrument.type is 40 characters wide
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field=column,
                    value=kind,
                    reason="longer than 40 characters",
                )
            docs.append(_Document(row, doc, kind.lower() or "document", flags))
        return docs

    @staticmethod
    def _check(
        files: list[Path],
        docs: list[_Document],
        authorities: list[AuthorityRow],
        collections: list[CollectionRow],
        full: bool,
    ) -> None:
        if not full:
            return
        for file, rows in ((files[1], authorities), (files[2], collections)):
            slugs: dict[str, str] = {}
            for row in rows:
                other = slugs.setdefault(slugify(row.name), row.name)
                if other != row.name or not slugify(row.name):
                    raise IngestError(
                        path=file,
                        field="Name",
                        value=row.name,
                        reason=f"its id would clash with {other!r} (or be empty)",
                    )
        names = {a.name for a in authorities}
        for a in authorities:
            if a.parent and a.parent not in names:
                raise IngestError(
                    path=files[1],
                    field="Parent authority",
                    value=a.parent,
                    reason=f"authority {a.name!r} names a parent that is not in the file",
                )
        collection_names = {c.name for c in collections}
        for d in docs:
            if d.doc.authority and d.doc.authority not in names:
                raise IngestError(
                    path=files[0],
                    record=d.row.record,
                    line=d.row.line,
                    field="Authority",
                    value=d.doc.authority,
                    reason=f"not an authority in {files[1].name}",
                )
            for name in _split(d.doc.collections):
                if name not in collection_names:
                    raise IngestError(
                        path=files[0],
                        record=d.row.record,
                        line=d.row.line,
                        field="Collections",
                        value=name,
                        reason=f"not a collection in {files[2].name}",
                    )

    @staticmethod
    def _depth(authority: AuthorityRow, authorities: list[AuthorityRow]) -> int:
        parents = {a.name: a.parent for a in authorities}
        depth, name = 0, authority.parent
        while name and depth <= len(parents):  # the bound stops a cycle
            depth, name = depth + 1, parents.get(name, "")
        return depth

    @staticmethod
    def _authority(
        ctx: ImportContext,
        name: str,
        source_id: str,
        jurisdiction: str | None = None,
        parent_id: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "id": AUTHORITY_PREFIX + slugify(name),
            "kind": "authority",
            "name_en": name,
            "origin": "agora",
            "source_id": source_id,
        }
        if jurisdiction is not None or parent_id is not None:
            values |= {"jurisdiction": jurisdiction, "parent_id": parent_id}
        ctx.upsert(Actor, values)

    @staticmethod
    def _instrument(ctx: ImportContext, item: _Document) -> None:
        d = item.doc
        dated = d.activity_date or d.proposed_date
        extra = {
            "tags": _split(d.tags),
            "long_summary": d.long_summary or None,
            "unreviewed_machine_output": d.machine_output,
            "tag_flags": item.flags,
            "annotated": d.annotated,
            "validated": d.validated,
            "primarily_applies_to_government": d.applies_government,
            "primarily_applies_to_private_sector": d.applies_private,
            "most_recent_activity": d.activity or None,
        }
        ctx.upsert(
            Instrument,
            {
                "id": f"AGORA:{d.agora_id}",
                "name_en": d.official_name,
                "short_name_en": d.casual_name or None,
                "url": d.link or None,
                "summary_en": d.short_summary or None,
                "type": item.type,
                "status": slugify(d.activity) or None,
                "year": int(dated[:4]) if dated else None,
                "origin": "agora",
                "extra": {k: v for k, v in extra.items() if v not in (None, [])},
            },
        )

    @staticmethod
    def _links(ctx: ImportContext, d: DocumentRow, source_id: str) -> None:
        instrument_id = f"AGORA:{d.agora_id}"
        ctx.upsert(
            InstrumentSource,
            {"instrument_id": instrument_id, "source_id": source_id},
            key=("instrument_id", "source_id"),
        )
        if d.authority:
            ctx.upsert(
                InstrumentActor,
                {
                    "instrument_id": instrument_id,
                    "actor_id": AUTHORITY_PREFIX + slugify(d.authority),
                    "role": "authority",
                },
                key=("instrument_id", "actor_id", "role"),
            )
        for name in _split(d.collections):
            ctx.upsert(
                InstrumentCollection,
                {
                    "instrument_id": instrument_id,
                    "collection_id": COLLECTION_PREFIX + slugify(name),
                },
                key=("instrument_id", "collection_id"),
            )
        events: dict[tuple[str, str], str] = {}
        if d.proposed_date:
            events[("proposed", d.proposed_date)] = "AGORA 'Proposed date'"
        if d.activity and d.activity_date:
            key = (slugify(d.activity), d.activity_date)
            note = "AGORA 'Most recent activity'"
            events[key] = f"{events[key]} and {note}" if key in events else note
        for (event, text), note in events.items():
            ctx.upsert(
                InstrumentEvent,
                {
                    "instrument_id": instrument_id,
                    "event": event,
                    "date": partial_date(text)[0],
                    "date_text": text,
                    "source_id": source_id,
                    "note": note,
                },
                key=("instrument_id", "event", "date_text"),
            )
