"""Who is asking: the account, its organisation, roles and (for tokens) scopes.

Every read of a restricted record and every write takes a :class:`Principal`; the
anonymous reader is :data:`ANONYMOUS`. Role checks live here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.store.models_accounts import ROLES

# What each token scope allows; a session cookie carries every scope of its account.
SCOPES = ("read", "write", "triage", "admin")


@dataclass(frozen=True, slots=True)
class Principal:
    account_id: int | None = None
    username: str | None = None
    organisation_id: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # None: a browser session (all the account's rights); else the token's scopes.
    scopes: frozenset[str] | None = None

    @property
    def authenticated(self) -> bool:
        return self.account_id is not None

    def has_role(self, *roles: str) -> bool:
        """True if the principal holds any of ``roles``; admin holds them all."""
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {sorted(unknown)}")
        return self.authenticated and ("admin" in self.roles or bool(self.roles & set(roles)))

    def has_scope(self, scope: str) -> bool:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope: {scope}")
        return self.authenticated and (
            self.scopes is None or scope in self.scopes or "admin" in self.scopes
        )

    def can(self, *roles: str, scope: str = "write") -> bool:
        """A write needs one of ``roles`` and, through a token, the ``scope``."""
        return self.has_role(*roles) and self.has_scope(scope)


ANONYMOUS = Principal()
