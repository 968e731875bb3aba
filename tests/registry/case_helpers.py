"""Principals, a taxonomy term and cases for the registry and web tests of cases."""

from __future__ import annotations

import datetime as dt

from commonground.auth.accounts import get_account, principal_of
from commonground.auth.principal import Principal
from commonground.ingest.mit_risk import DOMAIN_TAXONOMY, SOURCE, SUBDOMAINS
from commonground.store.engine import Store
from commonground.store.models import Source, Taxonomy, Term
from tests.auth_helpers import make_account

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
# A real MIT domain-taxonomy subdomain (2.2), as the mit-risk importer names it.
TERM_ID = "mit-domain:2.2"


def principal(
    store: Store,
    username: str,
    roles: tuple[str, ...] = ("viewer",),
    organisation: str | None = None,
    scopes: frozenset[str] | None = None,
) -> Principal:
    make_account(store, username, roles=roles, organisation=organisation, password=None)
    with store.sessions() as session:
        return principal_of(get_account(session, username), scopes)


def add_mit_term(store: Store) -> str:
    with store.transaction() as session:
        session.add(Source(**SOURCE))
        session.flush()
        session.add(
            Taxonomy(
                id=DOMAIN_TAXONOMY,
                name_en="MIT AI Risk Repository: Domain Taxonomy of AI Risks v3",
                source_id=SOURCE["id"],
                origin=SOURCE["origin"],
            )
        )
        session.flush()
        session.add(
            Term(
                id=TERM_ID,
                taxonomy_id=DOMAIN_TAXONOMY,
                code="2.2",
                kind="risk",
                name_en=SUBDOMAINS["2.2"],
            )
        )
    return TERM_ID
