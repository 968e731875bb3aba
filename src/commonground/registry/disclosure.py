"""Coordinated disclosure: who may see a vulnerability before it is published.

A vulnerability is public once `published_at` is set, or once its `embargo_until` has
passed (even before `publish_due` has run). Until then it exists only for the
reporter's organisation (and the reporter), the affected developer's organisation and
triagers/admins; for everyone else it does not exist at all.

`visible_vulnerabilities(principal, now)` is the one rule: every query path that reads
vulnerabilities, or anything attached to one, filters with it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import Session

from commonground.auth import audit
from commonground.auth.principal import ANONYMOUS, Principal
from commonground.errors import NotFoundError
from commonground.registry.cases import (
    VULNERABILITY,
    Conflict,
    InvalidInput,
    add_event,
    as_utc,
    require_role,
    submitter,
)
from commonground.store.models_cases import Vulnerability


def is_published(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        Vulnerability.published_at.is_not(None),
        and_(Vulnerability.embargo_until.is_not(None), Vulnerability.embargo_until <= now),
    )


def visible_vulnerabilities(principal: Principal, now: dt.datetime) -> ColumnElement[bool]:
    """The SQL condition: rows of `vulnerability` this principal may know exist at `now`."""
    if principal.has_role("triager"):  # admins hold every role
        return true()
    insiders = []
    if principal.organisation_id is not None:
        insiders += [
            Vulnerability.reporter_org_id == principal.organisation_id,
            Vulnerability.developer_org_id == principal.organisation_id,
        ]
    if principal.account_id is not None:
        insiders.append(Vulnerability.reporter_id == principal.account_id)
    return or_(is_published(now), *insiders)


def visible_ids(principal: Principal, now: dt.datetime) -> Select[tuple[str]]:
    """Ids of the visible vulnerabilities, for filtering rows attached to them."""
    return select(Vulnerability.id).where(visible_vulnerabilities(principal, now))


def get_visible(session: Session, principal: Principal, id: str, now: dt.datetime) -> Vulnerability:
    """The vulnerability, or NotFoundError worded exactly as for an id never used."""
    found = session.scalar(
        select(Vulnerability).where(Vulnerability.id == id, visible_vulnerabilities(principal, now))
    )
    if found is None:
        raise NotFoundError(f"no vulnerability {id!r}")
    return found


def embargoed(vulnerability: Vulnerability, now: dt.datetime) -> bool:
    """True while not yet public (the Python twin of `is_published`, for display)."""
    if vulnerability.published_at is not None:
        return False
    until = as_utc(vulnerability.embargo_until)
    return until is None or until > now


def _publish(
    session: Session, principal: Principal, v: Vulnerability, now: dt.datetime, how: str
) -> None:
    v.published_at = now
    v.updated_at = now
    add_event(
        session,
        principal,
        VULNERABILITY,
        v.id,
        "published",
        now=now,
        detail={"how": how},
    )
    audit.record(session, principal, "vulnerability.publish", VULNERABILITY, v.id, {"how": how})


def publish_due(session: Session, now: dt.datetime) -> list[str]:
    """Publish every vulnerability whose embargo has ended; returns their ids."""
    due = list(
        session.scalars(
            select(Vulnerability)
            .where(
                Vulnerability.published_at.is_(None),
                Vulnerability.embargo_until.is_not(None),
                Vulnerability.embargo_until <= now,
            )
            .order_by(Vulnerability.id)
        )
    )
    for v in due:
        _publish(session, ANONYMOUS, v, now, "embargo ended")
    session.flush()
    return [v.id for v in due]


def publish(session: Session, principal: Principal, id: str, now: dt.datetime) -> Vulnerability:
    """A triager publishes before the embargo ends (or publishes an unscheduled one)."""
    require_role(principal, "triager", scope="triage")
    v = get_visible(session, principal, id, now)
    if v.published_at is not None:
        raise Conflict(f"{id} was already published")
    submitter(session, principal)
    _publish(session, principal, v, now, "early" if v.embargo_until else "triager")
    session.flush()
    return v


def set_embargo(
    session: Session, principal: Principal, id: str, until: dt.datetime, now: dt.datetime
) -> Vulnerability:
    """A triager sets or moves the embargo of an unpublished vulnerability."""
    require_role(principal, "triager", scope="triage")
    v = get_visible(session, principal, id, now)
    if v.published_at is not None:
        raise Conflict(f"{id} is already published; an embargo cannot be set")
    until = as_utc(until)  # type: ignore[assignment]
    if until <= now:
        raise InvalidInput("embargo_until", "must be in the future")
    previous = as_utc(v.embargo_until)
    v.embargo_until = until
    v.updated_at = now
    submitter(session, principal)
    add_event(
        session,
        principal,
        VULNERABILITY,
        v.id,
        "embargo",
        now=now,
        detail={
            "from": previous.isoformat() if previous else None,
            "to": until.isoformat(),
        },
    )
    audit.record(
        session,
        principal,
        "vulnerability.embargo",
        VULNERABILITY,
        v.id,
        {"fields": ["embargo_until"]},
    )
    session.flush()
    return v
