"""Shared writing for the incident and vulnerability importers (AIAAIC, AIID, AVID, IBM).

Imported cases keep the triage fields a triager may have changed here (status,
assignee, duplicate link): those are set on first import only. Attributes and tags
are keyed by their natural keys, and the ones a new version of the source no longer
lists are pruned, so a re-import of the same input changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from commonground.ingest.base import ImportContext
from commonground.store.models import Actor, Term
from commonground.store.models_cases import CaseAttribute, CaseTag

# Set when a case is first imported, never overwritten by a re-import.
TRIAGE_FIELDS = ("status", "assignee_id", "duplicate_of_id")

# Actors a country cell may name besides ISO states and territories (Kosovo, the EU).
PLACE_KINDS = ("economy", "regional_org")
# Source spellings of countries that no country-codes name matches (AIAAIC, AIID).
# Sub-national places resolve to their state; the text as written stays in `value`.
COUNTRY_ALIASES = {
    "united states": "USA",
    "uk": "GBR",
    "united kingdom": "GBR",
    "uk - england": "GBR",
    "uk - scotland": "GBR",
    "scotland": "GBR",
    "rep ireland": "IRL",
    "s korea": "KOR",
    "s. korea": "KOR",
    "n korea": "PRK",
    "turkey": "TUR",
    "uae": "ARE",
    "uae - abu dhabi": "ARE",
    "uae/dubai": "ARE",
    "macedonia": "MKD",
    "burkino faso": "BFA",
    "côte d'ivoire": "CIV",
    "zanzibar": "TZA",
    "eu - hungary": "HUN",
    "eu": "EU",
    "european union": "EU",
}


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def split_values(text: str, separator: str = ";") -> list[str]:
    """ "a; b;  c" → ["a", "b", "c"]; empty parts and repeats are dropped, order kept."""
    seen: dict[str, None] = {}
    for part in text.split(separator):
        part = part.strip()
        if part:
            seen.setdefault(part, None)
    return list(seen)


def country_index(session: Session) -> dict[str, str]:
    """Lower-cased names and ISO codes of the store's states, territories, economies and
    regional organisations → actor id. Empty when country-codes and curated are not
    imported: countries then stay as text. A name already taken keeps its first actor
    (ISO states and territories before the others, then by id)."""
    index: dict[str, str] = {}
    ids: set[str] = set()
    places = or_(Actor.iso_alpha3.is_not(None), Actor.kind.in_(PLACE_KINDS))
    order = (Actor.iso_alpha3.is_(None), Actor.id)
    for actor in session.scalars(select(Actor).where(places).order_by(*order)):
        ids.add(actor.id)
        names = (actor.name_en, actor.short_name_en, actor.formal_name_en)
        for name in names:
            if not name:
                continue
            text = name.strip().lower().rstrip("*").strip()
            index.setdefault(text, actor.id)
            if text.startswith("the "):
                index.setdefault(text[4:], actor.id)
            if text.endswith(" (the)"):
                index.setdefault(text[:-6], actor.id)
        for code in (actor.iso_alpha3, actor.iso_alpha2):
            if code:
                index.setdefault(code.lower(), actor.id)
    for alias, actor_id in COUNTRY_ALIASES.items():
        if actor_id in ids or session.get(Actor, actor_id) is not None:
            index.setdefault(alias, actor_id)
    return index


def resolve_country(index: dict[str, str], value: str) -> str | None:
    return index.get(value.strip().lower().replace("\u2019", "'"))


def upsert_case(ctx: ImportContext, model: type, values: dict[str, Any]) -> Any:
    """Upsert an incident or vulnerability, keeping the triage fields of an existing row."""
    existing = ctx.existing(model, lambda r: (r.id,), "id")
    row = existing.get((values["id"],))
    if row is not None:
        values = {k: v for k, v in values.items() if k not in TRIAGE_FIELDS}
        # created_at is when the case first came in; a later import does not move it.
        values.pop("created_at", None)
        for name, value in list(values.items()):
            if isinstance(value, dt.datetime) and same_instant(getattr(row, name), value):
                del values[name]  # SQLite returns naive UTC: not a change
    return ctx.upsert(model, values)


def same_instant(stored: dt.datetime | None, value: dt.datetime) -> bool:
    if stored is None:
        return False
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=dt.UTC)
    return stored == value


class CaseWriter:
    """Collects the attributes and tags of one import's cases, then prunes the rest."""

    def __init__(self, ctx: ImportContext, subject_type: str) -> None:
        self.ctx = ctx
        self.subject_type = subject_type
        self.attributes: set[tuple[str, str, str, str]] = set()
        self.tags: set[tuple[str, str, str]] = set()
        self.subjects: set[str] = set()

    def attributes_for(
        self,
        subject_id: str,
        kind: str,
        values: Iterable[str],
        actors: dict[str, str | None] | None = None,
    ) -> None:
        self.subjects.add(subject_id)
        for position, value in enumerate(values):
            key = (self.subject_type, subject_id, kind, value)
            if key in self.attributes:
                continue
            self.attributes.add(key)
            self.ctx.upsert(
                CaseAttribute,
                {
                    "subject_type": self.subject_type,
                    "subject_id": subject_id,
                    "kind": kind,
                    "value": value,
                    "actor_id": (actors or {}).get(value),
                    "position": position,
                },
                key=("subject_type", "subject_id", "kind", "value"),
            )

    def tag(
        self,
        subject_id: str,
        term_id: str,
        *,
        at: dt.datetime,
        author: str,
        note: str | None = None,
    ) -> None:
        self.subjects.add(subject_id)
        key = (self.subject_type, subject_id, term_id)
        if key in self.tags:
            return
        self.tags.add(key)
        existing = self.ctx.existing(
            CaseTag, lambda r: (r.subject_type, r.subject_id, r.term_id), "case-tag"
        )
        values = {
            "subject_type": self.subject_type,
            "subject_id": subject_id,
            "term_id": term_id,
            "method": "imported",
            "review_status": "unreviewed",
            "author": author,
            "note": note,
            "created_at": at,
        }
        if key in existing:
            # A reviewer's verdict on an imported tag survives a re-import.
            values.pop("review_status")
            if same_instant(existing[key].created_at, at):
                values.pop("created_at")
        self.ctx.upsert(
            CaseTag, values, key=("subject_type", "subject_id", "term_id"), cache="case-tag"
        )

    def prune(self, *, id_prefix: str, tag_author: str | None = None) -> None:
        """Drop this source's attributes (and its imported tags) not in this import."""
        self.ctx.prune(
            CaseAttribute,
            self.attributes,
            key=("subject_type", "subject_id", "kind", "value"),
            where=(CaseAttribute.subject_type == self.subject_type)
            & CaseAttribute.subject_id.startswith(id_prefix, autoescape=True),
        )
        if tag_author is not None:
            self.ctx.prune(
                CaseTag,
                self.tags,
                key=("subject_type", "subject_id", "term_id"),
                where=(CaseTag.subject_type == self.subject_type)
                & CaseTag.subject_id.startswith(id_prefix, autoescape=True)
                & (CaseTag.method == "imported")
                & (CaseTag.author == tag_author),
            )


def known_terms(session: Session, taxonomy_ids: Iterable[str]) -> set[str]:
    return set(session.scalars(select(Term.id).where(Term.taxonomy_id.in_(list(taxonomy_ids)))))
