"""Organisations and accounts: create, set roles, disable, and sign in with a password.

Every change writes an audit event in the caller's transaction; the callers (web routes,
the CLI) check that the actor may make it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.auth import audit, passwords, ratelimit, sessions
from commonground.auth.clock import utcnow
from commonground.auth.errors import AuthError, LoginFailed, LoginLocked
from commonground.auth.principal import ANONYMOUS, Principal
from commonground.errors import NotFoundError
from commonground.store.engine import Store
from commonground.store.models import Actor
from commonground.store.models_accounts import ROLES, Account, Organisation

USERNAME = re.compile(r"[a-z0-9._-]{3,80}")
ORGANISATION_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,79}")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
TEXT_MAX = 200


def check_username(username: str) -> str:
    if not USERNAME.fullmatch(username or ""):
        raise AuthError(
            f"bad username {username!r}: 3 to 80 characters from a-z, 0-9, '.', '_' and '-'"
        )
    return username


def parse_roles(roles: Iterable[str] | str) -> list[str]:
    """Validated roles in ROLES order; raises :class:`AuthError` naming an unknown one."""
    items = roles.split() if isinstance(roles, str) else [r.strip() for r in roles]
    found = {r for r in items if r}
    unknown = sorted(found - set(ROLES))
    if unknown:
        raise AuthError(f"unknown role(s) {', '.join(unknown)}: use {', '.join(ROLES)}")
    if not found:
        raise AuthError(f"an account needs at least one role: {', '.join(ROLES)}")
    return [r for r in ROLES if r in found]


def _text(value: str | None, field: str, *, required: bool = False) -> str | None:
    value = (value or "").strip() or None
    if required and value is None:
        raise AuthError(f"{field} is required")
    if value is not None and len(value) > TEXT_MAX:
        raise AuthError(f"{field} too long: at most {TEXT_MAX} characters")
    if value is not None and has_control(value):
        raise AuthError(f"{field} must not contain control characters")
    return value


def has_control(text: str) -> bool:
    """True if ``text`` holds a control character (PostgreSQL refuses NUL in text)."""
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def principal_of(account: Account, scopes: frozenset[str] | None = None) -> Principal:
    if account.disabled_at is not None:
        return ANONYMOUS
    return Principal(
        account_id=account.id,
        username=account.username,
        organisation_id=account.organisation_id,
        roles=frozenset(account.roles.split()),
        scopes=scopes,
    )


def get_account(session: Session, username: str) -> Account:
    valid = USERNAME.fullmatch(username or "")
    account = session.scalar(select(Account).where(Account.username == username)) if valid else None
    if account is None:
        raise NotFoundError(f"no such account: {username}")
    return account


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.username)))


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.id)))


def create_organisation(
    session: Session,
    actor: Principal,
    id: str,
    name_en: str,
    name_zh: str | None = None,
    actor_id: str | None = None,
    *,
    now: dt.datetime | None = None,
) -> Organisation:
    now = now or utcnow()
    if not ORGANISATION_ID.fullmatch(id or ""):
        raise AuthError(
            f"bad organisation id {id!r}: 2 to 80 characters from a-z, 0-9 and '-' (e.g. uk-aisi)"
        )
    if session.get(Organisation, id) is not None:
        raise AuthError(f"organisation {id} already exists")
    name_en = _text(name_en, "English name", required=True)  # type: ignore[assignment]
    name_zh = _text(name_zh, "Chinese name")
    actor_id = (actor_id or "").strip() or None
    if actor_id is not None and (has_control(actor_id) or session.get(Actor, actor_id) is None):
        raise AuthError(f"no such actor: {actor_id}")
    organisation = Organisation(
        id=id, name_en=name_en, name_zh=name_zh, actor_id=actor_id, created_at=now
    )
    session.add(organisation)
    session.flush()
    audit.record(
        session, actor, "organisation.create", "organisation", id,
        {"actor_id": actor_id} if actor_id else None, at=now,
    )  # fmt: skip
    return organisation


def create_account(
    session: Session,
    actor: Principal,
    username: str,
    *,
    password: str | None = None,
    roles: Iterable[str] | str = ("viewer",),
    organisation_id: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    now: dt.datetime | None = None,
) -> Account:
    """A new account; without a password it can use tokens only."""
    now = now or utcnow()
    check_username(username)
    role_list = parse_roles(roles)
    organisation_id = (organisation_id or "").strip() or None
    if organisation_id is not None and (
        not ORGANISATION_ID.fullmatch(organisation_id)
        or session.get(Organisation, organisation_id) is None
    ):
        raise AuthError(f"no such organisation: {organisation_id}")
    display_name = _text(display_name, "display name")
    email = _text(email, "email")
    if email is not None and not EMAIL.fullmatch(email):
        raise AuthError(f"bad email address {email!r}")
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise AuthError(f"username {username} is taken")
    account = Account(
        username=username,
        display_name=display_name,
        email=email,
        organisation_id=organisation_id,
        password_hash=passwords.hash_password(password) if password is not None else None,
        roles=" ".join(role_list),
        created_at=now,
    )
    session.add(account)
    session.flush()
    audit.record(
        session, actor, "account.create", "account", account.id,
        {"username": username, "roles": role_list, "organisation_id": organisation_id},
        at=now,
    )  # fmt: skip
    return account


def set_roles(
    session: Session,
    actor: Principal,
    username: str,
    roles: Iterable[str] | str,
    *,
    now: dt.datetime | None = None,
) -> Account:
    account = get_account(session, username)
    role_list = parse_roles(roles)
    before = account.roles.split()
    # An admin may not remove their own admin role: an observatory with no admin left
    # could not be administered from the web.
    if actor.account_id == account.id and "admin" in before and "admin" not in role_list:
        raise AuthError("you cannot remove your own admin role")
    account.roles = " ".join(role_list)
    audit.record(
        session, actor, "account.roles", "account", account.id,
        {"before": before, "after": role_list}, at=now or utcnow(),
    )  # fmt: skip
    return account


def set_password(
    session: Session, actor: Principal, username: str, password: str, *,
    now: dt.datetime | None = None,
) -> Account:  # fmt: skip
    account = get_account(session, username)
    account.password_hash = passwords.hash_password(password)
    audit.record(session, actor, "account.password", "account", account.id, at=now or utcnow())
    return account


def disable_account(
    session: Session, actor: Principal, username: str, *, now: dt.datetime | None = None
) -> Account:
    """Disable an account: its sessions end and its tokens stop working."""
    now = now or utcnow()
    account = get_account(session, username)
    if account.disabled_at is not None:
        raise AuthError(f"account {username} is already disabled")
    if actor.account_id == account.id:
        raise AuthError("you cannot disable your own account")
    account.disabled_at = now
    sessions.end_sessions_of(session, account.id)
    audit.record(session, actor, "account.disable", "account", account.id, at=now)
    return account


def authenticate(
    store: Store,
    username: str,
    password: str,
    *,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Principal, str, str]:
    """Check a password and start a browser session.

    Returns the principal, the raw session id (for the cookie) and the CSRF token.
    Raises :class:`LoginLocked` when the username or address is locked, else
    :class:`LoginFailed` for any failure (unknown user, wrong password, disabled
    account, no password): the message never says which.
    """
    now = now or utcnow()
    username = (username or "").strip().lower()
    if has_control(username):  # never a valid name; keep it out of keys and queries
        username = username.encode("unicode_escape").decode("ascii")
    keys = ratelimit.keys_for(username, address)
    with store.sessions() as read:
        until = ratelimit.locked_until(read, keys, now)
        if until is not None:
            raise LoginLocked(until)
        account = (
            read.scalar(select(Account).where(Account.username == username))
            if USERNAME.fullmatch(username)
            else None
        )
    ok = passwords.verify_password(account.password_hash if account else None, password or "")
    if not ok or account is None or account.disabled_at is not None:
        with store.transaction(public=False) as write:
            ratelimit.record_failure(write, keys, now)
            audit.record(
                write, ANONYMOUS, "login.failure", "account",
                account.id if account else "-", {"address": address} if address else None,
                at=now,
            )  # fmt: skip
        raise LoginFailed()
    with store.transaction(public=False) as write:
        fresh = write.get(Account, account.id)
        assert fresh is not None
        if passwords.needs_rehash(fresh.password_hash or ""):
            fresh.password_hash = passwords.hash_password(password)
        raw, row = sessions.create_session(write, fresh.id, now=now)
        principal = principal_of(fresh)
        audit.record(write, principal, "login.success", "account", fresh.id, at=now)
    return principal, raw, row.csrf_token
