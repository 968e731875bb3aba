"""What incidents and vulnerabilities share: errors, time, ids, input checks, the
attributes/tags/comments/events of a case, and faceted keyset lists.

Services here and in `incidents`, `vulnerabilities`, `triage` and `disclosure` are
plain functions over a Session and a Principal; the web layer only translates.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Date, func, literal, select
from sqlalchemy.orm import Session

from commonground.auth.principal import Principal
from commonground.errors import Error
from commonground.registry.keyset import Key, keyset_page
from commonground.registry.pagination import Page
from commonground.store.models import Term
from commonground.store.models_accounts import Account
from commonground.store.models_cases import CaseAttribute, CaseComment, CaseEvent, CaseTag

INCIDENT = "incident"
VULNERABILITY = "vulnerability"
SUBJECTS = (INCIDENT, VULNERABILITY)
# Attribute kinds offered as facets (the importers' and the forms' kinds).
ATTRIBUTE_FACETS = ("country", "sector", "developer", "deployer", "technology")
MIN_DATE = dt.date(1, 1, 1)
FACET_LIMIT = 50

Filters = Mapping[str, Sequence[str]]


class CaseError(Error):
    """A request about a case that cannot be done; `status` is its HTTP answer."""

    status = 400


class InvalidInput(CaseError):
    """Bad input: names the field and the value's fault; nothing was changed."""

    code = "invalid"

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class Conflict(CaseError):
    """The case is not in a state that allows this (an illegal transition)."""

    code = "conflict"
    status = 409


class Forbidden(CaseError):
    code = "forbidden"
    status = 403


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def require_role(principal: Principal, *roles: str, scope: str = "write") -> None:
    """The service's own check (the web layer checks first); admin passes everywhere."""
    if not principal.authenticated:
        raise Forbidden("sign in first")
    if not principal.can(*roles, scope=scope):
        raise Forbidden(f"needs the {' or '.join(roles)} role and the {scope} scope")


# -- text checks -----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Text as it will be stored: no NUL or other control characters (no database
    stores NUL; the rest are never meant), no lone surrogates; surrounding space trimmed."""
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text") from None
    return value.strip()


# -- ids -------------------------------------------------------------------------------


def next_case_id(session: Session, model: Any, prefix: str) -> str:
    """The next free `<prefix><n>` id (`CG:I-2026-` → `CG:I-2026-7`).

    Concurrent filers are serialised: SQLite's writer holds the database lock from
    BEGIN IMMEDIATE (Store.transaction); PostgreSQL takes a transaction-scoped advisory
    lock named for the prefix, so the second filer reads the first one's id."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(prefix.encode()))))
    # Longest id first, then text order, gives the numerically largest suffix.
    last = session.scalar(
        select(model.id)
        .where(model.id.startswith(prefix, autoescape=True))
        .order_by(func.length(model.id).desc(), model.id.desc())
        .limit(1)
    )
    number = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{number}"


# -- events ----------------------------------------------------------------------------


