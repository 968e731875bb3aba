"""The triage workflow, comments and tags, for incidents and vulnerabilities alike.

    new → triaged | duplicate | rejected
    triaged → confirmed | duplicate | rejected
    rejected → triaged (reopened)

A duplicate keeps its row and points at its survivor, which must exist and not be a
duplicate itself (cases that pointed at the new duplicate move to its survivor). Every
change appends a CaseEvent; events and comments are never updated or deleted. An
illegal transition raises Conflict (409) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commonground.auth import audit
from commonground.auth.principal import Principal
from commonground.errors import NotFoundError
from commonground.registry.case_inputs import CommentIn, TagIn, TriageIn
from commonground.registry.cases import (
    INCIDENT,
    SUBJECTS,
    VULNERABILITY,
    Conflict,
    InvalidInput,
    add_event,
    require_role,
    submitter,
)
from commonground.registry.disclosure import get_visible, visible_vulnerabilities
from commonground.store.models import Term
from commonground.store.models_accounts import Account
from commonground.store.models_cases import CaseComment, CaseTag, Incident, Vulnerability

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"triaged", "duplicate", "rejected"}),
    "triaged": frozenset({"confirmed", "duplicate", "rejected"}),
    "confirmed": frozenset(),
    "duplicate": frozenset(),
    "rejected": frozenset({"triaged"}),
}
MODELS: dict[str, Any] = {INCIDENT: Incident, VULNERABILITY: Vulnerability}


def get_case(
    session: Session, principal: Principal, subject_type: str, id: str, now: dt.datetime
) -> Any:
    """The incident or (visible) vulnerability, else NotFoundError."""
    if subject_type == VULNERABILITY:
        return get_visible(session, principal, id, now)
    if subject_type != INCIDENT:
        raise ValueError(f"unknown subject type {subject_type!r}")
    found = session.get(Incident, id)
    if found is None:
        raise NotFoundError(f"no incident {id!r}")
    return found


def survivor_of(
    session: Session, principal: Principal, subject_type: str, id: str, now: dt.datetime
) -> str | None:
    """For a duplicate the principal may see, its survivor's id if visible too."""
    case_ = get_case(session, principal, subject_type, id, now)
    if case_.status != "duplicate" or not case_.duplicate_of_id:
        return None
    try:
        return get_case(session, principal, subject_type, case_.duplicate_of_id, now).id
    except NotFoundError:
        return None


def _assignee(session: Session, username: str) -> Account:
    account = session.scalar(select(Account).where(Account.username == username))
    roles = set(account.roles.split()) if account else set()
    if account is None or account.disabled_at is not None or not roles & {"triager", "admin"}:
        raise InvalidInput("assignee", f"{username!r} is not a triager")
    return account


def triage(
    session: Session,
    principal: Principal,
    subject_type: str,
    id: str,
    data: TriageIn,
    now: dt.datetime,
) -> Any:
    """Move a case along the workflow and/or (re)assign it; all checks come first."""
    require_role(principal, "triager", scope="triage")
    case_ = get_case(session, principal, subject_type, id, now)
    model = MODELS[subject_type]
    survivor = None
    if data.status is not None:
        if data.status not in TRANSITIONS[case_.status]:
            allowed = ", ".join(sorted(TRANSITIONS[case_.status])) or "none"
            raise Conflict(
                f"status: cannot go from {case_.status} to {data.status} (allowed: {allowed})"
            )
        if data.status == "duplicate":
            assert data.duplicate_of is not None
            if data.duplicate_of == id:
                raise InvalidInput("duplicate_of", "a case cannot duplicate itself")
            try:
                survivor = get_case(session, principal, subject_type, data.duplicate_of, now)
            except NotFoundError:
                raise InvalidInput(
                    "duplicate_of", f"no {subject_type} {data.duplicate_of!r}"
                ) from None
            if survivor.status == "duplicate":
                raise Conflict(
                    f"duplicate_of: {survivor.id} is itself a duplicate of "
                    f"{survivor.duplicate_of_id}; name that one"
                )
    assignee = None
    if data.assignee:
        assignee = _assignee(session, data.assignee)
    submitter(session, principal)
    changed: list[str] = []
    if data.status is not None:
        before = case_.status
        case_.status = data.status
        detail: dict[str, Any] | None = None
        if survivor is not None:
            case_.duplicate_of_id = survivor.id
            detail = {"duplicate_of": survivor.id}
            # Keep every chain one step long: earlier duplicates follow to the survivor.
            for earlier in session.scalars(select(model).where(model.duplicate_of_id == id)):
                earlier.duplicate_of_id = survivor.id
                earlier.updated_at = now
                add_event(
                    session,
                    principal,
                    subject_type,
                    earlier.id,
                    "redirected",
                    now=now,
                    detail={"from": id, "to": survivor.id},
                )
        add_event(
            session,
            principal,
            subject_type,
            id,
            "status",
            now=now,
            from_status=before,
            to_status=data.status,
            detail=detail,
        )
        changed += ["status"] + (["duplicate_of_id"] if survivor is not None else [])
    if data.assignee is not None:
        new_id = assignee.id if assignee else None
        if new_id != case_.assignee_id:
            case_.assignee_id = new_id
            add_event(
                session,
                principal,
                subject_type,
                id,
                "assigned",
                now=now,
                detail={"assignee": assignee.username if assignee else None},
            )
            changed.append("assignee_id")
    if not changed:
        raise Conflict("assignee: nothing to change")
    case_.updated_at = now
    audit.record(
        session, principal, f"{subject_type}.triage", subject_type, id, {"fields": changed}
    )
    session.flush()
    return case_


