"""API tokens: ``cg_<prefix>_<secret>``. Only the prefix (to find the row) and the hex
SHA-256 of the whole token are stored; the raw token is shown once, to its owner."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from commonground.auth import audit
from commonground.auth.clock import aware, utcnow
from commonground.auth.errors import AuthError
from commonground.auth.operator import is_admin
from commonground.auth.principal import SCOPES, Principal
from commonground.errors import NotFoundError
from commonground.store.models_accounts import Account, ApiToken

_FORMAT = re.compile(r"cg_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
NAME_MAX = 120
MAX_LIFETIME_DAYS = 366
# last_used_at is written at most this often per token: each write is a transaction.
TOUCH_EVERY = dt.timedelta(minutes=5)
_DUMMY_HASH = "0" * 64


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_scopes(scopes: Iterable[str] | str) -> frozenset[str]:
    """Validated scopes; raises :class:`AuthError` naming an unknown one."""
    items = scopes.split() if isinstance(scopes, str) else list(scopes)
    found = frozenset(s.strip() for s in items if s.strip())
    unknown = sorted(found - set(SCOPES))
    if unknown:
        raise AuthError(f"unknown scope(s) {', '.join(unknown)}: use {', '.join(SCOPES)}")
    if not found:
        raise AuthError(f"a token needs at least one scope: {', '.join(SCOPES)}")
    return found


def _ordered(scopes: frozenset[str]) -> str:
    return " ".join(s for s in SCOPES if s in scopes)


def create_token(
    session: Session,
    actor: Principal,
    account: Account,
    name: str,
    scopes: Iterable[str] | str,
    *,
    expires_in_days: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``account``; returns the row and the raw token (shown once)."""
    now = now or utcnow()
    name = (name or "").strip()
    if not name:
        raise AuthError("a token needs a name (what it is for)")
    if len(name) > NAME_MAX:
        raise AuthError(f"token name too long: at most {NAME_MAX} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise AuthError("token name must not contain control characters")
    wanted = parse_scopes(scopes)
    # A token never holds more than the token that made it.
    if actor.scopes is not None and not wanted <= actor.scopes and "admin" not in actor.scopes:
        extra = _ordered(wanted - actor.scopes)
        raise AuthError(f"cannot grant scope(s) this token does not hold: {extra}")
    if account.disabled_at is not None:
        raise AuthError(f"account {account.username} is disabled")
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
            raise AuthError(f"expiry must be 1 to {MAX_LIFETIME_DAYS} days (got {expires_in_days})")
        expires_at = now + dt.timedelta(days=expires_in_days)
    prefix = secrets.token_hex(6)
    raw = f"cg_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        account_id=account.id,
        name=name,
        prefix=prefix,
        token_hash=digest(raw),
        scopes=_ordered(wanted),
        created_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        "api_token",
        token.id,
        {"account_id": account.id, "scopes": token.scopes.split()},
        at=now,
    )
    return token, raw


def find_token(session: Session, raw: str, *, now: dt.datetime | None = None) -> ApiToken | None:
    """The live token ``raw`` names, or None (malformed, unknown, revoked or expired)."""
    now = now or utcnow()
    match = _FORMAT.fullmatch(raw or "")
    token = None
    if match:
        token = session.scalar(select(ApiToken).where(ApiToken.prefix == match.group(1)))
    # Compare digests in constant time, also when no row was found.
    ok = hmac.compare_digest(
        token.token_hash if token else _DUMMY_HASH, digest(raw or "") if match else "x" * 64
    )
    if token is None or not ok:
        return None
    if token.revoked_at is not None:
        return None
    if token.expires_at is not None and aware(token.expires_at) <= now:
        return None
    return token


def needs_touch(token: ApiToken, now: dt.datetime) -> bool:
    return token.last_used_at is None or now - aware(token.last_used_at) >= TOUCH_EVERY


def touch(session: Session, token_id: int, now: dt.datetime) -> None:
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = now


def revoke_token(
    session: Session, actor: Principal, token_id: int, *, now: dt.datetime | None = None
) -> ApiToken:
    """Revoke a token: its owner or an admin may. Revoking twice is an error."""
    now = now or utcnow()
    token = session.get(ApiToken, token_id)
    # Someone else's token is reported as missing: ids of others' tokens are not disclosed.
    if token is None or (token.account_id != actor.account_id and not is_admin(actor)):
        raise NotFoundError(f"no such token: {token_id}")
    if token.revoked_at is not None:
        raise AuthError(f"token {token_id} is already revoked")
    token.revoked_at = now
    audit.record(
        session, actor, "token.revoke", "api_token", token.id,
        {"account_id": token.account_id}, at=now,
    )  # fmt: skip
    return token


def tokens_of(session: Session, account_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.id)
        )
    )