def add_event(
    session: Session,
    principal: Principal,
    subject_type: str,
    subject_id: str,
    action: str,
    *,
    now: dt.datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one step to a case's history (events are never updated or deleted)."""
    event = CaseEvent(
        subject_type=subject_type,
        subject_id=subject_id,
        at=now,
        account_id=principal.account_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
    )
    session.add(event)
    return event


def submitter(session: Session, principal: Principal) -> None:
    """Name the user in the transparency log entry of this write transaction."""
    if principal.username:
        session.info["submitter"] = f"account:{principal.username}"


def add_attributes(
    session: Session, subject_type: str, subject_id: str, pairs: Sequence[tuple[str, list[str]]]
) -> None:
    for kind, values in pairs:
        for position, value in enumerate(dict.fromkeys(values)):
            session.add(
                CaseAttribute(
                    subject_type=subject_type,
                    subject_id=subject_id,
                    kind=kind,
                    value=value,
                    position=position,
                )
            )


# -- a case's attached rows ------------------------------------------------------------


@dataclass(frozen=True)
class TagRow:
    term_id: str
    taxonomy_id: str
    name_en: str
    name_zh: str | None
    method: str
    review_status: str
    author: str | None
    note: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class CommentRow:
    id: int
    author: str | None
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class EventRow:
    id: int
    at: dt.datetime
    actor: str | None
    action: str
    from_status: str | None
    to_status: str | None
    detail: dict[str, Any] | None


@dataclass
class Attached:
    attributes: list[CaseAttribute] = field(default_factory=list)
    tags: list[TagRow] = field(default_factory=list)
    comments: list[CommentRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)


def attached(session: Session, subject_type: str, subject_id: str) -> Attached:
    """Attributes, tags (with method and review), comments and history of one case.

    Callers check that the case is visible to their principal first."""
    mine = (subject_type, subject_id)
    attributes = list(
        session.scalars(
            select(CaseAttribute)
            .where(CaseAttribute.subject_type == mine[0], CaseAttribute.subject_id == mine[1])
            .order_by(CaseAttribute.kind, CaseAttribute.position, CaseAttribute.id)
        )
    )
    tags = [
        TagRow(
            t.term_id,
            term.taxonomy_id,
            term.name_en,
            term.name_zh,
            t.method,
            t.review_status,
            t.author,
            t.note,
            as_utc(t.created_at),  # type: ignore[arg-type]
        )
        for t, term in session.execute(
            select(CaseTag, Term)
            .join(Term, Term.id == CaseTag.term_id)
            .where(CaseTag.subject_type == mine[0], CaseTag.subject_id == mine[1])
            .order_by(Term.taxonomy_id, CaseTag.term_id)
        )
    ]
    comments = [
        CommentRow(c.id, username, c.body, as_utc(c.created_at))  # type: ignore[arg-type]
        for c, username in session.execute(
            select(CaseComment, Account.username)
            .outerjoin(Account, Account.id == CaseComment.account_id)
            .where(CaseComment.subject_type == mine[0], CaseComment.subject_id == mine[1])
            .order_by(CaseComment.id)
        )
    ]
    events = [
        EventRow(
            e.id,
            as_utc(e.at),  # type: ignore[arg-type]
            username,
            e.action,
            e.from_status,
            e.to_status,
            e.detail,
        )
        for e, username in session.execute(
            select(CaseEvent, Account.username)
            .outerjoin(Account, Account.id == CaseEvent.account_id)
            .where(CaseEvent.subject_type == mine[0], CaseEvent.subject_id == mine[1])
            .order_by(CaseEvent.id)
        )
    ]
    return Attached(attributes, tags, comments, events)


def username_of(session: Session, account_id: int | None) -> str | None:
    if account_id is None:
        return None
    return session.scalar(select(Account.username).where(Account.id == account_id))


# -- faceted lists ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacets:
    """How one kind of case is listed: its column facets and its subject type."""

    subject_type: str
    model: Any
    columns: Mapping[str, Any]  # facet name → column (or expression)
    int_columns: frozenset[str] = frozenset()


def attribute_condition(subject_type: str, id_column: Any, kind: str, values: Sequence[str]) -> Any:
    return id_column.in_(
        select(CaseAttribute.subject_id).where(
            CaseAttribute.subject_type == subject_type,
            CaseAttribute.kind == kind,
            CaseAttribute.value.in_(list(values)),
        )
    )


def tag_condition(subject_type: str, id_column: Any, values: Sequence[str]) -> Any:
    return id_column.in_(
        select(CaseTag.subject_id).where(
            CaseTag.subject_type == subject_type,
            CaseTag.term_id.in_(list(values)),
            CaseTag.review_status != "rejected",
        )
    )


def conditions(spec: CaseFacets, filters: Filters, skip: str | None = None) -> list[Any]:
    """OR within a facet, AND across facets; unknown names are ignored."""
    found: list[Any] = []
    for name, values in filters.items():
        if name == skip or not values:
            continue
        if name in spec.int_columns:
            numbers = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 6]
            found.append(spec.columns[name].in_(numbers))
        elif name in spec.columns:
            found.append(spec.columns[name].in_([str(v) for v in values]))
        elif name in ATTRIBUTE_FACETS:
            found.append(attribute_condition(spec.subject_type, spec.model.id, name, values))
        elif name == "tag":
            found.append(tag_condition(spec.subject_type, spec.model.id, values))
    return found


def facet_counts(
    session: Session, spec: CaseFacets, filters: Filters, visible: ColumnElement[bool]
) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of every facet, each under the other filters and `visible`."""
    counts: dict[str, list[tuple[str, int]]] = {}
    model = spec.model
    for name, column in spec.columns.items():
        stmt = (
            select(column, func.count())
            .select_from(model)
            .where(visible, *conditions(spec, filters, skip=name), column.is_not(None))
            .group_by(column)
        )
        rows = [
            (str(int(v)) if name in spec.int_columns else str(v), n)
            for v, n in session.execute(stmt)
        ]
        rows = [r for r in rows if r[0] != ""]
        if name in spec.int_columns:
            rows.sort(key=lambda item: -int(item[0]))
        else:
            rows.sort(key=lambda item: (-item[1], item[0]))
        counts[name] = rows
    for kind in (*ATTRIBUTE_FACETS, "tag"):
        ids = select(model.id).where(visible, *conditions(spec, filters, skip=kind))
        if kind == "tag":
            value, table = CaseTag.term_id, CaseTag
            extra = [CaseTag.review_status != "rejected"]
        else:
            value, table = CaseAttribute.value, CaseAttribute
            extra = [CaseAttribute.kind == kind]
        stmt = (
            select(value, func.count(func.distinct(table.subject_id)))
            .where(table.subject_type == spec.subject_type, table.subject_id.in_(ids), *extra)
            .group_by(value)
            .order_by(func.count(func.distinct(table.subject_id)).desc(), value)
            .limit(FACET_LIMIT)
        )
        counts[kind] = [(str(v), n) for v, n in session.execute(stmt)]
    return counts


def list_cases(
    session: Session,
    spec: CaseFacets,
    date_column: Any,
    filters: Filters | None,
    visible: ColumnElement[bool],
    *,
    cursor: str | None,
    limit: int,
    with_facets: bool,
) -> Page[Any]:
    """Newest first (undated last), then by id; every query carries `visible`."""
    filters = filters or {}
    keys = [
        Key(func.coalesce(date_column, literal(MIN_DATE, Date()), type_=Date), "date", desc=True),
        Key(spec.model.id, "str"),
    ]
    where = [visible, *conditions(spec, filters)]
    items, next_cursor, total = keyset_page(
        session, spec.model, keys, where, cursor=cursor, limit=limit
    )
    counts = facet_counts(session, spec, filters, visible) if with_facets else {}
    return Page(items, next_cursor, total, counts)


def year_of(column: Any) -> Any:
    """The year of a date column, as a number on both databases."""
    return func.extract("year", column)
