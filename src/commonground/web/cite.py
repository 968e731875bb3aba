"""'Cite this' for an instrument: a permalink, one CSL-JSON item and a BibTeX entry.

The author is the issuing authority (an institution, so a CSL `literal` name and a
braced BibTeX name); the date comes from the instrument's dating event, as precise
as its source (YYYY[-MM[-DD]]); the URL is the official address; the note carries
our permalink. A Chinese title stays in UTF-8 (BibTeX `titleaddon`, CSL note).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any
from urllib.parse import quote

from commonground.registry.instruments import AS_OF_EVENTS, ISSUING_ROLES, InstrumentDetail

CSL_TYPES = {
    "law": "legislation",
    "legislation": "legislation",
    "regulation": "legislation",
    "directive": "legislation",
    "executive order": "legislation",
    "ordinance": "legislation",
    "bill": "bill",
    "treaty": "treaty",
    "report": "report",
    "technical paper": "report",
    "white paper": "report",
    "whitepaper": "report",
    "standard": "standard",
    "standards": "standard",
    "resolution": "legislation",
}
BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def permalink(base_url: str, id: str) -> str:
    """Our page for the instrument (English; /zh/… has the same record in Chinese)."""
    return f"{base_url.rstrip('/')}/en/instruments/{quote(id, safe='')}"


def bibtex_key(id: str) -> str:
    """A stable ASCII key from the id; a short digest keeps altered ids distinct."""
    safe = _KEY_UNSAFE.sub("-", id).strip("-") or "instrument"
    if safe != id:
        safe += "-" + hashlib.sha1(id.encode()).hexdigest()[:6]
    return f"cg:{safe}"


def escape_bibtex(text: str) -> str:
    return "".join(BIBTEX_SPECIALS.get(ch, ch) for ch in text)


def _date_parts(detail: InstrumentDetail) -> list[int] | None:
    """The dating event's date as [Y], [Y, M] or [Y, M, D]; else the instrument's year."""
    by_event = {e.event: e.date_text for e, _ in detail.events if e.date_text}
    for name in AS_OF_EVENTS:
        match = _DATE.match(by_event.get(name, ""))
        if match:
            return [int(p) for p in match.groups() if p]
    year = detail.instrument.year
    return [year] if year else None


def _authors(detail: InstrumentDetail) -> list[str]:
    return [actor.name_en for actor, role in detail.issuers if role in ISSUING_ROLES]


def _language(detail: InstrumentDetail) -> str:
    """The official text's language: the source at the instrument's URL, else the
    most common language among its sources, else English."""
    inst = detail.instrument
    for source in detail.sources:
        if inst.url and source.url == inst.url and source.language:
            return source.language
    languages = Counter(s.language for s in detail.sources if s.language)
    languages.update(s.language for _, s in detail.events if s.language)
    return languages.most_common(1)[0][0] if languages else "en"


def _note(detail: InstrumentDetail, link: str) -> str:
    inst = detail.instrument
    parts = []
    if inst.name_zh:
        parts.append(f"中文标题：{inst.name_zh}")
    parts.append(f"Common Ground record: {link}")
    return ". ".join(parts)


def csl_json(detail: InstrumentDetail, link: str) -> dict[str, Any]:
    inst = detail.instrument
    item: dict[str, Any] = {
        "id": bibtex_key(inst.id),
        "type": CSL_TYPES.get(inst.type.lower(), "document"),
        "title": inst.name_en,
    }
    if inst.short_name_en:
        item["title-short"] = inst.short_name_en
    authors = _authors(detail)
    if authors:
        item["author"] = [{"literal": name} for name in authors]
        item["publisher"] = authors[0]
    parts = _date_parts(detail)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if inst.url:
        item["URL"] = inst.url
    if inst.jurisdiction:
        item["jurisdiction"] = inst.jurisdiction
    item["language"] = _language(detail)
    item["note"] = _note(detail, link)
    return item


def _url_field(url: str) -> str:
    # Verbatim in biblatex; braces and backslashes are percent-encoded so the entry
    # always balances.
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def bibtex(detail: InstrumentDetail, link: str) -> str:
    inst = detail.instrument
    fields: list[tuple[str, str]] = [("title", "{" + escape_bibtex(inst.name_en) + "}")]
    if inst.name_zh:
        fields.append(("titleaddon", escape_bibtex(inst.name_zh)))
    authors = _authors(detail)
    if authors:
        fields.append(("author", " and ".join("{" + escape_bibtex(a) + "}" for a in authors)))
        fields.append(("organization", escape_bibtex(authors[0])))
    parts = _date_parts(detail)
    if parts:
        fields.append(("year", str(parts[0])))
        fields.append(("date", "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))))
    if inst.url:
        fields.append(("url", _url_field(inst.url)))
        fields.append(("howpublished", r"\url{" + _url_field(inst.url) + "}"))
    fields.append(("language", escape_bibtex(_language(detail))))
    fields.append(("note", escape_bibtex(_note(detail, "")) + r"\url{" + _url_field(link) + "}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(inst.id)},\n{body}\n}}\n"