def comment(
    session: Session,
    principal: Principal,
    subject_type: str,
    id: str,
    data: CommentIn,
    now: dt.datetime,
) -> CaseComment:
    """Append a comment (comments are never edited or deleted)."""
    require_role(principal, "reporter", "triager", "editor")
    get_case(session, principal, subject_type, id, now)
    submitter(session, principal)
    row = CaseComment(
        subject_type=subject_type,
        subject_id=id,
        account_id=principal.account_id,
        body=data.body,
        created_at=now,
    )
    session.add(row)
    session.flush()
    add_event(session, principal, subject_type, id, "comment", now=now, detail={"comment": row.id})
    audit.record(
        session, principal, f"{subject_type}.comment", subject_type, id, {"comment": row.id}
    )
    session.flush()
    return row


def tag(
    session: Session,
    principal: Principal,
    subject_type: str,
    id: str,
    data: TagIn,
    now: dt.datetime,
) -> CaseTag:
    """Tag a case with an existing taxonomy term (method manual, unreviewed)."""
    require_role(principal, "triager", "editor")
    get_case(session, principal, subject_type, id, now)
    if session.get(Term, data.term_id) is None:
        raise InvalidInput("term_id", f"no term {data.term_id!r}")
    exists = session.scalar(
        select(CaseTag.id).where(
            CaseTag.subject_type == subject_type,
            CaseTag.subject_id == id,
            CaseTag.term_id == data.term_id,
        )
    )
    if exists is not None:
        raise Conflict(f"term_id: {id} is already tagged {data.term_id}")
    submitter(session, principal)
    row = CaseTag(
        subject_type=subject_type,
        subject_id=id,
        term_id=data.term_id,
        method="manual",
        review_status="unreviewed",
        author=f"account:{principal.username}",
        note=data.note or None,
        created_at=now,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # a concurrent identical tag
        raise Conflict(f"term_id: {id} is already tagged {data.term_id}") from None
    add_event(session, principal, subject_type, id, "tag", now=now, detail={"term": data.term_id})
    audit.record(
        session, principal, f"{subject_type}.tag", subject_type, id, {"term": data.term_id}
    )
    session.flush()
    return row


def queue(
    session: Session,
    principal: Principal,
    now: dt.datetime,
    *,
    subject_type: str,
    states: list[str] | None = None,
    assignee: str | None = None,
    limit: int = 200,
) -> list[Any]:
    """The triage queue: cases in `states` (default new and triaged), oldest first."""
    require_role(principal, "triager", scope="read")
    if subject_type not in SUBJECTS:
        raise InvalidInput("subject", f"must be one of {', '.join(SUBJECTS)}")
    model = MODELS[subject_type]
    states = [s for s in (states or ["new", "triaged"]) if s in TRANSITIONS]
    stmt = select(model).where(model.status.in_(states))
    if subject_type == VULNERABILITY:
        stmt = stmt.where(visible_vulnerabilities(principal, now))
    if assignee == "":
        stmt = stmt.where(model.assignee_id.is_(None))
    elif assignee:
        stmt = stmt.where(
            model.assignee_id.in_(select(Account.id).where(Account.username == assignee))
        )
    return list(session.scalars(stmt.order_by(model.created_at, model.id).limit(limit)))
