"""The bundled dataset (src/commonground/data/): instruments, bodies, actors,
participation and provisions curated from the seeds' sources, every fact cited.

The files are the whole truth about the records they define: a re-import
updates them, and a row removed from a file is removed from the store.
States are not defined here; they come from the country-codes import.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from commonground.errors import IngestError
from commonground.ingest.base import ImportContext, Importer, validate
from commonground.ingest.curated_schema import (
    ActorRecord,
    InstrumentRecord,
    MappingRow,
    ParticipationRow,
    ProvisionFile,
    ProvisionRecord,
    SourceRecord,
    TaxonomyFile,
)
from commonground.ingest.readers import Row, read_csv, read_yaml, read_yaml_list
from commonground.ingest.values import partial_date
from commonground.store.models import (
    Actor,
    ActorSource,
    Instrument,
    InstrumentActor,
    InstrumentEvent,
    InstrumentRelation,
    InstrumentSource,
    InstrumentVersion,
    Mapping,
    Participation,
    Provision,
    Source,
    Taxonomy,
    Term,
)

ORIGIN = "curated"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# The event that dates an instrument for facets and timelines, in order of preference.
DATING_EVENTS = ("adopted", "signed", "published", "held", "established", "proposed")


class CuratedImporter(Importer):
    name = "curated"
    description = "The bundled dataset: instruments, bodies, signatories, provisions (cited)"

    def default_path(self, shared_dir: Path) -> Path:
        return DATA_DIR

    def files(self, path: Path) -> list[Path]:
        files = [path / "sources.yaml", path / "actors.yaml"]
        for folder, pattern in (
            ("instruments", "*.yaml"),
            ("participation", "*.csv"),
            ("provisions", "*.yaml"),
            ("taxonomies", "*.yaml"),
            ("mappings", "*.csv"),
        ):
            files += sorted((path / folder).glob(pattern))
        return files

    def load(self, ctx: ImportContext, path: Path) -> int:
        data = _Dataset.read(path, ctx)
        data.check_references()
        data.write(ctx)
        return len(data.instruments)


class _Dataset:
    """Every curated file, parsed and validated, with where each record came from."""

    def __init__(self, root: Path, known_actors: set[str], known_instruments: set[str]) -> None:
        self.root = root
        self.known_actors = known_actors
        self.known_instruments = known_instruments
        self.sources: list[tuple[Row, SourceRecord]] = []
        self.actors: list[tuple[Row, ActorRecord]] = []
        self.instruments: list[tuple[Path, Row, InstrumentRecord]] = []
        self.participation: list[tuple[Path, Row, str, ParticipationRow]] = []
        self.provisions: list[tuple[Path, str, ProvisionRecord, str | None, int]] = []
        self.taxonomies: list[tuple[Path, TaxonomyFile]] = []
        self.mappings: list[tuple[Path, Row, str, MappingRow]] = []
        self.known_terms: set[str] = set()
        self.known_provisions: set[str] = set()

    @classmethod
    def read(cls, root: Path, ctx: ImportContext) -> _Dataset:
        if not (root / "sources.yaml").is_file():
            raise IngestError(path=root / "sources.yaml", reason="no such file")
        known_actors = set(ctx.session.scalars(select(Actor.id).where(Actor.origin != ORIGIN)))
        known_instruments = set(
            ctx.session.scalars(select(Instrument.id).where(Instrument.origin != ORIGIN))
        )
        data = cls(root, known_actors, known_instruments)
        path = root / "sources.yaml"
        data.sources = [(row, validate(SourceRecord, row, path)) for row in read_yaml_list(path)]
        path = root / "actors.yaml"
        if path.exists():
            data.actors = [(row, validate(ActorRecord, row, path)) for row in read_yaml_list(path)]
        for path in sorted((root / "instruments").glob("*.yaml")):
            for row in read_yaml_list(path):
                data.instruments.append((path, row, validate(InstrumentRecord, row, path)))
        for path in sorted((root / "participation").glob("*.csv")):
            instrument = path.stem
            for row in read_csv(path, required=("actor", "act", "source")):
                data.participation.append(
                    (path, row, instrument, validate(ParticipationRow, row, path))
                )
        for path in sorted((root / "provisions").glob("*.yaml")):
            raw = read_yaml(path)
            parsed = validate(ProvisionFile, Row(1, 1, raw if isinstance(raw, dict) else {}), path)
            if parsed.instrument != path.stem:
                raise IngestError(
                    path=path,
                    field="instrument",
                    value=parsed.instrument,
                    reason=f"must match the file name ({path.stem})",
                )
            data._flatten(path, parsed.instrument, parsed.provisions, None)
        for path in sorted((root / "taxonomies").glob("*.yaml")):
            raw = read_yaml(path)
            data.taxonomies.append(
                (
                    path,
                    validate(TaxonomyFile, Row(1, 1, raw if isinstance(raw, dict) else {}), path),
                )
            )
        for path in sorted((root / "mappings").glob("*.csv")):
            if not path.stem.startswith("cg-"):
                raise IngestError(path=path, reason="curated mapping files are named cg-<set>.csv")
            for row in read_csv(path, required=("subject_id", "predicate", "object_id", "source")):
                data.mappings.append((path, row, path.stem, validate(MappingRow, row, path)))
        data.known_terms = set(
            ctx.session.scalars(select(Term.id).join(Taxonomy).where(Taxonomy.origin != ORIGIN))
        )
        data.known_provisions = set(
            ctx.session.scalars(
                select(Provision.id).join(Instrument).where(Instrument.origin != ORIGIN)
            )
        )
        return data

    def _flatten(
        self, path: Path, instrument: str, nodes: list[ProvisionRecord], parent: str | None
    ) -> None:
        for position, node in enumerate(nodes, start=1):
            self.provisions.append((path, instrument, node, parent, position))
            self._flatten(path, instrument, node.children, node.id)

    # -- checks that span files ----------------------------------------------------

    def _unique(self, path: Path, items: list[tuple[Row, str]], what: str) -> set[str]:
        """The set of ids; the second occurrence of a repeated id is the error."""
        seen: set[str] = set()
        for row, key in items:
            if key in seen:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="id",
                    value=key,
                    reason=f"duplicate {what} id",
                )
            seen.add(key)
        return seen

    def check_references(self) -> None:
        sources = self._unique(
            self.root / "sources.yaml", [(r, s.id) for r, s in self.sources], "source"
        )
        actor_ids = self._unique(
            self.root / "actors.yaml", [(r, a.id) for r, a in self.actors], "actor"
        )
        instrument_ids: set[str] = set()
        for path, row, rec in self.instruments:  # ids are unique across all files
            if rec.id in instrument_ids:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="id",
                    value=rec.id,
                    reason="duplicate instrument id",
                )
            instrument_ids.add(rec.id)
        actors = actor_ids | self.known_actors
        instruments = instrument_ids | self.known_instruments

        def need(
            kind: str, known: set[str], value: str | None, path: Path, row: Row, field: str
        ) -> None:
            if value is not None and value not in known:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field=field,
                    value=value,
                    reason=f"unknown {kind}"
                    + (
                        " (import country-codes first?)"
                        if kind == "actor" and len(value) == 3 and value.isupper()
                        else ""
                    ),
                )

        for row, actor in self.actors:
            path = self.root / "actors.yaml"
            for i, source in enumerate(actor.sources):
                need("source", sources, source, path, row, f"sources.{i}")
            need("actor", actors, actor.parent, path, row, "parent")
            need("actor", actors, actor.country, path, row, "country")
        for path, row, rec in self.instruments:
            for i, source in enumerate(rec.sources):
                need("source", sources, source, path, row, f"sources.{i}")
            for i, event in enumerate(rec.status):
                need("source", sources, event.source, path, row, f"status.{i}.source")
            for i, relation in enumerate(rec.relations):
                need("instrument", instruments, relation.object, path, row, f"relations.{i}.object")
                need("source", sources, relation.source, path, row, f"relations.{i}.source")
            for i, issuer in enumerate(rec.issuers):
                need("actor", actors, issuer, path, row, f"issuers.{i}")
        seen: set[tuple[str, str, str]] = set()
        for path, row, instrument, part in self.participation:
            need("instrument", instrument_ids, instrument, path, row, "(file name)")
            need("actor", actors, part.actor, path, row, "actor")
            need("source", sources, part.source, path, row, "source")
            key = (instrument, part.actor, part.act)
            if key in seen:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="actor",
                    value=part.actor,
                    reason=f"duplicate participation ({part.act})",
                )
            seen.add(key)
        provision_ids: set[str] = set()
        for path, instrument, node, _parent, _pos in self.provisions:
            row = Row(None, None, {})  # type: ignore[arg-type]
            need("instrument", instrument_ids, instrument, path, row, "instrument")
            need("source", sources, node.source, path, row, f"{node.id}.source")
            if node.id in provision_ids:
                raise IngestError(
                    path=path, field="id", value=node.id, reason="duplicate provision id"
                )
            if not node.id.startswith(instrument + "/"):
                raise IngestError(
                    path=path,
                    field="id",
                    value=node.id,
                    reason=f"provision ids start with the instrument id ({instrument}/)",
                )
            provision_ids.add(node.id)
        self._check_vocabularies(sources, instrument_ids | self.known_instruments, provision_ids)

    def _check_vocabularies(
        self, sources: set[str], instruments: set[str], provisions: set[str]
    ) -> None:
        terms = set(self.known_terms)
        for path, tax in self.taxonomies:
            if tax.source not in sources:
                raise IngestError(
                    path=path, field="source", value=tax.source, reason="unknown source"
                )
            own = {t.id for t in tax.terms}
            for number, term in enumerate(tax.terms, start=1):
                if term.id in terms:
                    raise IngestError(
                        path=path,
                        record=number,
                        field="id",
                        value=term.id,
                        reason="duplicate term id",
                    )
                if not term.id.startswith(tax.id + ":"):
                    raise IngestError(
                        path=path,
                        record=number,
                        field="id",
                        value=term.id,
                        reason=f"term ids start with the taxonomy id ({tax.id}:)",
                    )
                if term.parent and term.parent not in own:
                    raise IngestError(
                        path=path,
                        record=number,
                        field="parent",
                        value=term.parent,
                        reason="unknown parent term",
                    )
                if term.source not in sources:
                    raise IngestError(
                        path=path,
                        record=number,
                        field="source",
                        value=term.source,
                        reason="unknown source",
                    )
                terms.add(term.id)
        known = {
            "term": terms,
            "provision": provisions | self.known_provisions,
            "instrument": instruments,
        }
        seen: set[tuple[str, str, str, str]] = set()
        for path, row, mapping_set, m in self.mappings:
            for side in ("subject", "object"):
                value, kind = getattr(m, f"{side}_id"), getattr(m, f"{side}_type")
                if value not in known[kind]:
                    # Crosswalks on the web cite ids that do not exist; ours may not.
                    raise IngestError(
                        path=path,
                        record=row.record,
                        line=row.line,
                        field=f"{side}_id",
                        value=value,
                        reason=f"unknown {kind}",
                    )
            if m.source not in sources:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="source",
                    value=m.source,
                    reason="unknown source",
                )
            key = (mapping_set, m.subject_id, m.predicate, m.object_id)
            if key in seen:
                raise IngestError(
                    path=path,
                    record=row.record,
                    line=row.line,
                    field="object_id",
                    value=m.object_id,
                    reason="duplicate mapping",
                )
            seen.add(key)

    # -- writing ---------------------------------------------------------------------

    def write(self, ctx: ImportContext) -> None:
        total = len(self.sources) + len(self.actors) + len(self.instruments)
        total += len(self.participation) + len(self.provisions)
        ctx.start("bundled dataset", total)
        for _, src in self.sources:
            ctx.upsert(
                Source,
                {
                    "id": src.id,
                    "title": src.title,
                    "publisher": src.publisher,
                    "url": src.url,
                    "published": src.date,
                    "language": src.language,
                    "note": src.note,
                    "origin": ORIGIN,
                },
            )
        # Parents before children: a parent may be defined later in the file.
        for _, actor in sorted(self.actors, key=lambda item: item[1].parent is not None):
            short = actor.short_names
            ctx.upsert(
                Actor,
                {
                    "id": actor.id,
                    "kind": actor.kind,
                    "name_en": actor.names.en,
                    "name_zh": actor.names.zh,
                    "short_name_en": short.en if short else None,
                    "short_name_zh": short.zh if short else None,
                    "country": actor.country,
                    "country_basis": actor.country_basis,
                    "parent_id": actor.parent,
                    "url": actor.url,
                    "note": actor.note,
                    "origin": ORIGIN,
                    "source_id": actor.sources[0],
                },
            )
        ctx.session.flush()
        actor_links = {(a.id, s) for _, a in self.actors for s in a.sources}
        for actor_id, source_id in sorted(actor_links):
            ctx.upsert(
                ActorSource,
                {"actor_id": actor_id, "source_id": source_id},
                key=("actor_id", "source_id"),
            )
        curated_actors = {a.id for _, a in self.actors}
        ctx.prune(
            ActorSource,
            actor_links,
            key=("actor_id", "source_id"),
            where=ActorSource.actor_id.in_(curated_actors),
        )

        ids = [rec.id for _, _, rec in self.instruments]
        in_curated = Instrument.origin == ORIGIN
        # Children of every curated instrument, including ones dropped from the files.
        curated_ids = select(Instrument.id).where(in_curated).scalar_subquery()
        for _, _, rec in self.instruments:
            ctx.upsert(Instrument, _instrument_values(rec))
        ctx.session.flush()
        events, links, issuers, relations, versions = set(), set(), set(), set(), set()
        for _, _, rec in self.instruments:
            for event in rec.status:
                date, text = partial_date(event.date)
                ctx.upsert(
                    InstrumentEvent,
                    {
                        "instrument_id": rec.id,
                        "event": event.event,
                        "date_text": text,
                        "date": date,
                        "source_id": event.source,
                        "note": event.note,
                    },
                    key=("instrument_id", "event", "date_text"),
                )
                events.add((rec.id, event.event, text))
            for source in rec.sources:
                ctx.upsert(
                    InstrumentSource,
                    {"instrument_id": rec.id, "source_id": source},
                    key=("instrument_id", "source_id"),
                )
                links.add((rec.id, source))
            for issuer in rec.issuers:
                ctx.upsert(
                    InstrumentActor,
                    {"instrument_id": rec.id, "actor_id": issuer, "role": "issuer"},
                    key=("instrument_id", "actor_id", "role"),
                )
                issuers.add((rec.id, issuer, "issuer"))
            for version in rec.versions:
                date = version.get("date")
                ctx.upsert(
                    InstrumentVersion,
                    {
                        "instrument_id": rec.id,
                        "version": version["version"],
                        "date": partial_date(date)[0] if date else None,
                        "url": version.get("url"),
                        "source_id": version.get("source") or rec.sources[0],
                        "note": version.get("note"),
                    },
                    key=("instrument_id", "version"),
                )
                versions.add((rec.id, version["version"]))
        for _, _, rec in self.instruments:
            for relation in rec.relations:
                ctx.upsert(
                    InstrumentRelation,
                    {
                        "subject_id": rec.id,
                        "predicate": relation.predicate,
                        "object_id": relation.object,
                        "source_id": relation.source,
                        "note": relation.note,
                    },
                    key=("subject_id", "predicate", "object_id"),
                )
                relations.add((rec.id, relation.predicate, relation.object))
        ctx.prune(
            InstrumentEvent,
            events,
            key=("instrument_id", "event", "date_text"),
            where=InstrumentEvent.instrument_id.in_(curated_ids),
        )
        ctx.prune(
            InstrumentSource,
            links,
            key=("instrument_id", "source_id"),
            where=InstrumentSource.instrument_id.in_(curated_ids),
        )
        ctx.prune(
            InstrumentActor,
            issuers,
            key=("instrument_id", "actor_id", "role"),
            where=InstrumentActor.instrument_id.in_(curated_ids)
            & (InstrumentActor.role == "issuer"),
        )
        ctx.prune(
            InstrumentVersion,
            versions,
            key=("instrument_id", "version"),
            where=InstrumentVersion.instrument_id.in_(curated_ids),
        )
        ctx.prune(
            InstrumentRelation,
            relations,
            key=("subject_id", "predicate", "object_id"),
            where=InstrumentRelation.subject_id.in_(curated_ids),
        )

        rows = set()
        for _, _, instrument, part in self.participation:
            ctx.upsert(
                Participation,
                {
                    "instrument_id": instrument,
                    "actor_id": part.actor,
                    "act": part.act,
                    "date": partial_date(part.date)[0] if part.date else None,
                    "capacity": part.capacity,
                    "source_id": part.source,
                    "note": part.note,
                },
                key=("instrument_id", "actor_id", "act"),
            )
            rows.add((instrument, part.actor, part.act))
        ctx.prune(
            Participation,
            rows,
            key=("instrument_id", "actor_id", "act"),
            where=Participation.instrument_id.in_(curated_ids),
        )

        kept = set()
        for _, instrument, node, parent, position in self.provisions:
            title, text = node.title, node.text
            ctx.upsert(
                Provision,
                {
                    "id": node.id,
                    "instrument_id": instrument,
                    "parent_id": parent,
                    "position": position,
                    "kind": node.kind,
                    "label": node.label,
                    "title_en": title.en if title else None,
                    "title_zh": title.zh if title else None,
                    "text_en": text.en if text else None,
                    "text_zh": text.zh if text else None,
                    "text_kind_en": node.text_kind.en,
                    "text_kind_zh": node.text_kind.zh,
                    "source_id": node.source,
                },
            )
            kept.add((node.id,))
        ctx.session.flush()
        ctx.prune(
            Provision,
            kept,
            key=("id",),
            where=Provision.instrument_id.in_(curated_ids),
            order=lambda p: -p.id.count("/"),
        )
        self._write_vocabularies(ctx)
        # Instruments (and actors) dropped from the files go last, after their children.
        ctx.prune(Instrument, {(i,) for i in ids}, key=("id",), where=in_curated)
        ctx.prune(Actor, {(a,) for a in curated_actors}, key=("id",), where=Actor.origin == ORIGIN)

    def _write_vocabularies(self, ctx: ImportContext) -> None:
        taxonomy_ids = {tax.id for _, tax in self.taxonomies}
        kept_terms: set[tuple[str]] = set()
        for _, tax in self.taxonomies:
            ctx.upsert(
                Taxonomy,
                {
                    "id": tax.id,
                    "name_en": tax.names.en,
                    "name_zh": tax.names.zh,
                    "version": tax.version,
                    "publisher": tax.publisher,
                    "url": None,
                    "description_en": tax.description.en if tax.description else None,
                    "source_id": tax.source,
                    "origin": ORIGIN,
                },
            )
        ctx.session.flush()
        for _, tax in self.taxonomies:
            # Parents first, so the self-reference is satisfied on insert.
            for position, term in sorted(
                enumerate(tax.terms, start=1), key=lambda item: item[1].parent is not None
            ):
                ctx.upsert(
                    Term,
                    {
                        "id": term.id,
                        "taxonomy_id": tax.id,
                        "parent_id": term.parent,
                        "code": term.code,
                        "kind": term.kind,
                        "name_en": term.names.en,
                        "name_zh": term.names.zh,
                        "definition_en": term.definitions.en if term.definitions else None,
                        "definition_zh": term.definitions.zh if term.definitions else None,
                        "url": None,
                        "position": position,
                        "extra": {
                            "source": term.source,
                            **({"note": term.note} if term.note else {}),
                        },
                    },
                )
                kept_terms.add((term.id,))
            ctx.session.flush()
        kept_mappings: set[tuple[str, str, str, str]] = set()
        for _, _, mapping_set, m in self.mappings:
            ctx.upsert(
                Mapping,
                {
                    "mapping_set": mapping_set,
                    "subject_id": m.subject_id,
                    "subject_type": m.subject_type,
                    "predicate": m.predicate,
                    "object_id": m.object_id,
                    "object_type": m.object_type,
                    "justification": m.justification,
                    "confidence": m.confidence,
                    "method": m.method,
                    "author": m.author,
                    "review_status": m.review_status,
                    "source_id": m.source,
                    "note": m.note,
                },
                key=("mapping_set", "subject_id", "predicate", "object_id"),
            )
            kept_mappings.add((mapping_set, m.subject_id, m.predicate, m.object_id))
        # Every curated mapping set is named cg-…: a set dropped from the files is pruned too.
        ctx.prune(
            Mapping,
            kept_mappings,
            key=("mapping_set", "subject_id", "predicate", "object_id"),
            where=Mapping.mapping_set.like("cg-%"),
        )
        curated_taxonomies = select(Taxonomy.id).where(Taxonomy.origin == ORIGIN).scalar_subquery()
        ctx.prune(
            Term,
            kept_terms,
            key=("id",),
            where=Term.taxonomy_id.in_(curated_taxonomies),
            order=lambda t: t.parent_id is None,
        )
        ctx.prune(
            Taxonomy, {(t,) for t in taxonomy_ids}, key=("id",), where=Taxonomy.origin == ORIGIN
        )


def _instrument_values(rec: InstrumentRecord) -> dict[str, object]:
    dated = {e.event: partial_date(e.date)[0] for e in rec.status}
    year = next((dated[e].year for e in DATING_EVENTS if e in dated), None)
    if year is None and dated:
        year = min(dated.values()).year
    latest = max(rec.status, key=lambda e: partial_date(e.date)[0]) if rec.status else None
    short, place, coverage = rec.short_names, rec.place, rec.coverage
    return {
        "id": rec.id,
        "name_en": rec.names.en,
        "name_zh": rec.names.zh,
        "short_name_en": short.en if short else None,
        "short_name_zh": short.zh if short else None,
        "type": rec.type,
        "legal_force": rec.legal_force,
        "jurisdiction": rec.jurisdiction,
        "place_en": place.en if place else None,
        "place_zh": place.zh if place else None,
        "url": rec.url,
        "summary_en": rec.summary.en,
        "summary_zh": rec.summary.zh,
        "year": year,
        "status": latest.event if latest else None,
        "coverage_participants": coverage.participants if coverage else None,
        "coverage_expected": coverage.expected_count if coverage else None,
        "coverage_note": coverage.note if coverage else None,
        "uncertain": rec.uncertain,
        "note": rec.note,
        "origin": ORIGIN,
        "extra": None,
    }
